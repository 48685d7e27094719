/* libcancel.c — see libcancel.h. */
#include <pthread.h>
#include <unistd.h>

#include "libcancel.h"

int cn_call(int (*cb)(int), int x)
{
	return cb(x) + 1;
}

int cn_wait(int fd, int x)
{
	char c;

	return (int)read(fd, &c, 1) + x;
}

int cn_exit(int x)
{
	pthread_exit((void *)(long)x);
}

int cn_note(int x)
{
	return x;
}
