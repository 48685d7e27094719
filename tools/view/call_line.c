/*
 * call_line.c — formats one call as one line (see call_line.h). Works on the raw JSON
 * spans the reader hands out, without building a tree of them; never allocates.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "view/call_line.h"

const char *call_colour_start(enum call_colour c)
{
	switch (c) {
	case CALL_RED:
		return "\033[31m";
	case CALL_YELLOW:
		return "\033[33m";
	default:
		return "";
	}
}

enum call_colour call_colour_of(enum record_status s)
{
	switch (s) {
	case RECORD_ERROR:
	case RECORD_EXCEPTION:
	case RECORD_CRASHED:
		return CALL_RED;
	case RECORD_UNWOUND:
	case RECORD_INCOMPLETE:
		return CALL_YELLOW;
	default:
		return CALL_PLAIN;
	}
}

char *call_format_duration(int64_t ns, char *out, size_t size)
{
	if (ns < 0)
		ns = 0;
	if (ns < 1000)
		snprintf(out, size, "%6lld ns", (long long)ns);
	else if (ns < 1000000)
		snprintf(out, size, "%6.2f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(out, size, "%6.2f ms", ns / 1e6);
	else if (ns < 1000LL * 1000000000)
		snprintf(out, size, "%6.2f s ", ns / 1e9);
	else
		snprintf(out, size, "%6.0f s ", ns / 1e9);
	return out;
}

/* A bounded writer: keeps the first max bytes, then remembers that more was cut. */
struct sink {
	char *out;
	size_t len, max;
	bool cut;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (s->cut)
		return;
	if (s->len + n > s->max) {
		n = s->max - s->len;
		/* do not split a UTF-8 sequence: back off over continuation bytes */
		while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
			n--;
		s->cut = true;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
}

static void put_c(struct sink *s, char c)
{
	put(s, &c, 1);
}

static size_t finish(struct sink *s)
{
	if (s->cut) {
		memcpy(s->out + s->len, "\xe2\x80\xa6", 3);	/* … */
		s->len += 3;
	}
	s->out[s->len] = '\0';
	return s->len;
}

/* The end of the JSON string starting at p (the opening quote), after its closing quote. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

size_t call_compact_json(const char *raw, size_t len, int top_keys, size_t max, char *out,
			 size_t size)
{
	struct sink s = { out, 0, max < size - 4 ? max : size - 4, false };
	const char *p = raw, *end = raw + len, *q;
	int depth = 0;
	bool key_next = false;

	if (!raw) {
		out[0] = '\0';
		return 0;
	}
	while (p < end && !s.cut) {
		char c = *p;

		switch (c) {
		case ' ': case '\t': case '\n': case '\r':
			p++;
			continue;
		case '"':
			q = string_end(p, end);
			if (top_keys && depth == 1 && key_next) {
				put(&s, p + 1, (size_t)(q - p - 2 > 0 ? q - p - 2 : 0));
				put_c(&s, '=');
				/* skip to after the colon */
				while (q < end && *q != ':')
					q++;
				if (q < end)
					q++;
				key_next = false;
			} else {
				put(&s, p, (size_t)(q - p));
			}
			p = q;
			continue;
		case '{': case '[':
			depth++;
			key_next = (c == '{');
			if (!(top_keys && depth == 1))
				put_c(&s, c);
			break;
		case '}': case ']':
			if (!(top_keys && depth == 1))
				put_c(&s, c);
			depth--;
			break;
		case ',':
			if (top_keys && depth == 1) {
				put(&s, ", ", 2);
				key_next = true;
			} else {
				put_c(&s, ',');
			}
			break;
		case ':':
			put_c(&s, ':');
			break;
		default:
			put_c(&s, c);
		}
		p++;
	}
	return finish(&s);
}

const char *call_status_name(const struct record *rec, char *buf, size_t size)
{
	const char *name = record_status_name(rec->status_code);

	if (name)
		return name;
	record_str_unescape(&rec->status, buf, size);
	return buf;
}

static bool raw_is_null(const struct record_raw *r)
{
	return !r->ptr || (r->len == 4 && !memcmp(r->ptr, "null", 4));
}

size_t call_line_format(const struct record *rec, size_t args_max, char *out, size_t size)
{
	struct sink s = { out, 0, size - 4, false };
	char buf[512], st[64];
	size_t n;

	n = record_str_unescape(&rec->name, buf, sizeof(buf));
	put(&s, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	put_c(&s, '(');
	if (rec->arguments.ptr) {
		char args[CALL_LINE_ARGS_MAX * 8 + 8];

		if (args_max > CALL_LINE_ARGS_MAX * 8)
			args_max = CALL_LINE_ARGS_MAX * 8;
		n = call_compact_json(rec->arguments.ptr, rec->arguments.len, 1, args_max, args,
				      sizeof(args));
		put(&s, args, n);
	}
	put_c(&s, ')');
	if (!raw_is_null(&rec->output)) {
		char o[CALL_LINE_ARGS_MAX + 8];

		n = call_compact_json(rec->output.ptr, rec->output.len, 0, CALL_LINE_ARGS_MAX / 2,
				      o, sizeof(o));
		put(&s, " = ", 3);
		put(&s, o, n);
	}
	if (rec->status_code != RECORD_SUCCESS) {
		const char *name = call_status_name(rec, st, sizeof(st));

		put(&s, "  ", 2);
		put(&s, name, strlen(name));
		if (rec->exception.ptr) {
			n = record_str_unescape(&rec->exception, buf, sizeof(buf));
			put(&s, ": ", 2);
			put(&s, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
		}
	}
	return finish(&s);
}

/* After the JSON value at p (whitespace before it skipped), or end. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	while (p < end) {
		switch (*p) {
		case '"':
			p = string_end(p, end);
			if (!depth)
				return p;
			continue;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (!depth)
				return p;
			if (!--depth)
				return p + 1;
			break;
		case ',': case ':':
			if (!depth)
				return p;
			break;
		case ' ': case '\t': case '\n': case '\r':
			if (!depth)
				return p;
			break;
		default:
			break;
		}
		p++;
	}
	return p;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

int call_each_trace_log(const struct record_raw *logs,
			void (*fn)(const char *payload, size_t len, void *data), void *data)
{
	const char *p, *end;
	int n = 0;

	if (!logs->ptr)
		return 0;
	p = skip_ws(logs->ptr, logs->ptr + logs->len);
	end = logs->ptr + logs->len;
	if (p >= end || *p != '[')
		return 0;
	p++;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p == ']')
			return n;
		if (*p == '{') {
			/* the entry's keys: find "payload" */
			const char *payload = NULL, *pend = NULL;

			p++;
			for (;;) {
				const char *k, *kend;

				p = skip_ws(p, end);
				if (p >= end || *p == '}')
					break;
				k = p;
				kend = string_end(p, end);
				p = skip_ws(kend, end);
				if (p < end && *p == ':')
					p++;
				p = skip_ws(p, end);
				if (kend - k == 9 && !memcmp(k, "\"payload\"", 9)) {
					payload = p;
					pend = skip_value(p, end);
					p = pend;
				} else {
					p = skip_value(p, end);
				}
				p = skip_ws(p, end);
				if (p < end && *p == ',')
					p++;
			}
			if (p < end)
				p++;
			n++;
			if (payload)
				fn(payload, (size_t)(pend - payload), data);
		} else {
			p = skip_value(p, end);
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p++;
		else if (p >= end || *p == ']')
			return n;
		else
			p++;	/* not JSON we know: step on rather than loop */
	}
}
