/*
 * capture_plan.h — a hook's capture plan: what of a call's memory is copied into its
 * events, compiled once from the hook's prototype (capture_plan.c).
 *
 * The plan is read twice over the same bytes: on the hot path (capture.c), which
 * follows it to copy strings, buffers, arrays and pointees into the event, and by
 * the logger (decode.c), which replays it over the event to know which blob belongs
 * to which value. Every decision either side takes depends only on the plan and on
 * bytes that are in the event (argument values, copied struct bytes, the return
 * value), through the inline helpers below, so the two walks always agree.
 */
#ifndef IMPULSE_CAPTURE_PLAN_H
#define IMPULSE_CAPTURE_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "hooks/fmtscan.h"

#pragma GCC visibility push(hidden)

/* What a value's capture copies beyond the value's own bytes. */
enum cap_op {
	CAP_STRING,	/* char *: NUL-terminated text, up to max_string */
	CAP_BYTES,	/* [len] on void * / char *: len bytes, up to max_buffer */
	CAP_ARRAY,	/* [len] on T *: len elements, up to max_array */
	CAP_NULLTERM,	/* [nullterm]: elements up to a zero one, up to max_array */
	CAP_POINTEE,	/* [deref], [out], a struct pointer: one element */
	CAP_RECORD,	/* a struct in place (by value, field, element): its fields' captures */
	CAP_FIXED,	/* a T name[N] field in place: each element's capture */
};

/* One factor of a length, ready to evaluate. */
struct cap_term {
	uint8_t kind;		/* enum cfg_len_term_kind */
	uint8_t size;		/* bytes of the integer read (param, field, return) */
	bool is_signed;
	uint32_t where;		/* CL_PARAM: parameter index; CL_FIELD: byte offset in the record */
	uint64_t value;		/* CL_CONST */
};

struct cap_len {
	uint8_t nterms;		/* 1 or 2 (a product) */
	struct cap_term terms[2];
};

struct cap_node {
	uint8_t op;		/* enum cap_op */
	bool leaf;		/* explicit and reaching no further pointer: not limited by max_depth */
	bool after;		/* a parameter's capture that waits for the call's return */
	uint32_t elem_size;	/* bytes of one element, of the pointee, or of the record */
	uint32_t count;		/* CAP_FIXED: N */
	struct cap_len len;	/* CAP_BYTES, CAP_ARRAY */
	const struct cap_node *elem;	/* the element's / pointee's own capture, or NULL */
	const struct cap_node **fields;	/* CAP_RECORD: per field of the record, or NULL */
	uint32_t nfields;
	const struct cfg_record *record;	/* CAP_RECORD: field offsets */
};

/* One parameter captured at entry or at exit, in parameter order. */
struct cap_param {
	uint16_t index;
	bool by_value;		/* a struct by value: its bytes are a blob (arch_copy_arg) */
	const struct cap_node *node;	/* its capture, or NULL (by value, nothing inside) */
};

struct cap_plan {
	struct cap_param *entry;	/* nentry, owned */
	uint32_t nentry;
	struct cap_param *exit;		/* nexit, owned: [out] and len=return parameters */
	uint32_t nexit;
	const struct cap_node **param_node;	/* per parameter (nparams): its node, or NULL */
	const struct cap_node *ret_node;	/* the return's capture, or NULL */
	bool ret_by_value;		/* a struct return: its bytes are the first exit blob */
	int format_param;		/* [format=…]: captured string parameter, or -1 */
	int vararg_param;		/* [vararg=…]: the selecting parameter, or -1 */
	const struct cap_node **case_node;	/* per vararg case, the default last */
	bool vararg_after;		/* some vararg case is captured after the call */
};

/* The capture settings, from [tracer]; set by cap_limits_init() before any plan. */
struct cap_limits {
	uint32_t max_string, max_buffer, max_array, max_depth;
	uint32_t max_capture;		/* bytes per call and side */
	uint32_t nullterm_scan;		/* [nullterm] elements counted beyond max_array */
	uint8_t binary;			/* enum cfg_binary */
};

extern struct cap_limits cap_limits;

/* At most this many variadic values are fetched for a [format]. */
#define CAP_MAX_VARARGS 32

