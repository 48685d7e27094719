/*
 * longjmp_main.c — leaves hooked calls by longjmp from a callback they make:
 *   1. jmp_call(cb_jump, 5) abandoned to main; then jmp_leaf(1) and
 *      jmp_call(cb_leaf, 2) at top level.
 *   2. jmp_call(cb_outer, 3), whose callback abandons an inner jmp_call(cb_jump2, 4)
 *      to a setjmp inside the outer call, then calls jmp_leaf(30).
 *   3. LOOPS more abandoned calls, then jmp_leaf(7) at top level.
 *   4. siglongjmp out of jmp_call(40).
 *   5. longjmp out of three nested calls jmp_call(50..52), after jmp_leaf(53).
 *   6. siglongjmp out of three nested calls jmp_call(60..62), after jmp_leaf(63).
 *   7. jmp_call(70) raises SIGUSR1; the handler calls jmp_leaf(71) and leaves by
 *      siglongjmp.
 *   8. then jmp_call(cb_leaf, 80) and jmp_leaf(81) nest as usual.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include "libjmp.h"

#define LOOPS 1000

static jmp_buf to_main, to_outer;
static sigjmp_buf sig_main;

static int cb_jump(int x)
{
	jmp_leaf(x);
	longjmp(to_main, x);
}

static int cb_jump2(int x)
{
	longjmp(to_outer, x);
}

static int cb_leaf(int x)
{
	return jmp_leaf(x);
}

static int cb_outer(int x)
{
	volatile int r = 0;

	if (setjmp(to_outer) == 0)
		r = jmp_call(cb_jump2, x + 1);
	else
		r = jmp_leaf(30);
	return r + x;
}

static int cb_sigjump(int x)
{
	siglongjmp(sig_main, x);
}

/* x .. x+2 nested, then out by longjmp (x % 20 == 10) or siglongjmp. */
static int cb_nest(int x)
{
	if (x % 10 < 2)
		return jmp_call(cb_nest, x + 1);
	jmp_leaf(x + 1);
	if (x % 20 == 12)
		longjmp(to_main, x);
	siglongjmp(sig_main, x);
}

static void on_usr1(int sig)
{
	(void)sig;
	jmp_leaf(71);
	siglongjmp(sig_main, 70);
}

static int cb_raise(int x)
{
	raise(SIGUSR1);
	return x;
}

static void jumps_out(void)
{
	struct sigaction sa = { 0 };
	int v;

	if ((v = sigsetjmp(sig_main, 1)) == 0)
		jmp_call(cb_sigjump, 40);
	printf("siglongjmp back with %d\n", v);
	if ((v = setjmp(to_main)) == 0)
		jmp_call(cb_nest, 50);
	printf("longjmp out of 3 with %d\n", v);
	if ((v = sigsetjmp(sig_main, 1)) == 0)
		jmp_call(cb_nest, 60);
	printf("siglongjmp out of 3 with %d\n", v);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if ((v = sigsetjmp(sig_main, 1)) == 0)
		jmp_call(cb_raise, 70);
	printf("out of the handler with %d\n", v);
	printf("call %d\n", jmp_call(cb_leaf, 80));
	printf("leaf %d\n", jmp_leaf(81));
}

int main(void)
{
	volatile int i;
	int v;

	v = setjmp(to_main);
	if (v == 0) {
		jmp_call(cb_jump, 5);
		printf("not reached\n");
	} else {
		printf("jumped back with %d\n", v);
	}
	printf("leaf %d\n", jmp_leaf(1));
	printf("call %d\n", jmp_call(cb_leaf, 2));
	printf("outer %d\n", jmp_call(cb_outer, 3));

	for (i = 0; i < LOOPS; i++) {
		if (setjmp(to_main) == 0)
			jmp_call(cb_jump, 100 + i);
	}
	printf("loops %d\n", i);
	printf("leaf %d\n", jmp_leaf(7));
	jumps_out();
	return 0;
}
