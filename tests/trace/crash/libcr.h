#ifndef LIBCR_H
#define LIBCR_H

/* What cr_inner does: returns, or dies of one of these. */
enum cr_mode {
	CR_RETURN,
	CR_SEGV,	/* writes to an unmapped address */
	CR_BUS,		/* reads a mapped page past the end of its truncated file */
	CR_FPE,		/* integer division by zero */
	CR_ILL,		/* __builtin_trap: ud2 */
	CR_ABRT,	/* abort() */
	CR_TRAP,	/* int3 */
	CR_SENT_SEGV,	/* raise(SIGSEGV): no faulting instruction */
};

int cr_add(int a, int b);
int cr_outer(int mode, int x);
int cr_inner(int mode, int x);
long cr_read(int fd);
int cr_join(unsigned long thread);

#endif
