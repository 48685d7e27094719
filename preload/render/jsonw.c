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

/* 10^i, for counting digits. */
static const uint64_t pow10_u64[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
	10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

/* Decimal digits of v (1 for 0): log2 by one instruction, times log10(2) ~ 1233/4096,
 * corrected by one comparison. */
static inline unsigned dec_len(uint64_t v)
{
	unsigned t = ((64u - (unsigned)__builtin_clzll(v | 1)) * 1233u) >> 12;

	return t + (v >= pow10_u64[t]) + (v == 0);
}

/* v's n decimal digits at dst[0..n), written from the last, two per division. */
static inline void put_u64_digits(char *dst, uint64_t v, unsigned n)
{
	char *o = dst + n;

	while (v >= 100) {
		o -= 2;
		memcpy(o, two_digits + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		o -= 2;
		memcpy(o, two_digits + 2 * v, 2);
	} else {
		o[-1] = (char)('0' + v);
	}
}

/* v at the end of b, room for 20 characters made. */
static inline void put_u64_in(struct jbuf *b, uint64_t v)
{
	unsigned n;

	if (v < 10) {
		b->p[b->len++] = (char)('0' + v);
		return;
	}
	n = dec_len(v);
	put_u64_digits(b->p + b->len, v, n);
	b->len += n;
}

/* Integers are most of a record's numbers, and most are small: written in place,
 * without a copy through a variable-length memcpy. */
void jb_u64(struct jbuf *b, uint64_t v)
{
	if (b->cap - b->len < 20 && !jb_reserve(b, 20))
		return;
	put_u64_in(b, v);
}

void jb_i64(struct jbuf *b, int64_t v)
{
	if (b->cap - b->len < 21 && !jb_reserve(b, 21))
		return;
	if (v < 0) {
		b->p[b->len++] = '-';
		put_u64_in(b, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64_in(b, (uint64_t)v);
	}
}

/* 10^k, k = 0..22: exact as doubles. */
static const double pow10_dbl[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * "%.15g" of v, when that text reads back as v, without printf: v = m / 10^k for
 * an integer m < 10^15 and the smallest such k ≤ 18. Returns the length written at
 * out (at most 24), or 0 when v is not such a number (the caller asks printf).
 *
 * Why it is the same text: m = fl(v * 10^k) is within half an ulp of m of the exact
 * product, a relative 2^-53, less than half a unit in the 15th significant digit
 * (more than 5e-16 relative): so v rounded to 15 digits is m * 10^-k, and %.15g
 * prints that decimal, in fixed notation when its exponent is in [-4, 15), trailing
 * zeros dropped. It reads back as v when strtod's correctly rounded result, which
 * is the IEEE quotient m / 10^k (both exact doubles), is v: that is the test.
 */
static size_t double_short(char *out, double v)
{
	double a = fabs(v), m = 0;
	uint64_t mi;
	unsigned k, nd, n = 0;
	int exp10;

	if (!(a < 1e15))
		return 0;
	if (a == 0) {
		if (signbit(v))
			out[n++] = '-';
		out[n++] = '0';
		return n;
	}
	for (k = 0; k <= 18; k++) {
		m = a * pow10_dbl[k];
		if (m >= 1e15)
			return 0;
		if (m == (double)(uint64_t)m)
			break;
	}
	if (k > 18)
		return 0;
	mi = (uint64_t)m;
	if (mi == 0 || (k && (double)mi / pow10_dbl[k] != a))
		return 0;
	nd = dec_len(mi);
	exp10 = (int)nd - 1 - (int)k;
	if (exp10 < -4)
		return 0;	/* %g writes 1e-05: printf's job */
	/* The fraction without its trailing zeros. */
	while (k && mi % 10 == 0) {
		mi /= 10;
		k--;
		nd--;
	}
	if (v < 0)
		out[n++] = '-';
	if (nd > k) {
		/* Integer part, then the point and the k fraction digits, if any. */
		put_u64_digits(out + n, mi / pow10_u64[k], nd - k);
		n += nd - k;
		if (k) {
			out[n++] = '.';
			/* Zero-padded to k digits: the digits fill from the right. */
			memset(out + n, '0', k);
			put_u64_digits(out + n, mi % pow10_u64[k], k);
			n += k;
		}
	} else {
		/* 0.000ddd: k - nd zeros after the point. */
		out[n++] = '0';
		out[n++] = '.';
		for (unsigned z = 0; z < k - nd; z++)
			out[n++] = '0';
		put_u64_digits(out + n, mi, nd);
		n += nd;
	}
	return n;
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
	/* Most doubles a program passes are short decimals (0.5, 3.25, 100): printf and
	 * strtod cost some 5,000 instructions for them, this a few dozen. */
	n = (int)double_short(tmp, v);
	if (n) {
		jb_put(b, tmp, (size_t)n);
		return;
	}
	/* Shortest of %.15g/%.17g that reads back exactly. */
	n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	jb_put(b, tmp, (size_t)n);
	/* "1e+20" and "3" are valid JSON numbers; nothing to add. */
}

static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void jb_hex16_at(char *dst, uint64_t v)
{
	/* A byte per look-up: 8 of them, not 16 shifts and masks; unrolled, as a
	 * record has one or two of these. */
#pragma GCC unroll 8
	for (int i = 7; i >= 0; i--) {
		memcpy(dst + 2 * i, hex_pairs + 2 * (v & 0xff), 2);
		v >>= 8;
	}
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

/* The nine digits of a fraction of a second (v < 10^9), zero-padded: two halves
 * converted independently, so the divisions do not wait on each other. */
static inline void put_frac9(char *dst, unsigned v)
{
	unsigned hi = v / 100000u, lo = v % 100000u;	/* 4 and 5 digits */
	unsigned lo4 = lo % 10000u;

	memcpy(dst, two_digits + 2 * (hi / 100u), 2);
	memcpy(dst + 2, two_digits + 2 * (hi % 100u), 2);
	dst[4] = (char)('0' + lo / 10000u);
	memcpy(dst + 5, two_digits + 2 * (lo4 / 100u), 2);
	memcpy(dst + 7, two_digits + 2 * (lo4 % 100u), 2);
}

/*
 * A second's text as the records write it, in both forms: the RFC 3339 date and
 * time (19 characters) and the decimal digits of the seconds since the epoch.
 * Records come in bursts within one second, so each form is made once per second
 * (gmtime_r included) and copied for every timestamp of that second.
 */
struct sec_text {
	uint64_t sec;		/* seconds since the epoch; UINT64_MAX: nothing yet */
	char date[19];		/* "YYYY-MM-DDTHH:MM:SS" */
	char digits[20];	/* sec in decimal, ndigits of them */
	unsigned ndigits;
};

/* Two seconds kept, by parity: a call that starts in one second and ends in the
 * next finds both, and so does a burst that straddles a second. Per thread: the
 * tools may render on several. */
static __thread struct sec_text sec_cache[2] = { { .sec = UINT64_MAX }, { .sec = UINT64_MAX } };

/* Once per second: out of line, so that the test for it stays inline. */
static __attribute__((noinline)) void sec_text_fill(struct sec_text *t, uint64_t sec)
{
	time_t ts = (time_t)sec;
	struct tm tm;

	gmtime_r(&ts, &tm);
	put_digits(t->date, (unsigned)tm.tm_year + 1900, 4);
	t->date[4] = '-';
	put_digits(t->date + 5, (unsigned)tm.tm_mon + 1, 2);
	t->date[7] = '-';
	put_digits(t->date + 8, (unsigned)tm.tm_mday, 2);
	t->date[10] = 'T';
	put_digits(t->date + 11, (unsigned)tm.tm_hour, 2);
	t->date[13] = ':';
	put_digits(t->date + 14, (unsigned)tm.tm_min, 2);
	t->date[16] = ':';
	put_digits(t->date + 17, (unsigned)tm.tm_sec, 2);
	t->ndigits = dec_len(sec);
	put_u64_digits(t->digits, sec, t->ndigits);
	t->sec = sec;
}

static inline const struct sec_text *sec_text_of(uint64_t sec)
{
	struct sec_text *t = &sec_cache[sec & 1];

	if (__builtin_expect(t->sec != sec, 0))
		sec_text_fill(t, sec);
	return t;
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (27 characters, no quotes) at o, from the second's
 * text and the nine digits of its fraction. */
static inline char *put_date(char *o, const struct sec_text *t, const char *frac9)
{
	memcpy(o, t->date, 19);
	o[19] = '.';
	memcpy(o + 20, frac9, 6);	/* microseconds: truncated, as the ns are */
	o[26] = 'Z';
	return o + 27;
}

/* ns as a decimal integer at o (at most 20 characters; o has room for 29). */
static inline char *put_ns(char *o, uint64_t ns, const struct sec_text *t, const char *frac9)
{
	unsigned n;

	if (__builtin_expect(ns >= 1000000000u, 1)) {
		/* A fixed-size copy (room is reserved): cheaper than copying ndigits. */
		memcpy(o, t->digits, 20);
		o += t->ndigits;
		memcpy(o, frac9, 9);
		return o + 9;
	}
	n = dec_len(ns);
	put_u64_digits(o, ns, n);
	return o + n;
}

void jb_time(struct jbuf *b, uint64_t ns)
{
	const struct sec_text *t = sec_text_of(ns / 1000000000u);
	char frac[9];

	if (b->cap - b->len < 29 && !jb_reserve(b, 29))
		return;
	put_frac9(frac, (unsigned)(ns % 1000000000u));
	b->p[b->len] = '"';
	put_date(b->p + b->len + 1, t, frac);
	b->p[b->len + 28] = '"';
	b->len += 29;
}

void jb_ns(struct jbuf *b, uint64_t ns)
{
	const struct sec_text *t = sec_text_of(ns / 1000000000u);
	char frac[9];

	if (b->cap - b->len < 40 && !jb_reserve(b, 40))
		return;
	put_frac9(frac, (unsigned)(ns % 1000000000u));
	b->len = (size_t)(put_ns(b->p + b->len, ns, t, frac) - b->p);
}

/* A duration in ns as seconds with nine decimals, at o (at most 30 characters). */
static inline char *put_seconds(char *o, uint64_t ns)
{
	uint64_t s = ns / 1000000000u;

	if (s < 10) {
		*o++ = (char)('0' + s);
	} else {
		unsigned n = dec_len(s);

		put_u64_digits(o, s, n);
		o += n;
	}
	*o++ = '.';
	put_frac9(o, (unsigned)(ns % 1000000000u));
	return o + 9;
}

void jb_seconds(struct jbuf *b, uint64_t ns)
{
	if (b->cap - b->len < 30 && !jb_reserve(b, 30))
		return;
	b->len = (size_t)(put_seconds(b->p + b->len, ns) - b->p);
}

#define PUT_LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) += sizeof(s) - 1)

void jb_timestamps(struct jbuf *b, uint64_t start_ns, uint64_t end_ns)
{
	uint64_t ss = start_ns / 1000000000u, es = end_ns / 1000000000u;
	const struct sec_text *ts = sec_text_of(ss), *te;
	struct sec_text start_copy;
	char fs[9], fe[9];
	char *o;

	if (ss != es && !((ss ^ es) & 1)) {
		/* Both seconds want the same cache entry (a call of two seconds or more):
		 * keep the start's text aside. */
		start_copy = *ts;
		ts = &start_copy;
	}
	te = sec_text_of(es);

	/* At most 190 characters: keys 66, two dates 54, seconds 30, two integers 40. */
	if (b->cap - b->len < 256 && !jb_reserve(b, 256))
		return;
	/* Each fraction once: the date's microseconds are its first six digits. */
	put_frac9(fs, (unsigned)(start_ns % 1000000000u));
	put_frac9(fe, (unsigned)(end_ns % 1000000000u));
	o = b->p + b->len;
	PUT_LIT(o, "\"start\":\"");
	o = put_date(o, ts, fs);
	PUT_LIT(o, "\",\"end\":\"");
	o = put_date(o, te, fe);
	PUT_LIT(o, "\",\"start_to_end_seconds\":");
	o = put_seconds(o, end_ns - start_ns);
	PUT_LIT(o, ",\"start_ns\":");
	o = put_ns(o, start_ns, ts, fs);
	PUT_LIT(o, ",\"end_ns\":");
	o = put_ns(o, end_ns, te, fe);
	b->len = (size_t)(o - b->p);
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
