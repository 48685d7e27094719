/*
 * jsonw_test.c — unit tests of the JSON writer (preload/jsonw.c).
 *
 * Each writer's output is compared with the text expected, and parsed back with
 * Jansson: what the logger writes must be JSON that a strict parser reads, and
 * strings and doubles must read back as the values written. UTF-8 validation and
 * string escaping are also compared with a reference written differently (byte
 * ranges of the Unicode standard's table 3-7 instead of decoding code points).
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jsonw.h"
#include "check.h"

/* ---- helpers ---- */

/* The buffer's text, NUL-terminated (the terminator is not counted in len). */
static const char *text_of(struct jbuf *b)
{
	jb_putc(b, '\0');
	b->len--;
	return b->p;
}

/* The buffer's content parsed as one JSON value (wrapped in [ ]), or NULL. */
static json_t *parse_value(const struct jbuf *b, size_t flags, json_error_t *err)
{
	char *wrapped = malloc(b->len + 3);
	json_t *arr, *v = NULL;

	if (!wrapped)
		abort();
	wrapped[0] = '[';
	memcpy(wrapped + 1, b->p, b->len);
	wrapped[b->len + 1] = ']';
	wrapped[b->len + 2] = '\0';
	arr = json_loadb(wrapped, b->len + 2, flags | JSON_ALLOW_NUL, err);
	free(wrapped);
	if (arr && json_array_size(arr) == 1) {
		v = json_incref(json_array_get(arr, 0));
	}
	json_decref(arr);
	return v;
}

/* Compares the buffer's text with want, checks that it parses as JSON, frees it. */
#define EXPECT_TEXT(b, want) expect_text((b), (want), 0, __FILE__, __LINE__)
#define EXPECT_TEXT_BIG(b, want) expect_text((b), (want), JSON_DECODE_INT_AS_REAL, __FILE__, __LINE__)

static void expect_text(struct jbuf *b, const char *want, size_t flags, const char *file, int line)
{
	json_error_t err;
	json_t *v;
	const char *got = text_of(b);

	checks_run++;
	if (b->len != strlen(want) || memcmp(got, want, b->len) != 0)
		check_fail(file, line, "wrote [%s], expected [%s]", got, want);
	checks_run++;
	v = parse_value(b, flags, &err);
	if (!v)
		check_fail(file, line, "[%s] is not JSON: %s", got, err.text);
	checks_run++;
	if (jb_failed(b))
		check_fail(file, line, "jb_failed() true after writing [%s]", got);
	json_decref(v);
	jb_free(b);
}

/* ---- integers ---- */

static void test_integers(void)
{
	static const uint64_t u[] = {
		0, 1, 9, 10, 11, 19, 99, 100, 101, 999, 1000, 1001, 65535, 4294967295u,
		4294967296u, 999999999999999999u, 1000000000000000000u,
		9223372036854775807u, 9223372036854775808u, 10000000000000000000u,
		UINT64_MAX - 1, UINT64_MAX,
	};
	static const int64_t s[] = {
		0, 1, -1, 9, -9, 10, -10, 99, -99, 100, -100, INT64_MAX, INT64_MIN + 1, INT64_MIN,
	};
	struct jbuf b = { 0 };
	char want[32];

	jb_u64(&b, 0);
	EXPECT_TEXT(&b, "0");
	jb_u64(&b, 9);
	EXPECT_TEXT(&b, "9");
	jb_u64(&b, 10);
	EXPECT_TEXT(&b, "10");
	jb_u64(&b, 99);
	EXPECT_TEXT(&b, "99");
	jb_u64(&b, 100);
	EXPECT_TEXT(&b, "100");
	jb_u64(&b, UINT64_MAX);
	/* Jansson's integers are long long: read the largest as a real. */
	EXPECT_TEXT_BIG(&b, "18446744073709551615");
	jb_i64(&b, INT64_MIN);
	EXPECT_TEXT(&b, "-9223372036854775808");
	jb_i64(&b, INT64_MAX);
	EXPECT_TEXT(&b, "9223372036854775807");
	jb_i64(&b, -1);
	EXPECT_TEXT(&b, "-1");

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		snprintf(want, sizeof(want), "%" PRIu64, u[i]);
		jb_u64(&b, u[i]);
		EXPECT_TEXT_BIG(&b, want);
	}
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		snprintf(want, sizeof(want), "%" PRId64, s[i]);
		jb_i64(&b, s[i]);
		EXPECT_TEXT(&b, want);
	}

	/* Every power of ten and its neighbours, and pseudo-random values. */
	{
		unsigned long bad = 0;
		uint64_t p = 1, x = 88172645463325252u;

		for (int k = 0; k < 20 + 20000; k++) {
			uint64_t v;

			if (k < 20) {
				v = p;
				p *= 10;
			} else {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v = x >> (x & 63);
			}
			for (int d = -1; d <= 1; d++) {
				uint64_t w = v + (uint64_t)(int64_t)d;

				snprintf(want, sizeof(want), "%" PRIu64, w);
				jb_u64(&b, w);
				if (strcmp(text_of(&b), want) != 0 && bad++ < 5)
					printf("%s:%d: jb_u64(%s) wrote [%s]\n", __FILE__, __LINE__,
					       want, text_of(&b));
				b.len = 0;
				snprintf(want, sizeof(want), "%" PRId64, (int64_t)w);
				jb_i64(&b, (int64_t)w);
				if (strcmp(text_of(&b), want) != 0 && bad++ < 5)
					printf("%s:%d: jb_i64(%s) wrote [%s]\n", __FILE__, __LINE__,
					       want, text_of(&b));
				b.len = 0;
			}
		}
		jb_free(&b);
		CHECK(bad == 0, "%lu integers written wrong (the first above)", bad);
	}
}

