/*
 * soak.c: T threads (named "soak-<t>") call work_add through the PLT as fast as they
 * can for S seconds; the soak benchmark (bench/soak.py) runs it traced.
 *
 *     soak S T
 *
 * main sleeps S seconds, then raises a flag each thread reads between calls, and
 * joins them. Prints one line per thread, "thread T calls N sum X", and then
 * "calls N" with the total: every call a traced run must account for. Exit status
 * 0, 2 on bad arguments, 1 if a thread failed to start.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "work.h"

#define MAX_THREADS 64

struct job {
	int t;
	pthread_t thread;
	unsigned long calls;
	long sum;
	char pad[64];		/* keep jobs on separate cache lines */
};

static struct job jobs[MAX_THREADS];
static int stop;	/* atomic: main raises it after S seconds */

static void *run(void *arg)
{
	struct job *j = arg;
	unsigned long calls = 0;
	long sum = 0;
	char name[16];

	snprintf(name, sizeof(name), "soak-%d", j->t);
	pthread_setname_np(pthread_self(), name);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		sum += work_add((int)(calls & 0xffff), j->t);
		calls++;
	}
	j->calls = calls;
	j->sum = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long total = 0;
	struct timespec ts;
	double seconds;
	int n;

	if (argc != 3 || (seconds = atof(argv[1])) <= 0 || (n = atoi(argv[2])) < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: soak SECONDS THREADS (1..%d)\n", MAX_THREADS);
		return 2;
	}
	for (int t = 0; t < n; t++) {
		jobs[t].t = t;
		if (pthread_create(&jobs[t].thread, NULL, run, &jobs[t])) {
			fprintf(stderr, "soak: pthread_create failed\n");
			return 1;
		}
	}
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts))
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int t = 0; t < n; t++) {
		pthread_join(jobs[t].thread, NULL);
		printf("thread %d calls %lu sum %ld\n", t, jobs[t].calls, jobs[t].sum);
		total += jobs[t].calls;
	}
	printf("calls %lu\n", total);
	return 0;
}
