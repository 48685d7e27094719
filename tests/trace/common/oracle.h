/*
 * oracle.h — how a test program states what it called and what it got back: one
 * line per call, "CALL<TAB>name<TAB>{arguments as JSON}<TAB>return as JSON", in the
 * record's value conventions (doc/records.md, "Values"). The test compares each line with
 * the call's record (tests/lib/impulse_test.py: oracle_lines). The program's view
 * is the truth; a record that disagrees is the tracer's fault.
 *
 * Header-only, static inline, stdio only; never used inside a hooked function.
 */
#ifndef TESTS_ORACLE_H
#define TESTS_ORACLE_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct jb {
	char s[8192];
	size_t n;
	bool first;
};

static inline void jb_vput(struct jb *j, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static inline void jb_vput(struct jb *j, const char *fmt, va_list ap)
{
	int w = vsnprintf(j->s + j->n, sizeof(j->s) - j->n, fmt, ap);

	if (w > 0)
		j->n += (size_t)w < sizeof(j->s) - j->n ? (size_t)w : sizeof(j->s) - j->n - 1;
}

static inline void jb_put(struct jb *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void jb_put(struct jb *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jb_vput(j, fmt, ap);
	va_end(ap);
}

/* An object of arguments: jb_args(), then jb_key() before each value. */
static inline void jb_args(struct jb *j)
{
	j->n = 0;
	j->s[0] = 0;
	j->first = true;
	jb_put(j, "{");
}

/* A single value (a return). */
static inline void jb_value(struct jb *j)
{
	j->n = 0;
	j->s[0] = 0;
	j->first = true;
}

static inline void jb_key(struct jb *j, const char *key)
{
	jb_put(j, "%s\"%s\":", j->first ? "" : ",", key);
	j->first = false;
}

static inline void jb_i(struct jb *j, long long v)
{
	jb_put(j, "%lld", v);
}

static inline void jb_u(struct jb *j, unsigned long long v)
{
	jb_put(j, "%llu", v);
}

static inline void jb_b(struct jb *j, bool v)
{
	jb_put(j, "%s", v ? "true" : "false");
}

static inline void jb_d(struct jb *j, double v)
{
	char tmp[64];

	if (isnan(v)) {
		jb_put(j, "\"nan\"");
		return;
	}
	if (isinf(v)) {
		jb_put(j, "%s", v > 0 ? "\"inf\"" : "\"-inf\"");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.17g", v);
	/* A float stays a float in JSON: the test then accepts 2 or 2.0 from the tracer. */
	if (!strpbrk(tmp, ".eE"))
		strcat(tmp, ".0");
	jb_put(j, "%s", tmp);
}

static inline void jb_p(struct jb *j, const void *p)
{
	if (p)
		jb_put(j, "\"%p\"", p);
	else
		jb_put(j, "null");
}

static inline void jb_raw(struct jb *j, const char *json)
{
	jb_put(j, "%s", json);
}

static inline void jb_unreadable(struct jb *j, const void *p)
{
	jb_put(j, "{\"unreadable\":\"%p\"}", p);
}

static inline void jb_emit(const char *fn, struct jb *a, struct jb *r)
{
	if (a->s[0] == '{')
		jb_put(a, "}");
	printf("CALL\t%s\t%s\t%s\n", fn, a->s, r->n ? r->s : "null");
	fflush(stdout);
}

#endif
