/*
 * export_json.c — walking the raw JSON spans of a record (arguments, output,
 * trace_logs) and writing JSON, for the export formats.
 *
 * The reader hands arguments and the rest out as the text of the line; the formats
 * copy most of it through unchanged (a JSON string's escapes are valid in the output
 * too) and only need to step through objects and arrays: no tree is built and
 * nothing is allocated.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/export.h"

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *skip_number(const char *p, const char *end, bool *real)
{
	const char *start = p;

	*real = false;
	if (p < end && *p == '-')
		p++;
	while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
			   *p == '+' || *p == '-')) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			*real = true;
		p++;
	}
	return p > start && (p[-1] >= '0' && p[-1] <= '9') ? p : NULL;
}

const char *ej_skip(const char *p, const char *end)
{
	int depth = 0;
	bool real;

	p = ws(p, end);
	for (;;) {
		if (p >= end)
			return NULL;
		switch (*p) {
		case '"':
			p = skip_string(p, end);
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			if (--depth < 0)
				return NULL;
			p++;
			break;
		case ',':
		case ':':
			if (!depth)
				return NULL;
			p++;
			break;
		case 't':
			p = end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
			break;
		case 'f':
			p = end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
			break;
		case 'n':
			p = end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
			break;
		default:
			p = skip_number(p, end, &real);
			break;
		}
		if (!p)
			return NULL;
		if (!depth)
			return p;	/* the value ends here: no whitespace after it */
		p = ws(p, end);
	}
}

enum ej_type ej_type(const char *p, const char *end)
{
	bool real;

	p = ws(p, end);
	if (p >= end)
		return EJ_BAD;
	switch (*p) {
	case '"': return EJ_STRING;
	case '{': return EJ_OBJECT;
	case '[': return EJ_ARRAY;
	case 't': return EJ_TRUE;
	case 'f': return EJ_FALSE;
	case 'n': return EJ_NULL;
	default:
		if (!skip_number(p, end, &real))
			return EJ_BAD;
		return real ? EJ_REAL : EJ_INT;
	}
}

bool ej_open(struct ej_iter *it, const char *p, const char *end, char open)
{
	p = ws(p, end);
	if (!p || p >= end || *p != open) {
		it->p = it->end = NULL;
		return false;
	}
	it->p = p + 1;
	it->end = end;
	return true;
}

/* Past a ',' between two entries; false at the closing bracket or on bad text. */
static bool next_entry(struct ej_iter *it, char close)
{
	if (!it->p)
		return false;
	it->p = ws(it->p, it->end);
	if (it->p < it->end && *it->p == ',')
		it->p = ws(it->p + 1, it->end);
	if (it->p >= it->end || *it->p == close) {
		it->p = NULL;
		return false;
	}
	return true;
}

bool ej_next_member(struct ej_iter *it, struct record_raw *key, struct record_raw *value)
{
	const char *k, *v;

	if (!next_entry(it, '}') || *it->p != '"')
		return false;
	k = it->p;
	it->p = skip_string(it->p, it->end);
	if (!it->p)
		return false;
	key->ptr = k + 1;
	key->len = (size_t)(it->p - k - 2);
	it->p = ws(it->p, it->end);
	if (it->p >= it->end || *it->p != ':')
		return (it->p = NULL), false;
	v = ws(it->p + 1, it->end);
	it->p = ej_skip(v, it->end);
	if (!it->p)
		return false;
	value->ptr = v;
	value->len = (size_t)(it->p - v);
	return true;
}

bool ej_next_item(struct ej_iter *it, struct record_raw *value)
{
	const char *v;

	if (!next_entry(it, ']'))
		return false;
	v = it->p;
	it->p = ej_skip(v, it->end);
	if (!it->p)
		return false;
	value->ptr = v;
	value->len = (size_t)(it->p - v);
	return true;
}

void ej_put_str(FILE *out, const struct record_str *s)
{
	if (!s->ptr) {
		fputs_unlocked("null", out);
		return;
	}
	putc_unlocked('"', out);
	fwrite_unlocked(s->ptr, 1, s->len, out);
	putc_unlocked('"', out);
}

void ej_put_escaped(FILE *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	putc_unlocked('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\') {
			putc_unlocked('\\', out);
			putc_unlocked(c, out);
		} else if (c == '\n') {
			fputs_unlocked("\\n", out);
		} else if (c == '\t') {
			fputs_unlocked("\\t", out);
		} else if (c < 0x20) {
			fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		} else {
			putc_unlocked(c, out);
		}
	}
	putc_unlocked('"', out);
}

void ej_put_int(FILE *out, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t a = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + a % 10);
	while (a /= 10);
	if (v < 0)
		*--p = '-';
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
}

void ej_put_us(FILE *out, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	char frac[4] = { (char)('0' + a % 1000 / 100), (char)('0' + a % 100 / 10),
			 (char)('0' + a % 10), 0 };

	if (ns < 0)
		putc_unlocked('-', out);
	ej_put_int(out, (int64_t)(a / 1000));
	putc_unlocked('.', out);
	fwrite_unlocked(frac, 1, 3, out);
}

static bool digits(const char *p, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*out = *out * 10 + (p[i] - '0');
	}
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), as timegm() without the TZ. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool ej_parse_rfc3339(const char *p, size_t len, int64_t *ns)
{
	int y, mo, d, h, mi, s, frac = 0, scale = 1000000000;
	size_t i = 19;

	if (len < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') ||
	    p[13] != ':' || p[16] != ':' || !digits(p, 4, &y) || !digits(p + 5, 2, &mo) ||
	    !digits(p + 8, 2, &d) || !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) ||
	    !digits(p + 17, 2, &s) || mo < 1 || mo > 12)
		return false;
	if (p[i] == '.') {
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			if (scale > 1) {
				scale /= 10;
				frac += (p[i] - '0') * scale;
			}
	}
	if (i + 1 != len || (p[i] != 'Z' && p[i] != 'z'))
		return false;
	*ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000000000LL) + frac;
	return true;
}

bool ej_log_time(const struct record_raw *log, int64_t *ns)
{
	struct ej_iter it;
	struct record_raw key, value;
	bool found = false;

	if (!ej_open(&it, log->ptr, log->ptr + log->len, '{'))
		return false;
	while (ej_next_member(&it, &key, &value)) {
		if (key.len == 12 && !memcmp(key.ptr, "timestamp_ns", 12) &&
		    ej_type(value.ptr, value.ptr + value.len) == EJ_INT) {
			*ns = strtoll(value.ptr, NULL, 10);
			return true;
		}
		if (key.len == 9 && !memcmp(key.ptr, "timestamp", 9) && value.len >= 2 &&
		    value.ptr[0] == '"')
			found = ej_parse_rfc3339(value.ptr + 1, value.len - 2, ns) || found;
	}
	return found;
}
