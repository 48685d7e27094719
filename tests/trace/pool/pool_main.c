/*
 * pool_main.c — the context API test's program. With no argument: 4 workers run
 * 16 tasks queued by pool_submit from main (even ones waited for), and one
 * captured context is released unused. With "churn N": N empty tasks queued by
 * pool_batch calls of 100, each a capture, an attach and a detach on a worker.
 * With "bogus": main attaches a token no capture made, calls pool_leaf, detaches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impulse.h"
#include "libpool.h"

#define TASKS 16
#define BATCH 100

int main(int argc, char **argv)
{
	long submitted = 0;

	if (pool_start(4)) {
		perror("pool_start");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "churn") == 0) {
		int n = atoi(argv[2]);

		for (int b = 0; b < n / BATCH; b++)
			submitted += pool_batch(b, BATCH);
	} else if (argc == 2 && strcmp(argv[1], "bogus") == 0) {
		impulse_context_t prev = impulse_context_attach(0x7777777777ull);

		submitted = pool_leaf(7, 7) + (long)prev;
		impulse_context_attach(prev);
	} else {
		for (int k = 0; k < TASKS; k++)
			submitted += pool_submit(k, k % 2 == 0);
		pool_drop(99);
	}
	pool_wait_idle();
	pool_stop();
	printf("submitted %ld sum %ld attach failures %d\n", submitted, pool_sum(),
	       pool_attach_checks_failed());
	return 0;
}
