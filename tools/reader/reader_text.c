/*
 * reader_text.c — the text inside a record's strings: JSON escapes decoded
 * (record_str_unescape, record_str_eq) and the RFC 3339 times of records that carry
 * no nanoseconds. The scanner (reader_json.c) has validated every escape before a
 * string gets here, so nothing here can fail; nothing allocates.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "reader/reader.h"
#include "reader/reader_source.h"

static unsigned hex4(const char *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t put_utf8(char *out, size_t o, size_t size, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	for (size_t i = 0; i < n; i++, o++)
		if (o + 1 < size)
			out[o] = b[i];
	return o;
}

size_t record_str_unescape(const struct record_str *s, char *out, size_t size)
{
	const char *p = s->ptr, *end = s->ptr + s->len;
	size_t o = 0;

	if (!p) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	if (!s->escaped) {
		if (size) {
			size_t n = s->len < size - 1 ? s->len : size - 1;

			memcpy(out, p, n);
			out[n] = '\0';
		}
		return s->len;
	}
	while (p < end) {
		char c = *p++;
		unsigned cp;

		if (c != '\\') {
			if (o + 1 < size)
				out[o] = c;
			o++;
			continue;
		}
		c = *p++;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			cp = hex4(p);
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
				unsigned lo = hex4(p + 2);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)	/* a lone surrogate */
				cp = 0xfffd;
			o = put_utf8(out, o, size, cp);
			continue;
		default:	/* '"', '\\', '/' stand for themselves */
			break;
		}
		if (o + 1 < size)
			out[o] = c;
		o++;
	}
	if (size)
		out[o < size ? o : size - 1] = '\0';
	return o;
}

bool record_str_eq(const struct record_str *s, const char *text)
{
	size_t n = strlen(text);
	char buf[256];

	if (!s->ptr)
		return false;
	if (!s->escaped)
		return s->len == n && !memcmp(s->ptr, text, n);
	if (n >= sizeof(buf))
		return false;	/* not worth more: names we compare with are short */
	return record_str_unescape(s, buf, sizeof(buf)) == n && !memcmp(buf, text, n);
}

/* ------------------------------------------------------------ times */

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's formula) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

bool reader_rfc3339_ns(const struct record_str *t, int64_t *out)
{
	const char *p = t->ptr;
	unsigned v[6];
	static const char seps[] = "--T::";
	static const unsigned widths[] = { 4, 2, 2, 2, 2, 2 };
	size_t i = 0, n = t->len;
	int64_t frac = 0, scale = 1000000000;

	if (!p || t->escaped)
		return false;
	for (int f = 0; f < 6; f++) {
		v[f] = 0;
		for (unsigned w = 0; w < widths[f]; w++, i++) {
			if (i >= n || p[i] < '0' || p[i] > '9')
				return false;
			v[f] = v[f] * 10 + (unsigned)(p[i] - '0');
		}
		if (f < 5 && (i >= n || p[i++] != seps[f]))
			return false;
	}
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			if (scale > 1) {
				scale /= 10;
				frac += (p[i] - '0') * scale;
			}
	if (i + 1 != n || p[i] != 'Z' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return false;
	*out = ((days_from_civil(v[0], v[1], v[2]) * 24 + v[3]) * 60 + v[4]) * 60 + v[5];
	*out = *out * 1000000000 + frac;
	return true;
}

const char *record_status_name(enum record_status code)
{
	static const char *const names[] = {
		[RECORD_SUCCESS] = "success", [RECORD_ERROR] = "error",
		[RECORD_INCOMPLETE] = "incomplete", [RECORD_UNWOUND] = "unwound",
		[RECORD_EXCEPTION] = "exception", [RECORD_CRASHED] = "crashed",
	};

	return code < RECORD_STATUS_OTHER ? names[code] : NULL;
}
