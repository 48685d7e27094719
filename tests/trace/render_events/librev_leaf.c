/* librev_leaf.c — the leaf the render_events case's work calls (another library,
 * so that the call goes through librev's PLT and is hooked). */
#include "librev_leaf.h"

int rev_leaf(int t, int i)
{
	return t * 100 + i;
}
