/*
 * stats.c — `impulse stats`: per hook, how many calls, how many failed, and where
 * the time went (total, self, mean, p50/p95/p99, max), from record files or MongoDB,
 * like `ltrace -c` or `uftrace report`.
 *
 * This file is the command: its options, its settings (hooks.conf and the
 * environment, as impulse push reads them), its inputs and the reading loop. It
 * streams: each record is read once (tools/reader/), handed to stats_count.c, which
 * counts it into its hook's entry, and forgotten; memory is bounded by the number of
 * hooks × groups and by depth × threads (stats_self.c), never by the number of
 * records. The output is stats_print.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"
#include "mongo_uri.h"
#include "stats/stats.h"

#define MAX_FILTERS 16

static const char usage_text[] =
	"usage: impulse stats [FILE|DIR ...] [--mongo URI [--database D] [--collection C]]\n"
	"                     [--session S] [--thread T] [--hook H]\n"
	"                     [--by hook|thread|tid|session]\n"
	"                     [--sort total|calls|mean|p99|self|errors]\n"
	"                     [--format table|json|csv] [--color=auto|always|never]\n"
	"\n"
	"Summarises the calls in record files (plain or gzip; a directory stands for its\n"
	"logs_*.json[.gz], oldest first) or in a MongoDB collection: per hook, the calls,\n"
	"the errors, and total / self / mean / p50 / p95 / p99 / max duration, sorted by\n"
	"total time. Without FILE or --mongo: the newest record file in $IMPULSE_LOG_DIR,\n"
	"else in log_dir of hooks.conf, else in .impulselogs/.\n"
	"\n"
	"  hook     the record's hook_id; hooks sharing a hook_id in different libraries\n"
	"           (or functions) are told apart as \"hook_id (libc.so.6)\"\n"
	"  errors   calls with status error, exception or crashed (unwound and\n"
	"           incomplete calls are timed but not counted as errors)\n"
	"  total    the sum of the calls' durations (end - start)\n"
	"  self     total minus the durations of each call's direct children on the\n"
	"           same OS thread (children on other threads ran beside it)\n"
	"  mean     total / calls\n"
	"  p50 p95 p99\n"
	"           nearest-rank percentiles, from a log-linear histogram: within 0.4%\n"
	"           (1/256) of the exact value, exact below 128 ns\n"
	"  max      the longest call (exact)\n"
	"\n"
	"A header gives the processes (from their root records: exit status or crash),\n"
	"records, threads, sessions, the time span and the calls dropped (not recorded).\n"
	"Roots are not counted as hooks.\n"
	"\n"
	"options:\n"
	"      --mongo URI        read the collection at URI (plus the files named, if any)\n"
	"      --database D       (default: $IMPULSE_MONGO_DATABASE, else mongo_database of\n"
	"                         hooks.conf, else impulse)\n"
	"      --collection C     (default: $IMPULSE_MONGO_COLLECTION, else mongo_collection\n"
	"                         of hooks.conf, else records)\n"
	"  -c, --config FILE      the hooks.conf to take log_dir and mongo_* from (default:\n"
	"                         $IMPULSE_CONFIG, else ./hooks.conf when there is one)\n"
	"      --session S        only session S (everything else is skipped)\n"
	"      --thread T         only calls of hooks.conf thread group T\n"
	"      --hook H           only calls whose hook_id or function name is H\n"
	"                         (--session, --thread and --hook may be repeated: any of\n"
	"                         the values; self time still subtracts children left out)\n"
	"      --by WHAT          hook (default): one table; thread: per hooks.conf thread\n"
	"                         group; tid: per OS thread (pid/tid and name); session:\n"
	"                         per session. Groups come by self time, largest first\n"
	"      --sort KEY         total (default), calls, mean, p99, self or errors;\n"
	"                         largest first\n"
	"      --format F         table (default), json (stable keys, durations in ns)\n"
	"                         or csv (one row per hook, durations in ns)\n"
	"      --color WHEN       auto (default: when stdout is a terminal and NO_COLOR\n"
	"                         is unset), always or never\n"
	"  -h, --help             this text\n"
	"\n"
	"Malformed lines are reported as FILE:LINE and skipped. Exit status: 0 every input\n"
	"was read whole; 1 records were read but something was skipped (counted at the end);\n"
	"2 a usage or configuration error, or nothing could be read.\n";

struct stats_opts {
	const char *paths[256];
	size_t npaths;
	const char *uri, *database, *collection, *config;
	const char *sessions[MAX_FILTERS], *threads[MAX_FILTERS], *hooks[MAX_FILTERS];
	size_t nsessions, nthreads, nhooks;
	enum stats_by by;
	enum stats_sort sort;
	enum stats_format format;
	int color;		/* -1 auto, 0 never, 1 always */
};

/* ------------------------------------------------------------ messages */

static bool progress_shown;

