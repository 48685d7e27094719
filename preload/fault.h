/*
 * fault.h — recovering from bad pointers the program hands to hooked functions.
 */
#ifndef IMPULSE_FAULT_H
#define IMPULSE_FAULT_H

/* Installs the SIGSEGV/SIGBUS handler that turns faults inside the safe copies
 * into an error return; other faults go to the program's handler or the default
 * action exactly as before. 0 or -errno. */
int fault_setup(void);

#endif
