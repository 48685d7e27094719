/* libjmp.c — jmp_call returns through its own frame only if the callback returns. */
#include "libjmp.h"

int jmp_call(int (*cb)(int), int x)
{
	int r = cb(x);

	return r + 1;
}

int jmp_leaf(int x)
{
	return x * 2;
}
