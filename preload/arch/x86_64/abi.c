/*
 * abi.c — System V AMD64 parameter and return classification for hooks.conf types.
 *
 * Scalars: INTEGER class (integers, bool, enums, pointers, strings) takes rdi, rsi,
 * rdx, rcx, r8, r9 in order; SSE class (float, double) takes xmm0..xmm7; each class
 * spills to the caller's stack independently, in parameter order, one eightbyte each.
 * long double (X87 class) always goes on the stack in 16 aligned bytes; we record it
 * as unsupported but account for its space so later parameters stay right.
 *
 * Structs and unions by value (ABI 3.2.3): larger than 16 bytes, with an unaligned
 * field ([packed]) or with an x87 part, they are MEMORY: copied onto the stack at
 * their alignment (at least 8), size rounded up to 8. Otherwise each eightbyte gets
 * the merge of the classes of the fields overlapping it (INTEGER wins over SSE), and
 * the struct takes one register per eightbyte — but only if every eightbyte finds a
 * free register of its class; if not, the whole struct goes on the stack and no
 * register is used (later scalars may still take the registers it left).
 *
 * A struct returned in MEMORY gets its buffer through a hidden pointer in rdi, which
 * shifts every INTEGER-class parameter by one register.
 *
 * Runs at start-up (hook planning) and, through arch_va_start(), on the hot path for
 * variadic hooks: no allocation, no locks, no system calls, bounded recursion.
 */
#include "arch.h"

/* Stack bytes made readable for variadic callees beyond the declared parameters:
 * their argument count is unknown, so a fixed window is copied for the real call
 * and walked by the vararg cursor. */
#define VARIADIC_STACK_WINDOW 256

#define NUM_GPR 6
#define NUM_XMM 8

/* Nesting limit of structs and arrays inside a struct of at most 16 bytes. */
#define MAX_NESTING 16

/* The ABI's classes of one eightbyte (X87UP: the upper half of a long double). */
enum eb_class { EB_NONE, EB_INTEGER, EB_SSE, EB_X87, EB_X87UP, EB_MEMORY };

/* The ABI's merge rule for two classes meeting in one eightbyte. */
static uint8_t eb_merge(uint8_t a, uint8_t b)
{
	if (a == b || b == EB_NONE)
		return a;
	if (a == EB_NONE)
		return b;
	if (a == EB_MEMORY || b == EB_MEMORY)
		return EB_MEMORY;
	if (a == EB_INTEGER || b == EB_INTEGER)
		return EB_INTEGER;
	if (a == EB_X87 || a == EB_X87UP || b == EB_X87 || b == EB_X87UP)
		return EB_MEMORY;
	return EB_SSE;
}

/* The alignment the type would have in an unpacked struct: a field placed off it
 * (only possible inside [packed]) makes its struct MEMORY. */
static unsigned natural_align(const struct cfg_type *t)
{
	switch (t->kind) {
	case CT_LONG_DOUBLE:
		return 16;
	case CT_STRUCT:
		return t->record && t->record->align ? t->record->align : 1;
	case CT_ARRAY:
		return 1;	/* each element is checked on its own */
	default:
		return t->size ? t->size : 1;
	}
}

/*
 * Merges the classes of type t, placed at byte off of a struct of at most 16 bytes,
 * into eb[0..1]. False when the struct must be MEMORY (an unaligned or unknown field).
 */
static bool classify_into(const struct cfg_type *t, unsigned off, uint8_t eb[2], int depth)
{
	if (depth > MAX_NESTING || off % natural_align(t))
		return false;
	switch (t->kind) {
	case CT_BOOL:
	case CT_INT:
	case CT_ENUM:
	case CT_POINTER:
	case CT_STRING:
		if (off + t->size > 16)
			return false;
		eb[off / 8] = eb_merge(eb[off / 8], EB_INTEGER);
		return true;
	case CT_FLOAT:
	case CT_DOUBLE:
		if (off + t->size > 16)
			return false;
		eb[off / 8] = eb_merge(eb[off / 8], EB_SSE);
		return true;
	case CT_LONG_DOUBLE:
		if (off != 0)
			return false;
		eb[0] = eb_merge(eb[0], EB_X87);
		eb[1] = eb_merge(eb[1], EB_X87UP);
		return true;
	case CT_STRUCT:
		if (!t->record || !t->record->complete)
			return false;
		/* Union members all start at offset 0 and simply merge. */
		for (int i = 0; i < t->record->nfields; i++)
			if (!classify_into(&t->record->fields[i].type, off + t->record->fields[i].offset,
					   eb, depth + 1))
				return false;
		return true;
	case CT_ARRAY:
		if (!t->pointee)
			return false;
		for (unsigned i = 0; i < t->array_len && t->pointee->size; i++)
			if (!classify_into(t->pointee, off + i * t->pointee->size, eb, depth + 1))
				return false;
		return true;
	default:
		return false;
	}
}

