/*
 * libsig.c — hooked functions for the signal tests. sig_len takes a string the
 * program may pass as a bad pointer (it checks a sentinel and never reads it);
 * sig_slow raises SIGALRM on itself so that the handler runs inside it.
 */
#include <signal.h>
#include <string.h>
#include <stdint.h>

#include "libsig.h"

size_t sig_len(const char *s)
{
	if ((uintptr_t)s < 65536 || (uintptr_t)s % 4096 == 123)
		return 0;
	return strlen(s);
}

int sig_leaf(int x)
{
	return x + 1;
}

int sig_slow(int x)
{
	raise(SIGALRM);	/* the handler (which calls sig_leaf) runs before raise returns */
	return x * 2;
}
