/*
 * overload_main leaf|mix N T: T threads (named "ovl-<t>") each make N hooked calls
 * as fast as they can: ovl_leaf(t, i) for i = 0..N-1 ("leaf"), or, for odd i,
 * ovl_outer(t, i), which calls ovl_leaf(t, i) ("mix"). Prints each thread's count
 * and sum of results, and the totals; the traced and untraced outputs must match.
 * Exit status 0, 2 on bad arguments, 1 when a thread cannot start.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovl.h"

#define MAX_THREADS 16

struct job {
	int t;
	int mix;
	long n;
	long calls;	/* hooked calls made, ovl_outer's inner one included */
	long sum;
	pthread_t thread;
};

static void *run(void *arg)
{
	struct job *j = arg;
	char name[16];
	long sum = 0, calls = 0;

	/* Before the first hooked call: the tracer takes the name then. */
	snprintf(name, sizeof(name), "ovl-%d", j->t);
	pthread_setname_np(pthread_self(), name);
	for (long i = 0; i < j->n; i++) {
		if (j->mix && (i & 1)) {
			sum += ovl_outer(j->t, i);
			calls += 2;
		} else {
			sum += ovl_leaf(j->t, i);
			calls++;
		}
	}
	j->sum = sum;
	j->calls = calls;
	return NULL;
}

int main(int argc, char **argv)
{
	static struct job jobs[MAX_THREADS];
	long n, calls = 0, sum = 0;
	int t, mix;

	if (argc != 4 || (strcmp(argv[1], "leaf") && strcmp(argv[1], "mix"))) {
		fprintf(stderr, "usage: overload_main leaf|mix N T\n");
		return 2;
	}
	mix = !strcmp(argv[1], "mix");
	n = atol(argv[2]);
	t = atoi(argv[3]);
	if (n < 0 || t < 1 || t > MAX_THREADS) {
		fprintf(stderr, "overload_main: bad N or T\n");
		return 2;
	}
	for (int k = 0; k < t; k++) {
		jobs[k] = (struct job){ .t = k, .mix = mix, .n = n };
		if (pthread_create(&jobs[k].thread, NULL, run, &jobs[k])) {
			fprintf(stderr, "overload_main: pthread_create failed\n");
			return 1;
		}
	}
	for (int k = 0; k < t; k++) {
		pthread_join(jobs[k].thread, NULL);
		printf("thread %d calls %ld sum %ld\n", k, jobs[k].calls, jobs[k].sum);
		calls += jobs[k].calls;
		sum += jobs[k].sum;
	}
	printf("total calls %ld sum %ld\n", calls, sum);
	return 0;
}
