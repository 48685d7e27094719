/*
 * syscall_entry.S — what the program's syscall() imports point to.
 *
 * Most system calls go straight on to libc's syscall() by a jump, leaving no frame
 * of ours: a child made by clone on a stack of its own returns from syscall() into
 * whatever the program built there, exactly as untraced. Only the clone, clone3,
 * fork and vfork numbers are looked at (raw_clone_syscall_decide, C): a fork-like
 * child on the caller's stack is then made by raw_clone_syscall_fork, which the
 * program's return address is left on the stack for (a jump again), so that it
 * returns straight to the program, in parent and child.
 *
 * Register roles: %rdi the number, %rsi..%r9 its arguments (a sixth, on the stack,
 * is never read: the calls looked at take five at most).
 */
#include <sys/syscall.h>

#include "asm_entry.h"

	.text

/* long syscall(long number, ...) */
ENTRY(impulse_syscall_entry)
	.cfi_startproc
	endbr64
	cmpq $SYS_clone, %rdi
	je 1f
	cmpq $SYS_fork, %rdi
	je 1f
	cmpq $SYS_vfork, %rdi
	je 1f
	cmpq $SYS_clone3, %rdi
	je 1f
	jmp *syscall@GOTPCREL(%rip)
1:	/* Keep the arguments across the C call; six pushes and eight bytes put
	 * %rsp back on 16 (it was 8 off, after the caller's call). */
	pushq %rdi
	.cfi_adjust_cfa_offset 8
	pushq %rsi
	.cfi_adjust_cfa_offset 8
	pushq %rdx
	.cfi_adjust_cfa_offset 8
	pushq %rcx
	.cfi_adjust_cfa_offset 8
	pushq %r8
	.cfi_adjust_cfa_offset 8
	pushq %r9
	.cfi_adjust_cfa_offset 8
	subq $8, %rsp
	.cfi_adjust_cfa_offset 8
	call raw_clone_syscall_decide
	addq $8, %rsp
	.cfi_adjust_cfa_offset -8
	popq %r9
	.cfi_adjust_cfa_offset -8
	popq %r8
	.cfi_adjust_cfa_offset -8
	popq %rcx
	.cfi_adjust_cfa_offset -8
	popq %rdx
	.cfi_adjust_cfa_offset -8
	popq %rsi
	.cfi_adjust_cfa_offset -8
	popq %rdi
	.cfi_adjust_cfa_offset -8
	testl %eax, %eax
	jnz 2f
	jmp *syscall@GOTPCREL(%rip)
2:	jmp raw_clone_syscall_fork	/* the same arguments, and it returns to the caller */
	.cfi_endproc
END(impulse_syscall_entry)

	.section .note.GNU-stack, "", @progbits
