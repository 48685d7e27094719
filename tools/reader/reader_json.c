/*
 * reader_json.c — one record line into a struct record view: a JSON scanner of our
 * own, written for the record layout but not trusting it.
 *
 * It walks the line once. The objects on the way to the fields the view needs
 * (payload, function, trace_module, timestamps, stack_trace, process) are read key
 * by key in any order; every other value is skipped by a validating skip that knows
 * JSON's grammar (strings and their escapes, numbers, literals, nesting up to
 * SCAN_MAX_NESTING), so a line is rejected for the first byte that is not JSON, with
 * its column. It builds nothing: strings are spans of the line, raw values are the
 * spans a skip covered. It must never read outside [line, line + len) and never
 * allocate; it does not check that strings are valid UTF-8 (the writers do).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "reader/reader.h"
#include "reader/reader_simd.h"
#include "reader/reader_source.h"

/* Deeper nesting than this is refused rather than risking the stack. */
#define SCAN_MAX_NESTING 512

struct scan {
	const char *p, *end, *line;
	struct reader_error *err;
	int nesting;
};

/* Bytes that end the fast part of a string: the quote, the backslash, controls. */
static const unsigned char str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static int __attribute__((format(printf, 3, 4), cold))
fail_at(struct scan *s, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (s->err) {
		s->err->column = (long)(at - s->line) + 1;
		va_start(ap, fmt);
		vsnprintf(s->err->text, sizeof(s->err->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The message for an unexpected byte at p (or the end of the line). */
static int __attribute__((cold)) unexpected(struct scan *s, const char *p, const char *wanted)
{
	unsigned char c;

	if (p >= s->end)
		return fail_at(s, p, "line ends inside the record, %s expected (truncated line?)",
			       wanted);
	c = (unsigned char)*p;
	if (c == 0)
		return fail_at(s, p, "NUL byte where %s was expected", wanted);
	if (c < 0x20 || c >= 0x7f)
		return fail_at(s, p, "byte 0x%02x where %s was expected", c, wanted);
	return fail_at(s, p, "'%c' where %s was expected", c, wanted);
}

static inline void skip_ws(struct scan *s)
{
	const char *p = s->p;

	/* libimpulse writes no whitespace: one compare for the usual case */
	if (__builtin_expect(p < s->end && (unsigned char)*p > ' ', 1))
		return;
	while (p < s->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	s->p = p;
}

static int check_escape(struct scan *s, const char *p)
{
	switch (p + 1 < s->end ? p[1] : 0) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 2;
	case 'u':
		for (int i = 2; i < 6; i++) {
			char c = p + i < s->end ? p[i] : 0;

			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
				if (p + i >= s->end)
					return unexpected(s, p + i, "a hex digit of \\u");
				return fail_at(s, p, "bad escape: \\u needs four hex digits");
			}
		}
		return 6;
	}
	if (p + 1 >= s->end)
		return unexpected(s, p + 1, "an escaped character");
	return fail_at(s, p, "bad escape '\\%c' in a string", p[1] >= 0x20 && p[1] < 0x7f ? p[1] : '?');
}

/* The string at s->p (its opening quote) into *out; s->p after its closing quote. */
static int __attribute__((noinline)) scan_string_slow(struct scan *s, struct record_str *out)
{
	const char *p = s->p + 1, *end = s->end, *begin = p;
	bool escaped = false;

	for (;;) {
		while (end - p >= STR_STEP) {
			unsigned k = str_stop16(p);

			p += k;
			if (k < STR_STEP)
				break;
		}
		if (end - p < STR_STEP)
			while (p < end && !str_stop[(unsigned char)*p])
				p++;
		if (p >= end)
			return fail_at(s, p, "line ends inside a string (truncated line?)");
		if (*p == '"')
			break;
		if (*p == '\\') {
			int n = check_escape(s, p);

			if (n < 0)
				return -1;
			escaped = true;
			p += n;
			continue;
		}
		if (*p == 0)
			return fail_at(s, p, "NUL byte in a string");
		return fail_at(s, p, "control character 0x%02x in a string (must be escaped)",
			       (unsigned char)*p);
	}
	if (p - begin > (ptrdiff_t)UINT32_MAX)
		return fail_at(s, begin, "a string of 4 GiB or more");
	if (out) {
		out->ptr = begin;
		out->len = (uint32_t)(p - begin);
		out->escaped = escaped;
	}
	s->p = p + 1;
	return 0;
}

/*
 * Most strings are keys and short ids: one vector step finds their closing quote
 * without a call. The rest (long, escaped, near the end of the line) take the loop.
 */
static inline int scan_string(struct scan *s, struct record_str *out)
{
	const char *p = s->p + 1;

	if (__builtin_expect(s->end - p >= STR_STEP, 1)) {
		unsigned k = str_stop16(p);

		if (k < STR_STEP && p[k] == '"') {
			if (out) {
				out->ptr = p;
				out->len = k;
				out->escaped = false;
			}
			s->p = p + k + 1;
			return 0;
		}
	}
	return scan_string_slow(s, out);
}

static int scan_number(struct scan *s)
{
	const char *p = s->p, *end = s->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return unexpected(s, p, "a digit");
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return unexpected(s, p, "a digit after '.'");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return unexpected(s, p, "a digit of the exponent");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	return 0;
}

static int scan_literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return fail_at(s, s->p, "not a JSON value (expected %s)", word);
	s->p += n;
	return 0;
}

static int skip_value(struct scan *s);

/* After a value inside a container: 1 when another member follows (',' consumed),
 * 0 at the closing byte (consumed), -1 on an error. */
static inline int next_member(struct scan *s, char close)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		skip_ws(s);
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	return unexpected(s, s->p, close == '}' ? "',' or '}'" : "',' or ']'");
}

/* A key and its colon; s->p is then at the value. */
static inline int scan_key(struct scan *s, struct record_str *key)
{
	if (s->p >= s->end || *s->p != '"')
		return unexpected(s, s->p, "a key in quotes");
	if (scan_string(s, key))
		return -1;
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return unexpected(s, s->p, "':' after a key");
	s->p++;
	skip_ws(s);
	return 0;
}

/* open ('{' or '[') at s->p: consumes it; 1 when a member follows, 0 when empty, -1 else. */
static int begin_container(struct scan *s, char open, char close, const char *what)
{
	if (s->p >= s->end || *s->p != open)
		return unexpected(s, s->p, what);
	if (++s->nesting > SCAN_MAX_NESTING)
		return fail_at(s, s->p, "nested deeper than %d levels", SCAN_MAX_NESTING);
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->nesting--;
		return 0;
	}
	return 1;
}

