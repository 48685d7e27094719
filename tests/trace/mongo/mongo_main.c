/*
 * mongo_main.c — the Mongo logger's outage test program: N hooked usleep calls,
 * long enough a run for the test to stop the server and start another in the
 * middle. Prints a line at the start and one at the end (the output must not
 * change under the tracer).
 *
 *     mongo_main N MICROSECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	useconds_t us = argc > 2 ? (useconds_t)atoi(argv[2]) : 1000;

	printf("mongo_main: %d calls\n", n);
	fflush(stdout);
	for (int i = 0; i < n; i++)
		usleep(us);
	printf("mongo_main: done\n");
	return 0;
}
