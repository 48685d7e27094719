/*
 * libapi.c — api_call runs a program callback inside a hooked call; api_self_log
 * writes a note itself through include/impulse.h, which works (and does nothing)
 * whether or not libimpulse is preloaded.
 */
#include "impulse.h"
#include "libapi.h"

int api_call(int (*cb)(int), int x)
{
	return cb(x) * 10;
}

int api_self_log(int x)
{
	impulse_logf("lib note %d", x);
	return x + 1000;
}
