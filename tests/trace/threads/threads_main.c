/*
 * threads_main.c — four threads, each making CALLS thr_work calls (each with two
 * nested thr_leaf calls), started from main outside any hooked call; thread 0
 * also calls thr_spawn_join, whose own thread calls back into libthr. main waits
 * for them, then calls thr_work once more itself.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "libthr.h"

#define NTHREADS 4
#define CALLS 10

static long sums[NTHREADS];
static int spawn_result;

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (int i = 0; i < CALLS; i++)
		sums[t] += thr_work(t, i);
	if (t == 0)
		spawn_result = thr_spawn_join(t);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];

	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < NTHREADS; t++)
		printf("thread %d sum %ld\n", t, sums[t]);
	printf("spawn %d\n", spawn_result);
	printf("main %d\n", thr_work(9, 0));
	return 0;
}
