/*
 * stats_print.c — writes what stats.c counted: an aligned table for people (human
 * units, a header about the processes), JSON with stable keys and CSV for programs
 * (durations in integer ns). It only prints; it never reads a record.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/tool.h"
#include "mongo_uri.h"
#include "stats/stats.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define RESET "\033[0m"

/* Outcomes listed in the table's header; JSON has them all. */
#define TABLE_OUTCOMES 10

static const char *const by_names[] = { "hook", "thread", "tid", "session" };
static const char *const sort_names[] = { "total", "calls", "mean", "p99", "self", "errors" };

/* ------------------------------------------------------------ units */

void stats_format_ns(int64_t ns, char *out, size_t size)
{
	static const struct { double scale; const char *unit; } units[] = {
		{ 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" },
	};
	double v;
	size_t u;

	if (ns > -1000 && ns < 1000) {
		snprintf(out, size, "%" PRId64 " ns", ns);
		return;
	}
	/* three significant digits; 999.96 us is "1.00 ms", not "1000 us" */
	for (u = 0; u < 2; u++) {
		v = (double)ns / units[u].scale;
		if (v > -999.5 && v < 999.5)
			break;
	}
	v = (double)ns / units[u].scale;
	if (v > -9.995 && v < 9.995)
		snprintf(out, size, "%.2f %s", v, units[u].unit);
	else if (v > -99.95 && v < 99.95)
		snprintf(out, size, "%.1f %s", v, units[u].unit);
	else
		snprintf(out, size, "%.0f %s", v, units[u].unit);
}

/* 1234567 as "1,234,567". */
static void format_count(uint64_t n, char *out, size_t size)
{
	char digits[32];
	size_t len, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, n);
	for (size_t i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* ns since the epoch as RFC 3339 UTC with microseconds, as the records write it. */
static void format_time(int64_t ns, char *out, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	char day[24];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%06dZ", day, (int)(ns % 1000000000 / 1000));
}

static int64_t mean_of(const struct stats_hook *h)
{
	return h->calls ? h->total_ns / (int64_t)h->calls : 0;
}

/* ------------------------------------------------------------ table */

enum { COL_HOOK, COL_CALLS, COL_ERRORS, COL_TOTAL, COL_SELF, COL_MEAN, COL_P50, COL_P95,
       COL_P99, COL_MAX, NCOLS };

static const char *const col_names[NCOLS] = {
	"hook", "calls", "errors", "total", "self", "mean", "p50", "p95", "p99", "max",
};

struct row {
	char cell[NCOLS][64];
};

static void fill_row(const struct stats_hook *h, struct row *r)
{
	snprintf(r->cell[COL_HOOK], sizeof(r->cell[0]), "%s", h->label ? h->label : h->hook_id);
	format_count(h->calls, r->cell[COL_CALLS], sizeof(r->cell[0]));
	format_count(h->errors, r->cell[COL_ERRORS], sizeof(r->cell[0]));
	stats_format_ns(h->total_ns, r->cell[COL_TOTAL], sizeof(r->cell[0]));
	stats_format_ns(h->self_ns, r->cell[COL_SELF], sizeof(r->cell[0]));
	stats_format_ns(mean_of(h), r->cell[COL_MEAN], sizeof(r->cell[0]));
	stats_format_ns(hist_percentile(&h->hist, 50), r->cell[COL_P50], sizeof(r->cell[0]));
	stats_format_ns(hist_percentile(&h->hist, 95), r->cell[COL_P95], sizeof(r->cell[0]));
	stats_format_ns(hist_percentile(&h->hist, 99), r->cell[COL_P99], sizeof(r->cell[0]));
	stats_format_ns(h->hist.max, r->cell[COL_MAX], sizeof(r->cell[0]));
}

static void put_cell(const char *text, int width, bool left, const char *color, bool use)
{
	int pad = width - (int)strlen(text);

	if (pad < 0)
		pad = 0;
	if (!left)
		printf("%*s", pad, "");
	printf("%s%s%s", use && color ? color : "", text, use && color ? RESET : "");
	if (left)
		printf("%*s", pad, "");
}

static void put_row(const struct row *r, const int *width, bool header, bool errors, bool color)
{
	for (int c = 0; c < NCOLS; c++) {
		const char *paint = header ? BOLD : (c == COL_ERRORS && errors) ? RED : NULL;

		if (c)
			fputs("  ", stdout);
		/* numbers to the right: the last column leaves no trailing blanks */
		put_cell(r->cell[c], width[c], c == COL_HOOK, paint, color);
	}
	putchar('\n');
}

static void group_title(const struct stats *st, const struct stats_group *g, bool color)
{
	char calls[32], errors[32], self[32];

	format_count(g->calls, calls, sizeof(calls));
	format_count(g->errors, errors, sizeof(errors));
	stats_format_ns(g->self_ns, self, sizeof(self));
	printf("%s", color ? BOLD : "");
	switch (st->by) {
	case BY_THREAD:
		printf("thread group %s", g->key);
		break;
	case BY_TID:
		printf("OS thread %s%s%s", g->key, g->thread_name ? " " : "",
		       g->thread_name ? g->thread_name : "");
		break;
	case BY_SESSION:
		printf("session %s", g->key);
		break;
	case BY_HOOK:
		break;
	}
	printf("%s: %s call%s, %s error%s, self %s\n", color ? RESET : "", calls,
	       g->calls == 1 ? "" : "s", errors, g->errors == 1 ? "" : "s", self);
}

static void header_line(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void header_line(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%-11s", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_header(const struct stats *st, const struct stats_print_opts *o)
{
	char a[32], b[32], c[32], t1[64], t2[64];

	for (size_t i = 0; i < o->ninputs; i++)
		header_line(i ? "" : "input", "%s", path_for_display(o->inputs[i]));
	if (o->mongo) {
		char *shown = mongo_uri_redact_dup(o->mongo);

		header_line(o->ninputs ? "" : "input", "%s", shown ? shown : "(MongoDB)");
		free(shown);
	}
	format_count(st->records, a, sizeof(a));
	format_count(st->calls, b, sizeof(b));
	format_count(st->roots, c, sizeof(c));
	header_line("records", "%s (%s call%s, %s root%s)", a, b, st->calls == 1 ? "" : "s", c,
		    st->roots == 1 ? "" : "s");
	if (st->skipped) {
		format_count(st->skipped, a, sizeof(a));
		header_line("skipped", "%s malformed line%s", a, st->skipped == 1 ? "" : "s");
	}
	format_count(st->roots, a, sizeof(a));
	header_line("processes", "%s", a);
	for (size_t i = 0; i < st->noutcomes && i < TABLE_OUTCOMES; i++) {
		const struct stats_outcome *k = &st->outcomes[i];
		char times[40] = "";

		if (k->count > 1) {
			format_count(k->count, a, sizeof(a));
			snprintf(times, sizeof(times), " (x%s)", a);
		}
		if (!strcmp(k->outcome, "exit"))
			header_line("", "%s: exit %" PRId64 "%s", k->program, k->exit_status, times);
		else if (k->detail)
			header_line("", "%s: %s (%s)%s", k->program, k->outcome, k->detail, times);
		else
			header_line("", "%s: %s%s", k->program, k->outcome, times);
	}
	if (st->noutcomes > TABLE_OUTCOMES || st->outcomes_other) {
		uint64_t more = st->outcomes_other;

		for (size_t i = TABLE_OUTCOMES; i < st->noutcomes; i++)
			more += st->outcomes[i].count;
		format_count(more, a, sizeof(a));
		header_line("", "and %s more (--format json lists every kind)", a);
	}
	if (st->processes_without_root) {
		format_count(st->processes_without_root, a, sizeof(a));
		header_line("", "%s pid%s with calls but no root record (killed, or still running)",
			    a, st->processes_without_root == 1 ? "" : "s");
	}
	format_count(st->threads, a, sizeof(a));
	format_count(st->sessions, b, sizeof(b));
	header_line("threads", "%s, in %s session%s", a, b, st->sessions == 1 ? "" : "s");
	if (st->records) {
		format_time(st->first_ns, t1, sizeof(t1));
		format_time(st->last_ns, t2, sizeof(t2));
		stats_format_ns(st->last_ns - st->first_ns, a, sizeof(a));
		header_line("span", "%s to %s (%s)", t1, t2, a);
	}
	format_count(st->dropped, a, sizeof(a));
	header_line("dropped", "%s call%s not recorded", a, st->dropped == 1 ? "" : "s");
	if (o->filters) {
		format_count(st->matched, a, sizeof(a));
		format_count(st->calls, b, sizeof(b));
		header_line("shown", "%s of %s call%s (%s)", a, b, st->calls == 1 ? "" : "s", o->filters);
	}
}

static void print_table(const struct stats *st, const struct stats_print_opts *o)
{
	int width[NCOLS];
	struct row head, r;

	print_header(st, o);
	for (int c = 0; c < NCOLS; c++) {
		snprintf(head.cell[c], sizeof(head.cell[c]), "%s", col_names[c]);
		width[c] = (int)strlen(col_names[c]);
	}
	for (size_t g = 0; g < st->ngroups; g++)
		for (size_t i = 0; i < st->groups[g]->nhooks; i++) {
			fill_row(st->groups[g]->hooks[i], &r);
			for (int c = 0; c < NCOLS; c++)
				if ((int)strlen(r.cell[c]) > width[c])
					width[c] = (int)strlen(r.cell[c]);
		}
	for (size_t g = 0; g < st->ngroups; g++) {
		putchar('\n');
		if (st->by != BY_HOOK)
			group_title(st, st->groups[g], o->color);
		put_row(&head, width, true, false, o->color);
		for (size_t i = 0; i < st->groups[g]->nhooks; i++) {
			const struct stats_hook *h = st->groups[g]->hooks[i];

			fill_row(h, &r);
			put_row(&r, width, false, h->errors > 0, o->color);
		}
	}
	if (!st->ngroups)
		printf("\nno calls%s\n", o->filters ? " match the filters" : "");
}

/* ------------------------------------------------------------ JSON */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jint(int64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *hook_json(const struct stats_hook *h)
{
	json_t *o = json_object(), *status = json_object();

	json_object_set_new(o, "hook", jstr(h->label ? h->label : h->hook_id));
	json_object_set_new(o, "hook_id", jstr(h->hook_id));
	json_object_set_new(o, "function", jstr(h->function));
	json_object_set_new(o, "library", jstr(h->library));
	json_object_set_new(o, "calls", jint((int64_t)h->calls));
	json_object_set_new(o, "errors", jint((int64_t)h->errors));
	for (int s = 0; s < STATS_NSTATUS; s++)
		json_object_set_new(status, stats_status_names[s], jint((int64_t)h->status[s]));
	json_object_set_new(o, "status", status);
	json_object_set_new(o, "total_ns", jint(h->total_ns));
	json_object_set_new(o, "self_ns", jint(h->self_ns));
	json_object_set_new(o, "mean_ns", jint(mean_of(h)));
	json_object_set_new(o, "p50_ns", jint(hist_percentile(&h->hist, 50)));
	json_object_set_new(o, "p95_ns", jint(hist_percentile(&h->hist, 95)));
	json_object_set_new(o, "p99_ns", jint(hist_percentile(&h->hist, 99)));
	json_object_set_new(o, "min_ns", jint(h->hist.min));
	json_object_set_new(o, "max_ns", jint(h->hist.max));
	return o;
}

static json_t *hooks_json(const struct stats_group *g)
{
	json_t *a = json_array();

	for (size_t i = 0; i < g->nhooks; i++)
		json_array_append_new(a, hook_json(g->hooks[i]));
	return a;
}

static void print_json(const struct stats *st, const struct stats_print_opts *o)
{
	json_t *root = json_object(), *inputs = json_array(), *proc = json_object();
	json_t *outcomes = json_array(), *errors = json_array();
	char t[64];

	for (size_t i = 0; i < o->ninputs; i++)
		json_array_append_new(inputs, json_string(o->inputs[i]));
	json_object_set_new(root, "inputs", inputs);
	if (o->mongo) {
		char *shown = mongo_uri_redact_dup(o->mongo);

		json_object_set_new(root, "mongo", jstr(shown));
		free(shown);
	} else {
		json_object_set_new(root, "mongo", json_null());
	}
	json_object_set_new(root, "filters", jstr(o->filters));
	json_object_set_new(root, "records", jint((int64_t)st->records));
	json_object_set_new(root, "calls", jint((int64_t)st->calls));
	json_object_set_new(root, "roots", jint((int64_t)st->roots));
	json_object_set_new(root, "skipped_lines", jint((int64_t)st->skipped));
	json_object_set_new(root, "matched_calls", jint((int64_t)st->matched));
	if (st->records) {
		json_t *span = json_object();

		json_object_set_new(span, "start_ns", jint(st->first_ns));
		json_object_set_new(span, "end_ns", jint(st->last_ns));
		format_time(st->first_ns, t, sizeof(t));
		json_object_set_new(span, "start", json_string(t));
		format_time(st->last_ns, t, sizeof(t));
		json_object_set_new(span, "end", json_string(t));
		json_object_set_new(root, "span", span);
	} else {
		json_object_set_new(root, "span", json_null());
	}
	json_object_set_new(proc, "count", jint((int64_t)st->roots));
	json_object_set_new(proc, "without_root", jint((int64_t)st->processes_without_root));
	for (size_t i = 0; i < st->noutcomes; i++) {
		const struct stats_outcome *k = &st->outcomes[i];
		json_t *x = json_object();

		json_object_set_new(x, "program", json_string(k->program));
		json_object_set_new(x, "outcome", json_string(k->outcome));
		json_object_set_new(x, "exit_status", !strcmp(k->outcome, "exit") ?
				    jint(k->exit_status) : json_null());
		json_object_set_new(x, "detail", jstr(k->detail));
		json_object_set_new(x, "count", jint((int64_t)k->count));
		json_array_append_new(outcomes, x);
	}
	json_object_set_new(proc, "outcomes", outcomes);
	json_object_set_new(proc, "other_outcomes", jint((int64_t)st->outcomes_other));
	json_object_set_new(root, "processes", proc);
	json_object_set_new(root, "threads", jint((int64_t)st->threads));
	json_object_set_new(root, "sessions", jint((int64_t)st->sessions));
	json_object_set_new(root, "dropped", jint((int64_t)st->dropped));
	for (int s = 0; s < STATS_NSTATUS; s++)
		if (stats_is_error((enum record_status)s))
			json_array_append_new(errors, json_string(stats_status_names[s]));
	json_object_set_new(root, "errors_are", errors);
	json_object_set_new(root, "self_frames_peak", jint((int64_t)st->peak_frames));
	json_object_set_new(root, "percentile_max_relative_error", json_real(1.0 / 256));
	json_object_set_new(root, "by", json_string(by_names[st->by]));
	json_object_set_new(root, "sort", json_string(sort_names[st->sort]));
	if (st->by == BY_HOOK) {
		json_object_set_new(root, "hooks", st->ngroups ? hooks_json(st->groups[0]) :
				    json_array());
	} else {
		json_t *groups = json_array();

		for (size_t g = 0; g < st->ngroups; g++) {
			const struct stats_group *gr = st->groups[g];
			json_t *x = json_object();

			if (st->by == BY_TID) {
				json_object_set_new(x, "pid", jint(gr->pid));
				json_object_set_new(x, "tid", jint(gr->tid));
				json_object_set_new(x, "thread_name", jstr(gr->thread_name));
			} else {
				json_object_set_new(x, by_names[st->by], json_string(gr->key));
			}
			json_object_set_new(x, "calls", jint((int64_t)gr->calls));
			json_object_set_new(x, "errors", jint((int64_t)gr->errors));
			json_object_set_new(x, "self_ns", jint(gr->self_ns));
			json_object_set_new(x, "hooks", hooks_json(gr));
			json_array_append_new(groups, x);
		}
		json_object_set_new(root, "groups", groups);
	}
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

/* ------------------------------------------------------------ CSV */

/* A field and its comma; quoted as RFC 4180 says when it holds a comma, a quote or a
 * line break (lines end in \n alone). */
static void csv_field(const char *s)
{
	if (s && strpbrk(s, ",\"\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else if (s) {
		fputs(s, stdout);
	}
	putchar(',');
}

static void print_csv(const struct stats *st)
{
	static const char *const tid_cols = "pid,tid,thread_name,";

	if (st->by == BY_TID)
		fputs(tid_cols, stdout);
	else if (st->by != BY_HOOK)
		printf("%s,", by_names[st->by]);
	fputs("hook,hook_id,function,library,calls,errors", stdout);
	for (int s = 0; s < STATS_NSTATUS; s++)
		printf(",%s", stats_status_names[s]);
	fputs(",total_ns,self_ns,mean_ns,p50_ns,p95_ns,p99_ns,min_ns,max_ns\n", stdout);
	for (size_t g = 0; g < st->ngroups; g++) {
		const struct stats_group *gr = st->groups[g];

		for (size_t i = 0; i < gr->nhooks; i++) {
			const struct stats_hook *h = gr->hooks[i];

			if (st->by == BY_TID) {
				printf("%" PRId64 ",%" PRId64 ",", gr->pid, gr->tid);
				csv_field(gr->thread_name);
			} else if (st->by != BY_HOOK) {
				csv_field(gr->key);
			}
			csv_field(h->label ? h->label : h->hook_id);
			csv_field(h->hook_id);
			csv_field(h->function);
			csv_field(h->library);
			printf("%" PRIu64 ",%" PRIu64, h->calls, h->errors);
			for (int s = 0; s < STATS_NSTATUS; s++)
				printf(",%" PRIu64, h->status[s]);
			printf(",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
			       ",%" PRId64 ",%" PRId64 "\n", h->total_ns, h->self_ns, mean_of(h),
			       hist_percentile(&h->hist, 50), hist_percentile(&h->hist, 95),
			       hist_percentile(&h->hist, 99), h->hist.min, h->hist.max);
		}
	}
}

void stats_print(const struct stats *st, const struct stats_print_opts *o)
{
	switch (o->format) {
	case FORMAT_TABLE:
		print_table(st, o);
		break;
	case FORMAT_JSON:
		print_json(st, o);
		break;
	case FORMAT_CSV:
		print_csv(st);
		break;
	}
}
