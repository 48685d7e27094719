/*
 * exits_main.c — ends of the process that skip main's return. argv[1]:
 *
 *   _exit        two completed calls, then _exit(7) two hooked calls deep
 *   quick_exit   a completed call, then quick_exit(5); the at_quick_exit handler
 *                makes a hooked call
 *   quick_exit-in-call  the same with quick_exit(6) two hooked calls deep
 *   pthread_exit main ends its thread two hooked calls deep while three threads
 *                go on to make 1000 calls each
 *   exit-thread  a second thread calls exit(3) two hooked calls deep while a third
 *                waits inside ex_block and main inside ex_join
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libex.h"

#define THREADS 3
#define CALLS 1000

static int pipe_fds[2];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void at_quick(void)
{
	printf("at_quick_exit: ex_add(40, 2) = %d\n", ex_add(40, 2));
}

static void *after_main(void *arg)
{
	long t = (long)arg, sum = 0;

	sleep_ms(200 + 100 * t);	/* main has ended its thread by now; one after another */
	for (int i = 0; i < CALLS; i++)
		sum += ex_add(i, (int)t);
	printf("thread %ld: sum %ld\n", t, sum);
	return NULL;
}

static void *block(void *arg)
{
	(void)arg;
	printf("ex_block = %ld\n", ex_block(pipe_fds[0]));
	return NULL;
}

static void *exit_later(void *arg)
{
	(void)arg;
	sleep_ms(200);
	printf("thread: ex_add(5, 6) = %d\n", ex_add(5, 6));
	ex_outer(EX_EXIT_3, 30);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(how, "_exit")) {
		printf("ex_add(1, 2) = %d\n", ex_add(1, 2));
		printf("ex_add(3, 4) = %d\n", ex_add(3, 4));
		ex_outer(EX_EXIT_7, 10);
	} else if (!strcmp(how, "quick_exit") || !strcmp(how, "quick_exit-in-call")) {
		at_quick_exit(at_quick);
		printf("ex_add(1, 2) = %d\n", ex_add(1, 2));
		if (!strcmp(how, "quick_exit"))
			quick_exit(5);
		ex_outer(EX_QUICK_EXIT_6, 10);
	} else if (!strcmp(how, "pthread_exit")) {
		pthread_t t;

		for (long i = 0; i < THREADS; i++) {
			pthread_create(&t, NULL, after_main, (void *)i);
			pthread_detach(t);
		}
		printf("ex_add(-1, -2) = %d\n", ex_add(-1, -2));
		ex_outer(EX_PTHREAD_EXIT, 10);
	} else if (!strcmp(how, "exit-thread")) {
		pthread_t a, b;

		if (pipe(pipe_fds))
			return 1;
		pthread_create(&a, NULL, block, NULL);
		pthread_create(&b, NULL, exit_later, NULL);
		printf("ex_join = %d\n", ex_join((unsigned long)b));
	}
	printf("not reached\n");
	return 1;
}
