/*
 * trampoline.S — the code every hooked call runs through (x86-64, System V).
 *
 * A patched GOT entry points at stub N. The stub puts N in %r11 (a scratch register
 * the ABI leaves free at a call) and jumps to impulse_tramp_common, which:
 *
 *   1. saves the argument registers into a struct arch_frame (frame.h),
 *   2. calls impulse_hook_enter(frame); 0 means "do not trace": restore and jump
 *      straight to the real function, leaving no trace of ourselves on the stack;
 *   3. otherwise reserves (result - 1) bytes below the frame, copies into them the
 *      part of the caller's stack arguments that exists (F_STACK_READABLE),
 *      restores the registers (%al included, for variadic callees) and calls the
 *      real function: the caller's return address stays where it was, so
 *      unwinders, longjmp and C++ exceptions see an ordinary frame (CFI below);
 *   4. saves the return registers (rax, rdx, xmm0, xmm1, and st(0)/st(1) when the
 *      x87 stack holds a returned long double), calls impulse_hook_exit(frame),
 *      restores them and returns to the caller.
 *
 * Register roles: %r11 the slot index (stub to common code); %rbp the frame base;
 * %rdi, the hidden return-buffer pointer when a struct is returned in memory, is
 * passed through like every argument register, and comes back in %rax.
 *
 * Frame, from the caller's view:
 *
 *      caller's stack args      <- %rbp + 16
 *      return address           <- %rbp + 8
 *      saved %rbp               <- %rbp
 *      struct arch_frame        <- %rbp - FRAME_SIZE
 *      copied stack args        <- %rsp during the real call
 *
 * An exception or a thread exit (pthread_exit, pthread_cancel) leaving a traced call
 * unwinds through this frame: its personality routine (below) records the call.
 */
#include "frame.h"

#include "asm_entry.h"

	.text

/* MAX_SLOTS stubs of STUB_SIZE bytes each; arch_stub_address() relies on the size. */
	.globl impulse_tramp_stubs
	.hidden impulse_tramp_stubs
	.type impulse_tramp_stubs, @function
	.balign 16
impulse_tramp_stubs:
	.set slot_index, 0
	.rept MAX_SLOTS
	endbr64
	movl $slot_index, %r11d
	jmp impulse_tramp_common
	.balign STUB_SIZE, 0xcc
	.set slot_index, slot_index + 1
	.endr
END(impulse_tramp_stubs)

#define SAVE_ARGS(base)				\
	movaps %xmm0, F_XMM + 0*16 + base;	\
	movaps %xmm1, F_XMM + 1*16 + base;	\
	movaps %xmm2, F_XMM + 2*16 + base;	\
	movaps %xmm3, F_XMM + 3*16 + base;	\
	movaps %xmm4, F_XMM + 4*16 + base;	\
	movaps %xmm5, F_XMM + 5*16 + base;	\
	movaps %xmm6, F_XMM + 6*16 + base;	\
	movaps %xmm7, F_XMM + 7*16 + base;	\
	movq %rdi, F_RDI + base;		\
	movq %rsi, F_RSI + base;		\
	movq %rdx, F_RDX + base;		\
	movq %rcx, F_RCX + base;		\
	movq %r8, F_R8 + base;			\
	movq %r9, F_R9 + base;			\
	movq %rax, F_RAX + base

#define RESTORE_ARGS(base)			\
	movaps F_XMM + 0*16 + base, %xmm0;	\
	movaps F_XMM + 1*16 + base, %xmm1;	\
	movaps F_XMM + 2*16 + base, %xmm2;	\
	movaps F_XMM + 3*16 + base, %xmm3;	\
	movaps F_XMM + 4*16 + base, %xmm4;	\
	movaps F_XMM + 5*16 + base, %xmm5;	\
	movaps F_XMM + 6*16 + base, %xmm6;	\
	movaps F_XMM + 7*16 + base, %xmm7;	\
	movq F_RDI + base, %rdi;		\
	movq F_RSI + base, %rsi;		\
	movq F_RDX + base, %rdx;		\
	movq F_RCX + base, %rcx;		\
	movq F_R8 + base, %r8;			\
	movq F_R9 + base, %r9;			\
	movq F_RAX + base, %rax

/*
 * Pops st(0) into the 10 bytes at dst and counts it in %ecx, unless st(0) is
 * empty: then jumps to 1f. fxam's C3,C2,C0 = 1,0,1 means empty (Intel SDM, FXAM);
 * it raises no exception on an empty register. Clobbers %ax.
 */
#define X87_POP_IF_HELD(dst)			\
	fxam;					\
	fnstsw %ax;				\
	andw $0x4500, %ax;			\
	cmpw $0x4100, %ax;			\
	je 1f;					\
	fstpt dst;				\
	incl %ecx

