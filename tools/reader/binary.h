/*
 * binary.h — format = binary's record files (logs_*.impulse, doc/binary-format.md)
 * rendered back into the JSON Lines records the process would have written with
 * format = json: the inputs its renderer was fed, fed again to the same renderer
 * (libimpulse_render.a), in a stream, a chunk at a time (memory stays bounded by
 * the calls in flight, not the file's size).
 *
 * A file cut short (the process was killed, the disk filled) renders every whole
 * chunk, then ends the calls still in flight and the root as "incomplete"; a
 * chunk that does not decode is skipped, the next one read; a newer version is
 * not read. Each of these is one problem, said through the callback with the
 * file's name and the byte offset. The renderer's tables are one per process:
 * one file at a time.
 */
#ifndef IMPULSE_READER_BINARY_H
#define IMPULSE_READER_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file's first 8 bytes ("IMPEVTS" and a NUL). */
#define BINARY_MAGIC_LEN 8

/* Whether the n bytes at p (the start of a file) open a binary record file. */
bool binary_is_magic(const void *p, size_t n);

struct binary_out {
	/* Whole records (JSON Lines, each with its '\n'); 0, or -errno to stop. */
	int (*records)(void *arg, const char *p, size_t len);
	/* A problem, as "offset N: reason" (the caller names the file); reading goes on. */
	void (*problem)(void *arg, const char *text);
	void *arg;
};

/*
 * Renders the binary record file at path. Returns the number of problems said
 * (0: read whole), or -errno when it could not be opened or read, or when out's
 * records callback stopped it. *records (when not NULL) gets how many records
 * were handed out.
 */
long binary_render_file(const char *path, const struct binary_out *out, long *records);


/*
 * Following a binary record file as it is written (`impulse tail -f`): each poll
 * renders the whole records appended since the last one, through out, and waits
 * for the rest; calls in flight are not shown until they end. fd stays the
 * caller's. NULL when out of memory. Polls return the problems said so far, or
 * -errno when out's records callback stopped it.
 */
struct binary_follow;
struct binary_follow *binary_follow_open(int fd, const struct binary_out *out);
long binary_follow_poll(struct binary_follow *b);
void binary_follow_close(struct binary_follow *b);

#endif
