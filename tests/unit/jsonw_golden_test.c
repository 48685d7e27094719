/*
 * jsonw_golden_test.c — the JSON writer's numbers and times against the writer as
 * it was before issue 14 made them cheaper: the same bytes, value for value.
 *
 * The reference functions below (ref_*) are jsonw.c's jb_u64, jb_i64, jb_double,
 * jb_time, jb_ns and jb_seconds, and record.c's call-id digits and timestamp
 * members, as they were (commit 0913e4b), verbatim but for their names: the
 * record's bytes are a contract (readers parse them, tests and users compare
 * them), so the new code is judged by the old output, not by a second
 * reading of the spec. Each case renders through both and compares the text; the
 * values are edge cases (digit-count boundaries, seconds boundaries, the epoch,
 * 2^64 - 1, -0.0, subnormals, short decimals) and millions of pseudo-random ones
 * from a fixed seed, so a failure reproduces.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/jsonw.h"
#include "check.h"

/* ---- the reference: jsonw.c before issue 14 ---- */

static const char two_digits[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static void ref_u64(struct jbuf *b, uint64_t v)
{
	char tmp[20];
	int i = 20;

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

static void ref_i64(struct jbuf *b, int64_t v)
{
	if (v < 0) {
		jb_putc(b, '-');
		ref_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ref_u64(b, (uint64_t)v);
	}
}

static void ref_double(struct jbuf *b, double v)
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
	n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	jb_put(b, tmp, (size_t)n);
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

static void ref_time(struct jbuf *b, uint64_t ns)
{
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

static void ref_ns(struct jbuf *b, uint64_t ns)
{
	static __thread uint64_t cached_sec = UINT64_MAX;
	static __thread char digits[20];
	static __thread int ndigits;
	uint64_t sec = ns / 1000000000u;
	char frac[9];

	if (sec == 0) {
		ref_u64(b, ns);
		return;
	}
	if (sec != cached_sec) {
		struct jbuf tmp = { .p = digits, .cap = sizeof(digits) };

		ref_u64(&tmp, sec);
		ndigits = (int)tmp.len;
		cached_sec = sec;
	}
	jb_put(b, digits, (size_t)ndigits);
	put_digits(frac, (unsigned)(ns % 1000000000u), 9);
	jb_put(b, frac, 9);
}

static void ref_seconds(struct jbuf *b, uint64_t ns)
{
	char frac[10];

	ref_u64(b, ns / 1000000000u);
	frac[0] = '.';
	put_digits(frac + 1, (unsigned)(ns % 1000000000u), 9);
	jb_put(b, frac, 10);
}

/* record.c's put_timestamps before issue 14: five keyed members, the first without
 * a comma (it follows "timestamps":{). */
static void ref_timestamps(struct jbuf *b, uint64_t start_ns, uint64_t end_ns)
{
	jb_lit(b, "\"start\":");
	ref_time(b, start_ns);
	jb_lit(b, ",\"end\":");
	ref_time(b, end_ns);
	jb_lit(b, ",\"start_to_end_seconds\":");
	ref_seconds(b, end_ns - start_ns);
	jb_lit(b, ",\"start_ns\":");
	ref_ns(b, start_ns);
	jb_lit(b, ",\"end_ns\":");
	ref_ns(b, end_ns);
}

/* record.c's put_call_id before issue 14: the sequence part of a call id. */
static void ref_hex16(char *dst, uint64_t id)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--) {
		dst[i] = digits[id & 15];
		id >>= 4;
	}
}

/* ---- comparing ---- */

static struct jbuf got, want;
static unsigned long compared;

/* Both texts, emptied for the next case; one failure line per differing case, at
 * most 20 of them per kind so that a broken writer does not flood the output. */
static void same(const char *what, const char *value, unsigned *failures)
{
	compared++;
	checks_run++;
	if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0) {
		if ((*failures)++ < 20)
			check_fail(__FILE__, __LINE__, "%s(%s): wrote [%.*s], before issue 14 [%.*s]",
				   what, value, (int)got.len, got.p, (int)want.len, want.p);
		else
			checks_failed++;
	}
	got.len = want.len = 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* splitmix64: a fixed sequence, so a failure reproduces. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void u64_case(uint64_t v)
{
	static unsigned failures;
	char s[32];

	jb_u64(&got, v);
	ref_u64(&want, v);
	snprintf(s, sizeof(s), "%" PRIu64, v);
	same("jb_u64", s, &failures);
	jb_i64(&got, (int64_t)v);
	ref_i64(&want, (int64_t)v);
	same("jb_i64", s, &failures);
}

static void test_integers(void)
{
	uint64_t p = 1;

	u64_case(0);
	u64_case(UINT64_MAX);
	u64_case((uint64_t)INT64_MAX);
	u64_case((uint64_t)INT64_MIN);
	for (int i = 0; i < 20; i++, p *= 10) {
		/* Each digit-count boundary, both sides, and the same negated. */
		for (int d = -2; d <= 2; d++) {
			u64_case(p + (uint64_t)d);
			u64_case((uint64_t)0 - (p + (uint64_t)d));
		}
	}
	for (uint64_t v = 0; v < 100000; v++)
		u64_case(v);
	for (int i = 0; i < 300000; i++) {
		uint64_t r = rnd();

		u64_case(r >> (r & 63));	/* every magnitude */
	}
}

static void hex16_case(uint64_t v)
{
	static unsigned failures;
	char a[16], b[16], s[32];

	jb_hex16_at(a, v);
	ref_hex16(b, v);
	jb_put(&got, a, 16);
	jb_put(&want, b, 16);
	snprintf(s, sizeof(s), "%" PRIx64, v);
	same("jb_hex16_at", s, &failures);
}

static void test_hex16(void)
{
	hex16_case(0);
	hex16_case(UINT64_MAX);
	for (int i = 0; i < 64; i++)
		hex16_case(1ull << i);
	for (int i = 0; i < 300000; i++)
		hex16_case(rnd());
}

static void time_case(uint64_t start, uint64_t end)
{
	static unsigned failures;
	char s[48];

	snprintf(s, sizeof(s), "%" PRIu64 ", %" PRIu64, start, end);
	jb_time(&got, start);
	ref_time(&want, start);
	same("jb_time", s, &failures);
	jb_ns(&got, start);
	ref_ns(&want, start);
	same("jb_ns", s, &failures);
	jb_seconds(&got, end - start);
	ref_seconds(&want, end - start);
	same("jb_seconds", s, &failures);
	jb_timestamps(&got, start, end);
	ref_timestamps(&want, start, end);
	same("jb_timestamps", s, &failures);
}

static void test_times(void)
{
	const uint64_t S = 1000000000u;
	/* 2026-12-07T19:28:01.966268644Z, a time of this writing. */
	const uint64_t now = 1796671681966268644ull;
	uint64_t t;

	time_case(0, 0);
	time_case(0, 1);
	time_case(1, S - 1);
	time_case(S - 1, S);
	time_case(S, S);
	time_case(9 * S + 999999999, 10 * S);	/* the seconds' digit count grows */
	time_case(now, now);
	time_case(now, now + 40);
	time_case(now - (now % S) - 1, now - (now % S));	/* across a second */
	time_case(now, now + 3600 * S + 123);
	time_case(now, now + 99 * S);
	time_case(951782400ull * S, 951868799ull * S + 999999999);	/* 2000-02-29 */
	time_case(4102444800ull * S - 1, 4102444800ull * S);	/* into 2100 */
	time_case(now, UINT64_MAX);
	time_case(UINT64_MAX - 5, UINT64_MAX);
	/* A burst: records whose start and end alternate between two seconds, and runs
	 * of seconds, as a logger sees them. */
	t = now;
	for (int i = 0; i < 300000; i++) {
		uint64_t r = rnd();
		uint64_t start = t + (r & 0xfffff);
		uint64_t end = start + ((r >> 20) & ((1ull << ((r >> 58) & 31)) - 1));

		time_case(start, end);
		t += (r >> 40) & 0xffff;
	}
	for (int i = 0; i < 100000; i++) {
		uint64_t a = rnd(), b = rnd();

		/* Anywhere in the 584 years a u64 of ns spans. */
		time_case(a < b ? a : b, a < b ? b : a);
	}
}

static void double_case(double v)
{
	static unsigned failures;
	char s[48];

	jb_double(&got, v);
	ref_double(&want, v);
	snprintf(s, sizeof(s), "%a", v);
	same("jb_double", s, &failures);
	jb_double(&got, -v);
	ref_double(&want, -v);
	snprintf(s, sizeof(s), "%a", -v);
	same("jb_double", s, &failures);
}

static void test_doubles(void)
{
	static const double edges[] = {
		0.0, 0.5, 1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.25, 3.25, 100, 1e14, 1e15,
		1e15 - 1, 1e15 + 1, 999999999999999.0, 99999999999999.9, 1e16, 1e17, 1e22,
		1e23, 1e-4, 1e-5, 0.0001, 0.00012345, 0.00001, 0.000099999, 123456789012345.0,
		12345678901234.5, 1.2345678901234, 1.23456789012345, 1.234567890123456,
		0.1 + 0.2, 4.35, 4.345, 2.675, 1.005, 9.995, 0.07, 1e-300, 5e-324, 2.2250738585072014e-308,
		1.7976931348623157e308, 9007199254740992.0, 9007199254740993.0, 4503599627370496.5,
		INFINITY, NAN, 123.456, 1e-10, 3.14159265358979, 2.718281828459045, 0.5e-4,
	};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		double_case(edges[i]);
	/* Short decimals m / 10^k, most of what programs pass, and their neighbours. */
	for (int i = 0; i < 300000; i++) {
		uint64_t r = rnd();
		uint64_t m = (r >> 14) % 1000000000000000ull;
		int k = (int)(r & 31) % 22;
		double v = (double)(m >> ((r >> 5) & 15 ? 0 : (r >> 9) & 31)) / pow(10, k);

		double_case(v);
		double_case(nextafter(v, INFINITY));
		double_case(nextafter(v, 0));
	}
	/* Any bits at all. */
	for (int i = 0; i < 300000; i++) {
		uint64_t r = rnd();
		double v;

		memcpy(&v, &r, sizeof(v));
		double_case(v);
	}
	/* Integers and binary fractions. */
	for (int i = -100000; i < 100000; i++) {
		double_case(i);
		double_case(i / 64.0);
		double_case(i / 1000.0);
	}
}

int main(void)
{
	test_integers();
	test_hex16();
	test_times();
	test_doubles();
	printf("jsonw_golden_test: %lu values compared\n", compared);
	jb_free(&got);
	jb_free(&want);
	return check_summary("jsonw_golden_test");
}
