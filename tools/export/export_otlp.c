/*
 * export_otlp.c — OpenTelemetry OTLP/JSON: an ExportTraceServiceRequest, as an
 * OpenTelemetry Collector's OTLP/HTTP receiver takes it on /v1/traces.
 *
 *   {"resourceSpans":[{"resource":{"attributes":[…]},
 *                      "scopeSpans":[{"scope":{"name":"libimpulse"},"spans":[…]}]}, …]}
 *
 * OTLP/JSON is proto3's JSON mapping with the OTLP rules: ids as lowercase hex,
 * enums as integers, 64-bit integers (times, intValue) as decimal strings.
 *
 * Ids.
 * - traceId: one trace per run, the process tree's trace_id that libimpulse gives
 *   the root of every process image of the tree (a child process inherits it), so
 *   the spans of a program and of what it started form one trace. A run's session
 *   (one session may hold many runs) is the resource attribute impulse.session_id.
 *   A process whose root record is missing (killed, its file cut short) gets a
 *   trace id derived from its session id: its spans still group, per session.
 * - spanId: from call_id ("<tracer_id>-<sequence>", both 16 hex digits) as
 *   tracer_id XOR splitmix64(sequence): stable across exports, unique within a
 *   process image (splitmix64 is a bijection), random-unique across images since
 *   tracer ids are random. A call_id of another shape is hashed (FNV-1a 64).
 * - parentSpanId: the span id of the record's last parents entry, computed the same
 *   way, so a child process's root points at the span of the call that started it,
 *   in its parent's resource.
 *
 * Streaming. The trace id and the program's name are in the root record, which a
 * process writes last; so a first pass (scan) over the inputs keeps, per process
 * image (tracer_id), its trace id, program, pid and session, and the second writes.
 * Spans go out as they are read: a resourceSpans is closed whenever the process
 * image changes or after SPANS_PER_GROUP spans, and a new one opened with the same
 * resource (OTLP allows several resourceSpans for one resource; record files hold
 * one process each, so a process's spans are mostly one group). Memory: one entry
 * per process image.
 *
 * Attributes: the arguments flattened one per parameter (impulse.arg.<name>), the
 * output (impulse.output), typed: JSON integers as intValue (a string, per proto3
 * JSON; integers beyond int64 as stringValue, exact), other numbers doubleValue,
 * booleans boolValue, strings stringValue, objects kvlistValue, arrays arrayValue,
 * null an empty AnyValue. Status: ERROR (2) with the exception (or the status) as
 * message for error, exception and crashed; UNSET otherwise, as OpenTelemetry asks
 * of instrumentation (the impulse.status attribute has libimpulse's word).
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

#define SPANS_PER_GROUP 1000
#define MAX_NESTING 32
#define TEXT_MAX 256

struct image {
	bool used, has_root;
	char tracer[40];		/* tracer_id (JSON text) */
	char trace_id[33];		/* 32 hex digits */
	char program[TEXT_MAX];		/* the root's function name (JSON text), or the main thread's */
	char session[TEXT_MAX];		/* session_id (JSON text) */
	int64_t pid;
};

struct otlp {
	struct image *table;
	size_t size, used;
	/* the resourceSpans being written */
	bool in_group;
	char group_tracer[40];
	long group_spans;
	long groups;
};

