/*
 * diag_file.h — the .diag file beside the records: one process image's
 * diagnostics, one line each, "libimpulse[pid]: text".
 *
 * Named logs_<UTC>_<pid>[_<n>].diag in the log directory, so that it sorts with
 * the record files and no reader of logs_*.json takes it for one. Created on the
 * first message only (a run with nothing to say leaves no file), 0600 with
 * O_EXCL, and, like the record files, never reached through a symbolic link.
 * No descriptor is kept: each batch opens the file, appends and closes it, so the
 * tracer holds no descriptor of the program's numbers and none counts against its
 * RLIMIT_NOFILE between messages. Async-signal-safe; called under diag.c's lock
 * when creating.
 */
#ifndef IMPULSE_DIAG_FILE_H
#define IMPULSE_DIAG_FILE_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/* Where the file goes (an absolute path; a relative one is used as it is). */
void diag_file_set_dir(const char *dir);

/*
 * Appends line and a newline. With may_create (only under diag.c's flush lock),
 * creates the file first if needed (and the directory, 0700). Returns 0, -EAGAIN
 * while no directory is known, -EEXIST/-ELOOP/... when no file can be made (then
 * never again), or -errno of open()/write().
 */
int diag_file_append(const char *line, bool may_create);

/* The file exists and lines can go to it. */
bool diag_file_is_ready(void);

/* In a fork child: its messages go to a file of its own, in the same directory. */
void diag_file_forget_in_child(void);

#pragma GCC visibility pop

#endif
