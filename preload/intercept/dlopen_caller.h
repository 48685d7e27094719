/*
 * dlopen_caller.h — dlopen with the search path and $ORIGIN of the program's
 * caller, not of libimpulse's wrapper (see dlopen_caller.c).
 */
#ifndef IMPULSE_DLOPEN_CALLER_H
#define IMPULSE_DLOPEN_CALLER_H

#pragma GCC visibility push(hidden)

/*
 * dlopen(file, mode) as if called from caller (a return address in the program):
 * the handle, or NULL with dlerror() and errno as dlopen leaves them.
 */
void *dlopen_caller_open(const char *file, int mode, const void *caller);

#pragma GCC visibility pop

#endif
