/*
 * libsig.c — hooked functions for the signal tests. sig_len takes a string the
 * program may pass as a bad pointer (it checks a sentinel and never reads it);
 * sig_slow raises SIGALRM on itself so that the handler runs inside it;
 * sig_raise_in raises any signal the same way, sig_wait_in waits for one in
 * sigsuspend (a system call the signal interrupts), sig_longjmp_in leaves a
 * handler by siglongjmp from inside a hooked call.
 */
#include <setjmp.h>
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

int sig_pair(int x)
{
	return sig_leaf(x) + sig_leaf(x + 1);
}

int sig_raise_in(int sig, int x)
{
	raise(sig);
	return x * 2;
}

int sig_wait_in(int x)
{
	sigset_t none;

	sigemptyset(&none);
	sigsuspend(&none);	/* returns once a handler ran */
	return x * 3;
}

void sig_longjmp_in(void *env, int x)
{
	sig_leaf(x);
	siglongjmp(*(sigjmp_buf *)env, 1);
}
