/*
 * tracer.c — the one tracer's state and the thread-local "busy" mark; see tracer.h.
 *
 * Defined here, at the bottom of the parts, because every part reads them: the
 * hot path on every hooked call, the logger, the interception and the lifecycle,
 * which sets the tracer up (lifecycle/init.c) and is the only part that changes
 * what it is doing; and the two questions more than one part asks of it (has the
 * logger read this far, is this the last thread). Nothing here may call up into
 * another part.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/fd_thread.h"
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

struct count_req {
	pid_t caller;
	unsigned others;
};

/* On the fd thread: its directory descriptor never takes a number of the program's. */
static int count_others(void *arg)
{
	struct count_req *req = arg;
	pid_t fd_thread = fd_thread_tid();
	struct dirent *e;
	DIR *d;

	/* Threads that ended are gone from the list, main excepted (a zombie until
	 * the last one ends): count the others, ours (the caller, the fd thread) not. */
	d = opendir("/proc/self/task");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (e->d_name[0] != '.' && tid != tracer.pid && tid != req->caller && tid != fd_thread)
			req->others++;
	}
	closedir(d);
	return 0;
}

bool tracer_only_caller_left(void)
{
	struct count_req req = { gettid(), 0 };

	if (!__atomic_load_n(&tracer.main_thread_gone, __ATOMIC_ACQUIRE))
		return false;
	return fd_thread_call(count_others, &req) == 0 && req.others == 0;
}
