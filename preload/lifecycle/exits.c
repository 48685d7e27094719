/*
 * exits.c — ends of the process that pass neither through exit()'s destructors
 * nor through main's return.
 *
 * quick_exit() runs the at_quick_exit handlers and then calls _exit inside glibc,
 * past our _exit wrapper: its wrapper keeps the status, and our at_quick_exit
 * handler, registered at start-up before the program's, runs after theirs (the
 * calls they make are recorded) and writes everything.
 *
 * When main calls pthread_exit, the process ends when its last thread does: glibc
 * then calls exit(0) itself, past our exit wrapper, and our destructor writes the
 * records. The wrapper notes that status 0 unless something later says otherwise
 * (exit(n), _exit(n) or a signal on another thread), and that the logger thread
 * must now watch for being the last one (glibc counts it too).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "lifecycle/exits.h"
#include "hot/hot_path.h"
#include "lifecycle/shutdown.h"
#include "logger/logger.h"
#include "base/tracer.h"

static void shutdown_at_quick_exit(void)
{
	tracer_shutdown();
}

static void shutdown_at_exit(void)
{
	tracer_shutdown();
}

void exits_setup(void)
{
	/* Fails only for lack of memory: then quick_exit loses what is still queued. */
	at_quick_exit(shutdown_at_quick_exit);
	/* Only when the logger asks (logger.h): destructors otherwise stop it, after
	 * every atexit handler. */
	if (logger_needs_exit_handler())
		atexit(shutdown_at_exit);
}

void exits_quick_exit(int status)
{
	hot_path_leave(HOT_PATH_CALLER_SP());
	tracer.exit_status = status & 0xff;
	quick_exit(status);
}

void exits_pthread_exit(void *retval)
{
	if (gettid() == tracer.pid) {
		if (tracer.exit_status < 0)
			tracer.exit_status = 0;
		/* Pairs with threads_only_caller_left()'s load-acquire (the logger asks). */
		__atomic_store_n(&tracer.main_thread_gone, 1, __ATOMIC_RELEASE);
	}
	pthread_exit(retval);
}
