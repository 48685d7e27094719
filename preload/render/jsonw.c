/*
 * jsonw.c — the JSON writer's out-of-line parts; see jsonw.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "render/jsonw.h"

bool jb_reserve(struct jbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->cap - b->len >= n)
		return true;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

bool jb_failed(const struct jbuf *b)
{
	return b->failed;
}

void jb_free(struct jbuf *b)
{
	free(b->p);
	*b = (struct jbuf){ 0 };
}

static const char two_digits[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void jb_u64(struct jbuf *b, uint64_t v)
{
	char tmp[20];
	int i = 20;

	/* Two digits per division: integers are most of a record's numbers. */
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		i -= 2;
		memcpy(tmp + i, two_digits + 2 * r, 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, two_digits + 2 * v, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	jb_put(b, tmp + i, (size_t)(20 - i));
}

void jb_i64(struct jbuf *b, int64_t v)
{
	if (v < 0) {
		jb_putc(b, '-');
		jb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		jb_u64(b, (uint64_t)v);
	}
}

void jb_double(struct jbuf *b, double v)
{
	char tmp[40];
	int n;

	if (isnan(v)) {
		jb_lit(b, "\"nan\"");
		return;
	}
	if (isinf(v)) {
		if (v < 0)
			jb_lit(b, "\"-inf\"");
		else
			jb_lit(b, "\"inf\"");
		return;
	}
	/* Shortest of %.15g/%.17g that reads back exactly. */
	n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	jb_put(b, tmp, (size_t)n);
	/* "1e+20" and "3" are valid JSON numbers; nothing to add. */
}

void jb_hex(struct jbuf *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	int n = 0;

	do {
		tmp[19 - n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	jb_lit(b, "\"0x");
	jb_put(b, tmp + 20 - n, (size_t)n);
	jb_putc(b, '"');
}

static void put_digits(char *dst, unsigned v, int width)
{
	int i = width;

	while (i >= 2) {
		i -= 2;
		memcpy(dst + i, two_digits + 2 * (v % 100), 2);
		v /= 100;
	}
	if (i)
		dst[0] = (char)('0' + v % 10);
}

void jb_time(struct jbuf *b, uint64_t ns)
{
	/* gmtime_r once per second: records come in bursts within the same second. */
	static __thread time_t cached_sec = -1;
	static __thread char cached[20];
	time_t sec = (time_t)(ns / 1000000000u);
	char out[30];

	if (sec != cached_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		put_digits(cached, (unsigned)tm.tm_year + 1900, 4);
		cached[4] = '-';
		put_digits(cached + 5, (unsigned)tm.tm_mon + 1, 2);
		cached[7] = '-';
		put_digits(cached + 8, (unsigned)tm.tm_mday, 2);
		cached[10] = 'T';
		put_digits(cached + 11, (unsigned)tm.tm_hour, 2);
		cached[13] = ':';
		put_digits(cached + 14, (unsigned)tm.tm_min, 2);
		cached[16] = ':';
		put_digits(cached + 17, (unsigned)tm.tm_sec, 2);
		cached_sec = sec;
	}
	out[0] = '"';
	memcpy(out + 1, cached, 19);
	out[20] = '.';
	put_digits(out + 21, (unsigned)(ns % 1000000000u / 1000u), 6);
	out[27] = 'Z';
	out[28] = '"';
	jb_put(b, out, 29);
}

void jb_ns(struct jbuf *b, uint64_t ns)
{
	/* Records come in bursts within one second: keep its digits. */
	static __thread uint64_t cached_sec = UINT64_MAX;
	static __thread char digits[20];
	static __thread int ndigits;
	uint64_t sec = ns / 1000000000u;
	char frac[9];

	if (sec == 0) {
		jb_u64(b, ns);
		return;
	}
	if (sec != cached_sec) {
		struct jbuf tmp = { .p = digits, .cap = sizeof(digits) };

		jb_u64(&tmp, sec);
		ndigits = (int)tmp.len;
		cached_sec = sec;
	}
	jb_put(b, digits, (size_t)ndigits);
	put_digits(frac, (unsigned)(ns % 1000000000u), 9);
	jb_put(b, frac, 9);
}

void jb_seconds(struct jbuf *b, uint64_t ns)
{
	char frac[10];

	jb_u64(b, ns / 1000000000u);
	frac[0] = '.';
	put_digits(frac + 1, (unsigned)(ns % 1000000000u), 9);
	jb_put(b, frac, 10);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool utf8_is_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t l;

		if (u[i] == 0)
			return false;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(u + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l;

		if (u[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(u + i, n - i);
		if (!l)
			break;
		i += l;
	}
	return i;
}

void jb_utf8_repair(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;

	/* Worst case 4 bytes out per byte in: reserve once. */
	if (!jb_reserve(b, n * 4))
		return;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_valid_prefix(s + i, n - i);
		char *o;

		memcpy(b->p + b->len, s + i, l);
		b->len += l;
		i += l;
		if (i == n)
			break;
		o = b->p + b->len;
		o[0] = '\\';
		o[1] = 'x';
		o[2] = hex[u[i] >> 4];
		o[3] = hex[u[i] & 15];
		b->len += 4;
		i++;
	}
}

/* 1 for bytes that a JSON string can carry as they are (printable ASCII but " and \). */
static const unsigned char plain[256] = {
	[0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

void jb_string(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;

	/* Worst case 6 bytes out per byte in: reserve once. */
	if (!jb_reserve(b, n * 6 + 2))
		return;
	b->p[b->len++] = '"';
	for (size_t i = 0; i < n;) {
		unsigned c = u[i];
		char *o = b->p + b->len;
		size_t run = i;

		if (plain[c]) {
			/* Copy plain ASCII runs in one go. */
			while (i < n && plain[u[i]])
				i++;
			memcpy(o, s + run, i - run);
			b->len += i - run;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_seq(u + i, n - i);

			if (l) {
				memcpy(o, s + i, l);
				b->len += l;
				i += l;
				continue;
			}
			/* Invalid byte: the four characters \xHH (backslash escaped for JSON). */
			memcpy(o, "\\\\x", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			b->len += 5;
			i++;
			continue;
		}
		switch (c) {
		case '"': memcpy(o, "\\\"", 2); b->len += 2; break;
		case '\\': memcpy(o, "\\\\", 2); b->len += 2; break;
		case '\n': memcpy(o, "\\n", 2); b->len += 2; break;
		case '\t': memcpy(o, "\\t", 2); b->len += 2; break;
		case '\r': memcpy(o, "\\r", 2); b->len += 2; break;
		default:
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			b->len += 6;
			break;
		}
		i++;
	}
	b->p[b->len++] = '"';
}
