/*
 * libthr.c — thr_work calls thr_leaf (another library) twice; thr_spawn_join starts
 * a thread that calls thr_work and thr_leaf, and joins it before returning, so the
 * new thread's calls happen during the hooked thr_spawn_join call.
 */
#include <pthread.h>
#include <stdint.h>

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
