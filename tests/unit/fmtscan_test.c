/*
 * fmtscan_test.c — unit tests of preload/hooks/fmtscan.c.
 *
 * A format's walk is written as one line, a word per conversion fmt_next returns
 * ("d4s": %d, 4 bytes, signed; "*": a '*' width or precision; "s.2": %s with
 * precision 2; "fL": a long double; "sW8": %ls), and compared with the line
 * expected. Every walk is also made over a copy of the format that ends at a
 * PROT_NONE page, with no NUL after it, so a read past len faults in any build.
 * fmt_put_value's output is compared with the exact JSON text.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hooks/fmtscan.h"
#include "render/fmt_value.h"
#include "render/valw.h"
#include "check.h"
#include "jb_expect.h"

/* ---- helpers ---- */

static char *guard_page_end;	/* the first byte of the PROT_NONE page */

static void setup_guard(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + page, (size_t)page, PROT_NONE) != 0) {
		perror("mmap");
		exit(2);
	}
	guard_page_end = p + page;
}

/* One word per conversion, as described at the top. */
static void describe(const struct fmt_conv *c, char *out, size_t size)
{
	switch ((enum fmt_arg)c->arg) {
	case FA_STAR:
		snprintf(out, size, "*");
		return;
	case FA_INT:
		snprintf(out, size, "%c%u%c", c->spec, c->size, c->is_signed ? 's' : 'u');
		return;
	case FA_DOUBLE:
		snprintf(out, size, "%cD", c->spec);
		return;
	case FA_LONG_DOUBLE:
		snprintf(out, size, "%cL", c->spec);
		return;
	case FA_STRING:
		if (c->precision == -1)
			snprintf(out, size, "s");
		else if (c->precision == -2)
			snprintf(out, size, "s.*");
		else
			snprintf(out, size, "s.%d", (int)c->precision);
		return;
	case FA_POINTER:
		snprintf(out, size, "p");
		return;
	case FA_COUNT:
		snprintf(out, size, "n");
		return;
	case FA_WIDE:
		snprintf(out, size, "%cW%u", c->spec, c->size);
		return;
	}
	snprintf(out, size, "?%d", c->arg);
}

/* The walk of fmt[0..len) (placed just before the guard page) as one line. */
static void walk(const char *src, size_t len, char *out, size_t size)
{
	char *fmt = guard_page_end - len;
	struct fmt_conv c;
	size_t pos = 0, used = 0, last = 0;
	int steps = 0;

	memcpy(fmt, src, len);
	out[0] = '\0';
	while (fmt_next(fmt, len, &pos, &c)) {
		char word[32];

		if (pos <= last && steps > 0) {
			snprintf(out, size, "pos did not advance (%zu)", pos);
			return;
		}
		if (pos > len || ++steps > 1000) {
			snprintf(out, size, "pos %zu out of bounds", pos);
			return;
		}
		last = pos;
		describe(&c, word, sizeof(word));
		used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " " : "", word);
		if (used >= size)
			return;
	}
}

#define EXPECT_WALK(fmt, want) expect_walk((fmt), sizeof(fmt) - 1, (want), __LINE__)
#define EXPECT_WALK_N(fmt, len, want) expect_walk((fmt), (len), (want), __LINE__)

static void expect_walk(const char *fmt, size_t len, const char *want, int line)
{
	char got[512];

	walk(fmt, len, got, sizeof(got));
	checks_run++;
	if (strcmp(got, want) != 0)
		check_fail(__FILE__, line, "walk of \"%.*s\" gave [%s], expected [%s]",
			   (int)len, fmt, got, want);
}

/* The first conversion of fmt (which must have one). */
static struct fmt_conv conv_of(const char *fmt)
{
	struct fmt_conv c = { 0 };
	size_t pos = 0;

	if (!fmt_next(fmt, strlen(fmt), &pos, &c))
		c.arg = 0xff;
	return c;
}

#define EXPECT_VALUE(fmt, raw, want)					\
	do {								\
		struct fmt_conv c_ = conv_of(fmt);			\
		fmt_put_value(VALW_JSON_TMP(&b), &c_, (raw));				\
		EXPECT_JB(&b, (want));					\
	} while (0)

/* ---- fmt_next ---- */

static void test_brief_example(void)
{
	EXPECT_WALK("%-08.3f %*d %.*s %5.2s %lld %zu %hhx %Lf %n %% %p %c %ls",
		    "fD * d4s * s.* s.2 d8s u8u x1u fL n p c1u sW8");
}

