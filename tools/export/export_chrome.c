/*
 * export_chrome.c — the Chrome trace-event format (the JSON that Perfetto and
 * chrome://tracing open), written as the records are read.
 *
 *   {"traceEvents": [
 *     {"ph":"X", "name":fn, "cat":thread group, "pid", "tid", "ts", "dur", "args":{…}},
 *     {"ph":"i", "s":"t", …}          a trace log, on its call's thread
 *     {"ph":"M", "name":"thread_name" | "process_name", …}
 *   ], "displayTimeUnit": "ns", "otherData": {"time_base": …}}
 *
 * Each call is one complete ("X") event: the format needs no begin/end pairing, so
 * the order in which records come (completion order, a parent after its children)
 * does not matter, and nothing is held per call. Viewers sort by time.
 *
 * Times: "ts" and "dur" are microseconds with three decimals (nanoseconds exact in
 * the text). Viewers read them as doubles; counted from the epoch (1.8e15 us) a
 * double keeps only a quarter of a microsecond, which would move short calls out
 * of their parents. So ts counts from a time base, the UTC midnight of the day
 * before the first record's start (a day of slack for the calls that started
 * before it and ended after), which keeps every ts of a run under 2^53 ns; the
 * base is in otherData ("time_base", RFC 3339, and "time_base_ns").
 *
 * "dur" is written so that ts + dur in doubles is the end's double (put_dur()).
 *
 * Memory: one entry per thread seen (whether its name was written) and per process.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/export.h"

#define NS_PER_DAY (86400LL * 1000000000LL)
#define NAME_MAX_LEN 64

/* A thread, or a process (tid PROCESS_ENTRY), seen in the records. */
struct seen {
	int64_t pid, tid;
	bool used;
	bool named;			/* a process: its process_name was written */
	char name[NAME_MAX_LEN];	/* a process's main thread name (JSON text) */
};

#define PROCESS_ENTRY INT64_MIN

struct chrome {
	long events;
	bool have_base;
	int64_t base_ns;
	struct seen *table;
	size_t size, used;		/* size: a power of two */
};

static const char *status_text(const struct record *rec)
{
	return record_status_name(rec->status_code);
}

static void put_status(FILE *out, const struct record *rec)
{
	const char *s = status_text(rec);

	if (s)
		fprintf(out, "\"%s\"", s);
	else
		ej_put_str(out, &rec->status);
}

static uint64_t hash_key(int64_t pid, int64_t tid)
{
	uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ULL ^ (uint64_t)tid * 0xc2b2ae3d27d4eb4fULL;

	return h ^ (h >> 29);
}

static int grow(struct chrome *c);

/* The entry for (pid, tid), added when new (*added set); NULL when out of memory. */
static struct seen *lookup(struct chrome *c, int64_t pid, int64_t tid, bool *added)
{
	size_t i;

	*added = false;
	if ((c->used + 1) * 2 > c->size && grow(c))
		return NULL;
	for (i = hash_key(pid, tid) & (c->size - 1);; i = (i + 1) & (c->size - 1)) {
		struct seen *s = &c->table[i];

		if (!s->used) {
			s->used = true;
			s->pid = pid;
			s->tid = tid;
			c->used++;
			*added = true;
			return s;
		}
		if (s->pid == pid && s->tid == tid)
			return s;
	}
}

static int grow(struct chrome *c)
{
	struct seen *old = c->table;
	size_t n = c->size;
	bool added;

	c->size = n ? n * 2 : 64;
	c->table = calloc(c->size, sizeof(*c->table));
	if (!c->table)
		return -1;
	c->used = 0;
	for (size_t i = 0; i < n; i++)
		if (old[i].used)
			*lookup(c, old[i].pid, old[i].tid, &added) = old[i];
	free(old);
	return 0;
}

static void next_event(struct chrome *c, FILE *out)
{
	fputs_unlocked(c->events++ ? ",\n" : "\n", out);
}

static void put_ts(struct chrome *c, FILE *out, int64_t ns)
{
	fputs_unlocked(",\"ts\":", out);
	ej_put_us(out, ns - c->base_ns);
}

/*
 * "dur" such that ts + dur, added as doubles the way importers add them, is exactly
 * the double nearest the call's end. Written as nanoseconds (three decimals) when
 * that text already gives it, which is nearly always; otherwise the shortest text
 * that does (sub-nanosecond digits, still the right nanosecond when rounded).
 * Without this, a call that ends at the same nanosecond as its parent (every call
 * in flight at a crash does) can end a rounding step after it, and Chrome DevTools
 * drops it from the tree as not nested.
 */
