/* libsela.c — functions the program calls; sel_a_calls_b calls into libselb. */
#include <string.h>

#include "libsela.h"
#include "libselb.h"

int sel_a_one(int x)
{
	return x + 1;
}

int sel_a_two(int x)
{
	return x * 2;
}

int sel_a_three(const char *s)
{
	return (int)strlen(s);
}

int sel_a_calls_b(int x)
{
	return sel_b_mul(x, 10);
}
