/*
 * tracer.c — the one tracer's state and the thread-local "busy" mark; see tracer.h.
 *
 * Defined here, at the bottom of the parts, because every part reads them: the
 * hot path on every hooked call, the logger, the interception and the lifecycle,
 * which sets the tracer up (lifecycle/init.c) and is the only part that changes
 * what it is doing; and the wait another part needs on a field the logger
 * writes (has the logger read this far). Nothing here may call up into another
 * part, nor need any other file of base/ (unit tests link it alone).
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "base/tracer.h"

struct tracer tracer = { .exit_status = -1 };

/* Initial-exec: one %fs-relative access on the hot path, and no allocation (and so
 * no malloc recursion) when a thread first touches it. */
__thread int tls_busy __attribute__((tls_model("initial-exec")));

int tracer_wait_drained(unsigned pass)
{
	/* 50000 naps of 0.1 ms: about 5 s, as long as logger_flush() waits. */
	for (int i = 0; i < 50000; i++) {
		struct timespec ts = { 0, 100000 };

		/* A raw clone child libimpulse did not see start has a copy of a logger
		 * that is not in it (lifecycle/raw_clone.c): nothing to wait for. */
		if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE) || getpid() != tracer.pid)
			return -EIO;
		/* Pairs with the logger's add-release after each pass. */
		if ((int)(__atomic_load_n(&tracer.drain_passes, __ATOMIC_ACQUIRE) - pass) >= 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}
