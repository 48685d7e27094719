/*
 * debug_bson.c — IMPULSE_DEBUG_BSON_FILE (debug_bson.h): every record also built
 * as BSON and written to a file, for the tests of the Mongo logger's documents.
 * Logger thread only; the file is opened, written and closed on the fd thread,
 * out of the program's descriptor table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/fd_high.h"
#include "base/fd_thread.h"
#include "logger/debug_bson.h"
#include "render/record.h"

static int debug_fd = -1;
static struct jbuf debug_out;

struct record_src {
	const struct render_world *rw;
	struct call *c;
	const struct record_end *end;
};

static void put_whole(struct valw *w, const void *arg)
{
	const struct record_src *r = arg;

	record_put(w, r->rw, r->c, r->end);	/* what record_bson() does */
}

/* On the fd thread (fd_thread.h): out of the program's descriptor table. */
static int debug_open_here(void *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (!fd_thread_is_private()) {
		int high = fd_move_high(fd);

		fd = high >= 0 ? high : fd;
	}
	return fd;
}

void debug_bson_open(pid_t pid)
{
	const char *path = secure_getenv("IMPULSE_DEBUG_BSON_FILE");
	char name[4096];
	const char *p;
	size_t n = 0;

	if (!path || !*path)
		return;
	/* "%p": the pid, so that the processes of one run write apart. */
	for (p = path; *p && n + 24 < sizeof(name); p++) {
		if (p[0] == '%' && p[1] == 'p') {
			n += (size_t)snprintf(name + n, sizeof(name) - n, "%d", (int)pid);
			p++;
		} else {
			name[n++] = *p;
		}
	}
	name[n] = '\0';
	if (record_bson_enable())
		return;
	debug_fd = fd_thread_call(debug_open_here, name);
	if (debug_fd < 0) {
		diag_error("IMPULSE_DEBUG_BSON_FILE: cannot create %s: %s", name, strerror(-debug_fd));
		debug_fd = -1;
	}
}

/* On the fd thread. */
static int debug_flush_here(void *unused)
{
	size_t off = 0;

	(void)unused;
	while (debug_fd >= 0 && off < debug_out.len) {
		ssize_t n = write(debug_fd, debug_out.p + off, debug_out.len - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(debug_fd);
			debug_fd = -1;
			return n < 0 ? -errno : -EIO;	/* said by the caller */
		}
		off += (size_t)n;
	}
	debug_out.len = 0;
	return 0;
}

static int debug_close_here(void *unused)
{
	(void)unused;
	if (debug_fd >= 0)
		close(debug_fd);
	return 0;
}

static void debug_flush(void)
{
	int err = debug_fd >= 0 ? fd_thread_call(debug_flush_here, NULL) : 0;

	/* Here, not on the fd thread, whose stderr is not the program's. */
	if (err)
		diag_error("IMPULSE_DEBUG_BSON_FILE: write failed: %s", strerror(-err));
	debug_out.len = 0;
}

void debug_bson_write(const struct render_world *rw, struct call *c, const struct record_end *end)
{
	struct record_src r = { rw, c, end };

	if (debug_fd < 0)
		return;
	if (record_bson_render(&debug_out, put_whole, &r))
		diag_error("IMPULSE_DEBUG_BSON_FILE: an incomplete BSON record was left out");
	if (debug_out.len >= (256u << 10))
		debug_flush();
}

void debug_bson_close(void)
{
	debug_flush();
	if (debug_fd >= 0)
		fd_thread_call(debug_close_here, NULL);
	debug_fd = -1;
	jb_free(&debug_out);
}

void debug_bson_reopen_in_child(pid_t pid)
{
	/* The parent's is in its fd thread's table, not here (or, without one, in
	 * ours, close-on-exec: left for the exec or the exit, never a number we now
	 * know to be ours). */
	debug_fd = -1;
	debug_out = (struct jbuf){ 0 };	/* may have been mid-update: leaked */
	debug_bson_open(pid);
}