/* ------------------------------------------------------------ ids */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t fnv1a64(const char *p, size_t len, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

static bool parse_hex64(const char *p, size_t len, uint64_t *out)
{
	*out = 0;
	if (len != 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			return false;
		*out = *out << 4 | (uint64_t)v;
	}
	return true;
}

static uint64_t span_id(const struct record_str *call_id)
{
	uint64_t tracer, seq, id;

	if (!call_id->escaped && call_id->len == 33 && call_id->ptr[16] == '-' &&
	    parse_hex64(call_id->ptr, 16, &tracer) && parse_hex64(call_id->ptr + 17, 16, &seq))
		id = tracer ^ splitmix64(seq) ^ splitmix64(0);
	else
		id = splitmix64(fnv1a64(call_id->ptr, call_id->len, 0));
	return id ? id : 1;	/* an all-zero span id is invalid */
}

/* ------------------------------------------------------------ process images */

static int grow(struct otlp *o);

static struct image *image_of(struct otlp *o, const struct record_str *tracer, bool add)
{
	size_t len = tracer->len < sizeof(o->table->tracer) - 1 ? tracer->len :
		     sizeof(o->table->tracer) - 1;
	size_t i;

	if (add && (o->used + 1) * 2 > o->size && grow(o))
		return NULL;
	if (!o->size)
		return NULL;
	for (i = fnv1a64(tracer->ptr, len, 0) & (o->size - 1);; i = (i + 1) & (o->size - 1)) {
		struct image *m = &o->table[i];

		if (!m->used) {
			if (!add)
				return NULL;
			m->used = true;
			memcpy(m->tracer, tracer->ptr, len);
			o->used++;
			return m;
		}
		if (strlen(m->tracer) == len && !memcmp(m->tracer, tracer->ptr, len))
			return m;
	}
}

static int grow(struct otlp *o)
{
	struct image *old = o->table;
	size_t n = o->size;

	o->size = n ? n * 2 : 64;
	o->table = calloc(o->size, sizeof(*o->table));
	if (!o->table)
		return -1;
	o->used = 0;
	for (size_t i = 0; i < n; i++) {
		if (old[i].used) {
			struct record_str t = { old[i].tracer, (uint32_t)strlen(old[i].tracer), false };

			*image_of(o, &t, true) = old[i];
		}
	}
	free(old);
	return 0;
}

/* Copies s's JSON text into buf when it fits whole (escapes never cut). */
static void keep_text(char *buf, size_t size, const struct record_str *s)
{
	if (s->ptr && s->len < size) {
		memcpy(buf, s->ptr, s->len);
		buf[s->len] = 0;
	}
}

static bool is_hex32(const struct record_str *s)
{
	uint64_t hi, lo;

	return s->ptr && !s->escaped && s->len == 32 && parse_hex64(s->ptr, 16, &hi) &&
	       parse_hex64(s->ptr + 16, 16, &lo) && (hi || lo);
}

static void session_trace_id(char *out, const struct record_str *session)
{
	uint64_t a = splitmix64(fnv1a64(session->ptr, session->len, 0));
	uint64_t b = splitmix64(fnv1a64(session->ptr, session->len, 0x5851f42d4c957f2dULL));

	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)(b | 1));
}

