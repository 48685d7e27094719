/*
 * slots.c — which slot serves a hook for one (caller, real function) pair: taking
 * one, taking a retired one back when its library is loaded again, and retiring
 * the slots of a library dlclose unloaded; see slots.h.
 *
 * The slot array itself is the hooks part's (hooks/hooks.h: the hot path and the
 * renderer read it); deciding which slot serves what needs the module map, which
 * is the interception's, so it lives here. Never on the hot path.
 */
#include <errno.h>

#include "hooks/hooks.h"
#include "intercept/modules.h"
#include "intercept/slots.h"

/* True when retired slot s served this hook, caller and library at real's offset. */
static bool takes_back(const struct hook_slot *s, void *real, const char *library_path)
{
	const struct module *def = modules_find((uintptr_t)real);

	return def && !def->gone && s->library_path == library_path &&
	       (uintptr_t)real - def->base == __atomic_load_n(&s->offset, __ATOMIC_RELAXED);
}

/*
 * Allocation runs under interpose.c's slot lock; retirement (slots_retire_range)
 * under the install lock only, so the two may meet, on different slots: a scan
 * retires the slots of a library found unloaded, which the program can no longer
 * be looking up (or is racing its own dlclose).
 */
int slots_take(const struct hook *hook, void *real, const char *caller_path,
	       const char *library_path)
{
	unsigned n = impulse_nslots;

	for (unsigned i = 0; i < n; i++) {
		struct hook_slot *s = &impulse_slots[i];

		if (s->hook != hook || s->caller_path != caller_path)
			continue;
		if (!__atomic_load_n(&s->retired, __ATOMIC_ACQUIRE)) {
			if (s->real == real)
				return (int)i;
		} else if (takes_back(s, real, library_path)) {
			/* One aligned store: a stale caller of the stub reaches the old or
			 * the new address, as it would have reached the old one untraced. */
			__atomic_store_n(&s->real, real, __ATOMIC_RELEASE);
			__atomic_store_n(&s->retired, 0, __ATOMIC_RELEASE);
			return (int)i;
		}
	}
	if (n >= MAX_SLOTS)
		return -ENOSPC;
	impulse_slots[n] = (struct hook_slot){
		.real = real,
		.hook = hook,
		.caller_path = caller_path,
		.library_path = library_path,
	};
	/* Pairs with the logger's load-acquire before it reads slot n. */
	__atomic_store_n(&impulse_nslots, n + 1, __ATOMIC_RELEASE);
	return (int)n;
}

void slots_retire_range(uintptr_t start, uintptr_t end, uintptr_t base)
{
	unsigned n = __atomic_load_n(&impulse_nslots, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		struct hook_slot *s = &impulse_slots[i];
		uintptr_t real = (uintptr_t)__atomic_load_n(&s->real, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&s->retired, __ATOMIC_ACQUIRE) || real < start || real >= end)
			continue;
		/* Truncated beyond 4 GiB into the library: then never taken back. */
		__atomic_store_n(&s->offset, (uint32_t)(real - base), __ATOMIC_RELAXED);
		__atomic_store_n(&s->retired, 1, __ATOMIC_RELEASE);
	}
}