static void test_integers(void)
{
	EXPECT_WALK("%d %i %u %x %X %o", "d4s i4s u4u x4u X4u o4u");
	EXPECT_WALK("%hd %hu %hhd %hhu %hx %hho", "d2s u2u d1s u1u x2u o1u");
	EXPECT_WALK("%ld %lu %lld %llu %lx %llX", "d8s u8u d8s u8u x8u X8u");
	EXPECT_WALK("%qd %jd %ju %zd %zu %Zd %td %tu", "d8s d8s u8u d8s u8u d8s d8s u8u");
	/* glibc reads %Ld as %lld */
	EXPECT_WALK("%Ld %Lu", "d8s u8u");
	EXPECT_WALK("no conversions at all", "");
	EXPECT_WALK("", "");
	EXPECT_WALK("%d", "d4s");
	EXPECT_WALK("x=%d, y=%d\n", "d4s d4s");
}

static void test_flags_width_precision(void)
{
	EXPECT_WALK("%+d % d %#x %05d %'d %-10d %Id %-+ #0'10.5d", "d4s d4s x4u d4s d4s d4s d4s d4s");
	EXPECT_WALK("%*d", "* d4s");
	EXPECT_WALK("%-*d", "* d4s");
	EXPECT_WALK("%*.*f", "* * fD");
	EXPECT_WALK("%.*f", "* fD");
	EXPECT_WALK("%10.*lld", "* d8s");
	EXPECT_WALK("%*.3hhd", "* d1s");
	EXPECT_WALK("%.0s %.s %.10s %.*s %-*.*s %s", "s.0 s.0 s.10 * s.* * * s.* s");
	EXPECT_WALK("%.99999999999s", "s.2147483647");
	EXPECT_WALK("%5.2s", "s.2");
	/* text around stars, including '*' characters outside conversions */
	EXPECT_WALK("a*%*d*%d*", "* d4s d4s");
	EXPECT_WALK("**%.*s**%*s", "* s.* * s");
}

static void test_floats_and_others(void)
{
	EXPECT_WALK("%f %F %e %E %g %G %a %A", "fD FD eD ED gD GD aD AD");
	EXPECT_WALK("%lf %Lf %Le %Lg %LA %-12.4Lf", "fD fL eL gL AL fL");
	EXPECT_WALK("%c %lc %C %s %ls %S %p", "c1u cW4 CW4 s sW8 SW8 p");
	EXPECT_WALK("%n %hhn %hn %ln %lln %zn", "n n n n n n");
	/* %% and %m consume nothing */
	EXPECT_WALK("%% %m %d", "d4s");
	EXPECT_WALK("100%%", "");
	EXPECT_WALK("%%d", "");
	EXPECT_WALK("%%%d", "d4s");
	EXPECT_WALK("%5%%d", "d4s");
}

static void test_malformed(void)
{
	EXPECT_WALK("%", "");
	EXPECT_WALK("%l", "");
	EXPECT_WALK("%.*", "*");
	EXPECT_WALK("%*", "*");
	EXPECT_WALK("%*.*", "* *");
	EXPECT_WALK("%d %", "d4s");
	EXPECT_WALK("%hh", "");
	EXPECT_WALK("%ll", "");
	EXPECT_WALK("%5", "");
	EXPECT_WALK("%-", "");
	EXPECT_WALK("%5.", "");
	EXPECT_WALK("%.5", "");
	EXPECT_WALK("%q", "");
	EXPECT_WALK("%L", "");
	/* unknown letters consume nothing and the walk goes on */
	EXPECT_WALK("%y %d %k %s", "d4s s");
	EXPECT_WALK("%**d", "*");
	EXPECT_WALK("%.5*d %d", "d4s");
	/* positional arguments cannot be fetched in order: the walk stops */
	EXPECT_WALK("%d %1$d %d", "d4s");
	EXPECT_WALK("%2$*1$d", "");
	/* a NUL ends the format as it ends printf's */
	EXPECT_WALK_N("%d\0%s", 5, "d4s");
	EXPECT_WALK_N("%\0d", 3, "");
	EXPECT_WALK_N("%.*\0s", 5, "*");
	/* len bounds the walk, not the NUL */
	EXPECT_WALK_N("%d %s", 2, "d4s");
	EXPECT_WALK_N("%d %s", 1, "");
	EXPECT_WALK_N("%d %s", 0, "");
	EXPECT_WALK_N("%lld", 3, "");
	EXPECT_WALK_N("%.*s", 3, "*");
}

static void test_bounds(void)
{
	struct fmt_conv c;
	size_t pos;

	/* pos at or past len: nothing more */
	pos = 2;
	CHECK(!fmt_next("%d", 2, &pos, &c), "fmt_next at the end returned a conversion");
	pos = 99;
	CHECK(!fmt_next("%d", 2, &pos, &c), "fmt_next past the end returned a conversion");
	CHECK(pos == 99, "pos past the end was changed to %zu", pos);
	/* after the last conversion pos ends at len */
	pos = 0;
	CHECK(fmt_next("%d tail", 7, &pos, &c) && pos == 2, "first conversion ends at %zu", pos);
	CHECK(!fmt_next("%d tail", 7, &pos, &c) && pos == 7, "walk ended at %zu, not 7", pos);

	/* Every prefix of a long, odd format walks within its bounds. */
	{
		static const char f[] = "%-08.3f %*d %.*s %5.2s %lld %zu %hhx %Lf %n %% %p "
					"%c %ls %1$d";
		char got[512];
		int bad = 0;

		for (size_t n = 0; n < sizeof(f); n++) {
			walk(f, n, got, sizeof(got));
			if (strstr(got, "pos") && bad++ < 3)
				printf("%s:%d: prefix %zu: %s\n", __FILE__, __LINE__, n, got);
		}
		CHECK(bad == 0, "%d prefixes walked wrong", bad);
	}
}

