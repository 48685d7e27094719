/*
 * cancel_main.c — threads leaving hooked calls by thread exit, each with a cleanup
 * handler that calls a hooked function (the handlers' results are printed by main,
 * after the joins: the oracle compared with an untraced run):
 *   A  cn_call(10) -> cb_wait -> cn_wait(11) blocks in read; cancelled (deferred);
 *      cleanup handler cn_note(12), pushed inside cn_call
 *   B  cn_call(20) -> cb_exit -> cn_exit(21) calls pthread_exit(21); cleanup cn_note(22)
 *   C  cn_wait(31) at the thread's top level, cancelled; cleanup cn_note(32) outside it
 *   D  cn_call(40) -> cb_leaf -> cn_note(41): a thread that returns normally
 * and then on the main thread cn_call(50) -> cb_leaf -> cn_note(51).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

#include "libcancel.h"

static sem_t ready;
static int block_pipe[2];
static int cleaned[4];

static void cleanup(void *arg)
{
	int x = (int)(long)arg;

	cleaned[x / 10 - 1] = cn_note(x);
}

static int cb_wait(int x)
{
	int r;

	pthread_cleanup_push(cleanup, (void *)(long)(x + 2));
	sem_post(&ready);
	r = cn_wait(block_pipe[0], x + 1);
	pthread_cleanup_pop(0);
	return r;
}

static int cb_exit(int x)
{
	int r;

	pthread_cleanup_push(cleanup, (void *)(long)(x + 2));
	r = cn_exit(x + 1);
	pthread_cleanup_pop(0);
	return r;
}

static int cb_leaf(int x)
{
	return cn_note(x + 1);
}

static void *thread_a(void *arg)
{
	(void)arg;
	return (void *)(long)cn_call(cb_wait, 10);
}

static void *thread_b(void *arg)
{
	(void)arg;
	return (void *)(long)cn_call(cb_exit, 20);
}

static void *thread_c(void *arg)
{
	long r;

	(void)arg;
	pthread_cleanup_push(cleanup, (void *)32L);
	sem_post(&ready);
	r = cn_wait(block_pipe[0], 31);
	pthread_cleanup_pop(0);
	return (void *)r;
}

static void *thread_d(void *arg)
{
	(void)arg;
	return (void *)(long)cn_call(cb_leaf, 40);
}

/* Starts fn; when cancel, waits until it is inside its hooked calls and cancels it. */
static void *run(void *(*fn)(void *), int cancel)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, fn, NULL))
		return NULL;
	if (cancel) {
		sem_wait(&ready);
		pthread_cancel(t);
	}
	pthread_join(t, &ret);
	return ret;
}

int main(void)
{
	void *ret;

	if (pipe(block_pipe) || sem_init(&ready, 0, 0))
		return 2;
	ret = run(thread_a, 1);
	printf("A cancelled %d, cleanup %d\n", ret == PTHREAD_CANCELED, cleaned[0]);
	ret = run(thread_b, 0);
	printf("B exited with %ld, cleanup %d\n", (long)ret, cleaned[1]);
	ret = run(thread_c, 1);
	printf("C cancelled %d, cleanup %d\n", ret == PTHREAD_CANCELED, cleaned[2]);
	ret = run(thread_d, 0);
	printf("D returned %ld\n", (long)ret);
	printf("main %d\n", cn_call(cb_leaf, 50));
	return 3;
}
