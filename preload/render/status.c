/*
 * status.c — a call's status from its hook's [error=…] rule, and the "exception"
 * text of a failed call. Logger side only: it may call libc, but it runs on the
 * logger thread while the program runs, so it keeps no static buffers (glibc's
 * strerrorname_np/strerrordesc_np return constant strings, unlike strerror).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render/status.h"

/* The return value as the C comparison in the rule sees it. */
struct ret_value {
	bool comparable;	/* false for void, floating point and structs */
	bool is_signed;
	int64_t s;		/* sign-extended, when is_signed */
	uint64_t u;		/* truncated to the type's size, otherwise */
	unsigned size;
};

static unsigned scalar_size(const struct cfg_type *t)
{
	/* A type the parser left without a size is taken as a whole register. */
	return (t->size == 1 || t->size == 2 || t->size == 4) ? t->size : 8;
}

static uint64_t truncate_to(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((UINT64_C(1) << (size * 8)) - 1);
}

static int64_t sign_extend(uint64_t v, unsigned size)
{
	unsigned shift = 64 - size * 8;

	/* Shift the sign bit to bit 63 and back (arithmetic on int64_t in gcc). */
	return (int64_t)(v << shift) >> shift;
}

static struct ret_value ret_value_of(const struct cfg_type *t, uint64_t raw)
{
	struct ret_value r = { .comparable = true };

	switch (t->kind) {
	case CT_INT:
	case CT_ENUM:
	case CT_BOOL:
		r.size = t->kind == CT_BOOL ? 1 : scalar_size(t);
		/* An enum is an int in C: signed whatever the parser says. */
		r.is_signed = (t->kind == CT_INT && t->is_signed) || t->kind == CT_ENUM;
		break;
	case CT_POINTER:
	case CT_STRING:
		r.size = 8;
		break;
	default:
		r.comparable = false;
		return r;
	}
	r.u = truncate_to(raw, r.size);
	r.s = r.is_signed ? sign_extend(raw, r.size) : (int64_t)r.u;
	return r;
}

static bool compare_signed(int64_t a, enum cfg_cmp op, int64_t b)
{
	switch (op) {
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	}
	return false;
}

static bool compare_unsigned(uint64_t a, enum cfg_cmp op, uint64_t b)
{
	switch (op) {
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	}
	return false;
}

static bool cond_holds(const struct ret_value *r, enum cfg_cmp op, int64_t value)
{
	if (r->is_signed)
		return compare_signed(r->s, op, value);
	/* As C converts the constant to the unsigned type: `unsigned f() [error=ret == -1]`
	 * matches 0xffffffff, and `ret < 0` never holds. */
	return compare_unsigned(r->u, op, truncate_to((uint64_t)value, r->size));
}

bool status_is_error(const struct cfg_hook *hook, uint64_t raw_ret)
{
	const struct cfg_error_rule *rule = &hook->error;
	struct ret_value r;
	int n = rule->nconds;

	if (n <= 0)
		return false;
	r = ret_value_of(&hook->ret, raw_ret);
	if (!r.comparable)
		return false;
	if (n > CFG_MAX_CONDS)
		n = CFG_MAX_CONDS;
	for (int i = 0; i < n; i++) {
		bool holds = cond_holds(&r, rule->conds[i].op, rule->conds[i].value);

		if (rule->any && holds)
			return true;
		if (!rule->any && !holds)
			return false;
	}
	return !rule->any;
}

/* "ENOENT: No such file or directory", or "errno 4242" for a number glibc does not name. */
static void put_errno_text(struct valw *w, int64_t err)
{
	const char *name = NULL, *desc = NULL;
	char text[320];

	/* errno 0 is named "0: Success" by glibc, which reads oddly for a failure. */
	if (err > 0 && err <= INT32_MAX) {
		name = strerrorname_np((int)err);
		desc = strerrordesc_np((int)err);
	}
	if (name && desc)
		snprintf(text, sizeof(text), "%s: %s", name, desc);
	else
		snprintf(text, sizeof(text), "errno %" PRId64, err);
	vw_cstr(w, text);
}

static const char *enum_name(const struct cfg_enum *e, int64_t v)
{
	if (!e)
		return NULL;
	for (int i = 0; i < e->nitems; i++)
		if (e->items[i].value == v)
			return e->items[i].name;
	return NULL;
}

/* "returned -1", "returned NULL", "returned SQLITE_BUSY", "returned 0x1f". */
static void put_return_text(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	struct ret_value r = ret_value_of(t, raw);
	const char *name;
	char text[320];

	if (!r.comparable) {
		vw_alit(w, "returned");
		return;
	}
	if ((t->kind == CT_POINTER || t->kind == CT_STRING) && r.u == 0) {
		vw_alit(w, "returned NULL");
		return;
	}
	if (t->kind == CT_POINTER || t->kind == CT_STRING) {
		snprintf(text, sizeof(text), "returned 0x%" PRIx64, r.u);
	} else if (t->display == CD_ENUM && (name = enum_name(t->names, r.s)) != NULL) {
		snprintf(text, sizeof(text), "returned %.300s", name);
	} else if (t->display == CD_HEX) {
		snprintf(text, sizeof(text), "returned 0x%" PRIx64, r.u);
	} else if (t->display == CD_OCT) {
		snprintf(text, sizeof(text), "returned 0%" PRIo64, r.u);
	} else if (r.is_signed) {
		snprintf(text, sizeof(text), "returned %" PRId64, r.s);
	} else {
		snprintf(text, sizeof(text), "returned %" PRIu64, r.u);
	}
	vw_cstr(w, text);
}

void status_put_exception(struct valw *w, const struct cfg_hook *hook, uint64_t raw_ret,
			  int errno_value)
{
	struct ret_value r = ret_value_of(&hook->ret, raw_ret);

	switch (hook->error.errno_source) {
	case CE_ERRNO:
		put_errno_text(w, errno_value);
		return;
	case CE_RETURN:
		put_errno_text(w, r.s);
		return;
	case CE_NEG_RETURN:
		/* -INT64_MIN would overflow; such a value names no errno anyway. */
		put_errno_text(w, r.s == INT64_MIN ? 0 : -r.s);
		return;
	case CE_NONE:
		break;
	}
	put_return_text(w, &hook->ret, raw_ret);
}
