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
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "lifecycle/exits.h"
#include "base/fd_thread.h"
#include "hot/hot_path.h"
#include "base/tracer.h"

static int main_thread_gone;	/* atomic */

static void shutdown_at_quick_exit(void)
{
	tracer_shutdown();
}

void exits_setup(void)
{
	/* Fails only for lack of memory: then quick_exit loses what is still queued. */
	at_quick_exit(shutdown_at_quick_exit);
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
		__atomic_store_n(&main_thread_gone, 1, __ATOMIC_RELEASE);
	}
	pthread_exit(retval);
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

bool exits_only_caller_left(void)
{
	struct count_req req = { gettid(), 0 };

	if (!__atomic_load_n(&main_thread_gone, __ATOMIC_ACQUIRE))
		return false;
	return fd_thread_call(count_others, &req) == 0 && req.others == 0;
}
