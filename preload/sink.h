/*
 * sink.h — where finished records go: one small ops table per destination.
 *
 * Called from the logger thread only (and from shutdown after the logger stopped).
 */
#ifndef IMPULSE_SINK_H
#define IMPULSE_SINK_H

#include <stddef.h>

struct sink_ops {
	const char *name;
	/* Writes len bytes of whole records. 0, or -errno after which the sink is closed. */
	int (*write)(void *state, const char *buf, size_t len);
	void (*close)(void *state);
};

struct sink {
	const struct sink_ops *ops;
	void *state;
	char *description;	/* e.g. the file's path, for messages; owned */
};

/* Opens the file sink: a new file in dir, created 0700/0600 without following symlinks.
 * 0 or -errno with a message printed. */
int sink_file_open(struct sink *sink, const char *dir);

/* Opens dir for openat(), creating it and its parents 0700, refusing symbolic links.
 * The descriptor, or -errno. */
int sink_file_open_dir(const char *dir);

/* The file sink of a fork child: the file is created at the first write (none if
 * nothing is written). 0 or -ENOMEM. */
int sink_file_open_lazy(struct sink *sink, const char *dir);

/* In a fork child: lets go of the parent's sink without writing or freeing (its
 * state may have been mid-update at the fork); our copy of its descriptor is closed. */
void sink_forget_in_child(struct sink *sink);

/* A sink that drops everything (logger = none: records are built, not stored). */
void sink_none_open(struct sink *sink);

#endif
