/* libovl.so: a hooked function calling the hooked leaf in another library. */
#include "ovl.h"

long ovl_outer(int t, long i)
{
	return ovl_leaf(t, i) + 1;
}
