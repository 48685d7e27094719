/*
 * threads_many.c — 64 named threads ("t00".."t63") released together by a
 * barrier, each making CALLS thr_work calls; halfway they wait until DETACHED
 * detached threads ("d00".."d07", CALLS_D calls each) have made their calls and
 * ended. Meanwhile: QUIET threads that make no hooked call; a hooked call that
 * starts NOCALL such threads; thread "x00" ending inside the hooked thr_exit_in
 * (pthread_exit); thread "c00" cancelled while blocked inside the hooked thr_block.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "libthr.h"

#define NTHREADS 64
#define CALLS 50
#define DETACHED 8
#define CALLS_D 20
#define QUIET 8
#define NOCALL 16

static pthread_barrier_t start;
static sem_t detached_done;
static long sums[NTHREADS];

static void name_self(char kind, int n)
{
	char name[16];

	snprintf(name, sizeof(name), "%c%02d", kind, n);
	pthread_setname_np(pthread_self(), name);
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;

	name_self('t', t);
	pthread_barrier_wait(&start);
	for (int i = 0; i < CALLS; i++) {
		if (i == CALLS / 2)
			for (int d = 0; d < DETACHED; d++) {
				/* Each detached thread posts once per waiting worker. */
				sem_wait(&detached_done);
			}
		sums[t] += thr_work(t, i);
	}
	return NULL;
}

static void *detached(void *arg)
{
	int d = (int)(intptr_t)arg;

	name_self('d', d);
	for (int i = 0; i < CALLS_D; i++)
		thr_work(1000 + d, i);
	for (int t = 0; t < NTHREADS; t++)
		sem_post(&detached_done);
	return NULL;
}

static void *quiet(void *arg)
{
	return arg;
}

static void *exits_inside(void *arg)
{
	(void)arg;
	name_self('x', 0);
	thr_exit_in(2000);
	return NULL;	/* never: thr_exit_in ends the thread */
}

struct blocker {
	int fd;
	sem_t inside;
};

static void *blocks(void *arg)
{
	struct blocker *b = arg;

	name_self('c', 0);
	thr_block(3000, b->fd, &b->inside);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS], q[QUIET], x, c;
	pthread_attr_t det;
	struct blocker b;
	int fds[2];
	void *ret;
	long total = 0;

	pthread_barrier_init(&start, NULL, NTHREADS);
	sem_init(&detached_done, 0, 0);
	pthread_attr_init(&det);
	pthread_attr_setdetachstate(&det, PTHREAD_CREATE_DETACHED);
	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t)) {
			perror("pthread_create");
			return 1;
		}
	for (int d = 0; d < DETACHED; d++) {
		pthread_t dt;

		if (pthread_create(&dt, &det, detached, (void *)(intptr_t)d)) {
			perror("pthread_create detached");
			return 1;
		}
	}
	for (int i = 0; i < QUIET; i++)
		pthread_create(&q[i], NULL, quiet, NULL);
	for (int i = 0; i < QUIET; i++)
		pthread_join(q[i], NULL);
	printf("nocall threads %d\n", thr_spawn_nocall(NOCALL));

	pthread_create(&x, NULL, exits_inside, NULL);
	pthread_join(x, &ret);
	printf("x0 exit value %ld\n", (long)(intptr_t)ret);

	if (pipe(fds))
		return 1;
	b.fd = fds[0];
	sem_init(&b.inside, 0, 0);
	pthread_create(&c, NULL, blocks, &b);
	sem_wait(&b.inside);
	pthread_cancel(c);
	pthread_join(c, &ret);
	printf("c0 cancelled %d\n", ret == PTHREAD_CANCELED);

	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < NTHREADS; t++)
		total += sums[t];
	printf("64 threads total %ld\n", total);
	return 0;
}
