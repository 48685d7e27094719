/*
 * jsonw_test.c — unit tests of the JSON writer (preload/render/jsonw.c).
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

#include "render/jsonw.h"
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

	/* Pseudo-random instants, some in bursts within one second (the cached path). */
	{
		unsigned long bad = 0;
		uint64_t x = 0x2545f4914f6cdd1du, ns = 0;
		char want[64];

		for (int i = 0; i < 20000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (i % 4)
				ns += x % 400000000u;	/* often the same second, sometimes the next */
			else
				ns = x % (4102444800u * G);	/* up to 2100 */
			time_ref(ns, want, sizeof(want));
			jb_time(&b, ns);
			if (strcmp(text_of(&b), want) != 0 && bad++ < 5)
				printf("%s:%d: jb_time(%" PRIu64 ") wrote [%s], expected [%s]\n",
				       __FILE__, __LINE__, ns, text_of(&b), want);
			b.len = 0;
		}
		jb_free(&b);
		CHECK(bad == 0, "%lu times written wrong (the first above)", bad);
	}
}

static void test_seconds(void)
{
	struct jbuf b = { 0 };

	jb_seconds(&b, 0);
	EXPECT_TEXT(&b, "0.000000000");
	jb_seconds(&b, 1);
	EXPECT_TEXT(&b, "0.000000001");
	jb_seconds(&b, 999999999);
	EXPECT_TEXT(&b, "0.999999999");
	jb_seconds(&b, 1000000000);
	EXPECT_TEXT(&b, "1.000000000");
	jb_seconds(&b, 1234567890123u);
	EXPECT_TEXT(&b, "1234.567890123");
	jb_seconds(&b, 100000000010u);
	EXPECT_TEXT(&b, "100.000000010");
	jb_seconds(&b, UINT64_MAX);
	EXPECT_TEXT(&b, "18446744073.709551615");
}

/* jb_ns keeps the last second's digits: it must match jb_u64 across seconds. */
static void test_ns(void)
{
	static const uint64_t values[] = {
		0, 7, 999999999, 1000000000, 1795472150641547824ull, 1795472150999999999ull,
		1795472151000000000ull, 1795472150000000001ull, 1000000000000000000ull, UINT64_MAX,
	};
	struct jbuf b = { 0 }, want = { 0 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		b.len = want.len = 0;
		jb_ns(&b, values[i]);
		jb_u64(&want, values[i]);
		CHECK(b.len == want.len && memcmp(b.p, want.p, b.len) == 0,
		      "jb_ns(%llu) = %.*s", (unsigned long long)values[i], (int)b.len, b.p);
	}
	jb_free(&b);
	jb_free(&want);
}

/* ---- UTF-8 ---- */

/*
 * Reference: length of the well-formed sequence at s (n bytes left), or 0, from
 * the byte ranges of table 3-7 of the Unicode standard. NUL counts as well-formed.
 */
static size_t ref_seq(const unsigned char *s, size_t n)
{
	static const struct {
		unsigned char lo0, hi0, lo1, hi1;
		size_t len;
	} t[] = {
		{ 0x00, 0x7f, 0, 0, 1 },
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		if (s[0] < t[k].lo0 || s[0] > t[k].hi0)
			continue;
		if (t[k].len == 1)
			return 1;
		if (n < t[k].len || s[1] < t[k].lo1 || s[1] > t[k].hi1)
			return 0;
		for (size_t i = 2; i < t[k].len; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
		return t[k].len;
	}
	return 0;
}

static bool ref_is_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = ref_seq(s + i, n - i);

		if (!l || s[i] == 0)
			return false;
		i += l;
	}
	return true;
}

