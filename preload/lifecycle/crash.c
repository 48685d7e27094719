/*
 * crash.c — the crash path: the records first, then the death the program would
 * have had without us.
 *
 * Runs in a signal handler on the dying thread, so only async-signal-safe calls
 * here: the records are made by the logger thread (the LIFE_DYING event of
 * base/life.h: logger.h), which may malloc and format; this thread asks and
 * waits, bounded. If the logger cannot
 * finish (it waits for a lock the dying thread held, say), the process dies anyway
 * with what was written by then. The other threads run on meanwhile, unrecorded:
 * the few milliseconds the records take.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/life.h"
#include "lifecycle/crash.h"
#include "logger/logger.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

/* How long another thread waits for the dying one to end the process: longer
 * than that one waits for the logger. */
#define HOLD_MS 6000

static int dying_tid;	/* atomic: the thread on the crash path, or 0 */

static void block_all_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Real faults happen again when the handler returns, under the default action,
 * so the core shows the faulting instruction. Sent signals, and traps the CPU does
 * not repeat (int3, a system call seccomp refused), are sent again.
 */
static bool faults_again(int sig, const siginfo_t *info)
{
	return info->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL);
}

static void die(int sig, const siginfo_t *info)
{
	struct sigaction dfl;
	sigset_t only;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	if (faults_again(sig, info))
		return;	/* the handler returns: the kernel restores the mask from before it */
	sigfillset(&only);
	sigdelset(&only, sig);
	sigprocmask(SIG_SETMASK, &only, NULL);
	syscall(SYS_tgkill, getpid(), gettid(), sig);
	/* Every signal we watch ends the process by default: not reached. */
	_exit(128 + sig);
}

/* Whether the logger can be trusted to write the records. */
static bool can_write(const siginfo_t *info)
{
	/* The logger itself died: nothing is left to write. */
	if (logger_on_this_thread())
		return false;
	/* A fault inside libimpulse's own work (tls_busy): its state is suspect. */
	return !(tls_busy && info->si_code > 0);
}

void crash_die(int sig, const char *exception, const siginfo_t *info)
{
	int saved_errno = errno;
	int expected = 0;
	pid_t tid = gettid();

	/* A vfork child shares our memory but not our logger: just die. */
	if (getpid() != tracer.pid) {
		die(sig, info);
		return;
	}
	/* No second signal may interrupt the wait (the kernel restores the mask if the
	 * handler returns to fault again). */
	block_all_signals();
	if (__atomic_compare_exchange_n(&dying_tid, &expected, tid, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		if (can_write(info)) {
			__atomic_store_n(&tracer.active, 0, __ATOMIC_RELEASE);
			tls_busy++;
			(void)life_raise(LIFE_DYING, exception);
			tls_busy--;
		}
	} else if (expected != tid) {
		/* Another thread is writing the records and will end the process. */
		sleep_ms(HOLD_MS);
	}
	die(sig, info);
	errno = saved_errno;
}

void crash_hold(void)
{
	int tid = __atomic_load_n(&dying_tid, __ATOMIC_ACQUIRE);

	if (!tid || tid == gettid() || getpid() != tracer.pid)
		return;
	sleep_ms(HOLD_MS);
}

/*
 * abort() in progress on this thread: a word in crash_abort's frame and what it
 * holds while that frame is alive. A handler may leave abort by longjmp: the frame
 * is then above us, or its word has been written over by later calls.
 */
static __thread struct {
	uintptr_t frame;
	uint64_t canary;
} aborting;

void crash_abort(void)
{
	volatile uint64_t canary = (uintptr_t)&canary ^ 0xab0127ab0127ab01ull;

	aborting.canary = canary;
	aborting.frame = (uintptr_t)&canary;
	abort();
}

bool crash_aborting(void)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	return aborting.frame && here < aborting.frame &&
	       *(volatile uint64_t *)aborting.frame == aborting.canary;
}
