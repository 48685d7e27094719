/*
 * libb.c — leaf calls, and one half of a recursion that bounces between the two
 * libraries (b_bounce calls liba's a_recurse through the PLT, an undefined symbol
 * here that the program's link map resolves).
 */
#include "liba.h"
#include "libb.h"

int b_inner(int x, int k)
{
	return x * 10 + k;
}

int b_bounce(int depth)
{
	return a_recurse(depth) + 100;
}
