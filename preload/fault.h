/*
 * fault.h — recovering from bad pointers the program hands to hooked functions.
 */
#ifndef IMPULSE_FAULT_H
#define IMPULSE_FAULT_H

#include <signal.h>

/* Installs the SIGSEGV/SIGBUS handler that turns faults inside the safe copies
 * into an error return; other faults go to the program's handler or the default
 * action exactly as before. 0 or -errno. */
int fault_setup(void);

/*
 * The program's sigaction() and signal() for SIGSEGV and SIGBUS (wrappers.c):
 * its handler is kept as the one ours passes foreign faults to, so that bad string
 * pointers stay harmless after the program installs its own. Other signals go to
 * the real functions. Same return values as the real ones.
 */
int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
__sighandler_t fault_signal(int sig, __sighandler_t handler);

#endif
