/*
 * export.c — `impulse export --format chrome|otlp`: the records as a document that
 * other tools open, Chrome trace-event JSON (Perfetto, chrome://tracing) or
 * OpenTelemetry OTLP/JSON (an OpenTelemetry Collector's /v1/traces).
 *
 * This file is the command: options, inputs (files, directories, MongoDB), the
 * filters and the output file; each format is its own file behind struct
 * export_format (export.h). Records stream through: the format writes as it reads.
 * With -o, the document is written beside FILE under a temporary name and renamed
 * over it once complete, so FILE is never seen half written.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"
#include "export/export.h"
#include "reader/reader.h"
#include "view/record_filter.h"

#define DEFAULT_LOG_DIR ".impulselogs"
#define MAX_MONGO 16

static const char usage_text[] =
	"usage: impulse export --format chrome|otlp [-o FILE] [FILE|DIR ...]\n"
	"                      [--mongo URI [--database D] [--collection C]]\n"
	"                      [--session S] [--thread T] [--hook H]\n"
	"\n"
	"Writes the records as a document other tools open:\n"
	"  chrome  Chrome trace-event JSON: open it in https://ui.perfetto.dev or\n"
	"          chrome://tracing. One track per thread, a slice per call (arguments,\n"
	"          output, status in its details), trace logs as instant events.\n"
	"  otlp    OpenTelemetry OTLP/JSON (ExportTraceServiceRequest): POST it to an\n"
	"          OpenTelemetry Collector's /v1/traces. A span per call, one trace per\n"
	"          run (the root's trace_id), one resource per process image.\n"
	"\n"
	"Input: record files (plain or gzip) and directories of them (their logs_*.json,\n"
	"oldest first), or MongoDB collections; default: the newest file in .impulselogs/.\n"
	"\n"
	"options:\n"
	"  -f, --format F         chrome or otlp (required)\n"
	"  -o, --output FILE      write to FILE (replaced whole once complete; default: stdout)\n"
	"      --mongo URI        read the records from MongoDB (may be repeated)\n"
	"      --database D       the database (default: $IMPULSE_MONGO_DATABASE, else\n"
	"                         mongo_database of hooks.conf, else impulse)\n"
	"      --collection C     the collection (default: $IMPULSE_MONGO_COLLECTION, else\n"
	"                         mongo_collection of hooks.conf, else records)\n"
	"  -c, --config FILE      the hooks.conf to take those settings from (default:\n"
	"                         $IMPULSE_CONFIG, else ./hooks.conf when there is one)\n"
	"      --session S        only the records of session S\n"
	"      --thread T         only the calls of the hooks.conf thread group T\n"
	"      --hook H           only the calls of hook H (its id or its function's name)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 every input was read whole; 1 records were read but something was\n"
	"skipped (malformed lines are reported as FILE:LINE, and counted); 2 a bad command\n"
	"line, or nothing could be read (no file written); 125 the output could not be\n"
	"written.\n";

struct export_opts {
	const char *format, *output, *config, *database, *collection;
	struct record_filter filter;	/* --session, --thread, --hook */
	const char *mongo[MAX_MONGO];
	int nmongo;
	char **paths;
	int npaths;
};

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	fputs("impulse export: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define fail(status, ...) do { say(__VA_ARGS__); exit(status); } while (0)

/* ------------------------------------------------------------ the command line */

static void parse_args(int argc, char **argv, struct export_opts *o)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "--format", offsetof(struct export_opts, format) },
		{ "-f", offsetof(struct export_opts, format) },
		{ "--output", offsetof(struct export_opts, output) },
		{ "-o", offsetof(struct export_opts, output) },
		{ "--config", offsetof(struct export_opts, config) },
		{ "-c", offsetof(struct export_opts, config) },
		{ "--database", offsetof(struct export_opts, database) },
		{ "--collection", offsetof(struct export_opts, collection) },
		{ "--session", 0 },
		{ "--thread", 0 },
		{ "--hook", 0 },
		{ "--mongo", 0 },
	};
	int i;

	o->paths = calloc((size_t)argc, sizeof(*o->paths));
	if (!o->paths)
		fail(1, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		size_t j, n = 0;

		if (!strcmp(arg, "--")) {
			while (++i < argc)
				o->paths[o->npaths++] = argv[i];
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (arg[0] != '-' || !arg[1]) {
			o->paths[o->npaths++] = argv[i];
			continue;
		}
		for (j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
			n = strlen(opts[j].name);
			if (!strncmp(arg, opts[j].name, n) && (!arg[n] || (arg[n] == '=' && n > 2)))
				break;
		}
		if (j == sizeof(opts) / sizeof(opts[0]))
			fail(TOOL_EXIT_USAGE, "unknown option '%s'; see 'impulse export --help'", arg);
		if (arg[n] == '=')
			value = arg + n + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		if (!value || !value[0])
			fail(TOOL_EXIT_USAGE, "option '%s' needs a value; see 'impulse export --help'",
			     opts[j].name);
		if (!strcmp(opts[j].name, "--mongo")) {
			if (o->nmongo == MAX_MONGO)
				fail(TOOL_EXIT_USAGE, "at most %d --mongo options", MAX_MONGO);
			o->mongo[o->nmongo++] = value;
		} else if (record_filter_is_option(opts[j].name)) {
			/* repeatable: any of the values given matches */
			if (record_filter_add(&o->filter, opts[j].name, value))
				fail(TOOL_EXIT_USAGE, "%s: at most %d values", opts[j].name, RECORD_FILTER_MAX);
		} else {
			*(const char **)((char *)o + opts[j].off) = value;
		}
	}
	if (!o->format)
		fail(TOOL_EXIT_USAGE, "which format? give --format chrome or --format otlp");
}

