/*
 * vfork_entry.S — what the program's vfork imports point to.
 *
 * A vfork child runs on its parent's stack and with its parent's thread-local
 * data (tls_busy, tls_ctx) until it execs or exits, and the parent thread waits
 * meanwhile. The child must not record anything into the parent thread's buffer:
 * tls_busy is raised around the call, so that in the child hooked calls pass
 * through untraced (the exec wrappers look past tls_busy to hand on the lineage),
 * and lowered again once the parent runs.
 *
 * The real vfork is called, not the system call made here: it may be a
 * sanitizer's, which keeps its own books on the shared stack. Our return address
 * cannot stay on the stack across it (the child returns through this frame, and
 * its calls overwrite the slot before the parent runs again), nor in a register
 * (the real vfork may call functions): it waits in tls_vfork_ret, which child and
 * parent share and neither changes before it is read back (a child that vforks
 * again before exec or _exit would).
 *
 * Never used with a shadow stack: libimpulse.so is not marked for one.
 */
#include "asm_entry.h"

	.text

/* pid_t vfork(void) */
ENTRY(impulse_vfork_entry)
	.cfi_startproc
	endbr64
	movq tls_busy@gottpoff(%rip), %rcx
	incl %fs:(%rcx)			/* the child starts busy */
	movq tls_vfork_ret@gottpoff(%rip), %rcx
	popq %fs:(%rcx)			/* the return address, out of the child's way */
	.cfi_adjust_cfa_offset -8
	.cfi_undefined %rip
	call *vfork@GOTPCREL(%rip)	/* aligned: the pop left %rsp at 16 */
	movq tls_vfork_ret@gottpoff(%rip), %rcx
	pushq %fs:(%rcx)		/* child, then parent: each puts it back */
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rip, 0
	testl %eax, %eax
	jz 1f				/* the child: stays busy */
	movq tls_busy@gottpoff(%rip), %rcx
	decl %fs:(%rcx)			/* the parent (or a failure: errno is set) */
1:	ret
	.cfi_endproc
END(impulse_vfork_entry)

	.section .note.GNU-stack, "", @progbits
