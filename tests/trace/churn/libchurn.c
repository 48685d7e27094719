/* libchurn.c — a hooked leaf with a result the test can recompute. */
#include "libchurn.h"

int churn_leaf(int t, int i)
{
	return t * 100 + i;
}
