/*
 * fault.h — the signals libimpulse watches: faults inside its safe copies, and
 * signals that end the process, so that their records are written first.
 */
#ifndef IMPULSE_FAULT_H
#define IMPULSE_FAULT_H

#include <signal.h>

/*
 * Installs our handler where the program's disposition lets it (fault.c says
 * which signals and when): the safe copies' fixup for SIGSEGV/SIGBUS, the
 * program's own handler called from ours for the fatal signals, and the crash
 * path (crash.c) where the program's disposition is the default one. 0 or -errno.
 */
int fault_setup(void);

/*
 * The program's sigaction(), signal() and their aliases (wrappers.c): for a
 * watched signal they keep the program's view of its disposition, which sigaction's
 * old value reports, and install ours or the program's as fault.c decides. Other
 * signals go to the real functions. Same return values as the real ones.
 */
int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
__sighandler_t fault_signal(int sig, __sighandler_t handler);
__sighandler_t fault_sysv_signal(int sig, __sighandler_t handler);

#endif