static void clear_progress(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = false;
	}
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	clear_progress();
	fputs("impulse stats: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define usage_fail(...) do { say(__VA_ARGS__); exit(TOOL_EXIT_USAGE); } while (0)

static void *oom(void *p)
{
	if (!p) {
		say("out of memory");
		exit(TOOL_EXIT_FAILED);
	}
	return p;
}

struct input_state {
	long skipped;		/* malformed lines */
	long unreadable;	/* inputs that could not be read */
};

static void on_reader_error(const struct reader_error *err, void *data)
{
	struct input_state *in = data;

	if (err->line == 0) {
		in->unreadable++;
		say("%s: %s", path_for_display(err->source), err->text);
		return;
	}
	in->skipped++;
	if (err->column)
		say("%s:%ld:%ld: %s", path_for_display(err->source), err->line, err->column,
		    err->text);
	else
		say("%s:%ld: %s", path_for_display(err->source), err->line, err->text);
}

/* ------------------------------------------------------------ the command line */

static int pick(const char *opt, const char *value, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(value, names[i]))
			return (int)i;
	usage_fail("%s: '%s' is not one of the choices; see 'impulse stats --help'", opt, value);
}

static void add_filter(const char **list, size_t *n, const char *opt, const char *value)
{
	if (*n == MAX_FILTERS)
		usage_fail("%s: at most %d values", opt, MAX_FILTERS);
	list[(*n)++] = value;
}

static void parse_args(int argc, char **argv, struct stats_opts *o)
{
	static const char *const by_names[] = { "hook", "thread", "tid", "session" };
	static const char *const sort_names[] = { "total", "calls", "mean", "p99", "self", "errors" };
	static const char *const format_names[] = { "table", "json", "csv" };
	static const char *const color_names[] = { "never", "always", "auto" };
	static const char *const with_value[] = {
		"--mongo", "--database", "--collection", "--config", "-c", "--session",
		"--thread", "--hook", "--by", "--sort", "--format", "--color",
	};
	bool options_done = false;

	o->color = -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL, *eq;
		char name[32];
		size_t j, n;

		if (options_done || arg[0] != '-' || !arg[1]) {
			if (o->npaths == sizeof(o->paths) / sizeof(o->paths[0]))
				usage_fail("too many inputs: name their directory instead");
			o->paths[o->npaths++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		eq = strchr(arg, '=');
		n = eq && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);
		if (n >= sizeof(name))
			usage_fail("unknown option '%s'; see 'impulse stats --help'", arg);
		memcpy(name, arg, n);
		name[n] = '\0';
		for (j = 0; j < sizeof(with_value) / sizeof(with_value[0]); j++)
			if (!strcmp(name, with_value[j]))
				break;
		if (j == sizeof(with_value) / sizeof(with_value[0]))
			usage_fail("unknown option '%s'; see 'impulse stats --help'", arg);
		if (eq && arg[1] == '-')
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		if (!value || !value[0])
			usage_fail("option '%s' needs a value; see 'impulse stats --help'", name);
		if (!strcmp(name, "--mongo"))
			o->uri = value;
		else if (!strcmp(name, "--database"))
			o->database = value;
		else if (!strcmp(name, "--collection"))
			o->collection = value;
		else if (!strcmp(name, "--config") || !strcmp(name, "-c"))
			o->config = value;
		else if (!strcmp(name, "--session"))
			add_filter(o->sessions, &o->nsessions, name, value);
		else if (!strcmp(name, "--thread"))
			add_filter(o->threads, &o->nthreads, name, value);
		else if (!strcmp(name, "--hook"))
			add_filter(o->hooks, &o->nhooks, name, value);
		else if (!strcmp(name, "--by"))
			o->by = (enum stats_by)pick(name, value, by_names, 4);
		else if (!strcmp(name, "--sort"))
			o->sort = (enum stats_sort)pick(name, value, sort_names, 6);
		else if (!strcmp(name, "--format"))
			o->format = (enum stats_format)pick(name, value, format_names, 3);
		else if (!strcmp(name, "--color"))
			o->color = pick(name, value, color_names, 3) == 2 ? -1 :
				   (strcmp(value, "always") ? 0 : 1);
	}
	if (o->nsessions > 1 && o->uri)
		usage_fail("--mongo takes one --session");
}

/* ------------------------------------------------------------ settings */

/* log_dir and mongo_* as libimpulse would have them: hooks.conf, then the environment. */
static void load_settings(const struct stats_opts *o, struct cfg *cfg)
{
	char msg[600];

	if (tool_settings_read(cfg, o->config, NULL, msg, sizeof(msg)) ||
	    tool_settings_set(cfg, "log_dir", getenv("IMPULSE_LOG_DIR"), "IMPULSE_LOG_DIR", msg,
			      sizeof(msg)) ||
	    tool_settings_mongo(cfg, NULL, NULL, NULL, msg, sizeof(msg)))
		usage_fail("%s", msg);
}

