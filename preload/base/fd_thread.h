/*
 * fd_thread.h — a thread whose descriptor table is libimpulse's own.
 *
 * The program may close every descriptor, dup2 over any number, reopen 0-2 on
 * another thread, or run with `ulimit -n 5`: none of it must touch our log file,
 * and none of our opens may take a number the program was about to get. So the
 * files libimpulse keeps (the log file, its directory, the spill files) are
 * opened, written and closed on one thread that has left the program's table
 * (close_range(CLOSE_RANGE_UNSHARE) into an empty one): the program cannot see
 * them in /proc/self/fd, close them, inherit them across fork or exec, or lose a
 * number or a slot of its RLIMIT_NOFILE to them.
 *
 * Callers hand the thread a function and wait for its result. Not the hot path:
 * the logger (a few times a second), start-up and shutdown.
 */
#ifndef IMPULSE_FD_THREAD_H
#define IMPULSE_FD_THREAD_H

#include <stdbool.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/*
 * Runs fn(arg) on the fd thread (started at the first call) and returns what it
 * returns. When the thread cannot be had (no close_range with
 * CLOSE_RANGE_UNSHARE: Linux before 5.9, or a seccomp filter; pthread_create
 * failing), fn runs on the calling thread, in the program's table: then
 * fd_thread_is_private() is false and fn must move what it opens out of the way
 * itself (fd_high.h). Calls are one at a time; a call from fn itself runs at once.
 * fn says nothing (diag.h): 0-2 of the fd thread's table are not the program's
 * stdio; it returns an error for its caller to say.
 */
int fd_thread_call(int (*fn)(void *arg), void *arg);

/* Whether descriptors opened by fd_thread_call()'s functions are in a table of
 * their own. Starts the thread if need be. */
bool fd_thread_is_private(void);

/* The fd thread's tid, or 0 (not started): a thread of ours, not the program's. */
pid_t fd_thread_tid(void);

/* In a fork child (one thread): the parent's fd thread is not here, nor are the
 * files in its table; the next call starts one of the child's own. */
void fd_thread_forget_in_child(void);

#pragma GCC visibility pop

#endif
