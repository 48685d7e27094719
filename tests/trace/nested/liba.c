/*
 * liba.c — calls into libb through the PLT (or the GOT under -fno-plt), so each
 * hooked call here has hooked children.
 */
#include <stdlib.h>

#include "liba.h"
#include "libb.h"

int a_outer(int x)
{
	return b_inner(x, 1) + b_inner(x, 2);
}

int a_many(int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += b_inner(n, i);
	return sum;
}

int a_recurse(int depth)
{
	if (depth <= 0)
		return b_inner(0, 0);
	return b_bounce(depth - 1) + 1;
}

void a_exit(int code)
{
	b_inner(code, 0);
	exit(code);
}
