/*
 * fault.c — the signals libimpulse watches, and the program's view of them.
 *
 * Two kinds (the table below):
 *  - fatal signals (SEGV BUS FPE ILL ABRT TRAP SYS): our handler stays installed
 *    whatever the program sets, and the program's handler, kept by the sigaction
 *    and signal wrappers, is called from ours. SIGSEGV/SIGBUS need this for the
 *    safe copies (safe_copy.S): a fault at one of their reads resumes at the fixup
 *    before anything else is looked at. The others follow so that the program's
 *    handler runs first and the crash path still runs when it leaves the death to
 *    the default action (it resets SIG_DFL and re-raises, or returns to fault again).
 *  - default-terminating signals (HUP INT QUIT PIPE ALRM TERM USR1 USR2 XCPU XFSZ
 *    VTALRM PROF STKFLT PWR): ours is installed only while the program's disposition
 *    is SIG_DFL. A handler or SIG_IGN of the program's is really installed, so its
 *    flags and mask are the kernel's business as without us.
 * A signal ignored when we start (nohup, a shell's background job) is left ignored;
 * SIGSEGV/SIGBUS excepted, where ours emulates the ignoring. Real-time signals are
 * not watched: programs that use them install handlers.
 *
 * When the program's disposition is SIG_DFL, the crash path (crash.c) writes the
 * records and then dies by the same signal. Our handler has SA_NODEFER (a safe copy
 * inside the program's own SIGSEGV handler must not find SIGSEGV blocked); the
 * program's handler gets its own sa_mask and, without SA_NODEFER, its own signal
 * held back while it runs: blocked for real, or for SIGSEGV/SIGBUS (which must
 * stay deliverable) a sent one is kept and handled once the handler returned.
 * SA_RESETHAND is emulated. When the program's SIGABRT handler returns inside
 * abort(), abort would restore SIG_DFL past our wrappers and raise again: we take
 * the crash path at once. Known limits: a raw rt_sigaction system call, or
 * sigset()/sigignore() (glibc calls its sigaction internally), replaces ours;
 * concurrent sigaction calls on one signal from two threads may leave the view
 * and the installed handler disagreeing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "lifecycle/crash.h"
#include "lifecycle/fault.h"

struct watched {
	int sig;
	bool fatal;		/* ours stays installed; else only while the view is SIG_DFL */
	const char *exception;	/* the crashed calls' "exception": name and strsignal() text */
	struct sigaction program;	/* the program's view: what sigaction() reports */
	bool ours;		/* our handler is the installed one */
};

#define FATAL(s, text) { .sig = s, .fatal = true, .exception = #s ": " text }
#define TERMINATING(s, text) { .sig = s, .fatal = false, .exception = #s ": " text }

static struct watched watched[] = {
	FATAL(SIGSEGV, "Segmentation fault"),
	FATAL(SIGBUS, "Bus error"),
	FATAL(SIGFPE, "Floating point exception"),
	FATAL(SIGILL, "Illegal instruction"),
	FATAL(SIGABRT, "Aborted"),
	FATAL(SIGTRAP, "Trace/breakpoint trap"),
	FATAL(SIGSYS, "Bad system call"),
	TERMINATING(SIGHUP, "Hangup"),
	TERMINATING(SIGINT, "Interrupt"),
	TERMINATING(SIGQUIT, "Quit"),
	TERMINATING(SIGPIPE, "Broken pipe"),
	TERMINATING(SIGALRM, "Alarm clock"),
	TERMINATING(SIGTERM, "Terminated"),
	TERMINATING(SIGUSR1, "User defined signal 1"),
	TERMINATING(SIGUSR2, "User defined signal 2"),
	TERMINATING(SIGXCPU, "CPU time limit exceeded"),
	TERMINATING(SIGXFSZ, "File size limit exceeded"),
	TERMINATING(SIGVTALRM, "Virtual timer expired"),
	TERMINATING(SIGPROF, "Profiling timer expired"),
	TERMINATING(SIGSTKFLT, "Stack fault"),
	TERMINATING(SIGPWR, "Power failure"),
};

#define NWATCHED (sizeof(watched) / sizeof(watched[0]))

static bool installed;

/*
 * SIGSEGV/SIGBUS stay deliverable while the program's handler for them runs; a
 * sent one arriving then is kept here (per thread, [0] SEGV [1] BUS) and handled
 * when that handler returns, as the kernel would have held it back.
 */
struct held_back {
	uintptr_t frame;	/* a word in our frame that called the program's handler; 0: none */
	uint64_t canary;	/* what that word holds while the frame is alive */
	uint64_t generation;
	bool pending;
	siginfo_t info;
};
static __thread struct held_back held[2];

static struct watched *find(int sig)
{
	for (size_t i = 0; i < NWATCHED; i++)
		if (watched[i].sig == sig)
			return &watched[i];
	return NULL;
}

static bool is_default(const struct sigaction *sa)
{
	return sa->sa_handler == SIG_DFL;
}

static bool needs_fixup(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS;
}

/* Whether ours is the handler to install for w's current view. */
static bool wants_ours(const struct watched *w)
{
	if (needs_fixup(w->sig))
		return true;
	if (w->program.sa_handler == SIG_IGN)
		return false;
	return w->fatal || is_default(&w->program);
}

static void on_signal(int sig, siginfo_t *info, void *ucontext);

