/*
 * longjmp_main.c — leaves hooked calls by longjmp from a callback they make:
 *   1. jmp_call(cb_jump, 5) abandoned to main; then jmp_leaf(1) and
 *      jmp_call(cb_leaf, 2) at top level.
 *   2. jmp_call(cb_outer, 3), whose callback abandons an inner jmp_call(cb_jump2, 4)
 *      to a setjmp inside the outer call, then calls jmp_leaf(30).
 *   3. LOOPS more abandoned calls, then jmp_leaf(7) at top level.
 */
#include <setjmp.h>
#include <stdio.h>

#include "libjmp.h"

#define LOOPS 1000

static jmp_buf to_main, to_outer;

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
	return 0;
}
