/*
 * record_bson.c — one line of a record file (JSON) as the BSON document the Mongo
 * logger stores for the same record, for `impulse push`.
 *
 * libbson converts the JSON (integers as int32 when they fit, else int64; those past
 * int64 as exact Decimal128); payload.timestamps.start and .end become BSON dates
 * made as the logger makes them, from start_ns and end_ns. Nothing here talks to a
 * server or prints.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "push/record_bson.h"

/* An integer literal (no fraction, no exponent) outside int64's range? */
static bool is_big_integer(const char *s, size_t n)
{
	bool neg = s[0] == '-';
	size_t digits = n - neg;

	for (size_t i = neg; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (digits != 19)
		return digits > 19;
	return strncmp(s + neg, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

static const char big_open[] = "{\"$numberDecimal\":\"", big_close[] = "\"}";
#define BIG_EXTRA (sizeof(big_open) - 1 + sizeof(big_close) - 1)

/*
 * Walks one JSON object in s[0..n): strings skipped whole, numbers read whole. With
 * out, copies the text there with each integer beyond int64 wrapped as
 * {"$numberDecimal": "N"}, and sets *out_len. Returns how many such integers there
 * are, or -1 with *why set when something follows the object's closing brace.
 */
static long walk_json(const char *s, size_t n, char *out, size_t *out_len, const char **why)
{
	size_t i, o = 0;
	int depth = 0;
	bool started = false;
	long big = 0;

	for (i = 0; i < n; i++) {
		size_t start = i, end;
		char c = s[i];

		if (started && depth == 0) {
			if (isspace((unsigned char)c))
				continue;
			*why = "more text after the record's closing '}'";
			return -1;
		}
		if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '{' || c == '[') {
			depth++;
			started = true;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '-' || isdigit((unsigned char)c)) {
			while (i + 1 < n && s[i + 1] && strchr("0123456789+-.eE", s[i + 1]))
				i++;
			if (is_big_integer(s + start, i + 1 - start)) {
				big++;
				if (out) {
					memcpy(out + o, big_open, sizeof(big_open) - 1);
					o += sizeof(big_open) - 1;
					memcpy(out + o, s + start, i + 1 - start);
					o += i + 1 - start;
					memcpy(out + o, big_close, sizeof(big_close) - 1);
					o += sizeof(big_close) - 1;
				}
				continue;
			}
		}
		end = i < n ? i + 1 : n;
		if (out)
			memcpy(out + o, s + start, end - start);
		o += end - start;
	}
	*out_len = o;
	return big;
}

/*
 * Integers beyond int64 (an unsigned long holding ULONG_MAX) are valid JSON that
 * libbson refuses ("out of range"): they are rewritten as {"$numberDecimal": "N"},
 * so they arrive exact, as Decimal128. The same walk makes sure the line is one JSON
 * object with nothing after it, which bson_new_from_json() does not (it stops after
 * the first value). Returns the text to convert (line itself, or a rewritten copy to
 * free) with *len its length, or NULL with *why set.
 */
static char *prepare_json(const char *line, size_t *len, const char **why)
{
	size_t i = 0, out_len;
	long big;
	char *out;

	while (i < *len && isspace((unsigned char)line[i]))
		i++;
	if (i == *len || line[i] != '{') {
		*why = "not a JSON object";
		return NULL;
	}
	big = walk_json(line, *len, NULL, &out_len, why);
	if (big <= 0)
		return big < 0 ? NULL : (char *)line;
	out = malloc(*len + big * BIG_EXTRA + 1);
	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	walk_json(line, *len, out, &out_len, why);
	out[out_len] = '\0';
	*len = out_len;
	return out;
}

/* RFC 3339 ("2026-11-24T00:24:12.767806Z", or with an offset) to ms since the epoch. */
static bool rfc3339_ms(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int64_t frac_ms = 0, scale = 100, offset = 0;
	const char *p = s;
	int n = 0;

	if (sscanf(p, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return false;
	p += n;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			frac_ms += (*p - '0') * scale;
	}
	if (*p == '+' || *p == '-') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
			return false;
		offset = (int64_t)(hh * 60 + mm) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else if (*p == 'Z' || *p == 'z') {
		p++;
	}
	if (*p)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = ((int64_t)timegm(&tm) - offset) * 1000 + frac_ms;
	return true;
}

/* payload.timestamps.start and .end as dates: where the record has them as text. */
struct dates {
	bool has[2];		/* [0] start, [1] end */
	int64_t ms[2];		/* ms since the epoch */
};

/*
 * The dates the Mongo logger would store: from start_ns / end_ns when the record
 * has them (floor to the millisecond, as a date made from the tracer's nanoseconds
 * is), else from the RFC 3339 text. A null end (a call still running at exit)
 * stays null. false with *why when a time is there but unreadable.
 */
static bool record_dates(const bson_t *doc, struct dates *d, const char **why)
{
	static const char *const keys[2][2] = { { "start", "start_ns" }, { "end", "end_ns" } };
	bson_iter_t it, ts, field;
	const uint8_t *data;
	uint32_t len;
	bson_t tsdoc;

	memset(d, 0, sizeof(*d));
	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, "payload.timestamps", &ts) ||
	    !BSON_ITER_HOLDS_DOCUMENT(&ts))
		return true;
	bson_iter_document(&ts, &len, &data);
	if (!bson_init_static(&tsdoc, data, len))
		return true;
	for (int k = 0; k < 2; k++) {
		if (!bson_iter_init_find(&field, &tsdoc, keys[k][0]) || !BSON_ITER_HOLDS_UTF8(&field))
			continue;
		d->has[k] = true;
		if (!rfc3339_ms(bson_iter_utf8(&field, NULL), &d->ms[k])) {
			*why = k ? "payload.timestamps.end is not an RFC 3339 time"
				 : "payload.timestamps.start is not an RFC 3339 time";
			return false;
		}
		if (bson_iter_init_find(&field, &tsdoc, keys[k][1]) && BSON_ITER_HOLDS_INT(&field)) {
			int64_t ns = bson_iter_as_int64(&field);

			d->ms[k] = ns >= 0 ? ns / 1000000 : -((999999 - ns) / 1000000);
		}
	}
	return true;
}

/* Appends the document iter points at, under its key, copied by copy_fields(). */
static void copy_into(bson_t *out, bson_iter_t *iter, const struct dates *d, int level);

/* doc copied into out, payload.timestamps.start/end replaced by the dates of d. */
static void copy_fields(bson_t *out, bson_iter_t *it, const struct dates *d, int level)
{
	while (bson_iter_next(it)) {
		const char *key = bson_iter_key(it);

		if (level == 0 && !strcmp(key, "payload") && BSON_ITER_HOLDS_DOCUMENT(it))
			copy_into(out, it, d, 1);
		else if (level == 1 && !strcmp(key, "timestamps") && BSON_ITER_HOLDS_DOCUMENT(it))
			copy_into(out, it, d, 2);
		else if (level == 2 && !strcmp(key, "start") && d->has[0])
			bson_append_date_time(out, key, -1, d->ms[0]);
		else if (level == 2 && !strcmp(key, "end") && d->has[1])
			bson_append_date_time(out, key, -1, d->ms[1]);
		else
			bson_append_iter(out, key, -1, it);
	}
}

static void copy_into(bson_t *out, bson_iter_t *iter, const struct dates *d, int level)
{
	bson_iter_t child;
	bson_t sub;

	bson_append_document_begin(out, bson_iter_key(iter), -1, &sub);
	if (bson_iter_recurse(iter, &child))
		copy_fields(&sub, &child, d, level);
	bson_append_document_end(out, &sub);
}

bson_t *record_bson_from_json(const char *line, size_t len, char *why, size_t whysize)
{
	const char *reason = NULL;
	char *json = prepare_json(line, &len, &reason);
	bson_error_t error;
	bson_iter_t it, call_id;
	struct dates dates;
	bson_t *parsed, *doc;

	if (!json) {
		snprintf(why, whysize, "%s", reason);
		return NULL;
	}
	parsed = bson_new_from_json((const uint8_t *)json, (ssize_t)len, &error);
	if (json != line)
		free(json);
	if (!parsed) {
		snprintf(why, whysize, "invalid JSON: %s", error.message);
		return NULL;
	}
	if (!bson_iter_init(&it, parsed) ||
	    !bson_iter_find_descendant(&it, "payload.call_id", &call_id) ||
	    !BSON_ITER_HOLDS_UTF8(&call_id)) {
		snprintf(why, whysize, "not a libimpulse record (no payload.call_id string)");
		bson_destroy(parsed);
		return NULL;
	}
	if (!record_dates(parsed, &dates, &reason)) {
		snprintf(why, whysize, "%s", reason);
		bson_destroy(parsed);
		return NULL;
	}
	doc = bson_new();
	bson_iter_init(&it, parsed);
	copy_fields(doc, &it, &dates, 0);
	bson_destroy(parsed);
	return doc;
}
