/*
 * status_test.c — unit tests of preload/render/status.c: the [error=…] rule applied to a
 * raw return register per the return type's size and signedness, and the exact
 * "exception" text for each errno source and return display.
 */
#include <errno.h>
#include <stdint.h>

#include "render/status.h"
#include "check.h"
#include "jb_expect.h"

/* ---- helpers ---- */

static struct cfg_type int_type(unsigned size, bool is_signed)
{
	return (struct cfg_type){ .kind = CT_INT, .size = size, .align = size,
				  .is_signed = is_signed };
}

static struct cfg_type kind_type(enum cfg_type_kind kind, unsigned size)
{
	return (struct cfg_type){ .kind = kind, .size = size, .align = size };
}

/* A hook returning ret, failing when ret OP value (one condition). */
static struct cfg_hook hook_with(struct cfg_type ret, enum cfg_cmp op, int64_t value)
{
	struct cfg_hook h = { .symbol = (char *)"f", .ret = ret, .format_param = -1,
			      .vararg_param = -1 };

	h.error.nconds = 1;
	h.error.conds[0].op = op;
	h.error.conds[0].value = value;
	return h;
}

static void add_cond(struct cfg_hook *h, enum cfg_cmp op, int64_t value)
{
	h->error.conds[h->error.nconds].op = op;
	h->error.conds[h->error.nconds].value = value;
	h->error.nconds++;
}

#define EXPECT_ERROR(h, raw, want)					\
	CHECK(status_is_error((h), (raw)) == (want),			\
	      "status_is_error(raw 0x%llx) is %d, expected %d",		\
	      (unsigned long long)(raw), !(want), (want))

/* ---- status_is_error ---- */

static void test_no_rule(void)
{
	struct cfg_hook h = hook_with(int_type(4, true), CMP_EQ, -1);

	h.error.nconds = 0;
	EXPECT_ERROR(&h, 0xffffffffu, false);
	EXPECT_ERROR(&h, 0, false);
}

static void test_signed_sizes(void)
{
	struct cfg_hook h;

	/* int: the low 4 bytes, sign-extended; whatever is in the upper half. */
	h = hook_with(int_type(4, true), CMP_EQ, -1);
	EXPECT_ERROR(&h, 0xffffffffu, true);
	EXPECT_ERROR(&h, 0x12345678ffffffffu, true);
	EXPECT_ERROR(&h, UINT64_MAX, true);
	EXPECT_ERROR(&h, 0, false);
	EXPECT_ERROR(&h, 0xfffffffeu, false);
	h = hook_with(int_type(4, true), CMP_LT, 0);
	EXPECT_ERROR(&h, 0x80000000u, true);
	EXPECT_ERROR(&h, 0x7fffffffu, false);
	EXPECT_ERROR(&h, 0xffffffff00000001u, false);
	h = hook_with(int_type(4, true), CMP_LE, -2);
	EXPECT_ERROR(&h, 0xfffffffeu, true);
	EXPECT_ERROR(&h, 0xffffffffu, false);

	/* signed char and short */
	h = hook_with(int_type(1, true), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xff, true);
	EXPECT_ERROR(&h, 0x80, true);
	EXPECT_ERROR(&h, 0x7f, false);
	EXPECT_ERROR(&h, 0xff00, false);
	h = hook_with(int_type(2, true), CMP_EQ, -1);
	EXPECT_ERROR(&h, 0xffff, true);
	EXPECT_ERROR(&h, 0xabcdffff, true);
	EXPECT_ERROR(&h, 0xfffe, false);

	/* long: all 8 bytes; 0xffffffff is a large positive number */
	h = hook_with(int_type(8, true), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xffffffffu, false);
	EXPECT_ERROR(&h, UINT64_MAX, true);
	EXPECT_ERROR(&h, 0x8000000000000000u, true);
	h = hook_with(int_type(8, true), CMP_GE, INT64_MAX);
	EXPECT_ERROR(&h, 0x7fffffffffffffffu, true);
	EXPECT_ERROR(&h, 0x8000000000000000u, false);
	h = hook_with(int_type(8, true), CMP_GT, 5);
	EXPECT_ERROR(&h, 6, true);
	EXPECT_ERROR(&h, 5, false);
}

