/*
 * threads.c — whether the process is down to the calling thread, once main has
 * ended its own with pthread_exit; see threads.h.
 *
 * The logger asks (it must not keep such a process alive); main's pthread_exit is
 * noted by lifecycle/exits.c in tracer.main_thread_gone. Reads /proc/self/task on
 * the fd thread, so that the directory's descriptor never takes a number of the
 * program's.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fd_thread.h"
#include "base/threads.h"
#include "base/tracer.h"

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

bool threads_only_caller_left(void)
{
	struct count_req req = { gettid(), 0 };

	if (!__atomic_load_n(&tracer.main_thread_gone, __ATOMIC_ACQUIRE))
		return false;
	return fd_thread_call(count_others, &req) == 0 && req.others == 0;
}
