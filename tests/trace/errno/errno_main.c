/*
 * errno_main.c — checks after every call that errno is what the called function set,
 * on the main thread and on a new thread whose first hooked call it is, with a ring
 * small enough to fill so that the traced thread waits for the logger.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

int set_errno(int e);

#define CALLS 50000

static void *run(void *arg)
{
	long bad = 0;

	(void)arg;
	for (int i = 0; i < CALLS; i++) {
		int want = i % 120 + 1;

		errno = 0;
		if (set_errno(want) != -1 || errno != want)
			bad++;
	}
	return (void *)bad;
}

int main(void)
{
	pthread_t t;
	void *thread_bad;
	long bad = (long)run(NULL);

	pthread_create(&t, NULL, run, NULL);
	pthread_join(t, &thread_bad);
	printf("errno mismatches: main %ld, thread %ld\n", bad, (long)thread_bad);
	return bad || thread_bad;
}
