/*
 * sink.h — where finished records go: one small ops table per destination.
 *
 * Called from the logger thread only (and from shutdown after the logger stopped).
 */
#ifndef IMPULSE_SINK_H
#define IMPULSE_SINK_H

#include <stddef.h>

/* write()'s flags. */
#define SINK_ROOT 1u	/* the process's root record, the last: past max_log_size and
			 * min_free_space, into the room kept for it (sink_file.c) */

/* write()'s errors beside -errno: a limit of the log file was reached. */
#define SINK_MAX_SIZE (-10001)	/* max_log_size */
#define SINK_MIN_FREE (-10002)	/* min_free_space */

struct sink_ops {
	const char *name;
	/*
	 * Writes len bytes of whole records (JSON Lines: each ends with '\n'). 0 when
	 * all are in; else -errno, SINK_MAX_SIZE or SINK_MIN_FREE, and *kept says how
	 * many bytes from buf's start are: whole records always, a record cut by a
	 * failed write is taken back (the file never ends in the middle of one). On
	 * success *kept is len.
	 */
	int (*write)(void *state, const char *buf, size_t len, unsigned flags, size_t *kept);
	void (*close)(void *state);
};

/* A write() error in words: "max_log_size reached", strerror's, ... */
const char *sink_strerror(int err);

struct sink {
	const struct sink_ops *ops;
	void *state;
	char *description;	/* e.g. the file's path, for messages; owned */
};

/* Opens the file sink: a new file in dir, created 0700/0600 without following symlinks.
 * 0 or -errno with a message printed. */
int sink_file_open(struct sink *sink, const char *dir);

/*
 * Opens dir for openat(), creating it and its parents 0700, refusing symbolic links,
 * and refusing (-EPERM, the reason in why) a directory another user could tamper
 * with (logdir.h). The descriptor, or -errno.
 */
int sink_file_open_dir(const char *dir, char *why, size_t why_size);

/* The file sink of a fork child: the file is created at the first write (none if
 * nothing is written). 0 or -ENOMEM. */
int sink_file_open_lazy(struct sink *sink, const char *dir);

/* In a fork child: lets go of the parent's sink without writing or freeing (its
 * state may have been mid-update at the fork); our copy of its descriptor is closed. */
void sink_forget_in_child(struct sink *sink);

/*
 * Whether the file sink writes format = binary's event stream (logs_*.impulse,
 * event_writer.h) rather than JSON Lines: format = binary, unless redact_pattern
 * is set (the patterns are applied as records are formatted, and a binary file
 * holds the strings as captured: JSON is written then, and that is said once).
 */
bool sink_file_is_binary(void);

/* A sink that drops everything (logger = none: records are built, not stored). */
void sink_none_open(struct sink *sink);

#endif
