/*
 * libux.c — the library loaded and unloaded again and again (dlopen/dlclose).
 * x_twice (hooked) calls libstay's stay_add and its own x_inner through this
 * library's PLT (both hooked: their caller is libux). The constructor and the
 * destructor make hooked calls too: the constructor through libstay's stay_relay
 * (libux is not patched yet while the loader runs it), the destructor straight
 * through libux's own, patched, PLT.
 */
#include "libstay.h"

int x_twice(int x);
int x_inner(int v);
int x_generation(void);

static int generation;

/* Called through this library's own PLT (a default-visibility symbol may be
 * interposed): with dlopen(RTLD_LAZY | RTLD_GLOBAL) the import is unbound until
 * called, and libimpulse resolves it in the global scope. */
__attribute__((noinline)) int x_inner(int v)
{
	return v + 1;
}

int x_twice(int x)
{
	volatile int r = x_inner(stay_add(x, x));	/* not a tail call: the caller stays libux */

	return r;
}

int x_generation(void)
{
	return generation;
}

__attribute__((constructor)) static void x_loaded(void)
{
	generation = stay_relay(7);
}

__attribute__((destructor)) static void x_unloaded(void)
{
	volatile int r = stay_event(-7);

	(void)r;
}
