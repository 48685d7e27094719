/*
 * tree.c — `impulse tree`: the call tree of record files or a MongoDB collection, one
 * line per call, indented by depth, each process image and each thread a subtree of
 * its own.
 *
 * Records arrive in completion order: a call after all of its children, threads
 * interleaved. Reading, each call goes to a spool file (tree_spool.c) as a fixed
 * header and its rendered text, and its thread keeps, per depth, the list of calls
 * completed at that depth whose parent has not arrived yet; when a call of depth d
 * arrives, what waits deeper than d and started after it are its children (a
 * thread's calls nest), linked to it, and it joins the list at d (tree_build.c).
 * Links are offsets in the spool. Printing walks those links parents first
 * (tree_print.c). Memory: the spool's cache (4 MiB), the reader's buffers, and per
 * thread one list head per depth — bounded by depth × threads and the number of
 * processes, never by the number of records; the spool file takes 64 bytes plus the
 * line per call. This file: the command line and the inputs.
 *
 * Never trusts the input to be complete: a child whose parent never arrived is shown
 * at the top of its thread; a process whose root is missing gets a header saying so.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"
#include "reader/reader.h"
#include "tree/tree.h"
#include "view/call_line.h"

static const char usage_text[] =
	"usage: impulse tree [FILE|DIR ...] [--mongo URI [--database D] [--collection C]]\n"
	"                    [--session S] [--thread T] [--hook H] [--min-duration D]\n"
	"                    [--depth N] [--color=auto|always|never] [--no-pager]\n"
	"\n"
	"Shows the call tree of the records: one line per call with its duration, arguments,\n"
	"return value and status, indented by depth; trace logs under their call. Each\n"
	"process image and each thread is a subtree; a child process sits under the call\n"
	"that started it when both are in the input. Default input: the newest file in\n"
	".impulselogs/. Files may be plain or gzip; a DIR stands for its record files.\n"
	"\n"
	"  --mongo URI          read the collection instead (default database and collection\n"
	"                       as impulse push: $IMPULSE_MONGO_*, hooks.conf, impulse.records)\n"
	"  --database D, --collection C, -c hooks.conf   as impulse push\n"
	"  --session S          only records of session S\n"
	"  --thread T           only calls of the hooks.conf thread group T\n"
	"  --hook H             only calls of hook H (hook_id or function name), with their\n"
	"                       callees, and their callers as context\n"
	"                       (--session, --thread and --hook may be repeated: any of the\n"
	"                       values given matches)\n"
	"  --min-duration D     hide calls shorter than D (with their callees); D as 10us,\n"
	"                       1.5ms, 2s, 300ns; a line says how many were hidden\n"
	"  --depth N            show N levels of calls per thread; a line counts the rest\n"
	"  --color=WHEN         auto (a terminal without NO_COLOR), always, never\n"
	"  --no-pager           do not page (by default a terminal gets $PAGER, or less -R)\n"
	"\n"
	"More than 5 consecutive sibling calls to one function with one status are folded\n"
	"into one line: the first is shown, then '… ×N more' with their total, min and max.\n"
	"\n"
	"Exit status: 0 every input was read whole; 1 records were read but something was\n"
	"skipped (malformed lines are reported as FILE:LINE); 2 a bad command line, or\n"
	"nothing could be read.\n";

void tree_fail(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("impulse tree: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static bool keep(const struct tree *t, const struct record *rec)
{
	if (!record_filter_session_ok(&t->o.filter, rec))
		return false;
	return rec->is_root || record_filter_thread_ok(&t->o.filter, rec);
}

/* --------------------------------------------------------------- the command */

static int64_t parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		tree_fail(TOOL_EXIT_USAGE, "--min-duration '%s': a number and a unit (ns, us, ms, s)", s);
	if (!strcmp(end, "ns") || !*end)
		return (int64_t)v;
	if (!strcmp(end, "us") || !strcmp(end, "\xc2\xb5s"))
		return (int64_t)(v * 1e3);
	if (!strcmp(end, "ms"))
		return (int64_t)(v * 1e6);
	if (!strcmp(end, "s"))
		return (int64_t)(v * 1e9);
	tree_fail(TOOL_EXIT_USAGE, "--min-duration '%s': unknown unit '%s' (ns, us, ms, s)", s, end);
	return 0;
}

static void on_error(const struct reader_error *err, void *data)
{
	(void)data;
	if (err->line)
		fprintf(stderr, "impulse tree: %s:%ld: %s\n", err->source, err->line, err->text);
	else
		fprintf(stderr, "impulse tree: %s: %s\n", err->source, err->text);
}

