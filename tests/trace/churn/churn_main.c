/*
 * churn_main.c — thread churn (issue 12): WAVES waves of THREADS threads with
 * 64 KiB stacks, all alive at once (a barrier), each making CALLS hooked calls
 * (churn_leaf). The slots of ended threads must come back as the logger drains
 * them: every one of the WAVES x THREADS x CALLS calls is recorded or counted.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "libchurn.h"

#define WAVES 10
#define THREADS 600
#define CALLS 100

static pthread_barrier_t all_alive;

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	long sum = 0;

	pthread_barrier_wait(&all_alive);
	for (int i = 0; i < CALLS; i++)
		sum += churn_leaf(t, i);
	return (void *)(intptr_t)sum;
}

int main(void)
{
	static pthread_t tids[THREADS];
	pthread_attr_t attr;
	long total = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int w = 0; w < WAVES; w++) {
		int started = 0;

		pthread_barrier_init(&all_alive, NULL, THREADS);
		for (int t = 0; t < THREADS; t++) {
			if (pthread_create(&tids[t], &attr, worker, (void *)(intptr_t)(w * THREADS + t))) {
				fprintf(stderr, "pthread_create failed in wave %d at thread %d\n", w, t);
				return 1;
			}
			started++;
		}
		for (int t = 0; t < started; t++) {
			void *r;

			pthread_join(tids[t], &r);
			total += (long)(intptr_t)r;
		}
		pthread_barrier_destroy(&all_alive);
	}
	printf("%d threads, %d calls, sum %ld\n", WAVES * THREADS, WAVES * THREADS * CALLS, total);
	return 0;
}
