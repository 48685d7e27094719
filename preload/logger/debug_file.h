/*
 * debug_file.h — the file of a debugging aid named by an environment variable
 * (IMPULSE_DEBUG_BSON_FILE, IMPULSE_DEBUG_EVENTS): "%p" in its value becomes the
 * pid, so that the processes of one run write apart; created 0600, O_EXCL,
 * O_NOFOLLOW, opened, written and closed on the fd thread (base/fd_thread.h), out
 * of the program's descriptor table. Errors are said once, with the variable's
 * name, and end the file; they never reach the program. Logger thread only.
 */
#ifndef IMPULSE_DEBUG_FILE_H
#define IMPULSE_DEBUG_FILE_H

#include <stddef.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

struct debug_file {
	const char *setting;	/* the environment variable: its name, for messages */
	int fd;			/* -1 when closed, never opened, or failed */
};

/* Opens the file the setting names, if it names one. 0 when open, -1 otherwise
 * (unset, secure-execution process, or a failure that was said). */
int debug_file_open(struct debug_file *f, const char *setting, pid_t pid);

/* Writes len bytes at p, all of them or the file ends (said). 0 or -errno. */
int debug_file_write(struct debug_file *f, const void *p, size_t len);

void debug_file_close(struct debug_file *f);

/* In a fork child: the parent's descriptor is in its fd thread's table, or
 * close-on-exec in ours: left for the exec or the exit, never a number we now
 * know to be ours. */
void debug_file_forget(struct debug_file *f);

#pragma GCC visibility pop

#endif