/* mongo settings as impulse push takes them: hooks.conf, then the environment, then options */
static void add_mongo(struct tree *t, struct reader *r)
{
	struct cfg cfg;
	char msg[600];
	int rc;

	if (tool_settings_read(&cfg, t->o.config, NULL, msg, sizeof(msg)) ||
	    tool_settings_mongo(&cfg, t->o.uri, t->o.database, t->o.collection, msg, sizeof(msg)))
		tree_fail(TOOL_EXIT_USAGE, "%s", msg);
	rc = reader_add_mongo(r, cfg.settings.mongo_uri, cfg.settings.mongo_database,
			      cfg.settings.mongo_collection,
			      record_filter_one_session(&t->o.filter));
	if (rc)
		tree_fail(TOOL_EXIT_USAGE, "--mongo: %s", rc == -EINVAL ? "an invalid MongoDB URI" : strerror(-rc));
	cfg_free(&cfg);
}

/* "--hook" for "--hook" or "--hook=H" (the same for --session, --thread), else NULL. */
static const char *filter_option(const char *arg)
{
	static const char *const names[] = { "--session", "--thread", "--hook" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (!strncmp(arg, names[i], n) && (!arg[n] || arg[n] == '='))
			return names[i];
	}
	return NULL;
}

static void parse_args(int argc, char **argv, struct tree_opts *o, const char ***files,
		       int *nfiles)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "--mongo", offsetof(struct tree_opts, uri) },
		{ "--database", offsetof(struct tree_opts, database) },
		{ "--collection", offsetof(struct tree_opts, collection) },
		{ "--config", offsetof(struct tree_opts, config) },
		{ "-c", offsetof(struct tree_opts, config) },
	};
	const char *colour = "auto", *min = NULL, *depth = NULL;
	int i;
	bool dashdash = false;

	*files = tree_xcalloc((size_t)argc + 1, sizeof(**files));
	*nfiles = 0;
	o->pager = true;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL, **slot = NULL;
		const char *filter = NULL;
		size_t j, n = 0;

		if (dashdash || arg[0] != '-' || !arg[1]) {
			(*files)[(*nfiles)++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			dashdash = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (!strcmp(arg, "--no-pager")) {
			o->pager = false;
			continue;
		}
		if (!strcmp(arg, "--color") || !strcmp(arg, "--colour")) {
			colour = "always";
			continue;
		}
		for (j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
			n = strlen(opts[j].name);
			if (!strncmp(arg, opts[j].name, n) && (!arg[n] || (arg[n] == '=' && n > 2))) {
				slot = (const char **)((char *)o + opts[j].off);
				break;
			}
		}
		if (!slot && (filter = filter_option(arg))) {
			n = strlen(filter);
			slot = &value;	/* repeatable: any of the values given matches */
		}
		if (!slot) {
			static const char *const extra[] = { "--color", "--colour", "--min-duration",
							     "--depth" };
			for (j = 0; j < 4; j++) {
				n = strlen(extra[j]);
				if (!strncmp(arg, extra[j], n) && (!arg[n] || arg[n] == '='))
					break;
			}
			if (j == 4)
				tree_fail(TOOL_EXIT_USAGE, "unknown option '%s'; see 'impulse tree --help'", arg);
			slot = j < 2 ? &colour : j == 2 ? &min : &depth;
		}
		if (arg[n] == '=')
			value = arg + n + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		if (!value || !value[0])
			tree_fail(TOOL_EXIT_USAGE, "option '%.*s' needs a value; see 'impulse tree --help'",
			     (int)n, arg);
		if (filter) {
			if (record_filter_add(&o->filter, filter, value))
				tree_fail(TOOL_EXIT_USAGE, "%s: at most %d values", filter, RECORD_FILTER_MAX);
			continue;
		}
		*slot = value;
	}
	if (!strcmp(colour, "always"))
		o->colour = true;
	else if (!strcmp(colour, "never"))
		o->colour = false;
	else if (!strcmp(colour, "auto"))
		o->colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else
		tree_fail(TOOL_EXIT_USAGE, "--color=%s: auto, always or never", colour);
	o->min_ns = min ? parse_duration(min) : 0;
	o->max_depth = -1;
	if (depth) {
		char *end;

		o->max_depth = strtol(depth, &end, 10);
		if (*end || o->max_depth < 1)
			tree_fail(TOOL_EXIT_USAGE, "--depth '%s': a number of levels, 1 or more", depth);
	}
}

/* $PAGER (less -R by default, quitting at once on a short tree) when stdout is a terminal. */
static FILE *open_pager(bool want)
{
	const char *pager = getenv("PAGER");
	FILE *f;

	if (!want || !isatty(STDOUT_FILENO))
		return stdout;
	if (!pager || !pager[0])
		pager = "less";
	if (!strcmp(pager, "cat"))
		return stdout;
	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 0);
	signal(SIGPIPE, SIG_IGN);
	f = popen(pager, "w");
	return f ? f : stdout;
}