static int install_ours(struct watched *w)
{
	const struct sigaction *p = &w->program;
	bool handler = !is_default(p) && p->sa_handler != SIG_IGN;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	/* SA_ONSTACK and SA_RESTART are the program's when its handler runs. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER |
		      (handler ? p->sa_flags & (SA_ONSTACK | SA_RESTART) : SA_ONSTACK | SA_RESTART);
	sigemptyset(&sa.sa_mask);
	if (sigaction(w->sig, &sa, NULL))
		return -errno;
	w->ours = true;
	return 0;
}

static void call_program_handler(struct watched *w, int sig, siginfo_t *info, void *ucontext)
{
	struct sigaction p = w->program;
	struct held_back *hb = needs_fixup(sig) ? &held[sig == SIGBUS] : NULL;
	volatile uint64_t canary;
	sigset_t block, saved;

	if (p.sa_flags & SA_RESETHAND) {
		memset(&w->program, 0, sizeof(w->program));
		w->program.sa_handler = SIG_DFL;
	}
	block = p.sa_mask;
	if (!(p.sa_flags & SA_NODEFER))
		sigaddset(&block, sig);
	/* The safe copies must be able to fault while the program's handler runs. */
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGBUS);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	if (hb && !(p.sa_flags & SA_NODEFER)) {
		hb->canary = (uintptr_t)&canary ^ 0x5a17c0de5a17c0deull ^ ++hb->generation;
		canary = hb->canary;
		hb->frame = (uintptr_t)&canary;
	}
	if (p.sa_flags & SA_SIGINFO)
		p.sa_sigaction(sig, info, ucontext);
	else
		p.sa_handler(sig);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	/* abort() goes on to die past our wrappers: the records first. */
	if (sig == SIGABRT && crash_aborting())
		crash_die(sig, w->exception, info);
	if (hb) {
		bool again = hb->pending;
		siginfo_t later = hb->info;

		hb->frame = 0;
		hb->pending = false;
		if (again)
			on_signal(sig, &later, ucontext);
	}
}

/* A sent SIGSEGV/SIGBUS while the program's handler for it runs: hold it back. */
static bool hold_back(int sig, const siginfo_t *info)
{
	struct held_back *hb = &held[sig == SIGBUS];
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	/*
	 * The handler may have been left by longjmp: then we are above that frame, or
	 * below it where its word has been written over since (by later calls, or by
	 * this signal's own frame).
	 */
	if (hb->frame && (here > hb->frame || *(volatile uint64_t *)hb->frame != hb->canary))
		hb->frame = 0;
	if (!hb->frame)
		return false;
	if (!hb->pending) {
		hb->pending = true;
		hb->info = *info;
	}
	return true;
}

static void on_signal(int sig, siginfo_t *info, void *ucontext)
{
	struct watched *w = find(sig);
	bool sent = info->si_code <= 0;	/* kill(), raise(), sigqueue(): no faulting instruction */
	int saved_errno = errno;

	if (needs_fixup(sig) && !sent && arch_fault_fixup(ucontext))
		return;
	if (!w)
		return;
	if (needs_fixup(sig) && sent && hold_back(sig, info))
		return;
	if (w->program.sa_handler == SIG_IGN) {
		/* The kernel does not let a real fault be ignored either. */
		if (!sent)
			crash_die(sig, w->exception, info);
	} else if (is_default(&w->program)) {
		crash_die(sig, w->exception, info);	/* returns when the fault must happen again */
	} else {
		call_program_handler(w, sig, info, ucontext);
	}
	errno = saved_errno;
}

int fault_setup(void)
{
	for (size_t i = 0; i < NWATCHED; i++) {
		struct watched *w = &watched[i];
		int err;

		if (sigaction(w->sig, NULL, &w->program))
			return -errno;
		/* A handler there before us (a sanitizer's, say) is kept in place as the
		 * program's would be. */
		if (wants_ours(w) && (err = install_ours(w)))
			return err;
	}
	installed = true;
	return 0;
}

int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct watched *w = installed ? find(sig) : NULL;
	struct sigaction next;

	if (!w)
		return sigaction(sig, act, old);
	if (act)
		next = *act;	/* act and old may be the same object */
	if (old) {
		if (w->ours)
			*old = w->program;
		else if (sigaction(sig, NULL, old))
			return -1;
	}
	if (!act)
		return 0;
	w->program = next;
	if (wants_ours(w))
		return install_ours(w) ? -1 : 0;
	if (sigaction(sig, &next, NULL))
		return -1;
	w->ours = false;
	return 0;
}

static __sighandler_t set_handler(int sig, __sighandler_t handler, int flags, bool mask_self)
{
	struct sigaction act, old;

	if (handler == SIG_ERR || sig <= 0 || sig >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	if (mask_self)
		sigaddset(&act.sa_mask, sig);
	act.sa_flags = flags;
	if (fault_sigaction(sig, &act, &old))
		return SIG_ERR;
	return old.sa_handler;
}

__sighandler_t fault_signal(int sig, __sighandler_t handler)
{
	/* glibc's signal(), bsd_signal(), ssignal(): BSD semantics. */
	if (!installed || !find(sig))
		return signal(sig, handler);
	return set_handler(sig, handler, SA_RESTART, true);
}

__sighandler_t fault_sysv_signal(int sig, __sighandler_t handler)
{
	/* System V semantics: one-shot, not blocked while it runs, not restarting. */
	if (!installed || !find(sig))
		return sysv_signal(sig, handler);
	return set_handler(sig, handler, SA_RESETHAND | SA_NODEFER, false);
}
