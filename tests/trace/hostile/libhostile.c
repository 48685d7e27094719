#include <string.h>

#include "libhostile.h"

int hs_counter = 42;

/* Return values depend only on the integers: the pointers may be anything. */
int hs_text(const char *s, int tag)
{
	(void)s;
	return tag + 1;
}

int hs_pair(const struct hs_pair *p, int tag)
{
	(void)p;
	return tag + 2;
}

size_t hs_strlen(const char *s)
{
	return strlen(s);
}

int hs_send(const char *buf, size_t n)
{
	return (int)n + (buf[0] == 'P');
}

int hs_two(int a, int b)
{
	return a * 10 + b;
}

int hs_int_ret(int x)
{
	return x + 1;
}