/* Queues the inputs; returns how many could be queued. */
static size_t queue_inputs(struct reader *r, struct stats_opts *o, struct input_state *in,
			   char *newest, size_t size)
{
	bool need_settings = (!o->npaths && !o->uri) ||
			     (o->uri && (!o->database || !o->collection));
	size_t queued = 0;
	struct cfg cfg;
	int rc;

	if (need_settings)
		load_settings(o, &cfg);
	if (!o->npaths && !o->uri) {
		const char *dir = cfg.settings.log_dir;

		rc = reader_newest_file(dir, newest, size);
		if (rc) {
			say("no record file in %s%s%s; name a FILE or DIR, or run a program with "
			    "'impulse run' first", path_for_display(dir), rc == -ENOENT ? "" : ": ",
			    rc == -ENOENT ? "" : strerror(-rc));
			cfg_free(&cfg);
			exit(TOOL_EXIT_NOTHING_READ);
		}
		o->paths[o->npaths++] = newest;
	}
	for (size_t i = 0; i < o->npaths; i++) {
		rc = reader_add_path(r, o->paths[i]);
		if (rc == -ENOMEM)
			usage_fail("out of memory");
		if (rc) {
			say("%s: %s", o->paths[i], reader_add_strerror(rc));
			in->unreadable++;
		} else {
			queued++;
		}
	}
	if (o->uri) {
		rc = reader_add_mongo(r, o->uri, o->database ? o->database : cfg.settings.mongo_database,
				      o->collection ? o->collection : cfg.settings.mongo_collection,
				      o->nsessions ? o->sessions[0] : NULL);
		if (rc == -EINVAL) {
			char *shown = mongo_uri_redact_dup(o->uri);

			usage_fail("--mongo %s: not a MongoDB URI libmongoc accepts",
				   shown ? shown : "(the URI)");
		}
		if (rc)
			usage_fail("out of memory");
		queued++;
	}
	if (need_settings)
		cfg_free(&cfg);
	return queued;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads every record; progress on a terminal once it takes more than a second.
 * Returns how many were read, whatever the filters. */
static uint64_t read_all(struct stats_counter *s, struct reader *r)
{
	bool tty = isatty(STDERR_FILENO);
	double start = now_s(), next = start + 1.0;
	const struct record *rec;
	uint64_t n = 0;
	int rc;

	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;	/* reported through the callback; the next input follows */
		stats_counter_add(s, rec);
		if (!(++n & 0xffff) && tty && now_s() >= next) {
			char count[32];

			snprintf(count, sizeof(count), "%llu", (unsigned long long)n);
			fprintf(stderr, "\rimpulse stats: %s records read…", count);
			progress_shown = true;
			next = now_s() + 0.5;
		}
	}
	clear_progress();
	return n;
}

/* "--session s --thread llm --hook score": what the filters were, for the header. */
static char *describe_filters(const struct stats_opts *o)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < o->nsessions; i++)
		fprintf(f, "%s--session %s", ftell(f) ? " " : "", o->sessions[i]);
	for (size_t i = 0; i < o->nthreads; i++)
		fprintf(f, "%s--thread %s", ftell(f) ? " " : "", o->threads[i]);
	for (size_t i = 0; i < o->nhooks; i++)
		fprintf(f, "%s--hook %s", ftell(f) ? " " : "", o->hooks[i]);
	fclose(f);
	if (out && !out[0]) {
		free(out);
		out = NULL;
	}
	return out;
}

/* What libimpulse said in the processes read, each message once, on stderr (the
 * table, or the JSON, is on stdout). */
static void show_diagnostics(const struct stats_opts *o)
{
	struct diagnostics *d = diagnostics_new();

	if (!d)
		return;
	for (size_t i = 0; i < o->npaths; i++)
		diagnostics_add_path(d, o->paths[i]);
	diagnostics_print(d, stderr);
	diagnostics_free(d);
}

int cmd_stats(int argc, char **argv)
{
	static struct stats_opts o;
	struct input_state in = { 0 };
	struct stats_filters f;
	struct stats_counter *s;
	const struct stats *st;
	struct stats_print_opts po = { 0 };
	char newest[PATH_MAX];
	struct reader *r;
	char *filters;
	uint64_t read_n;
	int status;

	parse_args(argc, argv, &o);
	r = oom(reader_new(on_reader_error, &in));
	if (!queue_inputs(r, &o, &in, newest, sizeof(newest))) {
		reader_free(r);
		return TOOL_EXIT_NOTHING_READ;
	}
	f = (struct stats_filters){
		.sessions = o.sessions, .nsessions = o.nsessions,
		.threads = o.threads, .nthreads = o.nthreads,
		.hooks = o.hooks, .nhooks = o.nhooks,
	};
	s = stats_counter_new(o.by, o.sort, &f);
	read_n = read_all(s, r);
	reader_free(r);
	st = stats_counter_finish(s, (uint64_t)in.skipped);

	filters = describe_filters(&o);
	po.format = o.format;
	po.color = o.color == 1 || (o.color == -1 && isatty(STDOUT_FILENO) &&
					   !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]));
	po.inputs = o.paths;
	po.ninputs = o.npaths;
	po.mongo = o.uri;
	po.filters = filters;
	stats_print(st, &po);
	fflush(stdout);
	status = tool_read_status((long)read_n, in.skipped + in.unreadable);
	free(filters);
	stats_counter_free(s);
	if (in.skipped)
		say("%ld malformed line%s skipped", in.skipped, in.skipped == 1 ? "" : "s");
	show_diagnostics(&o);
	return status;
}