/* Stops a walk that meets a value it cannot hold in an int64. */
static inline int64_t cap_load_int(const void *p, unsigned size, bool is_signed)
{
	uint64_t u = 0;

	memcpy(&u, p, size > 8 ? 8 : size);
	if (is_signed) {
		switch (size) {
		case 1: return (int8_t)u;
		case 2: return (int16_t)u;
		case 4: return (int32_t)u;
		default: return (int64_t)u;
		}
	}
	/* An unsigned length past INT64_MAX is absurd: clamp, never negative. */
	return u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
}

static inline uint64_t cap_load_ptr(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A length's value from the call's argument values, return value and the bytes of
 * the record holding the pointer (NULL outside a record). Negative: the value is
 * not captured (read returning -1); products saturate.
 */
static inline int64_t cap_len_eval(const struct cap_len *len, const uint64_t *args, uint64_t ret,
				   const uint8_t *rec)
{
	int64_t v = 1;

	for (unsigned i = 0; i < len->nterms; i++) {
		const struct cap_term *t = &len->terms[i];
		int64_t x;

		switch (t->kind) {
		case CL_PARAM:
			x = args ? cap_load_int(&args[t->where], t->size, t->is_signed) : 0;
			break;
		case CL_RETURN:
			x = cap_load_int(&ret, t->size, t->is_signed);
			break;
		case CL_FIELD:
			x = rec ? cap_load_int(rec + t->where, t->size, t->is_signed) : 0;
			break;
		default:
			x = t->value > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)t->value;
			break;
		}
		if (x < 0 || v < 0)
			return -1;
		if (__builtin_mul_overflow(v, x, &v))
			v = INT64_MAX;
	}
	return v;
}

/* True when a pointer at this depth is followed: not NULL, and explicit leaves or
 * within max_depth. Both walks ask this before a pointer's blob. */
static inline bool cap_follows(const struct cap_node *n, uint64_t ptr, unsigned depth)
{
	return ptr && (n->leaf || depth < cap_limits.max_depth);
}

/* The [vararg] case chosen by the selecting value: its index, nvararg_cases for the
 * default, or -1 when there is none. */
static inline int cap_vararg_pick(const struct cfg_hook *h, const uint64_t *args)
{
	const struct cfg_type *st = &h->params[h->vararg_param].type;
	int64_t sel = cap_load_int(&args[h->vararg_param], st->size ? st->size : 8,
				   st->kind == CT_ENUM || st->is_signed);

	for (int i = 0; i < h->nvararg_cases; i++)
		if (sel >= h->vararg_cases[i].lo && sel <= h->vararg_cases[i].hi)
			return i;
	return h->vararg_default.kind == CT_VOID ? -1 : h->nvararg_cases;
}

static inline const struct cfg_type *cap_vararg_type(const struct cfg_hook *h, int pick)
{
	return pick < h->nvararg_cases ? &h->vararg_cases[pick].type : &h->vararg_default;
}

/*
 * The bytes a %s conversion i may copy: its precision (".N", or the '*' value just
 * before it), -1 when it has none. vals[] are the fetched variadic values.
 */
static inline int64_t cap_fmt_precision(const struct fmt_conv *conv, const uint64_t *vals, unsigned i)
{
	if (conv->precision >= 0)
		return conv->precision;
	if (conv->precision == -2 && i > 0) {
		int32_t v = (int32_t)vals[i - 1];

		return v >= 0 ? v : -1;	/* a negative '*' precision means none */
	}
	return -1;
}

/* Sets cap_limits from the settings (called by hook_plan; the first call wins). */
void cap_limits_init(const struct cfg_settings *s, size_t ring_size);

/*
 * Compiles the plan of hook c; redact_mask names parameters never copied. Returns
 * the plan (NULL when the hook captures nothing beyond argument registers) and sets
 * *enter_data / *exit_data to the most blob bytes each side can write (at most
 * max_capture). Allocates with malloc; a failed allocation degrades to no plan.
 */
const struct cap_plan *cap_plan_compile(const struct cfg_hook *c, uint32_t redact_mask,
					uint32_t *enter_data, uint32_t *exit_data);

/*
 * When every entry capture of plan is a char * parameter and all fit in enter_data
 * uncut, the mask of those parameters: the hot path then copies them inline
 * (capture_string in hot_path.c), as put_string would. Else 0.
 */
uint32_t cap_plan_simple_strings(const struct cap_plan *plan, uint32_t enter_data);

#pragma GCC visibility pop

#endif
