/*
 * tail.c — `impulse tail`: records as one line each (call_line.c, as `impulse tree`
 * shows calls), with the time the call ended, its process and thread.
 *
 * Without -f: the last N records of the input (a ring of N lines) and exit. With -f:
 * the last N of the newest file, then every line appended to it or to any record
 * file that appears in the directory after it (a child process's, the next run's),
 * polling every 100 ms, until SIGINT or SIGTERM (exit 0). A partial last line is
 * kept until its newline arrives. Memory: N lines, and per followed file a buffer as
 * long as its longest line.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/tool.h"
#include "reader/binary.h"
#include "reader/reader.h"
#include "view/call_line.h"
#include "view/record_filter.h"

#define TAIL_MAX_FILES 256

static const char usage_text[] =
	"usage: impulse tail [-f] [-n N] [--session S] [--thread T] [--hook H]\n"
	"                    [--color=auto|always|never] [FILE|DIR ...]\n"
	"\n"
	"Prints records one line each: the time the call ended (UTC), pid/tid, thread group,\n"
	"duration, and the call as 'impulse tree' shows it. Default input: the newest file\n"
	"in .impulselogs/.\n"
	"\n"
	"  -n N            the last N records (default 10); -n 0 with -f: only new ones\n"
	"  -f, --follow    keep printing records as they are written, also from record files\n"
	"                  that appear later in the directory (a child process, the next\n"
	"                  run), until interrupted (Ctrl-C, SIGTERM); one FILE or DIR\n"
	"  --session S, --thread T, --hook H   only matching records (each may be repeated:\n"
	"                  any of the values given matches)\n"
	"  --color=WHEN    auto (a terminal without NO_COLOR), always, never\n"
	"\n"
	"Exit status: 0 every input was read whole; 1 records were read but something was\n"
	"skipped (malformed lines are reported as FILE:LINE); 2 a bad command line, or\n"
	"nothing could be read.\n";

struct tail_opts {
	struct record_filter filter;	/* --session, --thread, --hook */
	long n;
	bool follow, colour;
};

static struct tail_opts opts;
static volatile sig_atomic_t stop;

