/*
 * fault.c — the SIGSEGV/SIGBUS handler behind the safe copies (safe_copy.S).
 *
 * Only a fault at one of the safe copies' reads is ours: it resumes at the fixup
 * and the copy returns -1. Any other fault is passed on to the handler that was
 * installed before us, or, when there was none, re-raised with the default
 * action restored so that the program dies exactly as it would have.
 * Known limit: a program that installs its own SIGSEGV handler after start-up
 * replaces ours; bad string pointers then fault in the program's handler.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arch.h"
#include "fault.h"

static struct sigaction previous[2];	/* [0] SIGSEGV, [1] SIGBUS */

static void on_fault(int sig, siginfo_t *info, void *ucontext)
{
	struct sigaction *prev = &previous[sig == SIGBUS];

	if (arch_fault_fixup(ucontext))
		return;
	if (prev->sa_flags & SA_SIGINFO) {
		prev->sa_sigaction(sig, info, ucontext);
		return;
	}
	if (prev->sa_handler == SIG_IGN || prev->sa_handler == SIG_DFL) {
		/* Returning re-executes the faulting instruction under the default action. */
		signal(sig, SIG_DFL);
		return;
	}
	prev->sa_handler(sig);
}

int fault_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* NODEFER: a fault in the program's own handler must not find the signal blocked. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous[0]) || sigaction(SIGBUS, &sa, &previous[1]))
		return -errno;
	return 0;
}
