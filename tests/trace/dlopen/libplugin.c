/*
 * libplugin.c — opened with dlopen after start. plug_run (hooked) calls libhelper's
 * functions through this library's own PLT; plug_quiet (not hooked) does too, so
 * its calls to help_add are top-level.
 */
#include "libhelper.h"

int plug_run(int x);
int plug_leaf(int x);
int plug_quiet(int x);

int plug_run(int x)
{
	return help_add(x, 1) + help_mul(x, 2);
}

int plug_leaf(int x)
{
	return -x;
}

int plug_quiet(int x)
{
	/*
	 * Not a tail call: under -fno-plt a tail call jumps through the GOT and returns
	 * straight to our caller, and libimpulse names the caller of calls through
	 * address-taken (GLOB_DAT) entries by the return address (doc/records.md, "caller").
	 */
	volatile int r = help_add(x, x);

	return r;
}
