/*
 * abi.c — System V AMD64 parameter classification for the types of hooks.conf.
 *
 * INTEGER class (integers, bool, enums, pointers, strings) takes rdi, rsi, rdx, rcx,
 * r8, r9 in order; SSE class (float, double) takes xmm0..xmm7; each class spills to
 * the caller's stack independently, in parameter order, one eightbyte each.
 * long double (X87 class) always goes on the stack in 16 aligned bytes; we record it
 * as unsupported but still account for its space so later parameters stay right.
 */
#include "arch.h"

/* Stack bytes copied for variadic callees, whose argument count we cannot know. */
#define VARIADIC_STACK_WINDOW 256

size_t arch_locate_args(const struct cfg_hook *hook, struct arg_loc *locs, struct ret_loc *ret)
{
	unsigned ngpr = 0, nxmm = 0, stack = 0;

	for (int i = 0; i < hook->nparams; i++) {
		enum cfg_type_kind kind = hook->params[i].type.kind;
		struct arg_loc loc = { .where = ARG_UNSUPPORTED };

		if (kind == CT_LONG_DOUBLE) {
			stack = (stack + 15) & ~15u;
			stack += 16;
		} else if (kind == CT_FLOAT || kind == CT_DOUBLE) {
			if (nxmm < 8) {
				loc = (struct arg_loc){ .where = ARG_IN_XMM, .index = nxmm++ };
			} else {
				loc = (struct arg_loc){ .where = ARG_ON_STACK, .offset = stack };
				stack += 8;
			}
		} else {
			if (ngpr < 6) {
				loc = (struct arg_loc){ .where = ARG_IN_GPR, .index = ngpr++ };
			} else {
				loc = (struct arg_loc){ .where = ARG_ON_STACK, .offset = stack };
				stack += 8;
			}
		}
		locs[i] = loc;
	}
	*ret = (struct ret_loc){ .where = hook->ret.kind == CT_VOID ? RET_NONE :
				 hook->ret.kind == CT_LONG_DOUBLE ? RET_X87 :
				 (hook->ret.kind == CT_FLOAT || hook->ret.kind == CT_DOUBLE) ? RET_XMM : RET_GPR,
				 .size = hook->ret.size };
	if (hook->variadic && stack < VARIADIC_STACK_WINDOW)
		stack = VARIADIC_STACK_WINDOW;
	return (stack + 15) & ~(size_t)15;
}
