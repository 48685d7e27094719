/*
 * wrappers.h — the library functions libimpulse puts in the place of the
 * program's (wrappers.c says which and why).
 */
#ifndef IMPULSE_WRAPPERS_H
#define IMPULSE_WRAPPERS_H

#pragma GCC visibility push(hidden)

/*
 * Records the real dlsym/dlvsym for the tail-jumping entries and hands the table of
 * wrappers to the interception (interpose_set_wrappers). Once, at start-up, before
 * the first interpose_scan().
 */
void wrappers_setup(void);

#pragma GCC visibility pop

#endif
