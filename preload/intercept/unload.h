/*
 * unload.h — forgetting what served a library once dlclose has unloaded it.
 */
#ifndef IMPULSE_UNLOAD_H
#define IMPULSE_UNLOAD_H

#include "intercept/modules.h"

#pragma GCC visibility push(hidden)

/* mod was just found unloaded (modules.c, install lock held); mod->gone is set. */
void unload_forget(struct module *mod);

/* Before m, a module just loaded, is entered in the table (modules.c, install lock
 * held): when it lies where an unloaded one lay whose calls the logger may not
 * have named yet, waits for the logger to read them. */
void unload_before_enter(const struct module *m);

#pragma GCC visibility pop

#endif