static int skip_container(struct scan *s, char open, char close)
{
	int more = begin_container(s, open, close, open == '{' ? "'{'" : "'['");

	while (more > 0) {
		if (close == '}' && scan_key(s, NULL))
			return -1;
		if (skip_value(s))
			return -1;
		more = next_member(s, close);
	}
	if (more < 0)
		return -1;
	s->nesting--;
	return 0;
}

static int skip_value(struct scan *s)
{
	if (s->p >= s->end)
		return unexpected(s, s->p, "a value");
	switch (*s->p) {
	case '"':
		return scan_string(s, NULL);
	case '{':
		return skip_container(s, '{', '}');
	case '[':
		return skip_container(s, '[', ']');
	case 't':
		return scan_literal(s, "true", 4);
	case 'f':
		return scan_literal(s, "false", 5);
	case 'n':
		return scan_literal(s, "null", 4);
	case '-': case '0' ... '9':
		return scan_number(s);
	}
	return unexpected(s, s->p, "a value");
}

/* ------------------------------------------------------------ keys */

/*
 * The key's text for matching against the names we read. Keys with escapes are
 * decoded into buf first ("call\u005fid" is call_id); a long one cannot be ours.
 */
static bool __attribute__((noinline, cold))
escaped_key_is(const struct record_str *k, const char *name, size_t n)
{
	char buf[32];

	if (k->len > 6 * sizeof(buf))
		return false;
	return record_str_unescape(k, buf, sizeof(buf)) == n && !memcmp(buf, name, n);
}

