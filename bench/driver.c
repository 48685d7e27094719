/*
 * driver.c: calls work_add or work_len through the PLT N times on each of T threads.
 *
 *     driver add|len N T
 *
 * With T = 1 the calls run on the main thread; otherwise on T new threads, the main
 * thread only waiting. Results are summed per thread and stored once into a volatile
 * slot of its own (no shared cache line written per call). Prints nothing unless
 * misused; exit status 0 on success, 2 on bad arguments, 1 if a thread failed to start.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work.h"

#define MAX_THREADS 64
#define STR_LEN 32

enum mode { MODE_ADD, MODE_LEN };

struct job {
	enum mode mode;
	unsigned long calls;
	pthread_t thread;
	volatile unsigned long sink;	/* the thread's results, written once */
	char pad[64];			/* keep jobs on separate cache lines */
};

static struct job jobs[MAX_THREADS];

static void *job_run(void *arg)
{
	struct job *job = arg;
	unsigned long acc = 0;
	char s[STR_LEN + 1];

	if (job->mode == MODE_ADD) {
		for (unsigned long i = 0; i < job->calls; i++)
			acc += (unsigned long)work_add((int)i, 1);
	} else {
		memset(s, 'x', STR_LEN);
		s[STR_LEN] = '\0';
		for (unsigned long i = 0; i < job->calls; i++)
			acc += work_len(s);
	}
	job->sink = acc;
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: driver add|len CALLS_PER_THREAD THREADS (1..%d)\n", MAX_THREADS);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long calls, threads;
	enum mode mode;
	char *end;

	if (argc != 4)
		return usage();
	if (strcmp(argv[1], "add") == 0)
		mode = MODE_ADD;
	else if (strcmp(argv[1], "len") == 0)
		mode = MODE_LEN;
	else
		return usage();
	calls = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0')
		return usage();
	threads = strtoul(argv[3], &end, 10);
	if (*argv[3] == '\0' || *end != '\0' || threads < 1 || threads > MAX_THREADS)
		return usage();

	for (unsigned long t = 0; t < threads; t++) {
		jobs[t].mode = mode;
		jobs[t].calls = calls;
	}
	if (threads == 1) {
		job_run(&jobs[0]);
		return 0;
	}
	for (unsigned long t = 0; t < threads; t++) {
		if (pthread_create(&jobs[t].thread, NULL, job_run, &jobs[t]) != 0) {
			fprintf(stderr, "driver: pthread_create failed\n");
			return 1;
		}
	}
	for (unsigned long t = 0; t < threads; t++)
		pthread_join(jobs[t].thread, NULL);
	return 0;
}