static void put_dur(struct chrome *c, FILE *out, int64_t start_ns, int64_t dur_ns)
{
	double ts = (double)(start_ns - c->base_ns) / 1000.0;
	double end = (double)(start_ns + dur_ns - c->base_ns) / 1000.0;
	double want = end - ts;	/* exact (Sterbenz) while dur <= ts, i.e. < a day */
	char text[40];

	fputs_unlocked(",\"dur\":", out);
	snprintf(text, sizeof(text), "%lld.%03lld", (long long)(dur_ns / 1000),
		 (long long)(dur_ns % 1000));
	if (ts + strtod(text, NULL) == end) {
		fputs_unlocked(text, out);
		return;
	}
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(text, sizeof(text), "%.*g", digits, want);
		if (ts + strtod(text, NULL) == end)
			break;
	}
	fputs_unlocked(text, out);
}

static void metadata(struct chrome *c, FILE *out, const char *what, int64_t pid, int64_t tid,
		     const char *name, size_t len)
{
	next_event(c, out);
	fprintf(out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%lld,\"tid\":%lld,\"args\":{\"name\":\"",
		what, (long long)pid, (long long)tid);
	fwrite_unlocked(name, 1, len, out);
	fputs_unlocked("\"}}", out);
}

/* thread_name the first time a thread is seen; process_name from its root. */
static int name_tracks(struct chrome *c, FILE *out, const struct record *rec)
{
	struct seen *t, *p;
	bool added;

	t = lookup(c, rec->pid, rec->tid, &added);
	if (!t)
		return -1;
	if (added && rec->thread_name.ptr)
		metadata(c, out, "thread_name", rec->pid, rec->tid, rec->thread_name.ptr,
			 rec->thread_name.len);
	p = lookup(c, rec->pid, PROCESS_ENTRY, &added);
	if (!p)
		return -1;
	if (rec->pid == rec->tid && !p->name[0] && rec->thread_name.ptr &&
	    rec->thread_name.len < NAME_MAX_LEN)
		memcpy(p->name, rec->thread_name.ptr, rec->thread_name.len);
	if (rec->is_root && !p->named) {
		metadata(c, out, "process_name", rec->pid, rec->tid, rec->name.ptr, rec->name.len);
		p->named = true;
	}
	return 0;
}

static void put_raw_or_null(FILE *out, const struct record_raw *raw)
{
	if (raw->ptr)
		fwrite_unlocked(raw->ptr, 1, raw->len, out);
	else
		fputs_unlocked("null", out);
}

static void trace_logs(struct chrome *c, FILE *out, const struct record *rec)
{
	struct ej_iter it, members;
	struct record_raw log, key, value, payload = { NULL, 0 };
	bool invalid;
	int64_t ns;

	if (!rec->trace_logs.ptr ||
	    !ej_open(&it, rec->trace_logs.ptr, rec->trace_logs.ptr + rec->trace_logs.len, '['))
		return;
	while (ej_next_item(&it, &log)) {
		if (!ej_log_time(&log, &ns))
			ns = rec->end_ns;
		/* RFC 3339 times have microseconds: keep the note on its call's slice */
		ns = ns < rec->start_ns ? rec->start_ns : ns > rec->end_ns ? rec->end_ns : ns;
		payload.ptr = NULL;
		invalid = false;
		ej_open(&members, log.ptr, log.ptr + log.len, '{');
		while (ej_next_member(&members, &key, &value)) {
			if (key.len == 7 && !memcmp(key.ptr, "payload", 7))
				payload = value;
			else if (key.len == 12 && !memcmp(key.ptr, "invalid_json", 12))
				invalid = value.len == 4 && !memcmp(value.ptr, "true", 4);
		}
		next_event(c, out);
		fputs_unlocked("{\"ph\":\"i\",\"s\":\"t\",\"name\":", out);
		/* a short string note names the event itself; anything else is "trace_log" */
		if (payload.ptr && payload.len <= 82 && payload.ptr[0] == '"' &&
		    !memchr(payload.ptr, '\\', payload.len))
			fwrite_unlocked(payload.ptr, 1, payload.len, out);
		else
			fputs_unlocked("\"trace_log\"", out);
		fprintf(out, ",\"cat\":\"trace_log\",\"pid\":%lld,\"tid\":%lld", (long long)rec->pid,
			(long long)rec->tid);
		put_ts(c, out, ns);
		fputs_unlocked(",\"args\":{\"call_id\":", out);
		ej_put_str(out, &rec->call_id);
		fputs_unlocked(",\"payload\":", out);
		put_raw_or_null(out, &payload);
		if (invalid)
			fputs_unlocked(",\"invalid_json\":true", out);
		fputs_unlocked("}}", out);
	}
}