static const struct export_format *find_format(const char *name)
{
	if (!strcmp(name, "chrome"))
		return &export_chrome;
	if (!strcmp(name, "otlp"))
		return &export_otlp;
	fail(TOOL_EXIT_USAGE, "unknown format '%s': chrome or otlp", name);
}

/* ------------------------------------------------------------ inputs */

/*
 * The database and collection for --mongo as `impulse push` takes them: hooks.conf's
 * [tracer] settings (-c, $IMPULSE_CONFIG or ./hooks.conf), then the environment,
 * then the options.
 */
static void mongo_names(const struct export_opts *o, struct cfg *cfg)
{
	char msg[600];

	/* --mongo names the server itself: only the database and collection come from here. */
	if (tool_settings_read(cfg, o->config, NULL, msg, sizeof(msg)) ||
	    tool_settings_mongo(cfg, NULL, o->database, o->collection, msg, sizeof(msg)))
		fail(TOOL_EXIT_USAGE, "%s", msg);
}

struct input_state {
	bool quiet;		/* the first pass: errors are reported by the second */
};

static void on_error(const struct reader_error *e, void *data)
{
	const struct input_state *s = data;

	if (s->quiet)
		return;
	if (e->line)
		say("%s:%ld: %s", e->source, e->line, e->text);
	else
		say("%s: %s", e->source, e->text);
}

/* A reader over the inputs the options name; *unusable counts those that cannot be read. */
static struct reader *open_inputs(const struct export_opts *o, const struct cfg *cfg,
				  struct input_state *st, int *unusable)
{
	struct reader *r = reader_new(on_error, st);
	int rc;

	if (!r)
		fail(1, "out of memory");
	*unusable = 0;
	for (int i = 0; i < o->npaths; i++) {
		rc = reader_add_path(r, o->paths[i]);
		if (rc == -ENOMEM)
			fail(1, "out of memory");
		if (rc) {
			if (!st->quiet)
				say("%s: %s", o->paths[i], reader_add_strerror(rc));
			(*unusable)++;
		}
	}
	for (int i = 0; i < o->nmongo; i++) {
		rc = reader_add_mongo(r, o->mongo[i], cfg->settings.mongo_database,
				      cfg->settings.mongo_collection, record_filter_one_session(&o->filter));
		if (rc == -ENOMEM)
			fail(1, "out of memory");
		if (rc)
			fail(TOOL_EXIT_USAGE, "--mongo (option %d): not a URI libmongoc accepts", i + 1);
	}
	return r;
}

/* ------------------------------------------------------------ filters */

static bool wanted(const struct export_opts *o, const struct record *rec)
{
	return record_filter_session_ok(&o->filter, rec) && record_filter_thread_ok(&o->filter, rec) &&
	       record_filter_hook_ok(&o->filter, rec);
}

/* ------------------------------------------------------------ progress */

struct progress {
	bool on;		/* stderr is a terminal */
	bool shown;
	struct timespec start;
};

static void progress_tick(struct progress *p, long n, const char *what)
{
	struct timespec now;

	if (!p->on || (n & 0xffff))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - p->start.tv_sec + (now.tv_nsec - p->start.tv_nsec) / 1e9 < 1.0)
		return;
	fprintf(stderr, "\rimpulse export: %s %ld record%s…", what, n, tool_s(n));
	p->shown = true;
}

static void progress_done(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}

/* ------------------------------------------------------------ output */

struct output {
	FILE *f;
	const char *path;	/* -o FILE, or NULL for stdout */
	char *tmp;		/* FILE's temporary name while being written */
};

