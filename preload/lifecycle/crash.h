/*
 * crash.h — the end of a process killed by a signal: its records first, then the
 * same death.
 */
#ifndef IMPULSE_CRASH_H
#define IMPULSE_CRASH_H

#include <signal.h>
#include <stdbool.h>

#pragma GCC visibility push(hidden)

/*
 * From a signal handler, for a signal whose disposition is the default one (or a
 * real fault the program ignores): stops recording, has the logger write every
 * completed call, the calls in flight as "crashed" with exception (e.g.
 * "SIGSEGV: Segmentation fault") and the root, then dies by sig with the default
 * action. Returns only for a real fault, after restoring SIG_DFL: the handler then
 * returns and the instruction faults again, so the core shows the real site.
 */
void crash_die(int sig, const char *exception, const siginfo_t *info);

/* For the orderly ends (tracer_shutdown): while another thread writes a crash's
 * records, wait for it to end the process rather than racing it. Bounded. */
void crash_hold(void);

/*
 * The abort() wrapper (wrappers.c), and whether the calling thread is inside it.
 * When the program's SIGABRT handler returns, glibc's abort restores SIG_DFL
 * itself, past our sigaction wrapper, and raises again: fault.c then takes the
 * crash path at once instead.
 */
void crash_abort(void) __attribute__((noreturn));
bool crash_aborting(void);

#pragma GCC visibility pop

#endif