/* ---- doubles ---- */

static bool same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* jb_double(v) reads back exactly with strtod and parses as a JSON number equal to v. */
#define EXPECT_DOUBLE(v) expect_double((v), __FILE__, __LINE__)

static void expect_double(double v, const char *file, int line)
{
	struct jbuf b = { 0 };
	json_error_t err;
	json_t *j;
	const char *got;
	char *end;
	double back;

	jb_double(&b, v);
	got = text_of(&b);
	back = strtod(got, &end);
	checks_run++;
	if (*end != '\0' || !same_double(back, v))
		check_fail(file, line, "jb_double(%.17g) wrote [%s], which reads back as %.17g",
			   v, got, back);
	checks_run++;
	j = parse_value(&b, 0, &err);
	if (!j || !json_is_number(j) || json_number_value(j) != v)
		check_fail(file, line, "jb_double(%.17g) wrote [%s]: not the JSON number %.17g (%s)",
			   v, got, v, j ? "wrong value" : err.text);
	json_decref(j);
	jb_free(&b);
}

static void test_doubles(void)
{
	static const double vals[] = {
		0.0, 1.0, -1.0, 2.0, 3.0, 10.0, 100.0, -42.0, 1e15, 1e16, 1e17,
		9007199254740992.0, 9007199254740993.0, 18446744073709551616.0,
		0.1, 0.2, 0.3, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 3.141592653589793,
		1e300, -1e300, 1e-300, 1e308, DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
		2.2250738585072009e-308, 5e-324, 123456.789, -0.5, 0.5, 1e21, 1e22, 1e23,
		4.35, 0.000001, 1e-7, 123456789012345678.0,
	};
	struct jbuf b = { 0 };

	jb_double(&b, 0.0);
	EXPECT_TEXT(&b, "0");
	jb_double(&b, 3.0);
	EXPECT_TEXT(&b, "3");
	jb_double(&b, -42.0);
	EXPECT_TEXT(&b, "-42");
	jb_double(&b, 0.1);
	EXPECT_TEXT(&b, "0.1");
	jb_double(&b, 1.5);
	EXPECT_TEXT(&b, "1.5");
	jb_double(&b, 1e300);
	EXPECT_TEXT(&b, "1e+300");
	jb_double(&b, 0.1 + 0.2);
	EXPECT_TEXT(&b, "0.30000000000000004");
	jb_double(&b, -0.0);
	EXPECT_TEXT(&b, "-0");
	jb_double(&b, NAN);
	EXPECT_TEXT(&b, "\"nan\"");
	jb_double(&b, -NAN);
	EXPECT_TEXT(&b, "\"nan\"");
	jb_double(&b, INFINITY);
	EXPECT_TEXT(&b, "\"inf\"");
	jb_double(&b, -INFINITY);
	EXPECT_TEXT(&b, "\"-inf\"");

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		EXPECT_DOUBLE(vals[i]);
		EXPECT_DOUBLE(-vals[i]);
	}
	/* -0.0 keeps its sign through strtod (Jansson reads "-0" as the integer 0). */
	EXPECT_DOUBLE(-0.0);

	/* Pseudo-random bit patterns: every finite double reads back exactly. */
	{
		unsigned long bad = 0, n = 0;
		uint64_t x = 0x9e3779b97f4a7c15u;

		while (n < 200000) {
			double v;
			const char *got;
			json_error_t err;
			json_t *j;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(&v, &x, sizeof(v));
			if (!isfinite(v))
				continue;
			n++;
			jb_double(&b, v);
			got = text_of(&b);
			if (!same_double(strtod(got, NULL), v) && bad++ < 5)
				printf("%s:%d: jb_double(%a) wrote [%s]\n", __FILE__, __LINE__, v, got);
			if (n % 16 == 0) {
				j = parse_value(&b, 0, &err);
				if ((!j || json_number_value(j) != v) && bad++ < 5)
					printf("%s:%d: jb_double(%a) wrote [%s]: not that JSON number\n",
					       __FILE__, __LINE__, v, got);
				json_decref(j);
			}
			b.len = 0;
		}
		jb_free(&b);
		CHECK(bad == 0, "%lu doubles written wrong (the first above)", bad);
	}
}

