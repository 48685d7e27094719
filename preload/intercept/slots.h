/*
 * slots.h — binding a hook to a (calling module, real function) pair: the slot
 * the stub N of the trampoline serves (hooks/hooks.h holds the array).
 */
#ifndef IMPULSE_SLOTS_H
#define IMPULSE_SLOTS_H

#include <stdint.h>

#include "hooks/hooks.h"

#pragma GCC visibility push(hidden)

/*
 * The slot serving hook for calls from caller_path to real, allocated if new: a
 * retired slot of the same hook, caller and library whose real had the same offset
 * in it (the library loaded again, maybe elsewhere) is taken back and pointed at
 * real. Returns the slot index or -ENOSPC. Callers hold interpose.c's slot lock.
 */
int slots_take(const struct hook *hook, void *real, const char *caller_path,
	       const char *library_path);

/*
 * Retires the slots whose real function lies in [start, end), the text of a module
 * just unloaded whose load bias was base (unload.c). Install lock held (not the
 * slot lock: see slots.c).
 */
void slots_retire_range(uintptr_t start, uintptr_t end, uintptr_t base);

#pragma GCC visibility pop

#endif
