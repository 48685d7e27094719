/*
 * debug_events.c — IMPULSE_DEBUG_EVENTS (debug_events.h): event_writer.h's stream
 * to a file of its own, beside whatever the logger writes, so that `impulse
 * render-events` can render the same records outside the process.
 *
 * The file is opened, written and closed on the fd thread, out of the program's
 * descriptor table, like IMPULSE_DEBUG_BSON_FILE's. Errors are said once and end
 * the file; they never reach the program.
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
#include "logger/debug_events.h"
#include "logger/event_writer.h"

static int fd = -1;

/* On the fd thread (fd_thread.h): out of the program's descriptor table. */
static int open_here(void *name)
{
	int f = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (f < 0)
		return -errno;
	if (!fd_thread_is_private()) {
		int high = fd_move_high(f);

		f = high >= 0 ? high : f;
	}
	return f;
}

struct chunk {
	const char *p;
	size_t len;
};

static int write_here(void *arg)
{
	struct chunk *c = arg;
	size_t off = 0;

	while (fd >= 0 && off < c->len) {
		ssize_t n = write(fd, c->p + off, c->len - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(fd);
			fd = -1;
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	return 0;
}

static int write_out(void *arg, const char *p, size_t len, unsigned flags)
{
	struct chunk c = { p, len };
	int err;

	(void)arg;
	(void)flags;
	err = fd >= 0 ? fd_thread_call(write_here, &c) : -EBADF;
	/* Here, not on the fd thread, whose stderr is not the program's. */
	if (err)
		diag_error("IMPULSE_DEBUG_EVENTS: write failed: %s", strerror(-err));
	return err;
}

static int close_here(void *unused)
{
	(void)unused;
	if (fd >= 0)
		close(fd);
	return 0;
}

bool debug_events_open(pid_t pid, const struct render_world *rw)
{
	const char *path = secure_getenv("IMPULSE_DEBUG_EVENTS");
	char name[4096];
	size_t n = 0;

	if (!path || !*path)
		return false;
	/* "%p": the pid, so that the processes of one run write apart. */
	for (const char *p = path; *p && n + 24 < sizeof(name); p++) {
		if (p[0] == '%' && p[1] == 'p') {
			n += (size_t)snprintf(name + n, sizeof(name) - n, "%d", (int)pid);
			p++;
		} else {
			name[n++] = *p;
		}
	}
	name[n] = '\0';
	fd = fd_thread_call(open_here, name);
	if (fd < 0) {
		diag_error("IMPULSE_DEBUG_EVENTS: cannot create %s: %s", name, strerror(-fd));
		fd = -1;
		return false;
	}
	return evw_start(rw, write_out, NULL);
}

void debug_events_forget_in_child(void)
{
	/* The parent's descriptor is in its fd thread's table, or close-on-exec in
	 * ours: left alone. */
	fd = -1;
}

void debug_events_close(void)
{
	evw_stop();
	if (fd >= 0)
		fd_thread_call(close_here, NULL);
	fd = -1;
}
