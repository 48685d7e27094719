/*
 * frame.h — the register frame the x86-64 trampoline builds on every hooked call.
 *
 * Defined once: the offsets below are used by trampoline.S, and struct arch_frame
 * is tied to them by _Static_assert so the C side reads exactly what the assembly
 * wrote. The frame sits just below the trampoline's saved %rbp; above that are the
 * caller's return address and then the caller's stack arguments.
 */
#ifndef IMPULSE_ARCH_FRAME_H
#define IMPULSE_ARCH_FRAME_H

#define F_XMM		0	/* xmm0..xmm7, 16 bytes each: SSE-class arguments */
#define F_RDI		128	/* INTEGER-class arguments in ABI order */
#define F_RSI		136
#define F_RDX		144
#define F_RCX		152
#define F_R8		160
#define F_R9		168
#define F_RAX		176	/* %al: vector registers used by a variadic call */
#define F_SLOT		184	/* hook slot index, from the per-slot stub's %r11 */
#define F_REAL		192	/* address of the real function, set by hook_enter */
#define F_RET_RAX	200	/* return registers, saved after the real call */
#define F_RET_RDX	208
#define F_STACK_READABLE 216	/* bytes of the caller's stack arguments that can be read
				 * (at most the hook's stack_copy): set by hook_enter,
				 * copied by the trampoline, bounds every capture read */
#define F_RET_XMM0	224
#define F_RET_XMM1	240
#define F_RET_ST0	256	/* x87 st(0), st(1) after the real call (long double and
				 * _Complex long double returns), 10 bytes each (fstpt) */
#define F_RET_ST1	272
#define F_RET_X87	288	/* how many of them were held and saved: 0, 1 or 2 */
#define FRAME_SIZE	304	/* a multiple of 16: keeps %rsp aligned for calls */

/* Bytes from the frame base to the caller's return address and first stack argument. */
#define F_RETADDR	(FRAME_SIZE + 8)
#define F_STACK_ARGS	(FRAME_SIZE + 16)

/* Each stub is 16 bytes: endbr64, movl $index,%r11d, jmp to the common trampoline. */
#define STUB_SIZE	16
#define MAX_SLOTS	8192

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct arch_frame {
	uint64_t xmm[8][2];	/* low quadword holds a float/double argument */
	uint64_t gpr[6];	/* rdi, rsi, rdx, rcx, r8, r9 */
	uint64_t rax;
	uint64_t slot;
	uint64_t real;
	uint64_t ret_rax;
	uint64_t ret_rdx;
	uint64_t stack_readable;	/* bytes from F_STACK_ARGS up that exist (F_STACK_READABLE) */
	uint64_t ret_xmm0[2];
	uint64_t ret_xmm1[2];
	uint64_t ret_st0[2];	/* 80-bit value in the low 10 bytes */
	uint64_t ret_st1[2];
	uint64_t ret_x87;
	uint64_t pad2;
};

_Static_assert(offsetof(struct arch_frame, xmm) == F_XMM, "frame layout");
_Static_assert(offsetof(struct arch_frame, gpr) == F_RDI, "frame layout");
_Static_assert(offsetof(struct arch_frame, gpr[5]) == F_R9, "frame layout");
_Static_assert(offsetof(struct arch_frame, rax) == F_RAX, "frame layout");
_Static_assert(offsetof(struct arch_frame, slot) == F_SLOT, "frame layout");
_Static_assert(offsetof(struct arch_frame, real) == F_REAL, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_rax) == F_RET_RAX, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_rdx) == F_RET_RDX, "frame layout");
_Static_assert(offsetof(struct arch_frame, stack_readable) == F_STACK_READABLE, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_xmm0) == F_RET_XMM0, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_xmm1) == F_RET_XMM1, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_st0) == F_RET_ST0, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_st1) == F_RET_ST1, "frame layout");
_Static_assert(offsetof(struct arch_frame, ret_x87) == F_RET_X87, "frame layout");
_Static_assert(sizeof(struct arch_frame) == FRAME_SIZE, "frame layout");

/* The address of the caller's return address: identifies the call's stack position. */
static inline uintptr_t arch_frame_entry_sp(const struct arch_frame *f)
{
	return (uintptr_t)f + F_RETADDR;
}

static inline uintptr_t arch_frame_return_address(const struct arch_frame *f)
{
	return *(const uintptr_t *)((const char *)f + F_RETADDR);
}

static inline const uint64_t *arch_frame_stack_args(const struct arch_frame *f)
{
	return (const uint64_t *)((const char *)f + F_STACK_ARGS);
}

/* Stubs live in trampoline.S; stub i loads i into %r11 and enters the common path. */
extern char impulse_tramp_stubs[] __attribute__((visibility("hidden")));

static inline void *arch_stub_address(unsigned slot)
{
	return impulse_tramp_stubs + (size_t)slot * STUB_SIZE;
}
#endif

#endif