static void test_unsigned_and_pointers(void)
{
	struct cfg_hook h;

	/* unsigned int: -1 converted to the type, as C does */
	h = hook_with(int_type(4, false), CMP_EQ, -1);
	EXPECT_ERROR(&h, 0xffffffffu, true);
	EXPECT_ERROR(&h, 0x00000001ffffffffu, true);
	EXPECT_ERROR(&h, 0xfffffffeu, false);
	h = hook_with(int_type(4, false), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xffffffffu, false);
	EXPECT_ERROR(&h, 0, false);
	h = hook_with(int_type(4, false), CMP_GT, 100);
	EXPECT_ERROR(&h, 0xffffffffu, true);
	EXPECT_ERROR(&h, 100, false);
	h = hook_with(int_type(1, false), CMP_EQ, 255);
	EXPECT_ERROR(&h, 0x1ff, true);
	EXPECT_ERROR(&h, 0xfe, false);

	/* size_t */
	h = hook_with(int_type(8, false), CMP_EQ, -1);
	EXPECT_ERROR(&h, UINT64_MAX, true);
	EXPECT_ERROR(&h, 0xffffffffu, false);
	h = hook_with(int_type(8, false), CMP_NE, 0);
	EXPECT_ERROR(&h, 0x8000000000000000u, true);
	EXPECT_ERROR(&h, 0, false);

	/* pointers: NULL, and MAP_FAILED as -1 */
	h = hook_with(kind_type(CT_POINTER, 8), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0, true);
	EXPECT_ERROR(&h, 0x1000, false);
	h = hook_with(kind_type(CT_POINTER, 8), CMP_EQ, -1);
	EXPECT_ERROR(&h, UINT64_MAX, true);
	EXPECT_ERROR(&h, 0xffffffffu, false);
	h = hook_with(kind_type(CT_STRING, 8), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0, true);
	EXPECT_ERROR(&h, 0x7fff0000, false);
	/* a pointer's high addresses are not negative */
	h = hook_with(kind_type(CT_POINTER, 8), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xffff800000000000u, false);
}

static void test_other_kinds(void)
{
	struct cfg_hook h;

	/* an enum is an int, signed even when the parser did not say so */
	h = hook_with(kind_type(CT_ENUM, 4), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xffffffffu, true);
	EXPECT_ERROR(&h, 3, false);
	/* bool: one byte */
	h = hook_with(kind_type(CT_BOOL, 1), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0x100, true);
	EXPECT_ERROR(&h, 1, false);
	/* no integer to compare: never an error */
	h = hook_with(kind_type(CT_VOID, 0), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0, false);
	h = hook_with(kind_type(CT_DOUBLE, 8), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0, false);
	h = hook_with(kind_type(CT_STRUCT, 16), CMP_EQ, 0);
	EXPECT_ERROR(&h, 0, false);
	/* a type without a size is taken as 8 bytes */
	h = hook_with(int_type(0, true), CMP_LT, 0);
	EXPECT_ERROR(&h, 0xffffffffu, false);
	EXPECT_ERROR(&h, UINT64_MAX, true);
}

static void test_joined(void)
{
	struct cfg_hook h;

	/* sqlite3_step: ret != 0 && ret != 100 && ret != 101 */
	h = hook_with(int_type(4, true), CMP_NE, 0);
	add_cond(&h, CMP_NE, 100);
	add_cond(&h, CMP_NE, 101);
	EXPECT_ERROR(&h, 0, false);
	EXPECT_ERROR(&h, 100, false);
	EXPECT_ERROR(&h, 101, false);
	EXPECT_ERROR(&h, 5, true);
	EXPECT_ERROR(&h, 0xffffffffu, true);

	/* a range: ret >= 10 && ret <= 20 */
	h = hook_with(int_type(4, true), CMP_GE, 10);
	add_cond(&h, CMP_LE, 20);
	EXPECT_ERROR(&h, 9, false);
	EXPECT_ERROR(&h, 10, true);
	EXPECT_ERROR(&h, 20, true);
	EXPECT_ERROR(&h, 21, false);

	/* ret < 0 || ret == 42 || ret == 43 || ret == 44 (four, the most) */
	h = hook_with(int_type(4, true), CMP_LT, 0);
	h.error.any = true;
	add_cond(&h, CMP_EQ, 42);
	add_cond(&h, CMP_EQ, 43);
	add_cond(&h, CMP_EQ, 44);
	EXPECT_ERROR(&h, 0xfffffffdu, true);
	EXPECT_ERROR(&h, 42, true);
	EXPECT_ERROR(&h, 44, true);
	EXPECT_ERROR(&h, 7, false);
	EXPECT_ERROR(&h, 0, false);
}

/* ---- status_put_exception ---- */