/* The type's size: a struct's from its record when the type does not carry it. */
static unsigned type_size(const struct cfg_type *t)
{
	if (t->size)
		return t->size;
	return t->kind == CT_STRUCT && t->record ? t->record->size : 0;
}

/*
 * The classes of a struct's eightbytes (eb[1] EB_NONE for 8 bytes or less), after
 * the ABI's post-merger cleanup; EB_MEMORY in eb[0] when it is passed in memory.
 * X87 parts are left for the caller: MEMORY as an argument, st(0) as a return.
 */
static void classify_struct(const struct cfg_type *t, uint8_t eb[2])
{
	unsigned size = type_size(t);

	eb[0] = eb[1] = EB_NONE;
	if (size > 16 || !classify_into(t, 0, eb, 0) || eb[0] == EB_MEMORY || eb[1] == EB_MEMORY ||
	    (eb[1] == EB_X87UP && eb[0] != EB_X87))
		eb[0] = eb[1] = EB_MEMORY;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* Registers and stack bytes used so far by the declared parameters. */
struct arg_state {
	unsigned gpr, xmm, stack;
};

/* Places a value of size bytes and the given alignment on the stack. */
static struct arg_loc on_stack(struct arg_state *st, unsigned size, unsigned align)
{
	struct arg_loc loc;

	st->stack = (unsigned)round_up(st->stack, align > 8 ? align : 8);
	loc = (struct arg_loc){ .where = ARG_ON_STACK, .where2 = ARG_UNSUPPORTED,
				.offset = st->stack, .size = size };
	st->stack += (unsigned)round_up(size, 8);
	return loc;
}

/* The register of class c (EB_INTEGER or EB_SSE) that the next eightbyte takes. */
static void take_register(struct arg_state *st, uint8_t c, uint8_t *where, uint8_t *index)
{
	if (c == EB_INTEGER) {
		*where = ARG_IN_GPR;
		*index = (uint8_t)st->gpr++;
	} else if (c == EB_SSE) {
		*where = ARG_IN_XMM;
		*index = (uint8_t)st->xmm++;
	} else {
		*where = ARG_UNSUPPORTED;	/* an eightbyte of padding only: nothing to read */
		*index = 0;
	}
}

static struct arg_loc locate_struct(struct arg_state *st, const struct cfg_type *t)
{
	unsigned size = type_size(t);
	unsigned align = t->record && t->record->align ? t->record->align : 8;
	unsigned need_gpr = 0, need_xmm = 0;
	struct arg_loc loc = { .size = size };
	uint8_t eb[2];

	if (size == 0)		/* GNU C empty struct: passed nowhere */
		return (struct arg_loc){ .where = ARG_ON_STACK, .where2 = ARG_UNSUPPORTED,
					 .offset = st->stack };
	classify_struct(t, eb);
	if (eb[0] == EB_X87)	/* x87 parts are MEMORY as arguments */
		eb[0] = eb[1] = EB_MEMORY;
	for (int i = 0; i < 2; i++) {
		need_gpr += eb[i] == EB_INTEGER;
		need_xmm += eb[i] == EB_SSE;
	}
	if (eb[0] == EB_MEMORY || st->gpr + need_gpr > NUM_GPR || st->xmm + need_xmm > NUM_XMM)
		return on_stack(st, size, align);
	take_register(st, eb[0], &loc.where, &loc.index);
	take_register(st, eb[1], &loc.where2, &loc.index2);
	return loc;
}

static struct arg_loc locate_param(struct arg_state *st, const struct cfg_type *t)
{
	struct arg_loc loc;

	switch (t->kind) {
	case CT_STRUCT:
		return locate_struct(st, t);
	case CT_LONG_DOUBLE:
		/* Its place is kept (offset, size) though the value is not captured. */
		loc = on_stack(st, 16, 16);
		loc.where = ARG_UNSUPPORTED;
		return loc;
	case CT_FLOAT:
	case CT_DOUBLE:
		if (st->xmm < NUM_XMM)
			return (struct arg_loc){ .where = ARG_IN_XMM, .index = (uint8_t)st->xmm++,
						 .where2 = ARG_UNSUPPORTED, .size = 8 };
		return on_stack(st, 8, 8);
	default:
		/* Integers, pointers, strings (and arrays, which decay to pointers). */
		if (st->gpr < NUM_GPR)
			return (struct arg_loc){ .where = ARG_IN_GPR, .index = (uint8_t)st->gpr++,
						 .where2 = ARG_UNSUPPORTED, .size = 8 };
		return on_stack(st, 8, 8);
	}
}

static struct ret_loc locate_return(const struct cfg_type *t)
{
	struct ret_loc ret = { .where = RET_GPR, .class0 = ARG_UNSUPPORTED,
			       .class1 = ARG_UNSUPPORTED, .size = type_size(t) };
	uint8_t eb[2];

	switch (t->kind) {
	case CT_VOID:
		ret.where = RET_NONE;
		return ret;
	case CT_LONG_DOUBLE:
		ret.where = RET_X87;
		return ret;
	case CT_FLOAT:
	case CT_DOUBLE:
		ret.where = RET_XMM;
		return ret;
	case CT_STRUCT:
		break;
	default:
		return ret;
	}
	classify_struct(t, eb);
	if (eb[0] == EB_MEMORY) {
		ret.where = RET_MEMORY;
	} else if (eb[0] == EB_X87) {
		ret.where = RET_X87;	/* struct { long double x; } comes back in st(0) */
	} else {
		/* Eightbyte 1 takes the next of rdx/xmm1 after eightbyte 0's: the copy
		 * (arch_copy_ret) works that out from the two classes. */
		ret.where = RET_REGS;
		ret.class0 = eb[0] == EB_INTEGER ? ARG_IN_GPR : eb[0] == EB_SSE ? ARG_IN_XMM : ARG_UNSUPPORTED;
		ret.class1 = eb[1] == EB_INTEGER ? ARG_IN_GPR : eb[1] == EB_SSE ? ARG_IN_XMM : ARG_UNSUPPORTED;
	}
	return ret;
}

/* Walks the declared parameters; locs may be NULL when only the totals are wanted. */
static void locate_all(const struct cfg_hook *hook, struct arg_loc *locs, struct ret_loc *ret,
		       struct arg_state *st)
{
	*ret = locate_return(&hook->ret);
	*st = (struct arg_state){ .gpr = ret->where == RET_MEMORY ? 1 : 0 };
	for (int i = 0; i < hook->nparams; i++) {
		struct arg_loc loc = locate_param(st, &hook->params[i].type);

		if (locs && i < ARCH_MAX_ARG_LOCS)
			locs[i] = loc;	/* later ones still count for the stack size */
	}
}

size_t arch_locate_args(const struct cfg_hook *hook, struct arg_loc *locs, struct ret_loc *ret,
			size_t *declared)
{
	struct arg_state st;
	size_t stack;

	locate_all(hook, locs, ret, &st);
	if (declared)
		*declared = st.stack;
	stack = round_up(st.stack, 16);
	/* The variadic arguments start right after the declared stack arguments. A
	 * hook without a prototype may take anything on the stack: same window. */
	if (hook->variadic || !hook->has_prototype)
		stack += VARIADIC_STACK_WINDOW;
	return stack < ARCH_STACK_COPY_MAX ? stack : ARCH_STACK_COPY_MAX;
}

void arch_va_start(struct arch_va *va, const struct cfg_hook *hook, const struct arg_loc *locs,
		   const struct ret_loc *ret, size_t stack_window)
{
	struct arg_state st;
	struct ret_loc unused;

	/* Recomputed rather than read from locs: the caller may hold fewer locations
	 * than the hook has parameters, and the totals are what va_arg starts from. */
	(void)locs;
	(void)ret;
	locate_all(hook, NULL, &unused, &st);
	*va = (struct arch_va){
		.gpr = st.gpr,
		.xmm = st.xmm,
		.stack = st.stack,
		.stack_max = (uint32_t)(stack_window < ARCH_STACK_COPY_MAX ? stack_window
									  : ARCH_STACK_COPY_MAX),
	};
}
