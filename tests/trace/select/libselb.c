/*
 * libselb.c — functions the program and libsela call, a variable, and one
 * function (sel_b_internal) that is exported but only ever called inside the
 * library: protected visibility binds that call locally, so no module has a PLT or
 * GOT entry for it ("defined in libselb.so and called only inside it").
 */
#include "libselb.h"

int sel_b_counter;

__attribute__((visibility("protected"), noinline)) int sel_b_internal(int x)
{
	__asm__ volatile("" ::: "memory");	/* keep the call: it must exist to be "called inside" */
	return x + 1000;
}

int sel_b_add(int a, int b)
{
	sel_b_counter++;
	return sel_b_internal(a + b) - 1000;
}

int sel_b_mul(int a, int b)
{
	sel_b_counter++;
	return a * b;
}

int sel_b_secret(int x)
{
	return x ^ 0x5a;
}
