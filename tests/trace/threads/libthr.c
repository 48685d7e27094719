/*
 * libthr.c — thr_work calls thr_leaf (another library) twice; thr_spawn_join starts
 * a thread that calls thr_work and thr_leaf, and joins it before returning, so the
 * new thread's calls happen during the hooked thr_spawn_join call. thr_exit_in,
 * thr_block and thr_spawn_nocall end, block and start threads (threads_many.c).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <unistd.h>

#include "libthr.h"

int thr_work(int t, int i)
{
	return thr_leaf(t, 2 * i) + thr_leaf(t, 2 * i + 1);
}

static void *spawned(void *arg)
{
	int t = (int)(intptr_t)arg;
	int sum = thr_work(t, 0) + thr_leaf(t, 99);

	return (void *)(intptr_t)sum;
}

int thr_spawn_join(int t)
{
	pthread_t th;
	void *ret = NULL;

	if (pthread_create(&th, NULL, spawned, (void *)(intptr_t)(100 + t)) != 0)
		return -1;
	pthread_join(th, &ret);
	return (int)(intptr_t)ret;
}

/* Ends the calling thread from inside this hooked call (a forced unwind through it). */
int thr_exit_in(int t)
{
	thr_leaf(t, 7);
	pthread_exit((void *)(intptr_t)(t + 1));
}

/* Posts inside, then blocks in read(fd), a cancellation point, until cancelled. */
int thr_block(int t, int fd, void *inside)
{
	char c;

	thr_leaf(t, 8);
	sem_post(inside);
	for (;;)
		if (read(fd, &c, 1) <= 0)
			pause();
	return t;
}

static void *idle_thread(void *arg)
{
	return arg;
}

/* Starts n threads that make no hooked call, and joins them. */
int thr_spawn_nocall(int n)
{
	int done = 0;

	for (int i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, idle_thread, NULL) == 0 && pthread_join(th, NULL) == 0)
			done++;
	}
	return done;
}
