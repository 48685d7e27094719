/*
 * libex.c — hooked functions for the exits tests: ex_outer calls ex_inner, which
 * returns or ends the process (or its thread) the way its mode says.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "libex.h"

int ex_add(int a, int b)
{
	return a + b;
}

int ex_inner(int mode, int x)
{
	switch (mode) {
	case EX_EXIT_7:
		_exit(7);
	case EX_QUICK_EXIT_6:
		quick_exit(6);
	case EX_PTHREAD_EXIT:
		pthread_exit(NULL);
	case EX_EXIT_3:
		exit(3);
	default:
		return x * 2;
	}
}

int ex_outer(int mode, int x)
{
	return ex_inner(mode, x + 1) + 1;
}

long ex_block(int fd)
{
	char c;

	return (long)read(fd, &c, 1);
}

int ex_join(unsigned long thread)
{
	return pthread_join((pthread_t)thread, NULL);
}
