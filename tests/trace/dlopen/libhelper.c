/* libhelper.c — leaf functions, hooked. */
#include "libhelper.h"

int help_add(int a, int b)
{
	return a + b;
}

int help_mul(int a, int b)
{
	return a * b;
}
