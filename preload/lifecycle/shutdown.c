/*
 * shutdown.c — the orderly ends of the tracer: stop recording once, then have
 * everything written (tracer_shutdown) or nothing more (tracer_abandon).
 *
 * Reached from every end the program can take: our destructor (init.c), the
 * exit wrappers (wrappers.c), quick_exit and main's pthread_exit (exits.c), exec
 * (wrap_exec.c), a raw clone child that must not write its parent's records
 * (raw_clone.c). The parts below hear of it as LIFE_SHUTDOWN or LIFE_ABANDON
 * (base/life.h). It never runs twice, nor in a vfork child, which shares our
 * memory but not our threads.
 */
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "base/life.h"
#include "base/tracer.h"
#include "lifecycle/crash.h"
#include "lifecycle/shutdown.h"

static int shutdown_started;	/* atomic */

/*
 * Whether this call is the one that stops recording (then it has stopped it): not
 * in a vfork child, which shares our memory but not our threads (stopping would
 * stop the parent's tracing and wait for a logger thread not in this process), not
 * a second time, not when tracing never started.
 */
static bool stop_recording(void)
{
	if (getpid() != tracer.pid)
		return false;
	if (__atomic_exchange_n(&shutdown_started, 1, __ATOMIC_ACQ_REL))
		return false;
	if (!__atomic_load_n(&tracer.active, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&tracer.active, 0, __ATOMIC_RELEASE);
	return true;
}

void tracer_shutdown(void)
{
	sigset_t all, saved;

	if (getpid() == tracer.pid)
		crash_hold();	/* a crash being written on another thread finishes first */
	if (!stop_recording())
		return;
	tls_busy++;
	/* A signal that kills now would cut the records short: it waits until they
	 * are written (crash.c then finds the logger stopped and just dies). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	(void)life_raise(LIFE_SHUTDOWN, NULL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	tls_busy--;
}

void tracer_abandon(void)
{
	if (!stop_recording())
		return;
	tls_busy++;
	(void)life_raise(LIFE_ABANDON, NULL);
	tls_busy--;
}

bool shutdown_has_started(void)
{
	return __atomic_load_n(&shutdown_started, __ATOMIC_ACQUIRE);
}

void shutdown_stay_off(void)
{
	/* No logger thread in the child: stop recording, and never wait for one. */
	__atomic_store_n(&tracer.active, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	shutdown_started = 1;
}
