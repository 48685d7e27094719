/*
 * librev.c — the render_events case: threads with nested hooked calls, notes
 * (impulse_logf) inside them, a call that fails by its [error=…] rule, and two
 * functions only a pattern hooks.
 */
#include <errno.h>
#include <pthread.h>

#include "impulse.h"
#include "librev.h"
#include "librev_leaf.h"

int rev_work(int t, int i)
{
	impulse_logf("work t=%d i=%d", t, i);
	return rev_leaf(t, 2 * i) + rev_leaf(t, 2 * i + 1);
}

static void *thread_main(void *arg)
{
	int t = (int)(long)arg;

	for (int i = 0; i < 5; i++)
		rev_work(t, i);
	return NULL;
}

int rev_spawn_join(int n)
{
	pthread_t th[8];
	int started = 0;

	for (int t = 0; t < n && t < 8; t++)
		if (!pthread_create(&th[started], NULL, thread_main, (void *)(long)t))
			started++;
	for (int k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	return started;
}

int rev_fail(const char *what)
{
	(void)what;
	errno = ENOENT;
	return -1;
}

int rev_pat_one(int x)
{
	return x + 1;
}

int rev_pat_two(int x)
{
	return x * 2;
}