static int chrome_begin(void **state, FILE *out)
{
	struct chrome *c = calloc(1, sizeof(*c));

	if (!c || grow(c))
		return -1;
	*state = c;
	fputs_unlocked("{\"traceEvents\":[", out);
	return 0;
}

static int chrome_record(void *state, FILE *out, const struct record *rec)
{
	struct chrome *c = state;
	int64_t dur = rec->end_ns - rec->start_ns;

	if (!c->have_base) {
		c->base_ns = rec->start_ns - rec->start_ns % NS_PER_DAY - NS_PER_DAY;
		c->have_base = true;
	}
	if (name_tracks(c, out, rec))
		return -1;
	next_event(c, out);
	fputs_unlocked("{\"ph\":\"X\",\"name\":", out);
	ej_put_str(out, &rec->name);
	fputs_unlocked(",\"cat\":", out);
	ej_put_str(out, &rec->thread_id);
	fputs_unlocked(",\"pid\":", out);
	ej_put_int(out, rec->pid);
	fputs_unlocked(",\"tid\":", out);
	ej_put_int(out, rec->tid);
	put_ts(c, out, rec->start_ns);
	put_dur(c, out, rec->start_ns, dur < 0 ? 0 : dur);
	if (rec->status_code == RECORD_CRASHED || rec->status_code == RECORD_EXCEPTION)
		fputs_unlocked(",\"cname\":\"terrible\"", out);
	else if (rec->status_code == RECORD_ERROR)
		fputs_unlocked(",\"cname\":\"bad\"", out);
	fputs_unlocked(",\"args\":{\"call_id\":", out);
	ej_put_str(out, &rec->call_id);
	fputs_unlocked(",\"hook_id\":", out);
	ej_put_str(out, &rec->hook_id);
	fputs_unlocked(",\"status\":", out);
	put_status(out, rec);
	fputs_unlocked(",\"exception\":", out);
	ej_put_str(out, &rec->exception);
	fputs_unlocked(",\"arguments\":", out);
	put_raw_or_null(out, &rec->arguments);
	fputs_unlocked(",\"output\":", out);
	put_raw_or_null(out, &rec->output);
	if (rec->library.ptr) {
		fputs_unlocked(",\"library\":", out);
		ej_put_str(out, &rec->library);
	}
	if (rec->parent_id.ptr) {
		fputs_unlocked(",\"parent_call_id\":", out);
		ej_put_str(out, &rec->parent_id);
	}
	if (rec->is_root) {
		fputs_unlocked(",\"session_id\":", out);
		ej_put_str(out, &rec->session_id);
		if (rec->trace_id.ptr) {
			fputs_unlocked(",\"trace_id\":", out);
			ej_put_str(out, &rec->trace_id);
		}
	}
	fputs_unlocked("}}", out);
	trace_logs(c, out, rec);
	return 0;
}

static int chrome_end(void *state, FILE *out)
{
	struct chrome *c = state;
	char when[32] = "";
	time_t secs;
	struct tm tm;

	/* processes whose root is not in the input: named after their main thread */
	for (size_t i = 0; i < c->size; i++) {
		struct seen *p = &c->table[i];

		if (p->used && p->tid == PROCESS_ENTRY && !p->named && p->name[0])
			metadata(c, out, "process_name", p->pid, p->pid, p->name, strlen(p->name));
	}
	fputs_unlocked("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"exporter\":\"impulse export\"", out);
	if (c->have_base) {
		secs = (time_t)(c->base_ns / 1000000000LL);
		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(out, ",\"time_base\":\"%s\",\"time_base_ns\":\"%lld\"", when,
			(long long)c->base_ns);
	}
	fputs_unlocked("}}\n", out);
	free(c->table);
	free(c);
	return 0;
}

const struct export_format export_chrome = {
	.name = "chrome",
	.begin = chrome_begin,
	.record = chrome_record,
	.end = chrome_end,
};
