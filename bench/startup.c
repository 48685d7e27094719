/*
 * startup.c: the trivial program of the start-up benchmark. main returns 0; the branch
 * that calls the 100 functions of libstart.so is never taken (argc is never that
 * large) but gives each of them a PLT slot, so a tracer has 100 real hooks to install.
 */
#include "start.h"

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 100000) {
		int acc = 0;
#define X(n) acc += start_fn_##n(argc, acc);
		START_EACH
#undef X
		return acc & 1;
	}
	return 0;
}