static void output_open(struct output *out, const char *path)
{
	static char buf[1 << 20];
	size_t n;
	int fd;

	out->path = path;
	out->tmp = NULL;
	if (!path || !strcmp(path, "-")) {
		out->path = NULL;
		out->f = stdout;
	} else {
		n = strlen(path) + 16;
		out->tmp = malloc(n);
		if (!out->tmp)
			fail(1, "out of memory");
		snprintf(out->tmp, n, "%s.tmp.XXXXXX", path);
		fd = mkstemp(out->tmp);
		if (fd < 0)
			fail(1, "%s: cannot create a file beside it: %s", path, strerror(errno));
		fchmod(fd, 0644);
		out->f = fdopen(fd, "w");
		if (!out->f)
			fail(1, "%s: %s", path, strerror(errno));
	}
	setvbuf(out->f, buf, _IOFBF, sizeof(buf));
}

static void output_abandon(struct output *out)
{
	if (out->tmp) {
		fclose(out->f);
		unlink(out->tmp);
		free(out->tmp);
		out->tmp = NULL;
	}
}

/* 0, or 1 with the message said when the document could not be written whole. */
static int output_close(struct output *out)
{
	const char *name = out->path ? out->path : "standard output";
	int err = 0;

	if (fflush(out->f) || ferror(out->f))
		err = errno ? errno : EIO;
	if (out->tmp) {
		if (!err && fsync(fileno(out->f)))
			err = errno;
		if (fclose(out->f) && !err)
			err = errno;
		if (!err && rename(out->tmp, out->path))
			err = errno;
		if (err)
			unlink(out->tmp);
		free(out->tmp);
		out->tmp = NULL;
	}
	if (err) {
		say("%s: cannot write: %s", name, strerror(err));
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ the command */

int cmd_export(int argc, char **argv)
{
	struct export_opts o = { 0 };
	const struct export_format *fmt;
	struct input_state st = { 0 };
	struct progress prog = { 0 };
	struct output out;
	const struct record *rec;
	struct reader *r;
	char newest[PATH_MAX];
	struct cfg cfg;
	void *state = NULL;
	long read_n = 0, exported = 0, errors;
	int unusable, rc, status;
	char *default_path[1];

	parse_args(argc, argv, &o);
	fmt = find_format(o.format);
	mongo_names(&o, &cfg);
	if (!o.npaths && !o.nmongo) {
		rc = reader_newest_file(DEFAULT_LOG_DIR, newest, sizeof(newest));
		if (rc == -ENOENT)
			fail(1, "no record file in %s/: name a FILE or DIR, or run a program "
			     "with 'impulse run' first", DEFAULT_LOG_DIR);
		if (rc)
			fail(1, "%s: %s", DEFAULT_LOG_DIR, strerror(-rc));
		default_path[0] = newest;
		o.paths = default_path;
		o.npaths = 1;
	}
	prog.on = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &prog.start);

	if (fmt->scan) {
		st.quiet = true;
		r = open_inputs(&o, &cfg, &st, &unusable);
		while ((rc = reader_next(r, &rec)) != 0) {
			if (rc < 0)
				continue;
			progress_tick(&prog, ++read_n, "scanned");
			if (wanted(&o, rec) && fmt->scan(&state, rec))
				fail(1, "out of memory");
		}
		reader_free(r);
		read_n = 0;
		st.quiet = false;
	}

	r = open_inputs(&o, &cfg, &st, &unusable);
	if (unusable == o.npaths && !o.nmongo)
		fail(TOOL_EXIT_NOTHING_READ, "nothing could be read%s", o.output ? ": no file written" : "");
	output_open(&out, o.output);
	if (fmt->begin(&state, out.f))
		fail(1, "out of memory");
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;
		progress_tick(&prog, ++read_n, "read");
		if (!wanted(&o, rec))
			continue;
		if (fmt->record(state, out.f, rec)) {
			output_abandon(&out);
			fail(1, "out of memory");
		}
		exported++;
	}
	errors = reader_errors(r);
	reader_free(r);
	fmt->end(state, out.f);
	progress_done(&prog);

	if (!read_n && (errors || unusable)) {
		output_abandon(&out);
		say("nothing could be read%s", o.output ? ": no file written" : "");
		status = TOOL_EXIT_NOTHING_READ;
	} else {
		status = output_close(&out) ? TOOL_EXIT_FAILED : tool_read_status(read_n, errors + unusable);
	}
	if (errors)
		say("%ld malformed line%s or unreadable input%s skipped", errors,
		    errors == 1 ? "" : "s", errors == 1 ? "" : "s");
	if (status != TOOL_EXIT_FAILED && status != TOOL_EXIT_NOTHING_READ && o.output)
		say("%ld of %ld record%s written to %s", exported, read_n, tool_s(read_n), o.output);
	cfg_free(&cfg);
	if (o.paths != default_path)
		free(o.paths);
	return status;
}
