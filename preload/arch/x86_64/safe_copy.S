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
#define ENTRY(name)			\
	.globl name;			\
	.hidden name;			\
	.type name, @function;		\
	.balign 16;			\
name:
#define END(name) .size name, . - name

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
1:	cmpq %rdx, %rax
	je 2f
	movzbl (%rsi,%rax), %ecx
	testb %cl, %cl
	je 3f
	movb %cl, (%rdi,%rax)
	incq %rax
	jmp 1b
2:	/* max bytes copied: longer than max unless the next byte ends it */
	cmpb $0, (%rsi,%rax)
	je 3f
	incq %rax
3:	ret
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