static void test_errno_sources(void)
{
	struct jbuf b = { 0 };
	struct cfg_hook h = hook_with(int_type(4, true), CMP_LT, 0);

	h.error.errno_source = CE_ERRNO;
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, ENOENT);
	EXPECT_JB(&b, "\"ENOENT: No such file or directory\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, EACCES);
	EXPECT_JB(&b, "\"EACCES: Permission denied\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, 4242);
	EXPECT_JB(&b, "\"errno 4242\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, 0);
	EXPECT_JB(&b, "\"errno 0\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, -5);
	EXPECT_JB(&b, "\"errno -5\"");

	/* [errno=ret]: pthread_mutex_lock returning EDEADLK */
	h = hook_with(int_type(4, true), CMP_NE, 0);
	h.error.errno_source = CE_RETURN;
	status_put_exception(VALW_JSON_TMP(&b), &h, EDEADLK, 0);
	EXPECT_JB(&b, "\"EDEADLK: Resource deadlock avoided\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffff00000000u | EBUSY, ENOENT);
	EXPECT_JB(&b, "\"EBUSY: Device or resource busy\"");

	/* [errno=-ret]: -ENOENT in an int and in a long */
	h.error.errno_source = CE_NEG_RETURN;
	status_put_exception(VALW_JSON_TMP(&b), &h, (uint32_t)-ENOENT, 0);
	EXPECT_JB(&b, "\"ENOENT: No such file or directory\"");
	h.ret = int_type(8, true);
	status_put_exception(VALW_JSON_TMP(&b), &h, (uint64_t)-EAGAIN, 0);
	EXPECT_JB(&b, "\"EAGAIN: Resource temporarily unavailable\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0x8000000000000000u, 0);
	EXPECT_JB(&b, "\"errno 0\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 4242, 0);
	EXPECT_JB(&b, "\"errno -4242\"");
	jb_free(&b);
}

static void test_returned(void)
{
	static struct cfg_enumerator items[] = {
		{ .name = (char *)"SQLITE_OK", .value = 0 },
		{ .name = (char *)"SQLITE_BUSY", .value = 5 },
		{ .name = (char *)"SQLITE_ROW", .value = 100 },
		{ .name = (char *)"NEGATIVE", .value = -7 },
	};
	static const struct cfg_enum codes = { .name = (char *)"codes", .items = items,
					       .nitems = 4 };
	struct jbuf b = { 0 };
	struct cfg_hook h = hook_with(int_type(4, true), CMP_LT, 0);

	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, ENOENT);
	EXPECT_JB(&b, "\"returned -1\"");
	h.ret = int_type(8, true);
	status_put_exception(VALW_JSON_TMP(&b), &h, UINT64_MAX, 0);
	EXPECT_JB(&b, "\"returned -1\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, 0);
	EXPECT_JB(&b, "\"returned 4294967295\"");
	h.ret = int_type(4, false);
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xffffffffu, 0);
	EXPECT_JB(&b, "\"returned 4294967295\"");
	h.ret = int_type(2, true);
	status_put_exception(VALW_JSON_TMP(&b), &h, 0x8000, 0);
	EXPECT_JB(&b, "\"returned -32768\"");

	/* pointers */
	h.ret = kind_type(CT_POINTER, 8);
	status_put_exception(VALW_JSON_TMP(&b), &h, 0, ENOMEM);
	EXPECT_JB(&b, "\"returned NULL\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, UINT64_MAX, 0);
	EXPECT_JB(&b, "\"returned 0xffffffffffffffff\"");
	h.ret = kind_type(CT_STRING, 8);
	status_put_exception(VALW_JSON_TMP(&b), &h, 0, 0);
	EXPECT_JB(&b, "\"returned NULL\"");

	/* the return's display: enum names, [hex], [oct] */
	h.ret = int_type(4, true);
	h.ret.display = CD_ENUM;
	h.ret.names = &codes;
	status_put_exception(VALW_JSON_TMP(&b), &h, 5, 0);
	EXPECT_JB(&b, "\"returned SQLITE_BUSY\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xfffffff9u, 0);
	EXPECT_JB(&b, "\"returned NEGATIVE\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 77, 0);
	EXPECT_JB(&b, "\"returned 77\"");
	h.ret.names = NULL;
	status_put_exception(VALW_JSON_TMP(&b), &h, 5, 0);
	EXPECT_JB(&b, "\"returned 5\"");
	h.ret = kind_type(CT_ENUM, 4);
	h.ret.display = CD_ENUM;
	h.ret.names = &codes;
	status_put_exception(VALW_JSON_TMP(&b), &h, 100, 0);
	EXPECT_JB(&b, "\"returned SQLITE_ROW\"");
	h.ret = int_type(4, false);
	h.ret.display = CD_HEX;
	status_put_exception(VALW_JSON_TMP(&b), &h, 0x1f, 0);
	EXPECT_JB(&b, "\"returned 0x1f\"");
	status_put_exception(VALW_JSON_TMP(&b), &h, 0xabcdef0000000000u, 0);
	EXPECT_JB(&b, "\"returned 0x0\"");
	h.ret.display = CD_OCT;
	status_put_exception(VALW_JSON_TMP(&b), &h, 0644, 0);
	EXPECT_JB(&b, "\"returned 0644\"");

	/* nothing to show */
	h.ret = kind_type(CT_VOID, 0);
	status_put_exception(VALW_JSON_TMP(&b), &h, 0, 0);
	EXPECT_JB(&b, "\"returned\"");
	jb_free(&b);
}

int main(void)
{
	test_no_rule();
	test_signed_sizes();
	test_unsigned_and_pointers();
	test_other_kinds();
	test_joined();
	test_errno_sources();
	test_returned();
	return check_summary("status_test");
}
