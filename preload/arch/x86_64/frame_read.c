/*
 * frame_read.c — reads argument and return values out of a trampoline frame, at the
 * locations abi.c computed: struct arguments piece by piece from registers or the
 * caller's stack, struct returns from rax/rdx/xmm0/xmm1, and variadic arguments with
 * va_arg's rules.
 *
 * Runs on the hot path of every traced call: no allocation, no locks, no system
 * calls, and no read outside the frame and the part of the caller's stack-argument
 * window that exists (f->stack_readable, from arch_stack_readable()).
 */
#include <string.h>

#include "arch.h"

/* The saved register an eightbyte lives in, or NULL for ARG_UNSUPPORTED. */
static const void *reg_of(const struct arch_frame *f, uint8_t where, uint8_t index)
{
	if (where == ARG_IN_GPR && index < 6)
		return &f->gpr[index];
	if (where == ARG_IN_XMM && index < 8)
		return &f->xmm[index][0];
	return NULL;
}

/* Copies n (at most 8) bytes of one eightbyte, or zeros when it has no register. */
static void copy_eightbyte(uint8_t *dst, const void *src, size_t n)
{
	if (src)
		memcpy(dst, src, n);
	else
		memset(dst, 0, n);
}

size_t arch_stack_readable(const struct arch_frame *f, size_t want)
{
	uintptr_t lo = (uintptr_t)arch_frame_stack_args(f);
	uintptr_t page = (lo | 4095) + 1;	/* the first page above the one lo is on */
	uint8_t byte;

	/* lo's own page holds the return address, just read by the call: readable.
	 * 4096 is the smallest page size; larger pages only make probes succeed. */
	for (; page < lo + want; page += 4096)
		if (impulse_safe_memcpy(&byte, (const void *)page, 1) < 0)
			return page - lo;
	return want;
}

bool arch_copy_arg(const struct arch_frame *f, const struct arg_loc *loc, void *dst)
{
	uint8_t *out = dst;
	size_t n = loc->size;

	switch (loc->where) {
	case ARG_ON_STACK:
		/* Bounded by what exists, and fault-tolerant all the same: the prototype
		 * may claim more than the caller passed. */
		return arch_arg_on_readable_stack(f, loc) &&
		       impulse_safe_memcpy(out, (const uint8_t *)arch_frame_stack_args(f) + loc->offset,
					   n) == 0;
	case ARG_IN_GPR:
	case ARG_IN_XMM:
		/* A register holds at most 16 bytes of a struct: 8 in each of two registers. */
		copy_eightbyte(out, reg_of(f, loc->where, loc->index), n < 8 ? n : 8);
		if (n > 8)
			copy_eightbyte(out + 8, reg_of(f, loc->where2, loc->index2), n < 16 ? n - 8 : 8);
		return true;
	default:
		memset(out, 0, n);	/* long double: not captured, but its bytes are defined */
		return true;
	}
}

void arch_copy_ret(const struct arch_frame *f, const struct ret_loc *ret, void *dst)
{
	uint8_t *out = dst;
	size_t n = ret->size;
	const void *first = NULL, *second = NULL;

	switch (ret->where) {
	case RET_REGS:
		/* Each class hands out its registers in order: rax then rdx, xmm0 then
		 * xmm1. So eightbyte 1 takes the second register of its class only
		 * when eightbyte 0 took the first. */
		first = ret->class0 == ARG_IN_GPR ? (const void *)&f->ret_rax :
			ret->class0 == ARG_IN_XMM ? (const void *)f->ret_xmm0 : NULL;
		if (ret->class1 == ARG_IN_GPR)
			second = ret->class0 == ARG_IN_GPR ? &f->ret_rdx : &f->ret_rax;
		else if (ret->class1 == ARG_IN_XMM)
			second = ret->class0 == ARG_IN_XMM ? f->ret_xmm1 : f->ret_xmm0;
		break;
	case RET_GPR:
		first = &f->ret_rax;
		break;
	case RET_XMM:
		first = f->ret_xmm0;
		break;
	case RET_X87:
		/* The 10-byte value the trampoline popped; the rest of the 16 is padding. */
		if (n > 16)
			n = 16;
		memset(out, 0, n);
		if (f->ret_x87 && n >= 10)
			memcpy(out, f->ret_st0, 10);
		return;
	default:
		memset(out, 0, n);
		return;
	}
	if (n > 16)
		n = 16;
	copy_eightbyte(out, first, n < 8 ? n : 8);
	if (n > 8)
		copy_eightbyte(out + 8, second, n - 8);
}

/* The next stack eightbyte(s) of the variadic area, aligned to align. */
static bool va_stack(const struct arch_frame *f, struct arch_va *va, unsigned size, unsigned align,
		     uint64_t *value)
{
	uint32_t at = (va->stack + align - 1) / align * align;

	/* stack_max is what exists above the caller's return address: a varargs
	 * walk that believes a longer format stops there instead of faulting. */
	if (at + size > va->stack_max ||
	    impulse_safe_memcpy(value, (const uint8_t *)arch_frame_stack_args(f) + at, 8) < 0)
		return false;
	va->stack = (uint16_t)(at + size);
	return true;
}

bool arch_va_next(const struct arch_frame *f, struct arch_va *va, enum arch_va_class cls,
		  uint64_t *value)
{
	switch (cls) {
	case VA_INT:
		if (va->gpr < 6) {
			*value = f->gpr[va->gpr++];
			return true;
		}
		return va_stack(f, va, 8, 8, value);
	case VA_SSE:
		if (va->xmm < 8) {
			*value = f->xmm[va->xmm++][0];
			return true;
		}
		return va_stack(f, va, 8, 8, value);
	case VA_X87:
		/* long double is always in memory, 16-aligned, never in registers. */
		return va_stack(f, va, 16, 16, value);
	default:
		return false;
	}
}
