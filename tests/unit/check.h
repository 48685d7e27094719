/*
 * check.h — the few macros the C unit tests share.
 *
 * CHECK() counts a check and, when it fails, prints one line "file:line: text"
 * to stdout; the test keeps going. check_summary() prints the totals and gives
 * the exit status: 0 when every check passed, 1 otherwise. Each test binary is one
 * translation unit, so the counters are file statics.
 */
#ifndef IMPULSE_TESTS_CHECK_H
#define IMPULSE_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static unsigned long checks_run, checks_failed;

__attribute__((format(printf, 3, 4)))
static void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	checks_failed++;
	printf("%s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* CHECK(cond, "format", args...): the message says what was expected and what came. */
#define CHECK(cond, ...)						\
	do {								\
		checks_run++;						\
		if (!(cond))						\
			check_fail(__FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %lu checks, %lu failed\n", name, checks_run, checks_failed);
	return checks_failed ? 1 : 0;
}

#endif
