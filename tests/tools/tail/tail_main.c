/*
 * tail_main.c — a traced program for `impulse tail -f`: calls tl_step(i) for
 * i = 0..N-1 (argv[1], default 3), sleeping argv[2] ms (default 500) after each, so
 * that its records land while tail follows the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int tl_step(int i);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, ms = argc > 2 ? atoi(argv[2]) : 500, i;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	for (i = 0; i < n; i++) {
		printf("step %d = %d\n", i, tl_step(i));
		fflush(stdout);
		nanosleep(&ts, NULL);
	}
	return 0;
}
