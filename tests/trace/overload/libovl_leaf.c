/* libovl_leaf.so: the leaf the overload test calls millions of times. */
#include "ovl.h"

long ovl_leaf(int t, long i)
{
	return t * 1000003L + 3 * i;
}
