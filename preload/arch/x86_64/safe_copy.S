/*
 * safe_copy.S — copies from addresses the traced program handed us, which may be bad.
 *
 * A read that faults inside [impulse_safe_copy_begin, impulse_safe_copy_end) is
 * resumed at impulse_safe_copy_fixup by the SIGSEGV/SIGBUS handler (fault.c via
 * arch_fault_fixup), which returns -1 to the caller: a bad pointer becomes an
 * "unreadable" marker in the record instead of a crash, and no system call is
 * made to check the pointer first. Leaf functions: no stack changes, no CFI needed
 * beyond the defaults.
 */
#include "asm_entry.h"

	.text
	.globl impulse_safe_copy_begin
	.hidden impulse_safe_copy_begin
impulse_safe_copy_begin:

/*
 * long impulse_safe_strncpy(char *dst, const char *src, size_t max)
 * Copies bytes of src up to its NUL or max bytes. Returns the string's length when
 * it is at most max, max + 1 when it is longer (dst then holds max bytes), or -1
 * when reading src faulted. dst is never NUL-terminated.
 */
ENTRY(impulse_safe_strncpy)
	.cfi_startproc
	endbr64
	xorl %eax, %eax
	movabsq $0x0101010101010101, %r8
	movabsq $0x8080808080808080, %r9
	/* Bytes one at a time up to %r10: first until src + n is 8-aligned. */
	movq %rsi, %r10
	negq %r10
	andq $7, %r10
	cmpq %rdx, %r10
	cmova %rdx, %r10
.Lbytes:
	cmpq %r10, %rax
	je .Lbytes_end
	movzbl (%rsi,%rax), %ecx
	testb %cl, %cl
	je .Ldone
	movb %cl, (%rdi,%rax)
	incq %rax
	jmp .Lbytes
.Lbytes_end:
	cmpq %rdx, %rax
	je .Lfull
.Lwords: /* 8 bytes at a time while there is room and no NUL among them */
	leaq 8(%rax), %rcx
	cmpq %rdx, %rcx
	ja .Llast
	movq (%rsi,%rax), %rcx		/* aligned: never straddles a page */
	movq %rcx, %r10
	subq %r8, %r10
	movq %rcx, %r11
	notq %r11
	andq %r11, %r10
	testq %r9, %r10			/* (v - 0x01..) & ~v & 0x80..: some byte is 0 */
	jnz .Llast
	movq %rcx, (%rdi,%rax)
	addq $8, %rax
	jmp .Lwords
.Llast:	/* the last bytes, one at a time up to the NUL or max */
	movq %rdx, %r10
	jmp .Lbytes
.Lfull:	/* max bytes copied: longer than max unless the next byte ends it */
	cmpb $0, (%rsi,%rax)
	je .Ldone
	incq %rax
.Ldone:	ret
	.cfi_endproc
END(impulse_safe_strncpy)

/*
 * long impulse_safe_memcpy(void *dst, const void *src, size_t n)
 * Returns 0, or -1 when reading src faulted (dst then holds a prefix).
 */
ENTRY(impulse_safe_memcpy)
	.cfi_startproc
	endbr64
	movq %rdx, %rcx
	rep movsb
	xorl %eax, %eax
	ret
	.cfi_endproc
END(impulse_safe_memcpy)

	.globl impulse_safe_copy_end
	.hidden impulse_safe_copy_end
impulse_safe_copy_end:

/* The fault handler resumes here with %rsp as it was at the faulting read. */
ENTRY(impulse_safe_copy_fixup)
	.cfi_startproc
	movq $-1, %rax
	ret
	.cfi_endproc
END(impulse_safe_copy_fixup)

	.section .note.GNU-stack, "", @progbits
