/*
 * interpose.h — redirecting the GOT entries and dlsym results of hooked symbols.
 */
#ifndef IMPULSE_INTERPOSE_H
#define IMPULSE_INTERPOSE_H

#include <stdbool.h>
#include <stddef.h>

/* Patches every loaded object not patched yet. report: print where each hook went. */
void interpose_scan(bool report);

/* The address to hand out for a symbol the program looks up itself (dlsym) from
 * caller (a return address): a stub when name is hooked for that caller (explicitly
 * or by a pattern), an internal wrapper, else real unchanged. */
void *interpose_wrap_address(const char *name, void *real, const void *caller);

/* True when name is hooked, internally wrapped, or could be matched by a pattern. Lock-free. */
bool interpose_is_wrapped(const char *name);

/* Registers for the lifecycle events (base/life.h): in a fork child, the install
 * locks are made as free as the child's one thread finds them. At start-up. */
void interpose_setup(void);

/* The definition of name (at version, or the default) in the first object after the
 * one containing caller: dlsym(RTLD_NEXT) as seen from caller. */
void *interpose_resolve_next(const char *name, const char *version, const void *caller);

/* A function libimpulse puts in the place of the program's (lifecycle/wrappers.c). */
struct interpose_wrapper {
	const char *name;
	void *fn;
};

/*
 * The wrappers to install, a table that lives as long as the process; once, at
 * start-up, before the first interpose_scan(). The lifecycle part owns them and
 * hands them down here, so that patching never calls up to find them.
 */
void interpose_set_wrappers(const struct interpose_wrapper *table, size_t n);

#endif
