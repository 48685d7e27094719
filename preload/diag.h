/*
 * diag.h — the tracer's own messages: "libimpulse[pid]: ..." on stderr.
 *
 * Formatted into a stack buffer and written with one write(2); errno is kept.
 * Errors always print; notes print only with IMPULSE_VERBOSE=1.
 */
#ifndef IMPULSE_DIAG_H
#define IMPULSE_DIAG_H


#include <stdbool.h>

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

extern bool diag_verbose_enabled;

void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The plural ending for a count in a message: "1 call", "2 calls", "0 calls". */
static inline const char *diag_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

#pragma GCC visibility pop

#endif
