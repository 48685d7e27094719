/*
 * interpose.h — redirecting the GOT entries and dlsym results of hooked symbols.
 */
#ifndef IMPULSE_INTERPOSE_H
#define IMPULSE_INTERPOSE_H

#include <stdbool.h>

/* Patches every loaded object not patched yet. report: print where each hook went. */
void interpose_scan(bool report);

/* The address to hand out for a symbol the program looks up itself (dlsym) from
 * caller (a return address): a stub when name is hooked for that caller (explicitly
 * or by a pattern), an internal wrapper, else real unchanged. */
void *interpose_wrap_address(const char *name, void *real, const void *caller);

/* True when name is hooked, internally wrapped, or could be matched by a pattern. Lock-free. */
bool interpose_is_wrapped(const char *name);

/* In a fork child: the install locks, as free as the child's one thread finds them. */
void interpose_reset_locks_in_child(void);

/* The definition of name (at version, or the default) in the first object after the
 * one containing caller: dlsym(RTLD_NEXT) as seen from caller. */
void *interpose_resolve_next(const char *name, const char *version, const void *caller);

/* Internal wrappers (wrappers.c): the real function for a wrapper, or NULL. */
void *wrappers_find(const char *name);

/* Records the real dlsym/dlvsym for the tail-jumping entries. Called once at start-up. */
void wrappers_setup(void);

#endif
