/*
 * libstay.c — loaded at start, never unloaded. stay_add and stay_event are hooked;
 * stay_relay is not, and calls stay_event through this library's own PLT (patched
 * at start): that is how libux's constructor, which runs before libimpulse can
 * patch libux, still makes a recorded call.
 */
#include "libstay.h"

int stay_add(int a, int b)
{
	return a + b;
}

int stay_event(int code)
{
	return code * 3;
}

int stay_relay(int code)
{
	volatile int r = stay_event(code);	/* not a tail call: keeps the caller libstay */

	return r;
}
