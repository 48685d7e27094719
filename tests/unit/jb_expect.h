/*
 * jb_expect.h — EXPECT_JB(b, want): the unit tests' comparison of what a writer
 * put in a struct jbuf with the exact text expected. It also checks that the text
 * is one JSON value that Jansson reads (what the logger writes must be JSON), then
 * empties the buffer for the next case. Include after check.h; link with Jansson.
 */
#ifndef IMPULSE_TESTS_JB_EXPECT_H
#define IMPULSE_TESTS_JB_EXPECT_H

#include <string.h>

#include <jansson.h>

#include "render/jsonw.h"
#include "check.h"

#define EXPECT_JB(b, want) jb_expect((b), (want), __FILE__, __LINE__)

static void jb_expect(struct jbuf *b, const char *want, const char *file, int line)
{
	json_error_t err;
	json_t *v;
	const char *got;

	jb_putc(b, '\0');
	b->len--;
	got = b->p;
	checks_run++;
	if (b->len != strlen(want) || memcmp(got, want, b->len) != 0)
		check_fail(file, line, "wrote [%s], expected [%s]", got, want);
	checks_run++;
	v = json_loadb(got, b->len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
	if (!v)
		check_fail(file, line, "[%s] is not JSON: %s", got, err.text);
	json_decref(v);
	b->len = 0;
}

#endif