/* Inlined so that n is a constant and memcmp becomes a compare or two. */
static inline __attribute__((always_inline))
bool key_is(const struct record_str *k, const char *name, size_t n)
{
	if (__builtin_expect(k->escaped, 0))
		return escaped_key_is(k, name, n);
	return k->len == n && !memcmp(k->ptr, name, n);
}
#define KEY(k, lit) key_is((k), lit, sizeof(lit) - 1)

/* ------------------------------------------------------------ typed values */

/* A string, or null when nullable; path names the field in messages. */
static int get_str(struct scan *s, struct record_str *out, bool nullable, const char *path)
{
	if (s->p < s->end && *s->p == '"')
		return scan_string(s, out);
	if (nullable && s->p < s->end && *s->p == 'n') {
		out->ptr = NULL;
		out->len = 0;
		out->escaped = false;
		return scan_literal(s, "null", 4);
	}
	if (s->p >= s->end)
		return unexpected(s, s->p, "a value");
	return fail_at(s, s->p, "%s is not a string%s", path, nullable ? " or null" : "");
}

/* An integer that fits int64 (nullable: null gives *have false). */
static int get_int(struct scan *s, int64_t *out, bool *have, bool nullable, const char *path)
{
	const char *p = s->p, *start = s->p;
	bool neg = false;
	uint64_t v = 0, limit;

	if (nullable && p < s->end && *p == 'n') {
		*have = false;
		return scan_literal(s, "null", 4);
	}
	if (p < s->end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= s->end || *p < '0' || *p > '9')
		return p >= s->end ? unexpected(s, p, "a value") :
			fail_at(s, start, "%s is not an integer", path);
	if (*p == '0' && p + 1 < s->end && p[1] >= '0' && p[1] <= '9')
		return fail_at(s, start, "%s: a JSON number has no leading zero", path);
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	/* 18 digits cannot overflow: check only from the 19th on */
	for (int i = 0; i < 18 && p < s->end && *p >= '0' && *p <= '9'; i++, p++)
		v = v * 10 + (unsigned)(*p - '0');
	while (p < s->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (v > (limit - d) / 10)
			return fail_at(s, start, "%s does not fit in 64 bits", path);
		v = v * 10 + d;
		p++;
	}
	if (p < s->end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail_at(s, start, "%s is not an integer", path);
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*have = true;
	s->p = p;
	return 0;
}

/* The span of the value at s->p, skipped. */
static int get_raw(struct scan *s, struct record_raw *out)
{
	const char *start = s->p;

	if (skip_value(s))
		return -1;
	out->ptr = start;
	out->len = (size_t)(s->p - start);
	return 0;
}

/* ------------------------------------------------------------ the record's parts */

/* What a parse found, beyond the view itself. */
struct found {
	bool payload, start_ns, end_ns, parents, pid, tid;
	struct record_str start, end;	/* the RFC 3339 texts, for a record without ns */
};

#define EACH_MEMBER(s, what, ...) do {						\
	struct record_str key_;							\
	int more_ = begin_container((s), '{', '}', what);			\
	while (more_ > 0) {							\
		const struct record_str *k = &key_;				\
		if (scan_key((s), &key_))					\
			return -1;						\
		__VA_ARGS__							\
		more_ = next_member((s), '}');					\
	}									\
	if (more_ < 0)								\
		return -1;							\
	(s)->nesting--;								\
} while (0)

#define OR_SKIP else if (skip_value(s)) return -1;

static int parse_function(struct scan *s, struct record *rec)
{
	EACH_MEMBER(s, "payload.function as an object", {
		if (KEY(k, "name")) {
			if (get_str(s, &rec->name, false, "payload.function.name"))
				return -1;
		} else if (KEY(k, "library")) {
			if (get_str(s, &rec->library, true, "payload.function.library"))
				return -1;
		} OR_SKIP
	});
	return 0;
}

