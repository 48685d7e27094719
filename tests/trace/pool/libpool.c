/*
 * libpool.c — a thread pool with one queue. pool_submit (hooked) captures the
 * running call's context and queues task k with it; a worker attaches to the
 * context, runs pool_task (hooked, calling pool_leaf three times) and detaches.
 * With wait set, pool_submit returns only once its task ran, so the task's calls
 * end before the queuing call does. pool_batch queues n empty tasks (capture,
 * attach, detach: no hooked call), pool_drop captures and releases unused.
 * Without libimpulse every context is 0 and the attach checks hold the same way.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "impulse.h"
#include "libpool.h"

struct task {
	int k;			/* -1: empty */
	int *done;		/* set to 1 when run, if the submitter waits */
	impulse_context_t ctx;
	struct task *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct task *head, **tail = &head;
static int pending, stopping, nworkers_started, attach_failures;
static long sum;
static pthread_t workers[8];

static void run(struct task *t)
{
	impulse_context_t prev = impulse_context_attach(t->ctx);
	impulse_context_t back;
	int r = t->k >= 0 ? pool_task(t->k) : 0;

	back = impulse_context_attach(prev);
	pthread_mutex_lock(&lock);
	/* Nothing was attached before; the restore returns the task's context. */
	if (prev != 0 || back != t->ctx)
		attach_failures++;
	sum += r;
	if (t->done)
		*t->done = 1;
	pending--;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	free(t);
}

static void *worker(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "pool-w%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		struct task *t;

		pthread_mutex_lock(&lock);
		while (!head && !stopping)
			pthread_cond_wait(&changed, &lock);
		if (!head) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		t = head;
		head = t->next;
		if (!head)
			tail = &head;
		pthread_mutex_unlock(&lock);
		run(t);
	}
}

int pool_start(int n)
{
	for (nworkers_started = 0; nworkers_started < n; nworkers_started++)
		if (pthread_create(&workers[nworkers_started], NULL, worker, (void *)(long)nworkers_started))
			return -1;
	return 0;
}

static void enqueue(int k, int *done)
{
	struct task *t = malloc(sizeof(*t));

	if (!t)
		abort();
	t->k = k;
	t->done = done;
	t->ctx = impulse_context_capture();
	t->next = NULL;
	pthread_mutex_lock(&lock);
	*tail = t;
	tail = &t->next;
	pending++;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

int pool_submit(int k, int wait)
{
	int done = 0;

	enqueue(k, wait ? &done : NULL);
	if (wait) {
		pthread_mutex_lock(&lock);
		while (!done)
			pthread_cond_wait(&changed, &lock);
		pthread_mutex_unlock(&lock);
	}
	return k * 10;
}

int pool_batch(int b, int n)
{
	for (int i = 0; i < n; i++)
		enqueue(-1, NULL);
	return b;
}

int pool_drop(int k)
{
	impulse_context_t c = impulse_context_capture();

	/* 0 when untraced (-ENOSYS is not returned for a 0 token: -EINVAL either way). */
	return c ? impulse_context_release(c) : k;
}

int pool_task(int k)
{
	return pool_leaf(k, 0) + pool_leaf(k, 1) + pool_leaf(k, 2);
}

int pool_leaf(int k, int i)
{
	return k * 100 + i;
}

void pool_wait_idle(void)
{
	pthread_mutex_lock(&lock);
	while (pending)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

void pool_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nworkers_started; i++)
		pthread_join(workers[i], NULL);
}

long pool_sum(void)
{
	return sum;
}

int pool_attach_checks_failed(void)
{
	return attach_failures;
}
