/*
 * dlsym_entry.S — what the program's dlsym and dlvsym imports point to.
 *
 * dlsym(RTLD_NEXT, …) answers relative to its caller's return address, so for
 * names we do not wrap these entries tail-jump to the real function with the
 * caller's frame untouched: the answer is exactly the loader's. For wrapped names
 * they tail-jump to impulse_dlsym_wrapped(handle, name, version, caller).
 */
#include "asm_entry.h"

	.text

/* void *dlsym(void *handle, const char *name) */
ENTRY(impulse_dlsym_entry)
	.cfi_startproc
	endbr64
	pushq %rdi
	.cfi_adjust_cfa_offset 8
	pushq %rsi
	.cfi_adjust_cfa_offset 8
	subq $8, %rsp			/* align to 16 for the call */
	.cfi_adjust_cfa_offset 8
	movq %rsi, %rdi
	call impulse_dlsym_name_is_wrapped
	addq $8, %rsp
	.cfi_adjust_cfa_offset -8
	popq %rsi
	.cfi_adjust_cfa_offset -8
	popq %rdi
	.cfi_adjust_cfa_offset -8
	testl %eax, %eax
	jnz 1f
	jmp *impulse_real_dlsym(%rip)
1:	xorl %edx, %edx			/* no version */
	movq (%rsp), %rcx		/* caller's return address */
	jmp impulse_dlsym_wrapped
	.cfi_endproc
END(impulse_dlsym_entry)

/* void *dlvsym(void *handle, const char *name, const char *version) */
ENTRY(impulse_dlvsym_entry)
	.cfi_startproc
	endbr64
	pushq %rdi
	.cfi_adjust_cfa_offset 8
	pushq %rsi
	.cfi_adjust_cfa_offset 8
	pushq %rdx
	.cfi_adjust_cfa_offset 8
	movq %rsi, %rdi
	call impulse_dlsym_name_is_wrapped
	popq %rdx
	.cfi_adjust_cfa_offset -8
	popq %rsi
	.cfi_adjust_cfa_offset -8
	popq %rdi
	.cfi_adjust_cfa_offset -8
	testl %eax, %eax
	jnz 1f
	jmp *impulse_real_dlvsym(%rip)
1:	movq (%rsp), %rcx		/* caller's return address */
	jmp impulse_dlsym_wrapped
	.cfi_endproc
END(impulse_dlvsym_entry)

	.section .note.GNU-stack, "", @progbits