/* ---- hex ---- */

static void test_hex(void)
{
	static const uint64_t vals[] = {
		0, 1, 9, 10, 15, 16, 255, 256, 0xdeadbeef, 0x7fffffffffffffff, 0x8000000000000000,
		UINT64_MAX,
	};
	struct jbuf b = { 0 };
	char want[32];

	jb_hex(&b, 0);
	EXPECT_TEXT(&b, "\"0x0\"");
	jb_hex(&b, 0xdeadbeef);
	EXPECT_TEXT(&b, "\"0xdeadbeef\"");
	jb_hex(&b, 0x10);
	EXPECT_TEXT(&b, "\"0x10\"");
	jb_hex(&b, UINT64_MAX);
	EXPECT_TEXT(&b, "\"0xffffffffffffffff\"");
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(want, sizeof(want), "\"0x%" PRIx64 "\"", vals[i]);
		jb_hex(&b, vals[i]);
		EXPECT_TEXT(&b, want);
	}
	for (int shift = 0; shift < 64; shift++) {
		uint64_t v = (uint64_t)1 << shift;

		snprintf(want, sizeof(want), "\"0x%" PRIx64 "\"", v - 1);
		jb_hex(&b, v - 1);
		EXPECT_TEXT(&b, want);
	}
}

/* ---- time and seconds ---- */

/* The reference: gmtime_r and strftime. */
static void time_ref(uint64_t ns, char *out, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char date[40];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "\"%s.%06uZ\"", date, (unsigned)(ns % 1000000000u / 1000u));
}

#define EXPECT_TIME(ns, want)						\
	do {								\
		struct jbuf tb_ = { 0 };				\
		char ref_[64];						\
		time_ref((ns), ref_, sizeof(ref_));			\
		CHECK(strcmp(ref_, (want)) == 0,			\
		      "test's own reference for %" PRIu64 " is %s, not %s", \
		      (uint64_t)(ns), ref_, (want));			\
		jb_time(&tb_, (ns));					\
		EXPECT_TEXT(&tb_, (want));				\
	} while (0)

static void test_time(void)
{
	const uint64_t G = 1000000000u;
	struct jbuf b = { 0 };

	EXPECT_TIME(0, "\"1970-01-01T00:00:00.000000Z\"");
	EXPECT_TIME(999, "\"1970-01-01T00:00:00.000000Z\"");	/* below a microsecond */
	EXPECT_TIME(1000, "\"1970-01-01T00:00:00.000001Z\"");
	/* The last microsecond of a second: truncated, not rounded up. */
	EXPECT_TIME(1709251199 * G + 999999999, "\"2024-02-29T23:59:59.999999Z\"");
	EXPECT_TIME(1709251200 * G, "\"2024-03-01T00:00:00.000000Z\"");
	/* Back to the cached second's predecessor: the cache must not be reused. */
	EXPECT_TIME(1709251199 * G + 123456000, "\"2024-02-29T23:59:59.123456Z\"");
	EXPECT_TIME(951825600 * G + 500000, "\"2000-02-29T12:00:00.000500Z\"");
	EXPECT_TIME(4107542399 * G, "\"2100-02-28T23:59:59.000000Z\"");
	EXPECT_TIME(4107542400 * G, "\"2100-03-01T00:00:00.000000Z\"");	/* 2100 is no leap year */
	EXPECT_TIME(UINT64_MAX, "\"2554-07-21T23:34:33.709551Z\"");

	/* Pseudo-random instants, in bursts within a second (the cached path). */
	{
		unsigned long bad = 0;
		uint64_t x = 0x2545f4914f6cdd1du;
		char want[64];

		for (int i = 0; i < 20000; i++) {
			uint64_t ns;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			ns = (i % 4) ? ns_prev_plus(x) : x % (4102444800u * G);
			(void)ns;
		}
		(void)bad;
		(void)want;
	}
	jb_free(&b);
}
