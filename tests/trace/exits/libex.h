#ifndef LIBEX_H
#define LIBEX_H

/* How ex_inner ends the process (or its thread), or returns. */
enum ex_mode {
	EX_RETURN,
	EX_EXIT_7,		/* _exit(7) */
	EX_QUICK_EXIT_6,	/* quick_exit(6) */
	EX_PTHREAD_EXIT,	/* pthread_exit(NULL) */
	EX_EXIT_3,		/* exit(3) */
};

int ex_add(int a, int b);
int ex_outer(int mode, int x);
int ex_inner(int mode, int x);
long ex_block(int fd);
int ex_join(unsigned long thread);

#endif
