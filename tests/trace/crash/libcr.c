/*
 * libcr.c — hooked functions for the crash tests: cr_outer calls cr_inner, which
 * returns or dies the way its mode says; cr_read and cr_join block.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libcr.h"

int cr_add(int a, int b)
{
	return a + b;
}

static int touch_truncated_mapping(void)
{
	char path[] = "cr_bus_XXXXXX";
	int fd = mkstemp(path);
	volatile char *p;

	if (fd < 0 || ftruncate(fd, 4096))
		return -1;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	unlink(path);
	if (p == MAP_FAILED || ftruncate(fd, 0))
		return -1;
	return p[0];	/* past the end of the file now: SIGBUS */
}

/* An unmapped address the compiler cannot see through. */
static volatile int *volatile nowhere = (volatile int *)16;

int cr_inner(int mode, int x)
{
	volatile int zero = 0;

	switch (mode) {
	case CR_SEGV:
		*nowhere = x;
		break;
	case CR_BUS:
		return touch_truncated_mapping();
	case CR_FPE:
		return x / zero;
	case CR_ILL:
		__builtin_trap();
	case CR_ABRT:
		abort();
	case CR_TRAP:
		__asm__ volatile("int3");
		break;
	case CR_SENT_SEGV:
		raise(SIGSEGV);
		break;
	default:
		break;
	}
	return x * 2;
}

int cr_outer(int mode, int x)
{
	return cr_inner(mode, x + 1) + 1;
}

long cr_read(int fd)
{
	char c;

	return (long)read(fd, &c, 1);
}

int cr_join(unsigned long thread)
{
	return pthread_join((pthread_t)thread, NULL);
}