/*
 * Jumps to 1f when the x87 stack is empty, as it is after every call but one
 * returning a long double: the status word's TOP field (bits 11-13) is 0 then,
 * and 7 or 6 with one or two values held (the ABI leaves the stack empty at a
 * call and at most st(0), st(1) at a return). fnstsw is cheap everywhere;
 * fxam on an empty register costs ~1 ns on some CPUs and ~100 ns on others, so
 * the common case no longer runs it. TOP == 0 with eight values held (an
 * 8-deep stack at a return, or MMX state left without emms) breaks the ABI and
 * is left as it is: nothing is popped, nothing pushed back. Clobbers %ax.
 */
#define X87_SKIP_IF_EMPTY			\
	fnstsw %ax;				\
	testw $0x3800, %ax;			\
	jz 1f

ENTRY(impulse_tramp_common)
	.cfi_startproc
	/*
	 * Unwinders crossing a traced call ask impulse_unwind_personality (unwind.c)
	 * about this frame: it records the call as left by the exception or thread exit
	 * and lets the unwind go on. 0x1b = DW_EH_PE_pcrel | DW_EH_PE_sdata4: a hidden
	 * symbol of this object, so the link resolves it and .eh_frame needs no
	 * dynamic relocation (no DW_EH_PE_indirect pointer as for a shared personality).
	 */
	.cfi_personality 0x1b, impulse_unwind_personality
	/* Entered by jmp from a stub: the CFA is %rsp + 8, the caller's return address on top. */
	pushq %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.cfi_def_cfa_register %rbp
	/* %rsp was 8 mod 16 at entry, 0 after the push; FRAME_SIZE keeps it aligned. */
	subq $FRAME_SIZE, %rsp
	SAVE_ARGS(0(%rsp))
	movq %r11, F_SLOT(%rsp)

	movq %rsp, %rdi
	call impulse_hook_enter
	testq %rax, %rax
	jz .Lpass_through

	/*
	 * Traced: give the callee its stack arguments where it expects them. The
	 * window (result - 1 bytes, a multiple of 16 capped by ARCH_STACK_COPY_MAX)
	 * may run past the top of the caller's stack: a coroutine's stack under a
	 * guard page, a prototype claiming more than the caller passed. hook_enter
	 * found how much of it exists (F_STACK_READABLE); only that much is copied,
	 * with the fault-tolerant copy in case a page went away since, and the rest
	 * of the window is left as it is (a correct callee never reads it). %rsp is
	 * 16-aligned here: the call is ABI-clean, and its return address lands
	 * below the window.
	 */
	leaq -1(%rax), %rcx
	subq %rcx, %rsp
	movq %rsp, %rdi
	leaq 16(%rbp), %rsi
	movq F_STACK_READABLE - FRAME_SIZE(%rbp), %rdx
	call impulse_safe_memcpy
	RESTORE_ARGS(-FRAME_SIZE(%rbp))
	call *F_REAL - FRAME_SIZE(%rbp)

	leaq -FRAME_SIZE(%rbp), %rsp
	movq %rax, F_RET_RAX(%rsp)
	movq %rdx, F_RET_RDX(%rsp)
	movaps %xmm0, F_RET_XMM0(%rsp)
	movaps %xmm1, F_RET_XMM1(%rsp)
	/*
	 * A long double comes back in st(0), a _Complex long double in st(0) and st(1).
	 * The x87 registers are scratch across calls, and compiled code assumes the
	 * whole x87 stack is free when it is called: leaving the values there for
	 * impulse_hook_exit could see them clobbered or overflow its pushes. So pop
	 * what is there (fxam says whether st(0) is empty; an empty register must not
	 * be popped: that would push a NaN back afterwards) and push it back after.
	 * fstpt/fldt move the 80 bits unchanged, NaNs included.
	 */
	xorl %ecx, %ecx
	X87_SKIP_IF_EMPTY
	X87_POP_IF_HELD(F_RET_ST0(%rsp))
	X87_POP_IF_HELD(F_RET_ST1(%rsp))
1:	movq %rcx, F_RET_X87(%rsp)
	movq %rsp, %rdi
	call impulse_hook_exit
	/* Back in reverse order: st(1) first, so st(0) ends on top. */
	movq F_RET_X87(%rsp), %rcx
	cmpq $2, %rcx
	jb 2f
	fldt F_RET_ST1(%rsp)
2:	testq %rcx, %rcx
	jz 3f
	fldt F_RET_ST0(%rsp)
3:	movq F_RET_RAX(%rsp), %rax
	movq F_RET_RDX(%rsp), %rdx
	movaps F_RET_XMM0(%rsp), %xmm0
	movaps F_RET_XMM1(%rsp), %xmm1
	.cfi_remember_state
	leave
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_restore_state

.Lpass_through:
	/* Not traced (re-entry, tracer's own thread, stopped): vanish from the stack. */
	movq F_REAL(%rsp), %r11
	RESTORE_ARGS(0(%rsp))
	leave
	.cfi_def_cfa %rsp, 8
	jmp *%r11
	.cfi_endproc
END(impulse_tramp_common)

	.section .note.GNU-stack, "", @progbits
