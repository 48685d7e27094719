/*
 * setjmp_main.c — every function of the setjmp family, each returning a second
 * time: setjmp/longjmp, _setjmp/_longjmp, sigsetjmp/siglongjmp (glibc's
 * __sigsetjmp), getcontext/setcontext, and swapcontext into a context and back.
 * hooks.conf names them all explicitly: libimpulse must refuse them (a trampoline
 * breaks a function that returns twice) and trace sj_leaf around them.
 */
#include <setjmp.h>
#include <stdio.h>
#include <ucontext.h>

int sj_leaf(int x);

static jmp_buf jb;
static sigjmp_buf sjb;
static ucontext_t main_uc, other_uc;
static char other_stack[64 * 1024] __attribute__((aligned(16)));

static void other(void)
{
	printf("other %d\n", sj_leaf(40));
	swapcontext(&other_uc, &main_uc);	/* back, once */
}

int main(void)
{
	volatile int n = 0;
	volatile int k = 0;

	if (setjmp(jb) < 3) {
		printf("setjmp round %d: %d\n", n, sj_leaf(n));
		n++;
		longjmp(jb, n);
	}
	n = 0;
	if (_setjmp(jb) < 2) {
		printf("_setjmp round %d: %d\n", n, sj_leaf(10 + n));
		n++;
		_longjmp(jb, n);
	}
	n = 0;
	if (sigsetjmp(sjb, 1) < 2) {
		printf("sigsetjmp round %d: %d\n", n, sj_leaf(20 + n));
		n++;
		siglongjmp(sjb, n);
	}
	getcontext(&main_uc);
	printf("getcontext round %d: %d\n", k, sj_leaf(30 + k));
	if (++k < 3)
		setcontext(&main_uc);
	getcontext(&other_uc);
	other_uc.uc_stack.ss_sp = other_stack;
	other_uc.uc_stack.ss_size = sizeof(other_stack);
	other_uc.uc_link = NULL;
	makecontext(&other_uc, other, 0);
	swapcontext(&main_uc, &other_uc);
	printf("back %d\n", sj_leaf(50));
	return 0;
}