static int parse_trace_module(struct scan *s, struct record *rec)
{
	EACH_MEMBER(s, "payload.trace_module as an object", {
		struct record_str *to = NULL;
		const char *path = NULL;

		if (KEY(k, "tracer_id"))
			to = &rec->tracer_id, path = "payload.trace_module.tracer_id";
		else if (KEY(k, "session_id"))
			to = &rec->session_id, path = "payload.trace_module.session_id";
		else if (KEY(k, "thread_id"))
			to = &rec->thread_id, path = "payload.trace_module.thread_id";
		else if (KEY(k, "hook_id"))
			to = &rec->hook_id, path = "payload.trace_module.hook_id";
		if (to) {
			if (get_str(s, to, false, path))
				return -1;
		} OR_SKIP
	});
	return 0;
}

static int parse_timestamps(struct scan *s, struct record *rec, struct found *f)
{
	EACH_MEMBER(s, "payload.timestamps as an object", {
		if (KEY(k, "start_ns")) {
			if (get_int(s, &rec->start_ns, &f->start_ns, false, "payload.timestamps.start_ns"))
				return -1;
		} else if (KEY(k, "end_ns")) {
			if (get_int(s, &rec->end_ns, &f->end_ns, false, "payload.timestamps.end_ns"))
				return -1;
		} else if (KEY(k, "start") && s->p < s->end && *s->p == '"') {
			if (scan_string(s, &f->start))
				return -1;
		} else if (KEY(k, "end") && s->p < s->end && *s->p == '"') {
			if (scan_string(s, &f->end))
				return -1;
		} OR_SKIP
	});
	return 0;
}

/* stack_trace.parents: counts the entries and keeps the last one's call_id. */
static int parse_parents(struct scan *s, struct record *rec)
{
	int more = begin_container(s, '[', ']', "payload.stack_trace.parents as an array");

	while (more > 0) {
		struct record_str id = { 0 };
		const char *at = s->p;

		if (s->p < s->end && *s->p != '{')
			return fail_at(s, at, "payload.stack_trace.parents[%u] is not an object",
				       rec->depth);
		EACH_MEMBER(s, "an object", {
			if (KEY(k, "call_id")) {
				if (get_str(s, &id, false, "call_id of a parent"))
					return -1;
			} OR_SKIP
		});
		if (!id.ptr)
			return fail_at(s, at, "payload.stack_trace.parents[%u] has no call_id",
				       rec->depth);
		rec->parent_id = id;
		rec->depth++;
		more = next_member(s, ']');
	}
	if (more < 0)
		return -1;
	s->nesting--;
	return 0;
}

static int parse_stack_trace(struct scan *s, struct record *rec, struct found *f)
{
	EACH_MEMBER(s, "payload.stack_trace as an object", {
		if (KEY(k, "parents")) {
			rec->depth = 0;
			rec->parent_id = (struct record_str){ 0 };
			if (parse_parents(s, rec))
				return -1;
			f->parents = true;
		} else if (KEY(k, "children")) {
			if (get_raw(s, &rec->children))
				return -1;
		} OR_SKIP
	});
	return 0;
}

static int parse_process(struct scan *s, struct record *rec, struct found *f)
{
	EACH_MEMBER(s, "payload.process as an object", {
		if (KEY(k, "pid")) {
			if (get_int(s, &rec->pid, &f->pid, true, "payload.process.pid"))
				return -1;
		} else if (KEY(k, "tid")) {
			if (get_int(s, &rec->tid, &f->tid, true, "payload.process.tid"))
				return -1;
		} else if (KEY(k, "thread_name")) {
			if (get_str(s, &rec->thread_name, true, "payload.process.thread_name"))
				return -1;
		} OR_SKIP
	});
	return 0;
}