/* ---- fmt_put_value ---- */

static void test_put_integers(void)
{
	struct jbuf b = { 0 };

	EXPECT_VALUE("%d", 0xffffffffu, "-1");
	EXPECT_VALUE("%d", 0x1ffffffffu, "-1");
	EXPECT_VALUE("%d", 42, "42");
	EXPECT_VALUE("%i", 0x80000000u, "-2147483648");
	EXPECT_VALUE("%u", 0xffffffffu, "4294967295");
	EXPECT_VALUE("%u", 0xabcd00000005u, "5");
	EXPECT_VALUE("%x", 255, "255");
	EXPECT_VALUE("%hhd", 0x80, "-128");
	EXPECT_VALUE("%hhu", 0x1ff, "255");
	EXPECT_VALUE("%hd", 0x8000, "-32768");
	EXPECT_VALUE("%hu", 0xffff, "65535");
	EXPECT_VALUE("%ld", UINT64_MAX, "-1");
	EXPECT_VALUE("%lld", 0x8000000000000000u, "-9223372036854775808");
	EXPECT_VALUE("%zu", UINT64_MAX, "18446744073709551615");
	EXPECT_VALUE("%*d", 0xfffffffdu, "-3");
	jb_free(&b);
}

static void test_put_chars(void)
{
	struct jbuf b = { 0 };

	EXPECT_VALUE("%c", 'A', "\"A\"");
	EXPECT_VALUE("%c", ' ', "\" \"");
	EXPECT_VALUE("%c", '~', "\"~\"");
	EXPECT_VALUE("%c", 0x100 + 'A', "\"A\"");
	EXPECT_VALUE("%c", '"', "\"\\\"\"");
	EXPECT_VALUE("%c", '\\', "\"\\\\\"");
	EXPECT_VALUE("%c", '\n', "\"\\\\n\"");
	EXPECT_VALUE("%c", '\t', "\"\\\\t\"");
	EXPECT_VALUE("%c", '\r', "\"\\\\r\"");
	EXPECT_VALUE("%c", 0x01, "\"\\\\x01\"");
	EXPECT_VALUE("%c", 0x00, "\"\\\\x00\"");
	EXPECT_VALUE("%c", 0x7f, "\"\\\\x7f\"");
	EXPECT_VALUE("%c", 0xe9, "\"\\\\xe9\"");
	EXPECT_VALUE("%c", 0xffffffffu, "\"\\\\xff\"");
	fmt_put_char(VALW_JSON_TMP(&b), 'z');
	EXPECT_JB(&b, "\"z\"");
	jb_free(&b);
}

static uint64_t bits_of(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static void test_put_others(void)
{
	struct jbuf b = { 0 };

	EXPECT_VALUE("%f", bits_of(1.5), "1.5");
	EXPECT_VALUE("%e", bits_of(-0.25), "-0.25");
	EXPECT_VALUE("%g", bits_of(1e100), "1e+100");
	EXPECT_VALUE("%a", bits_of(0.1), "0.1");
	EXPECT_VALUE("%f", bits_of(3.0), "3");
	EXPECT_VALUE("%f", bits_of(NAN), "\"nan\"");
	EXPECT_VALUE("%f", bits_of(-INFINITY), "\"-inf\"");
	EXPECT_VALUE("%Lf", 0, "{\"unsupported\":\"long double\"}");
	EXPECT_VALUE("%Lg", 12345, "{\"unsupported\":\"long double\"}");
	EXPECT_VALUE("%p", 0, "null");
	EXPECT_VALUE("%p", 0x7fff1234u, "\"0x7fff1234\"");
	EXPECT_VALUE("%p", UINT64_MAX, "\"0xffffffffffffffff\"");
	EXPECT_VALUE("%n", 0x7fff1234u, "null");
	EXPECT_VALUE("%lc", 0x263a, "9786");
	EXPECT_VALUE("%C", 0x100000041u, "65");
	EXPECT_VALUE("%ls", 0x601000, "\"0x601000\"");
	EXPECT_VALUE("%S", 0, "null");
	EXPECT_VALUE("%s", 0x601000, "\"0x601000\"");
	jb_free(&b);
}

int main(void)
{
	setup_guard();
	test_brief_example();
	test_integers();
	test_flags_width_precision();
	test_floats_and_others();
	test_malformed();
	test_bounds();
	test_put_integers();
	test_put_chars();
	test_put_others();
	return check_summary("fmtscan_test");
}
