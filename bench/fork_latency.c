/*
 * fork_latency.c — how long fork() takes while other threads keep calling a
 * hooked function (issue 11: libimpulse's prepare handler waits for its logger to
 * be at rest, which busy producers keep from happening).
 *
 *   fork_latency THREADS FORKS
 *
 * Starts THREADS threads calling work_add in a loop, lets them run 50 ms, then
 * forks FORKS times, one at a time: each child _exits at once and is reaped before
 * the next fork. Prints one line, "forks=N total_ms=T median_us=M p99_us=P max_us=X
 * calls=C", timing only the fork() call itself (monotonic clock, in the parent).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "work.h"

static volatile int stop;

static void *busy(void *arg)
{
	long n = 0;

	(void)arg;
	while (!stop)
		n += work_add((int)n, 1) != 0;
	return (void *)n;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	int forks = argc > 2 ? atoi(argv[2]) : 200;
	pthread_t *tid = calloc((size_t)threads, sizeof(*tid));
	double *lat = calloc((size_t)forks + 1, sizeof(*lat));
	double total = 0;
	long calls = 0;

	if (!tid || !lat)
		return 1;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, busy, NULL))
			return 1;
	usleep(50000);
	for (int i = 0; i < forks; i++) {
		double t0 = now_us();
		pid_t pid = fork();
		double t1 = now_us();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return 1;
		lat[i] = t1 - t0;
		total += lat[i];
		waitpid(pid, NULL, 0);
	}
	stop = 1;
	for (int i = 0; i < threads; i++) {
		void *n;

		pthread_join(tid[i], &n);
		calls += (long)n;
	}
	qsort(lat, (size_t)forks, sizeof(*lat), by_value);
	printf("forks=%d total_ms=%.1f median_us=%.1f p99_us=%.1f max_us=%.1f calls=%ld\n", forks,
	       total / 1e3, lat[forks / 2], lat[forks * 99 / 100], lat[forks - 1], calls);
	return 0;
}