static int parse_payload(struct scan *s, struct record *rec, struct found *f)
{
	EACH_MEMBER(s, "payload as an object", {
		int rc = 0;

		if (KEY(k, "function"))
			rc = parse_function(s, rec);
		else if (KEY(k, "trace_module"))
			rc = parse_trace_module(s, rec);
		else if (KEY(k, "call_id"))
			rc = get_str(s, &rec->call_id, false, "payload.call_id");
		else if (KEY(k, "trace_id"))
			rc = get_str(s, &rec->trace_id, true, "payload.trace_id");
		else if (KEY(k, "timestamps"))
			rc = parse_timestamps(s, rec, f);
		else if (KEY(k, "arguments"))
			rc = get_raw(s, &rec->arguments);
		else if (KEY(k, "status"))
			rc = get_str(s, &rec->status, false, "payload.status");
		else if (KEY(k, "exception"))
			rc = get_str(s, &rec->exception, true, "payload.exception");
		else if (KEY(k, "output"))
			rc = get_raw(s, &rec->output);
		else if (KEY(k, "stack_trace"))
			rc = parse_stack_trace(s, rec, f);
		else if (KEY(k, "trace_logs"))
			rc = get_raw(s, &rec->trace_logs);
		else if (KEY(k, "process"))
			rc = parse_process(s, rec, f);
		else
			rc = skip_value(s);
		if (rc)
			return -1;
	});
	f->payload = true;
	return 0;
}

/* ------------------------------------------------------------ after the scan */

/* KEY() compares any string of ours as it does keys: inline, decoding only escapes. */
static enum record_status status_code(const struct record_str *st)
{
	if (KEY(st, "success"))
		return RECORD_SUCCESS;
	if (KEY(st, "error"))
		return RECORD_ERROR;
	if (KEY(st, "incomplete"))
		return RECORD_INCOMPLETE;
	if (KEY(st, "unwound"))
		return RECORD_UNWOUND;
	if (KEY(st, "exception"))
		return RECORD_EXCEPTION;
	if (KEY(st, "crashed"))
		return RECORD_CRASHED;
	return RECORD_STATUS_OTHER;
}

static int check_required(struct scan *s, struct record *rec, struct found *f)
{
	static const struct {
		size_t off;
		const char *path;
	} strs[] = {
		{ offsetof(struct record, tracer_id), "payload.trace_module.tracer_id" },
		{ offsetof(struct record, session_id), "payload.trace_module.session_id" },
		{ offsetof(struct record, thread_id), "payload.trace_module.thread_id" },
		{ offsetof(struct record, hook_id), "payload.trace_module.hook_id" },
		{ offsetof(struct record, name), "payload.function.name" },
		{ offsetof(struct record, call_id), "payload.call_id" },
		{ offsetof(struct record, status), "payload.status" },
	};

	if (!f->payload)
		return fail_at(s, s->line, "no payload object: not a record");
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!((const struct record_str *)((const char *)rec + strs[i].off))->ptr)
			return fail_at(s, s->line, "missing %s", strs[i].path);
	if (!f->parents)
		return fail_at(s, s->line, "missing payload.stack_trace.parents");
	if (!f->start_ns && !reader_rfc3339_ns(&f->start, &rec->start_ns))
		return fail_at(s, s->line, "missing payload.timestamps.start_ns (and no start time)");
	if (!f->end_ns && !reader_rfc3339_ns(&f->end, &rec->end_ns))
		return fail_at(s, s->line, "missing payload.timestamps.end_ns (and no end time)");
	return 0;
}

int record_parse(const char *line, size_t len, struct record *rec, struct reader_error *err)
{
	struct scan s = { .p = line, .end = line + len, .line = line, .err = err };
	struct found f = { 0 };
	int more;

	memset(rec, 0, offsetof(struct record, source));
	rec->pid = rec->tid = -1;
	skip_ws(&s);
	more = begin_container(&s, '{', '}', "'{' (a record is one JSON object)");
	while (more > 0) {
		struct record_str key;

		if (scan_key(&s, &key))
			return -EINVAL;
		if (KEY(&key, "payload")) {
			if (parse_payload(&s, rec, &f))
				return -EINVAL;
		} else if (skip_value(&s)) {
			return -EINVAL;
		}
		more = next_member(&s, '}');
	}
	if (more < 0)
		return -EINVAL;
	skip_ws(&s);
	if (s.p < s.end)
		return unexpected(&s, s.p, "the end of the line after the record"), -EINVAL;
	if (check_required(&s, rec, &f))
		return -EINVAL;
	rec->status_code = status_code(&rec->status);
	rec->is_root = rec->trace_id.ptr ||
		(KEY(&rec->hook_id, "root") && KEY(&rec->thread_id, "root"));
	rec->text.ptr = line;
	rec->text.len = len;
	return 0;
}