static void progress(struct tree *t, const struct timespec *t0, bool done)
{
	static bool shown;
	struct timespec now;

	if (!isatty(STDERR_FILENO))
		return;
	if (done) {
		if (shown)
			fputs("\r\033[K", stderr);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - t0->tv_sec + (now.tv_nsec - t0->tv_nsec) / 1e9 < 1.0)
		return;
	shown = true;
	fprintf(stderr, "\rimpulse tree: %ld record%s read", t->records, tool_s(t->records));
}

int cmd_tree(int argc, char **argv)
{
	static struct tree t;
	const char **files;
	int nfiles, i, rc, added = 0;
	struct reader *r;
	const struct record *rec;
	struct diagnostics *diags;
	struct timespec t0;
	struct winsize ws;
	long errors, kept = 0, unreadable = 0;

	parse_args(argc, argv, &t.o, &files, &nfiles);
	t.o.args_max = CALL_LINE_ARGS_MAX;
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 20) {
		t.o.width = ws.ws_col;
		t.o.args_max = ws.ws_col > 40 ? ws.ws_col - 30 : 10;
		if (t.o.args_max > CALL_LINE_ARGS_MAX * 4)
			t.o.args_max = CALL_LINE_ARGS_MAX * 4;
	}
	r = reader_new(on_error, NULL);
	if (!r)
		tree_fail(1, "out of memory");
	diags = diagnostics_new();
	for (i = 0; i < nfiles; i++) {
		if (diags)
			diagnostics_add_path(diags, files[i]);
		rc = reader_add_path(r, files[i]);
		if (rc) {
			fprintf(stderr, "impulse tree: %s: %s\n", files[i], reader_add_strerror(rc));
			unreadable++;
		} else {
			added++;
		}
	}
	if (t.o.uri) {
		add_mongo(&t, r);
		added++;
	}
	if (!nfiles && !t.o.uri) {
		char path[PATH_MAX];

		rc = reader_newest_file(".impulselogs", path, sizeof(path));
		if (rc)
			tree_fail(TOOL_EXIT_NOTHING_READ, "no record file in .impulselogs/ (%s); name a FILE "
				  "or DIR, or run 'impulse run -- PROGRAM' first", strerror(-rc));
		if (!reader_add_path(r, path))
			added++;
		if (diags)
			diagnostics_add_path(diags, path);
	}
	if (!added)
		tree_fail(TOOL_EXIT_NOTHING_READ, "nothing to read");
	rc = spool_open(&t.sp);
	if (rc)
		tree_fail(1, "cannot create a temporary file in $TMPDIR or /tmp: %s", strerror(-rc));
	/* offset 0 means "none": fill it with a dummy node */
	{
		struct node dummy;
		uint64_t off;

		memset(&dummy, 0, sizeof(dummy));
		tree_spool_check(spool_append(&t.sp, &dummy, sizeof(dummy), &off));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;
		t.records++;
		if ((t.records & 0xfffff) == 0)
			progress(&t, &t0, false);
		if (!keep(&t, rec))
			continue;
		kept++;
		if (rec->is_root)
			tree_add_root(&t, rec);
		else
			tree_add_call(&t, rec);
	}
	progress(&t, &t0, true);
	errors = reader_errors(r) + unreadable;
	reader_free(r);
	/* What libimpulse said in the processes read (on stderr: the tree is on stdout). */
	diagnostics_print(diags, stderr);
	diagnostics_free(diags);
	if (!t.records) {
		if (errors)
			fprintf(stderr, "impulse tree: no record could be read (%ld %s)\n", errors,
				TOOL_PLURAL(errors, "malformed line or unreadable input",
					    "malformed lines or unreadable inputs"));
		else
			fprintf(stderr, "impulse tree: no records in the input\n");
		return tool_read_status(0, errors);
	}
	if (!kept) {
		char what[512];

		record_filter_describe(&t.o.filter, what, sizeof(what));
		fprintf(stderr, "impulse tree: %ld record%s read, none of %s of %s\n", t.records,
			tool_s(t.records), t.records == 1 ? "it" : "them", what);
		return tool_read_status(t.records, errors);
	}
	t.out = open_pager(t.o.pager);
	tree_print(&t);
	if (t.out != stdout) {
		pclose(t.out);
	} else {
		fflush(stdout);
	}
	spool_close(&t.sp);
	if (errors)
		fprintf(stderr, "impulse tree: %ld %s skipped\n", errors,
			TOOL_PLURAL(errors, "malformed line or unreadable input",
				    "malformed lines or unreadable inputs"));
	return tool_read_status(t.records, errors);
}