static int otlp_scan(void **state, const struct record *rec)
{
	struct otlp *o = *state;
	struct image *m;

	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o || grow(o))
			return -1;
		*state = o;
	}
	m = image_of(o, &rec->tracer_id, true);
	if (!m)
		return -1;
	if (!m->session[0]) {
		keep_text(m->session, sizeof(m->session), &rec->session_id);
		session_trace_id(m->trace_id, &rec->session_id);
		m->pid = rec->pid;
	}
	if (!m->has_root && !m->program[0] && rec->pid == rec->tid)
		keep_text(m->program, sizeof(m->program), &rec->thread_name);
	if (rec->is_root && !m->has_root) {
		m->has_root = true;
		m->pid = rec->pid;
		m->program[0] = 0;
		keep_text(m->program, sizeof(m->program), &rec->name);
		if (is_hex32(&rec->trace_id)) {
			for (int i = 0; i < 32; i++)
				m->trace_id[i] = (char)(rec->trace_id.ptr[i] | 0x20);	/* lowercase */
			m->trace_id[32] = 0;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ values */

static void any_value(FILE *out, const char *p, const char *end, int depth);

static void key_value_raw(FILE *out, const char *prefix, const char *key, size_t klen,
			  const char *v, const char *vend, int depth)
{
	fputs_unlocked("{\"key\":\"", out);
	fputs_unlocked(prefix, out);
	fwrite_unlocked(key, 1, klen, out);
	fputs_unlocked("\",\"value\":", out);
	any_value(out, v, vend, depth);
	putc_unlocked('}', out);
}

static bool fits_int64(const char *p, size_t len)
{
	static const char max[] = "9223372036854775807";
	size_t digits = len - (*p == '-');
	const char *d = p + (*p == '-');

	if (digits != 19)
		return digits < 19;
	return memcmp(d, max, 19) <= 0 || (*p == '-' && !memcmp(d, "9223372036854775808", 19));
}

static void any_value(FILE *out, const char *p, const char *end, int depth)
{
	struct ej_iter it;
	struct record_raw key, value;
	const char *vend;
	bool first = true;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	vend = ej_skip(p, end);
	if (!vend) {
		fputs_unlocked("{}", out);
		return;
	}
	switch (ej_type(p, vend)) {
	case EJ_STRING:
		fputs_unlocked("{\"stringValue\":", out);
		fwrite_unlocked(p, 1, (size_t)(vend - p), out);
		putc_unlocked('}', out);
		break;
	case EJ_INT:
		fputs_unlocked(fits_int64(p, (size_t)(vend - p)) ? "{\"intValue\":\"" : "{\"stringValue\":\"", out);
		fwrite_unlocked(p, 1, (size_t)(vend - p), out);
		fputs_unlocked("\"}", out);
		break;
	case EJ_REAL:
		fputs_unlocked("{\"doubleValue\":", out);
		fwrite_unlocked(p, 1, (size_t)(vend - p), out);
		putc_unlocked('}', out);
		break;
	case EJ_TRUE:
	case EJ_FALSE:
		fprintf(out, "{\"boolValue\":%s}", *p == 't' ? "true" : "false");
		break;
	case EJ_OBJECT:
	case EJ_ARRAY:
		if (depth >= MAX_NESTING) {	/* deeper than any record has: its JSON text */
			fputs_unlocked("{\"stringValue\":", out);
			ej_put_escaped(out, p, (size_t)(vend - p));
			putc_unlocked('}', out);
			break;
		}
		if (*p == '{') {
			fputs_unlocked("{\"kvlistValue\":{\"values\":[", out);
			ej_open(&it, p, vend, '{');
			while (ej_next_member(&it, &key, &value)) {
				if (!first)
					putc_unlocked(',', out);
				first = false;
				key_value_raw(out, "", key.ptr, key.len, value.ptr,
					      value.ptr + value.len, depth + 1);
			}
		} else {
			fputs_unlocked("{\"arrayValue\":{\"values\":[", out);
			ej_open(&it, p, vend, '[');
			while (ej_next_item(&it, &value)) {
				if (!first)
					putc_unlocked(',', out);
				first = false;
				any_value(out, value.ptr, value.ptr + value.len, depth + 1);
			}
		}
		fputs_unlocked("]}}", out);
		break;
	default:		/* null */
		fputs_unlocked("{}", out);
		break;
	}
}

/* ------------------------------------------------------------ writing */

/* Writes ",{key: value}" or "{key: value}": the attribute helpers share *first. */
static void attr_start(FILE *out, bool *first, const char *key)
{
	fputs_unlocked(*first ? "{\"key\":\"" : ",{\"key\":\"", out);
	fputs_unlocked(key, out);
	fputs_unlocked("\",\"value\":", out);
	*first = false;
}

static void attr_str(FILE *out, bool *first, const char *key, const struct record_str *s)
{
	if (!s->ptr)
		return;
	attr_start(out, first, key);
	fputs_unlocked("{\"stringValue\":", out);
	ej_put_str(out, s);
	fputs_unlocked("}}", out);
}

static void attr_text(FILE *out, bool *first, const char *key, const char *json_text)
{
	attr_start(out, first, key);
	fprintf(out, "{\"stringValue\":\"%s\"}}", json_text);
}

static void attr_int(FILE *out, bool *first, const char *key, int64_t v)
{
	attr_start(out, first, key);
	fputs_unlocked("{\"intValue\":\"", out);
	ej_put_int(out, v);
	fputs_unlocked("\"}}", out);
}

static void open_group(struct otlp *o, FILE *out, const struct record *rec)
{
	struct image *m = image_of(o, &rec->tracer_id, false);
	bool first = true;

	fputs_unlocked(o->groups++ ? ",\n" : "\n", out);
	fputs_unlocked("{\"resource\":{\"attributes\":[", out);
	if (m && m->program[0])
		attr_text(out, &first, "service.name", m->program);
	else
		attr_text(out, &first, "service.name", "unknown_service");
	if (m && m->has_root)
		attr_text(out, &first, "process.executable.name", m->program);
	if (rec->pid >= 0)
		attr_int(out, &first, "process.pid", rec->pid);
	attr_str(out, &first, "impulse.tracer_id", &rec->tracer_id);
	attr_str(out, &first, "impulse.session_id", &rec->session_id);
	fputs_unlocked("]},\"scopeSpans\":[{\"scope\":{\"name\":\"libimpulse\"},\"spans\":[", out);
	o->in_group = true;
	o->group_spans = 0;
	keep_text(o->group_tracer, sizeof(o->group_tracer), &rec->tracer_id);
}

static void close_group(struct otlp *o, FILE *out)
{
	if (o->in_group)
		fputs_unlocked("\n]}]}", out);
	o->in_group = false;
}

static const char *status_text(const struct record *rec)
{
	return record_status_name(rec->status_code);
}

static void events(FILE *out, const struct record *rec)
{
	struct ej_iter it, members;
	struct record_raw log, key, value;
	bool first_event = true, first;
	int64_t ns;

	if (!rec->trace_logs.ptr ||
	    !ej_open(&it, rec->trace_logs.ptr, rec->trace_logs.ptr + rec->trace_logs.len, '['))
		return;
	while (ej_next_item(&it, &log)) {
		if (!ej_log_time(&log, &ns))
			ns = rec->end_ns;
		fprintf(out, "%s{\"timeUnixNano\":\"%lld\",\"name\":\"trace_log\",\"attributes\":[",
			first_event ? ",\"events\":[" : ",", (long long)ns);
		first_event = false;
		first = true;
		ej_open(&members, log.ptr, log.ptr + log.len, '{');
		while (ej_next_member(&members, &key, &value)) {
			if (key.len == 9 && !memcmp(key.ptr, "timestamp", 9))
				continue;
			if (!first)
				putc_unlocked(',', out);
			first = false;
			key_value_raw(out, "impulse.", key.ptr, key.len, value.ptr,
				      value.ptr + value.len, 0);
		}
		fputs_unlocked("]}", out);
	}
	if (!first_event)
		putc_unlocked(']', out);
}

static void span(struct otlp *o, FILE *out, const struct record *rec)
{
	struct image *m = image_of(o, &rec->tracer_id, false);
	char fallback[33];
	const char *status = status_text(rec);
	struct ej_iter it;
	struct record_raw key, value;
	bool first = true;

	if (!m)
		session_trace_id(fallback, &rec->session_id);
	fprintf(out, "%s{\"traceId\":\"%s\",\"spanId\":\"%016llx\"", o->group_spans++ ? ",\n" : "\n",
		m ? m->trace_id : fallback, (unsigned long long)span_id(&rec->call_id));
	if (rec->parent_id.ptr)
		fprintf(out, ",\"parentSpanId\":\"%016llx\"", (unsigned long long)span_id(&rec->parent_id));
	fputs_unlocked(",\"name\":", out);
	ej_put_str(out, &rec->name);
	fputs_unlocked(",\"kind\":1,\"startTimeUnixNano\":\"", out);
	ej_put_int(out, rec->start_ns);
	fputs_unlocked("\",\"endTimeUnixNano\":\"", out);
	ej_put_int(out, rec->end_ns < rec->start_ns ? rec->start_ns : rec->end_ns);
	putc_unlocked('"', out);

	fputs_unlocked(",\"attributes\":[", out);
	attr_str(out, &first, "code.function.name", &rec->name);
	attr_str(out, &first, "impulse.library", &rec->library);
	attr_str(out, &first, "impulse.call_id", &rec->call_id);
	attr_str(out, &first, "impulse.hook_id", &rec->hook_id);
	attr_str(out, &first, "impulse.thread_group", &rec->thread_id);
	if (status)
		attr_text(out, &first, "impulse.status", status);
	else
		attr_str(out, &first, "impulse.status", &rec->status);
	attr_str(out, &first, "impulse.exception", &rec->exception);
	if (rec->tid >= 0)
		attr_int(out, &first, "thread.id", rec->tid);
	attr_str(out, &first, "thread.name", &rec->thread_name);
	if (rec->arguments.ptr &&
	    ej_open(&it, rec->arguments.ptr, rec->arguments.ptr + rec->arguments.len, '{')) {
		while (ej_next_member(&it, &key, &value)) {
			putc_unlocked(',', out);
			key_value_raw(out, "impulse.arg.", key.ptr, key.len, value.ptr,
				      value.ptr + value.len, 0);
		}
	}
	if (rec->output.ptr && ej_type(rec->output.ptr, rec->output.ptr + rec->output.len) != EJ_NULL) {
		putc_unlocked(',', out);
		key_value_raw(out, "", "impulse.output", strlen("impulse.output"), rec->output.ptr,
			      rec->output.ptr + rec->output.len, 0);
	}
	putc_unlocked(']', out);

	events(out, rec);

	if (rec->status_code == RECORD_ERROR || rec->status_code == RECORD_EXCEPTION ||
	    rec->status_code == RECORD_CRASHED) {
		fputs_unlocked(",\"status\":{\"code\":2,\"message\":", out);
		if (rec->exception.ptr)
			ej_put_str(out, &rec->exception);
		else
			fprintf(out, "\"%s\"", status);
		putc_unlocked('}', out);
	}
	putc_unlocked('}', out);
}

static int otlp_begin(void **state, FILE *out)
{
	if (!*state) {	/* nothing was scanned (no record passed the filters) */
		struct otlp *o = calloc(1, sizeof(*o));

		if (!o || grow(o))
			return -1;
		*state = o;
	}
	fputs_unlocked("{\"resourceSpans\":[", out);
	return 0;
}

static int otlp_record(void *state, FILE *out, const struct record *rec)
{
	struct otlp *o = state;
	size_t len = strlen(o->group_tracer);

	if (!o->in_group || o->group_spans >= SPANS_PER_GROUP || rec->tracer_id.len != len ||
	    memcmp(rec->tracer_id.ptr, o->group_tracer, len)) {
		close_group(o, out);
		open_group(o, out, rec);
	}
	span(o, out, rec);
	return 0;
}

static int otlp_end(void *state, FILE *out)
{
	struct otlp *o = state;

	close_group(o, out);
	fputs_unlocked("\n]}\n", out);
	free(o->table);
	free(o);
	return 0;
}

const struct export_format export_otlp = {
	.name = "otlp",
	.scan = otlp_scan,
	.begin = otlp_begin,
	.record = otlp_record,
	.end = otlp_end,
};
