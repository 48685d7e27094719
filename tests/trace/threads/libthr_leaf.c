/* libthr_leaf.c — the leaf of the threads test, in its own library so that calls
 * to it from libthr go through the PLT. */
#include "libthr.h"

int thr_leaf(int t, int i)
{
	return t * 1000 + i;
}
