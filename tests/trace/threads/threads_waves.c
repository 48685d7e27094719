/*
 * threads_waves.c — WAVES waves of WAVE short-lived threads, each making one
 * hooked call (thr_leaf(wave, i)), started and joined together, and from main a
 * hooked call starting NOCALL threads that make none (thr_spawn_nocall). After the first
 * wave and after the last, with everything written (impulse_flush), it reads its
 * own VmSize and VmRSS: a traced thread's buffers (its ring and context) must be
 * unmapped once it ended and was drained, so the last figures are not thousands
 * of buffers above the first. The figures go to $WAVES_RESULTS, not stdout
 * (which must not change with the tracer).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impulse.h"
#include "libthr.h"

#define WAVE 100
#define WAVES 50
#define NOCALL 20

static void *one_call(void *arg)
{
	intptr_t v = (intptr_t)arg;

	return (void *)(intptr_t)thr_leaf((int)(v / WAVE), (int)(v % WAVE));
}

/* kB of the /proc/self/status line starting with key, or -1. */
static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

int main(void)
{
	const char *results = getenv("WAVES_RESULTS");
	long first_size = 0, first_rss = 0, sum = 0, nocall = 0;
	FILE *out;

	for (int w = 0; w < WAVES; w++) {
		pthread_t th[WAVE];

		for (int i = 0; i < WAVE; i++)
			if (pthread_create(&th[i], NULL, one_call, (void *)(intptr_t)(w * WAVE + i))) {
				perror("pthread_create");
				return 1;
			}
		for (int i = 0; i < WAVE; i++) {
			void *r;

			pthread_join(th[i], &r);
			sum += (long)(intptr_t)r;
		}
		nocall += thr_spawn_nocall(NOCALL);
		if (w == 0) {
			impulse_flush();
			first_size = status_kb("VmSize:");
			first_rss = status_kb("VmRSS:");
		}
	}
	impulse_flush();
	printf("%d threads, sum %ld, %ld threads without calls\n", WAVE * WAVES, sum, nocall);
	if (results && (out = fopen(results, "w"))) {
		fprintf(out, "first_vmsize_kb %ld\nlast_vmsize_kb %ld\nfirst_rss_kb %ld\nlast_rss_kb %ld\n",
			first_size, status_kb("VmSize:"), first_rss, status_kb("VmRSS:"));
		fclose(out);
	}
	return 0;
}
