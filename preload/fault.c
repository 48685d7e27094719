/*
 * fault.c — the SIGSEGV/SIGBUS handler behind the safe copies (safe_copy.S).
 *
 * Only a fault at one of the safe copies' reads is ours: it resumes at the fixup
 * and the copy returns -1. Any other fault is passed on to the handler that was
 * installed before us, or, when there was none, re-raised with the default
 * action restored so that the program dies exactly as it would have.
 * When the program installs its own handler for these signals, the sigaction and
 * signal wrappers record it as the one we pass on to, and ours stays installed.
 * Known limits: the program's handler then runs with our signal mask and flags
 * (SA_RESETHAND is emulated, sa_mask is not), and a raw rt_sigaction system call
 * replaces ours.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>

#include "arch.h"
#include "fault.h"

static struct sigaction previous[2];	/* [0] SIGSEGV, [1] SIGBUS: the program's handlers */
static bool installed;

static void on_fault(int sig, siginfo_t *info, void *ucontext)
{
	struct sigaction *prev = &previous[sig == SIGBUS];

	bool sent = info->si_code <= 0;	/* kill(), raise(), sigqueue(): no faulting instruction */

	if (!sent && arch_fault_fixup(ucontext))
		return;
	if (prev->sa_handler == SIG_IGN) {
		if (sent)
			return;
		signal(sig, SIG_DFL);	/* the kernel does not let a real fault be ignored either */
		return;
	}
	if (prev->sa_handler == SIG_DFL) {
		/* A fault re-executes the faulting instruction under the default action when
		 * we return; a sent signal has none, so send it again. */
		signal(sig, SIG_DFL);
		if (sent)
			raise(sig);
		return;
	}
	if (prev->sa_flags & SA_SIGINFO) {
		void (*fn)(int, siginfo_t *, void *) = prev->sa_sigaction;

		if (prev->sa_flags & SA_RESETHAND)
			prev->sa_handler = SIG_DFL;
		fn(sig, info, ucontext);
	} else {
		void (*fn)(int) = prev->sa_handler;

		if (prev->sa_flags & SA_RESETHAND)
			prev->sa_handler = SIG_DFL;
		fn(sig);
	}
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
	installed = true;
	return 0;
}

static struct sigaction *program_handler(int sig)
{
	if (!installed)
		return NULL;
	return sig == SIGSEGV ? &previous[0] : sig == SIGBUS ? &previous[1] : NULL;
}

int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction *mine = program_handler(sig);

	if (!mine)
		return sigaction(sig, act, old);
	if (old)
		*old = *mine;
	if (act)
		*mine = *act;
	return 0;
}

__sighandler_t fault_signal(int sig, __sighandler_t handler)
{
	struct sigaction *mine = program_handler(sig);
	__sighandler_t old;

	if (!mine)
		return signal(sig, handler);
	old = mine->sa_handler;
	memset(mine, 0, sizeof(*mine));
	mine->sa_handler = handler;
	mine->sa_flags = SA_RESTART;	/* glibc's signal() has BSD semantics */
	return old;
}