static void fail(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("impulse tail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static bool keep(const struct record *rec)
{
	return record_filter_session_ok(&opts.filter, rec) &&
	       record_filter_thread_ok(&opts.filter, rec) && record_filter_hook_ok(&opts.filter, rec);
}

/* One record as one line (no newline) into out. */
static void format_record(const struct record *rec, char *out, size_t size)
{
	char line[4096], dur[32], group[64], when[32];
	time_t sec = (time_t)(rec->end_ns / 1000000000);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%06ld", (long)(rec->end_ns % 1000000000) / 1000);
	record_str_unescape(&rec->thread_id, group, sizeof(group));
	call_format_duration(rec->end_ns - rec->start_ns, dur, sizeof(dur));
	call_line_format(rec, CALL_LINE_ARGS_MAX, line, sizeof(line));
	if (opts.colour && call_colour_of(rec->status_code) != CALL_PLAIN)
		snprintf(out, size, "%s%s %lld/%lld %-8s %s  %s%s%s", call_colour_start(
			 call_colour_of(rec->status_code)), when, (long long)rec->pid,
			 (long long)rec->tid, group, dur, rec->is_root ? "process " : "", line,
			 CALL_COLOUR_END);
	else
		snprintf(out, size, "%s %lld/%lld %-8s %s  %s%s", when, (long long)rec->pid,
			 (long long)rec->tid, group, dur, rec->is_root ? "process " : "", line);
}

/* The last N lines, oldest first. */
struct ring {
	char **lines;
	long n, next, count;
};

static void ring_add(struct ring *r, const char *line)
{
	if (!r->n)
		return;
	free(r->lines[r->next]);
	r->lines[r->next] = strdup(line);
	if (!r->lines[r->next])
		fail(1, "out of memory");
	r->next = (r->next + 1) % r->n;
	if (r->count < r->n)
		r->count++;
}

static void ring_flush(struct ring *r)
{
	long i;

	for (i = 0; i < r->count; i++) {
		long k = (r->next - r->count + i + r->n) % r->n;

		puts(r->lines[k]);
		free(r->lines[k]);
		r->lines[k] = NULL;
	}
	r->count = 0;
	r->next = 0;
	fflush(stdout);
}

static void on_error(const struct reader_error *err, void *data)
{
	(void)data;
	if (err->line)
		fprintf(stderr, "impulse tail: %s:%ld: %s\n", err->source, err->line, err->text);
	else
		fprintf(stderr, "impulse tail: %s: %s\n", err->source, err->text);
}

/* ------------------------------------------------------------ following */

struct followed {
	char *path;
	int fd;
	char *buf;
	size_t len, size;
	long line;
	bool skipping;		/* the line is past READER_LINE_MAX: dropped to its newline */
	size_t skipped;		/* bytes of it dropped so far */
	struct binary_follow *bin;	/* a binary record file: rendered into buf, or NULL */
	struct binary_out out;		/* bin's callbacks (kept by it) */
};

static void take_lines(struct followed *f, struct ring *r);

/* A binary file's rendered records, appended to the buffer its lines are taken from. */
static int bin_records(void *arg, const char *p, size_t len)
{
	struct followed *f = arg;

	if (f->size - f->len < len) {
		size_t size = f->size ? f->size : 1 << 17;

		while (size - f->len < len)
			size *= 2;
		f->buf = realloc(f->buf, size);
		if (!f->buf)
			fail(1, "out of memory");
		f->size = size;
	}
	memcpy(f->buf + f->len, p, len);
	f->len += len;
	return 0;
}

static void bin_problem(void *arg, const char *text)
{
	struct followed *f = arg;

	fprintf(stderr, "impulse tail: %s: %s\n", f->path, text);
}

/* The binary file's records since the last look, as lines. */
static void drain_binary(struct followed *f, struct ring *r)
{
	binary_follow_poll(f->bin);
	take_lines(f, r);
	if (!r)
		fflush(stdout);
}

/* Drops the bytes of a line past READER_LINE_MAX up to its newline, and reports it
 * when the newline comes: memory stays bounded whatever is appended. */
static void skip_long_line(struct followed *f)
{
	char *nl = memchr(f->buf, '\n', f->len);
	size_t part = nl ? (size_t)(nl - f->buf) : f->len;

	f->skipped += part;
	if (!nl) {
		f->len = 0;
		return;
	}
	f->line++;
	fprintf(stderr, "impulse tail: %s:%ld: a line of %zu bytes, longer than the %u MiB a record "
		"may be: skipped\n", f->path, f->line, f->skipped, READER_LINE_MAX >> 20);
	f->skipping = false;
	f->skipped = 0;
	memmove(f->buf, nl + 1, f->len - part - 1);
	f->len -= part + 1;
}

/* Each complete line in f's buffer: parsed, printed (or put in the ring when r). */
static void take_lines(struct followed *f, struct ring *r)
{
	size_t start = 0;
	char *nl;

	if (!f->len)
		return;	/* nothing read yet (buf may still be NULL) */
	while ((nl = memchr(f->buf + start, '\n', f->len - start))) {
		char out[8192];
		struct record rec;
		struct reader_error err;
		size_t len = (size_t)(nl - (f->buf + start));

		f->line++;
		memset(&err, 0, sizeof(err));
		if (len && record_parse(f->buf + start, len, &rec, &err)) {
			fprintf(stderr, "impulse tail: %s:%ld: %s\n", f->path, f->line, err.text);
		} else if (len && keep(&rec)) {
			format_record(&rec, out, sizeof(out));
			if (r)
				ring_add(r, out);
			else
				puts(out);
		}
		start += len + 1;
	}
	memmove(f->buf, f->buf + start, f->len - start);
	f->len -= start;
}

/* Everything appended to f since the last call, line by line. */
static void drain(struct followed *f, struct ring *r)
{
	if (f->bin) {
		drain_binary(f, r);
		return;
	}
	for (;;) {
		ssize_t got;

		if (!f->skipping && f->len >= READER_LINE_MAX) {
			/* READER_LINE_MAX bytes and no newline (take_lines left none) */
			f->skipping = true;
			f->skipped = 0;
		}
		if (f->skipping)
			skip_long_line(f);
		if (!f->skipping)
			take_lines(f, r);
		if (!r)
			fflush(stdout);
		if (f->size - f->len < 65536) {
			f->size = f->size ? f->size * 2 : 1 << 17;
			f->buf = realloc(f->buf, f->size);
			if (!f->buf)
				fail(1, "out of memory");
		}
		got = read(f->fd, f->buf + f->len, f->size - f->len);
		if (got < 0 && errno == EINTR)
			return;
		if (got <= 0)
			return;
		f->len += (size_t)got;
	}
}

static bool is_record_file(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "logs_", 5) && ((n > 10 && !strcmp(name + n - 5, ".json")) ||
					      (n > 13 && !strcmp(name + n - 8, ".impulse")));
}

static struct followed *follow_open(const char *path)
{
	struct followed *f = calloc(1, sizeof(*f));

	if (!f || !(f->path = strdup(path)))
		fail(1, "out of memory");
	unsigned char magic[2], magic8[BINARY_MAGIC_LEN];
	struct stat st;

	/* O_NONBLOCK: a FIFO with no writer would block the open for ever */
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0 || fstat(f->fd, &st)) {
		fprintf(stderr, "impulse tail: %s: %s\n", path, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "impulse tail: %s: not a regular file: cannot be followed\n", path);
		close(f->fd);
		goto fail;
	}
	/* A binary file (by its head, or its name while still empty): rendered as it
	 * grows. The renderer's tables are one per process: one binary file at a time. */
	if ((pread(f->fd, magic8, sizeof(magic8), 0) == sizeof(magic8) && binary_is_magic(magic8, sizeof(magic8))) ||
	    (st.st_size == 0 && strlen(path) > 8 && !strcmp(path + strlen(path) - 8, ".impulse"))) {
		static bool one;

		if (one) {
			fprintf(stderr, "impulse tail: %s: one binary file is followed at a time; "
				"'impulse tail %s' shows its last records\n", path, path);
			close(f->fd);
			goto fail;
		}
		f->out = (struct binary_out){ bin_records, bin_problem, f };
		f->bin = binary_follow_open(f->fd, &f->out);
		if (!f->bin)
			fail(1, "out of memory");
		one = true;
		return f;
	}
	/* a gzip file is complete or unreadable: nothing to follow in it */
	if (pread(f->fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		fprintf(stderr, "impulse tail: %s: a gzip file cannot be followed; "
			"'impulse tail %s' shows its last records\n", path, path);
		close(f->fd);
		goto fail;
	}
	return f;
fail:
	free(f->path);
	free(f);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Follows path (a file) or, when dir is set, the newest record file in dir and every
 * later one. Returns the exit status.
 */
static int follow(const char *dir, const char *file)
{
	struct followed *files[TAIL_MAX_FILES];
	int nfiles = 0, i;
	char newest[PATH_MAX] = "";
	struct ring ring = { NULL, opts.n, 0, 0 };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ring.lines = calloc((size_t)opts.n + 1, sizeof(char *));
	if (!ring.lines)
		fail(1, "out of memory");
	if (dir) {
		int rc = reader_newest_file(dir, newest, sizeof(newest));

		if (rc && rc != -ENOENT)
			fail(TOOL_EXIT_NOTHING_READ, "%s: %s", dir, strerror(-rc));
		file = rc ? NULL : newest;
	}
	if (file) {
		files[0] = follow_open(file);
		if (!files[0])
			return TOOL_EXIT_NOTHING_READ;
		nfiles = 1;
		drain(files[0], &ring);
	}
	ring_flush(&ring);
	free(ring.lines);
	while (!stop) {
		for (i = 0; i < nfiles; i++)
			drain(files[i], NULL);
		if (dir && nfiles < TAIL_MAX_FILES) {
			/* record files created after the newest one: oldest first */
			DIR *d = opendir(dir);
			struct dirent *e;
			char best[NAME_MAX + 1];

			if (!d)
				goto sleep;
			for (;;) {
				const char *base = strrchr(newest, '/');

				base = base ? base + 1 : newest;
				best[0] = '\0';
				rewinddir(d);
				while ((e = readdir(d)))
					if (is_record_file(e->d_name) && strcmp(e->d_name, base) > 0 &&
					    (!best[0] || strcmp(e->d_name, best) < 0))
						snprintf(best, sizeof(best), "%s", e->d_name);
				if (!best[0] || nfiles >= TAIL_MAX_FILES)
					break;
				snprintf(newest, sizeof(newest), "%s/%s", dir, best);
				files[nfiles] = follow_open(newest);
				if (files[nfiles])
					drain(files[nfiles++], NULL);
			}
			closedir(d);
		}
sleep:
		if (!stop)
			nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	for (i = 0; i < nfiles; i++) {
		drain(files[i], NULL);
		binary_follow_close(files[i]->bin);
		close(files[i]->fd);
		free(files[i]->buf);
		free(files[i]->path);
		free(files[i]);
	}
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------ the command */

int cmd_tail(int argc, char **argv)
{
	const char **inputs = calloc((size_t)argc + 1, sizeof(char *));
	const char *colour = "auto";
	int ninputs = 0, i, rc, added = 0;
	struct reader *r;
	const struct record *rec;
	struct ring ring;
	char line[8192];
	long errors, records = 0, unreadable = 0;

	if (!inputs)
		fail(1, "out of memory");
	opts.n = 10;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(arg, "-f") || !strcmp(arg, "--follow")) {
			opts.follow = true;
			continue;
		}
		if (arg[0] != '-' || !arg[1]) {
			inputs[ninputs++] = arg;
			continue;
		}
		if (!strncmp(arg, "--color=", 8) || !strncmp(arg, "--colour=", 9)) {
			colour = strchr(arg, '=') + 1;
			continue;
		}
		if (!strncmp(arg, "-n", 2) && arg[2]) {
			v = arg + 2;
		} else if (!strcmp(arg, "-n") || record_filter_is_option(arg)) {
			if (i + 1 >= argc)
				fail(TOOL_EXIT_USAGE, "option '%s' needs a value; see 'impulse tail --help'",
				     arg);
			v = argv[++i];
			if (record_filter_is_option(arg)) {
				if (record_filter_add(&opts.filter, arg, v))
					fail(TOOL_EXIT_USAGE, "%s: at most %d values", arg, RECORD_FILTER_MAX);
				continue;
			}
		} else {
			fail(TOOL_EXIT_USAGE, "unknown option '%s'; see 'impulse tail --help'", arg);
		}
		{
			char *end;

			opts.n = strtol(v, &end, 10);
			if (*end || opts.n < 0 || opts.n > 1000000)
				fail(TOOL_EXIT_USAGE, "-n '%s': a number of records, 0 to 1000000", v);
		}
	}
	if (!strcmp(colour, "always"))
		opts.colour = true;
	else if (!strcmp(colour, "auto"))
		opts.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else if (strcmp(colour, "never"))
		fail(TOOL_EXIT_USAGE, "--color=%s: auto, always or never", colour);

	if (opts.follow) {
		struct stat st;

		if (ninputs > 1)
			fail(TOOL_EXIT_USAGE, "-f follows one FILE or DIR");
		if (!ninputs)
			return follow(".impulselogs", NULL);
		if (stat(inputs[0], &st))
			fail(TOOL_EXIT_NOTHING_READ, "%s: %s", inputs[0], strerror(errno));
		return S_ISDIR(st.st_mode) ? follow(inputs[0], NULL) : follow(NULL, inputs[0]);
	}

	r = reader_new(on_error, NULL);
	if (!r)
		fail(1, "out of memory");
	for (i = 0; i < ninputs; i++) {
		rc = reader_add_path(r, inputs[i]);
		if (rc) {
			fprintf(stderr, "impulse tail: %s: %s\n", inputs[i], reader_add_strerror(rc));
			unreadable++;
		} else {
			added++;
		}
	}
	if (!ninputs) {
		char path[PATH_MAX];

		rc = reader_newest_file(".impulselogs", path, sizeof(path));
		if (rc)
			fail(TOOL_EXIT_NOTHING_READ, "no record file in .impulselogs/ (%s); name a FILE or DIR",
			     strerror(-rc));
		if (!reader_add_path(r, path))
			added++;
	}
	if (!added)
		fail(TOOL_EXIT_NOTHING_READ, "nothing to read");
	ring.n = opts.n;
	ring.next = ring.count = 0;
	ring.lines = calloc((size_t)opts.n + 1, sizeof(char *));
	if (!ring.lines)
		fail(1, "out of memory");
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;
		records++;
		if (!keep(rec))
			continue;
		format_record(rec, line, sizeof(line));
		ring_add(&ring, line);
	}
	errors = reader_errors(r) + unreadable;
	reader_free(r);
	ring_flush(&ring);
	free(ring.lines);
	free(inputs);
	if (errors)
		fprintf(stderr, "impulse tail: %ld %s skipped\n", errors,
			TOOL_PLURAL(errors, "malformed line or unreadable input",
				    "malformed lines or unreadable inputs"));
	return tool_read_status(records, errors);
}
