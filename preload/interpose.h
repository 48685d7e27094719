/*
 * interpose.h — redirecting the GOT entries and dlsym results of hooked symbols.
 */
#ifndef IMPULSE_INTERPOSE_H
#define IMPULSE_INTERPOSE_H

#include <stdbool.h>

/* Patches every loaded object not patched yet. report: print where each hook went. */
void interpose_scan(bool report);

/* The address to hand out for a symbol the program looks up itself (dlsym): a stub
 * or internal wrapper when name is hooked, else real unchanged. */
void *interpose_wrap_address(const char *name, void *real);

/* True when name is a hooked or internally wrapped symbol. Lock-free. */
bool interpose_is_wrapped(const char *name);

/* The definition of name (at version, or the default) in the first object after the
 * one containing caller: dlsym(RTLD_NEXT) as seen from caller. */
void *interpose_resolve_next(const char *name, const char *version, const void *caller);

/* Internal wrappers (wrappers.c): the real function for a wrapper, or NULL. */
void *wrappers_find(const char *name);

/* Records the real dlsym/dlvsym for the tail-jumping entries. Called once at start-up. */
void wrappers_setup(void);

#endif