#define EXPECT_VALID(lit, want)						\
	CHECK(utf8_is_valid((lit), sizeof(lit) - 1) == (want),		\
	      "utf8_is_valid(\"%s\") is not %s", #lit, (want) ? "true" : "false")

static void test_utf8(void)
{
	EXPECT_VALID("", true);
	EXPECT_VALID("plain ascii ~\x7f\x01", true);
	EXPECT_VALID("\xc2\x80", true);			/* U+0080, the smallest 2-byte */
	EXPECT_VALID("\xc3\xa9", true);			/* é */
	EXPECT_VALID("\xdf\xbf", true);			/* U+07FF */
	EXPECT_VALID("\xe0\xa0\x80", true);		/* U+0800 */
	EXPECT_VALID("\xe2\x82\xac", true);		/* € */
	EXPECT_VALID("\xed\x9f\xbf", true);		/* U+D7FF, just below the surrogates */
	EXPECT_VALID("\xee\x80\x80", true);		/* U+E000, just above */
	EXPECT_VALID("\xef\xbf\xbf", true);		/* U+FFFF */
	EXPECT_VALID("\xf0\x90\x80\x80", true);		/* U+10000 */
	EXPECT_VALID("\xf0\x9f\x98\x80", true);		/* 😀 */
	EXPECT_VALID("\xf4\x8f\xbf\xbf", true);		/* U+10FFFF */
	EXPECT_VALID("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!", true);

	EXPECT_VALID("\xc0\x80", false);		/* overlong NUL */
	EXPECT_VALID("\xc0\xaf", false);		/* overlong '/' */
	EXPECT_VALID("\xc1\xbf", false);		/* overlong U+007F */
	EXPECT_VALID("\xe0\x80\x80", false);		/* overlong 3-byte */
	EXPECT_VALID("\xe0\x9f\xbf", false);		/* overlong U+07FF */
	EXPECT_VALID("\xf0\x80\x80\x80", false);	/* overlong 4-byte */
	EXPECT_VALID("\xf0\x8f\xbf\xbf", false);	/* overlong U+FFFF */
	EXPECT_VALID("\xed\xa0\x80", false);		/* U+D800 */
	EXPECT_VALID("\xed\xbf\xbf", false);		/* U+DFFF */
	EXPECT_VALID("\xed\xa0\xbd\xed\xb8\x80", false);	/* a CESU-8 surrogate pair */
	EXPECT_VALID("\xf4\x90\x80\x80", false);	/* U+110000 */
	EXPECT_VALID("\xf5\x80\x80\x80", false);
	EXPECT_VALID("\xf7\xbf\xbf\xbf", false);
	EXPECT_VALID("\xf8\x88\x80\x80\x80", false);	/* 5-byte form */
	EXPECT_VALID("\xfc\x84\x80\x80\x80\x80", false);	/* 6-byte form */
	EXPECT_VALID("\xfe", false);
	EXPECT_VALID("\xff", false);
	EXPECT_VALID("\x80", false);			/* lone continuation */
	EXPECT_VALID("a\xbf", false);
	EXPECT_VALID("\xc3", false);			/* truncated at the end */
	EXPECT_VALID("\xe2\x82", false);
	EXPECT_VALID("\xf0\x9f\x98", false);
	EXPECT_VALID("\xe2\x82z", false);		/* truncated before ASCII */
	EXPECT_VALID("\xc3\xc3\xa9", false);
	EXPECT_VALID("\x00", false);			/* NUL byte */
	EXPECT_VALID("ab\x00" "cd", false);
	/* Only n bytes count: a sequence cut by n is invalid even if more follows. */
	CHECK(!utf8_is_valid("\xe2\x82\xac", 2), "utf8_is_valid(\"\\xe2\\x82\\xac\", 2) is true");
	CHECK(utf8_is_valid("ab\xe2\x82\xac", 2), "utf8_is_valid(\"ab...\", 2) is false");

	/* Every 1-, 2- and 3-byte string, and pseudo-random 4- to 8-byte ones. */
	{
		unsigned long bad = 0;
		unsigned char s[8];
		uint64_t x = 0xdeadbeefcafef00du;

		for (unsigned v = 0; v < (1u << 24); v++) {
			s[0] = (unsigned char)(v >> 16);
			s[1] = (unsigned char)(v >> 8);
			s[2] = (unsigned char)v;
			if (utf8_is_valid((const char *)s, 3) != ref_is_valid(s, 3) && bad++ < 5)
				printf("%s:%d: utf8_is_valid(%02x %02x %02x) is wrong\n",
				       __FILE__, __LINE__, s[0], s[1], s[2]);
			if (s[0] == 0x41) {
				/* Shorter strings: the last 1 or 2 bytes alone. */
				if (utf8_is_valid((const char *)s + 1, 2) != ref_is_valid(s + 1, 2) && bad++ < 5)
					printf("%s:%d: utf8_is_valid(%02x %02x) is wrong\n",
					       __FILE__, __LINE__, s[1], s[2]);
				if (s[1] == 0x41 &&
				    utf8_is_valid((const char *)s + 2, 1) != ref_is_valid(s + 2, 1) && bad++ < 5)
					printf("%s:%d: utf8_is_valid(%02x) is wrong\n",
					       __FILE__, __LINE__, s[2]);
			}
		}
		for (int i = 0; i < 2000000; i++) {
			size_t n = 4 + (size_t)(i % 5);

			for (size_t k = 0; k < n; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* Mostly lead and continuation bytes, so that sequences form. */
				s[k] = (unsigned char)(x & 1 ? 0x80 + (x >> 8) % 0x40 :
						       x & 2 ? 0xe0 + (x >> 8) % 0x20 : x >> 8);
			}
			if (utf8_is_valid((const char *)s, n) != ref_is_valid(s, n) && bad++ < 5)
				printf("%s:%d: utf8_is_valid(%02x %02x %02x %02x ...) is wrong\n",
				       __FILE__, __LINE__, s[0], s[1], s[2], s[3]);
		}
		CHECK(bad == 0, "utf8_is_valid disagrees with the reference %lu times (the first above)",
		      bad);
	}
}

/* ---- strings ---- */

/*
 * Reference for jb_string: the JSON text expected, and the string a JSON parser
 * should read from it. Both are malloc'ed and NUL-terminated.
 */
static void string_ref(const unsigned char *s, size_t n, char **text, char **decoded, size_t *dlen)
{
	char *t = malloc(n * 6 + 3), *d = malloc(n * 4 + 1);
	size_t tl = 0, dl = 0;

	if (!t || !d)
		abort();
	t[tl++] = '"';
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t l = ref_seq(s + i, n - i);

		if (c >= 0x80 && l) {
			memcpy(t + tl, s + i, l);
			memcpy(d + dl, s + i, l);
			tl += l, dl += l, i += l;
			continue;
		}
		if (c >= 0x80) {
			tl += (size_t)sprintf(t + tl, "\\\\x%02x", c);
			dl += (size_t)sprintf(d + dl, "\\x%02x", c);
		} else if (c == '"' || c == '\\') {
			t[tl++] = '\\', t[tl++] = (char)c;
			d[dl++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			t[tl++] = '\\', t[tl++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			d[dl++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			tl += (size_t)sprintf(t + tl, "\\u%04x", c);
			d[dl++] = (char)c;
		} else {
			t[tl++] = (char)c;
			d[dl++] = (char)c;
		}
		i++;
	}
	t[tl++] = '"';
	t[tl] = '\0';
	d[dl] = '\0';
	*text = t;
	*decoded = d;
	*dlen = dl;
}

/*
 * jb_string(s, n) writes want (if not NULL) and the reference's text, and Jansson
 * reads that text back as the reference's decoded string. Returns true if so.
 */
static bool string_ok(const char *s, size_t n, const char *want, bool quiet, const char *file, int line)
{
	struct jbuf b = { 0 }, view = { 0 };
	char prefix[250];
	char *rtext, *rdec;
	size_t rlen;
	json_error_t err;
	json_t *j;
	const char *got;
	bool ok = true;

	string_ref((const unsigned char *)s, n, &rtext, &rdec, &rlen);
	/* After other text, across the first capacity's end (256). */
	memset(prefix, 'x', sizeof(prefix));
	jb_put(&b, prefix, sizeof(prefix));
	jb_string(&b, s, n);
	text_of(&b);
	view.p = b.p + sizeof(prefix);
	view.len = b.len - sizeof(prefix);
	got = view.p;
	if (memcmp(b.p, prefix, sizeof(prefix)) != 0) {
		check_fail(file, line, "jb_string changed the text before it");
		ok = false;
	}
	if (want && strcmp(want, rtext) != 0) {
		check_fail(file, line, "test's own reference wrote [%s], expected [%s]", rtext, want);
		ok = false;
	}
	if (view.len != strlen(rtext) || memcmp(got, rtext, view.len) != 0) {
		if (!quiet)
			check_fail(file, line, "jb_string wrote [%s], expected [%s]", got, rtext);
		ok = false;
	}
	j = parse_value(&view, 0, &err);
	if (!j || !json_is_string(j) || json_string_length(j) != rlen ||
	    memcmp(json_string_value(j), rdec, rlen) != 0) {
		if (!quiet)
			check_fail(file, line, "[%s] does not read back as [%s]: %s", got, rdec,
				   j ? "another string" : err.text);
		ok = false;
	}
	if (jb_failed(&b)) {
		check_fail(file, line, "jb_failed() true after jb_string");
		ok = false;
	}
	json_decref(j);
	jb_free(&b);
	free(rtext);
	free(rdec);
	return ok;
}

#define EXPECT_STRING(lit, want)					\
	do {								\
		checks_run++;						\
		string_ok((lit), sizeof(lit) - 1, (want), false, __FILE__, __LINE__); \
	} while (0)

static void test_strings(void)
{
	EXPECT_STRING("", "\"\"");
	EXPECT_STRING("abc", "\"abc\"");
	EXPECT_STRING("a\"b\\c/", "\"a\\\"b\\\\c/\"");
	EXPECT_STRING("\n\t\r", "\"\\n\\t\\r\"");
	EXPECT_STRING("\b\f", "\"\\u0008\\u000c\"");
	EXPECT_STRING("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	EXPECT_STRING("a\0b", "\"a\\u0000b\"");
	EXPECT_STRING("\xc3\xa9", "\"\xc3\xa9\"");
	EXPECT_STRING("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	EXPECT_STRING("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	EXPECT_STRING("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
	/* Invalid bytes: the JSON text holds \\xHH, the string read back \xHH. */
	EXPECT_STRING("\xff", "\"\\\\xff\"");
	EXPECT_STRING("\x80", "\"\\\\x80\"");
	EXPECT_STRING("a\xff\xc3\xa9", "\"a\\\\xff\xc3\xa9\"");
	EXPECT_STRING("\xc0\xaf", "\"\\\\xc0\\\\xaf\"");
	EXPECT_STRING("\xe0\x80\x80", "\"\\\\xe0\\\\x80\\\\x80\"");
	EXPECT_STRING("\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\"");
	EXPECT_STRING("\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
	EXPECT_STRING("\xe2\x82", "\"\\\\xe2\\\\x82\"");
	EXPECT_STRING("\xe2\x82z", "\"\\\\xe2\\\\x82z\"");
	EXPECT_STRING("\xc3\xc3\xa9", "\"\\\\xc3\xc3\xa9\"");
	EXPECT_STRING("\\x41", "\"\\\\x41\"");	/* a real backslash-x, for comparison */

	/* jb_cstr is jb_string up to the NUL. */
	{
		struct jbuf b = { 0 };

		jb_cstr(&b, "q\"\xc3\xa9");
		EXPECT_TEXT(&b, "\"q\\\"\xc3\xa9\"");
	}

	/* Long strings: growth past the first 256 bytes, worst-case expansion. */
	{
		static char big[100000];

		memset(big, 0xff, sizeof(big));
		checks_run++;
		string_ok(big, sizeof(big), NULL, false, __FILE__, __LINE__);
		memset(big, 0x01, sizeof(big));
		checks_run++;
		string_ok(big, sizeof(big), NULL, false, __FILE__, __LINE__);
		for (size_t i = 0; i + 4 <= sizeof(big); i += 4)
			memcpy(big + i, "\xf0\x9f\x98\x80", 4);
		checks_run++;
		string_ok(big, sizeof(big), NULL, false, __FILE__, __LINE__);
	}

	/* Pseudo-random strings against the reference. */
	{
		static const unsigned char pool[] = {
			'a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\r', 0, 1, 0x1f, 0x7f, 0x80, 0x8f,
			0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
			0xf4, 0xf5, 0xff,
		};
		unsigned long bad = 0;
		uint64_t x = 0x0123456789abcdefu;
		char s[24];

		for (int i = 0; i < 200000; i++) {
			size_t n = (size_t)(i % 24);

			for (size_t k = 0; k < n; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				s[k] = (char)pool[(x >> 11) % sizeof(pool)];
			}
			if (!string_ok(s, n, NULL, true, __FILE__, __LINE__) && bad++ < 5) {
				printf("%s:%d: jb_string wrong for:", __FILE__, __LINE__);
				for (size_t k = 0; k < n; k++)
					printf(" %02x", (unsigned char)s[k]);
				putchar('\n');
			}
		}
		CHECK(bad == 0, "jb_string disagrees with the reference %lu times (the first above)", bad);
	}
}

/* ---- many values in one buffer ---- */

static void test_document(void)
{
	struct jbuf b = { 0 };
	json_error_t err;
	json_t *j;
	bool ok = true;

	/* An object with 10,000 members of every kind, grown from empty. */
	jb_putc(&b, '{');
	for (unsigned i = 0; i < 10000; i++) {
		char key[16];

		if (i)
			jb_putc(&b, ',');
		snprintf(key, sizeof(key), "k%u", i);
		jb_cstr(&b, key);
		jb_putc(&b, ':');
		switch (i % 6) {
		case 0: jb_u64(&b, i); break;
		case 1: jb_i64(&b, -(int64_t)i); break;
		case 2: jb_double(&b, i / 8.0); break;
		case 3: jb_hex(&b, i); break;
		case 4: jb_time(&b, (uint64_t)i * 1000000007u); break;
		default: jb_seconds(&b, i); break;
		}
	}
	jb_putc(&b, '}');
	CHECK(!jb_failed(&b), "jb_failed() after writing 10000 members");
	j = json_loadb(b.p, b.len, 0, &err);
	CHECK(j && json_object_size(j) == 10000, "10000 members: %s", j ? "wrong size" : err.text);
	for (unsigned i = 0; j && i < 10000; i++) {
		char key[16];
		json_t *v;

		snprintf(key, sizeof(key), "k%u", i);
		v = json_object_get(j, key);
		switch (i % 6) {
		case 0: ok &= json_integer_value(v) == (json_int_t)i; break;
		case 1: ok &= json_integer_value(v) == -(json_int_t)i; break;
		case 2: ok &= json_number_value(v) == i / 8.0; break;
		case 3: ok &= json_is_string(v); break;
		case 4: ok &= json_string_length(v) == 27; break;
		default: ok &= json_is_real(v) && fabs(json_real_value(v) - i / 1e9) < 1e-18; break;
		}
	}
	CHECK(ok, "the 10000 members read back with other values");
	CHECK(b.cap >= b.len && (b.cap & (b.cap - 1)) == 0 && b.cap >= 256,
	      "capacity %zu for %zu bytes: not a power of two from 256", b.cap, b.len);
	json_decref(j);
	jb_free(&b);
	CHECK(b.p == NULL && b.len == 0 && b.cap == 0 && !b.failed, "jb_free left the buffer set");
}

int main(void)
{
	test_integers();
	test_doubles();
	test_hex();
	test_time();
	test_seconds();
	test_ns();
	test_utf8();
	test_strings();
	test_document();
	return check_summary("jsonw_test");
}
