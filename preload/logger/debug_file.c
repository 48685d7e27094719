/*
 * debug_file.c — the file of a debugging aid; see debug_file.h.
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
#include "logger/debug_file.h"

/* On the fd thread: out of the program's descriptor table. */
static int open_here(void *name)
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

int debug_file_open(struct debug_file *f, const char *setting, pid_t pid)
{
	/* Not in a setuid process: no file named by the environment there. */
	const char *path = secure_getenv(setting);
	char name[4096];
	size_t n = 0;

	f->setting = setting;
	f->fd = -1;
	if (!path || !*path)
		return -1;
	for (const char *p = path; *p && n + 24 < sizeof(name); p++) {
		if (p[0] == '%' && p[1] == 'p') {
			n += (size_t)snprintf(name + n, sizeof(name) - n, "%d", (int)pid);
			p++;
		} else {
			name[n++] = *p;
		}
	}
	name[n] = '\0';
	f->fd = fd_thread_call(open_here, name);
	if (f->fd < 0) {
		diag_error("%s: cannot create %s: %s", setting, name, strerror(-f->fd));
		f->fd = -1;
		return -1;
	}
	return 0;
}

struct chunk {
	struct debug_file *f;
	const char *p;
	size_t len;
};

/* On the fd thread. */
static int write_here(void *arg)
{
	struct chunk *c = arg;
	size_t off = 0;

	while (c->f->fd >= 0 && off < c->len) {
		ssize_t n = write(c->f->fd, c->p + off, c->len - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(c->f->fd);
			c->f->fd = -1;
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	return 0;
}

int debug_file_write(struct debug_file *f, const void *p, size_t len)
{
	struct chunk c = { f, p, len };
	int err = f->fd >= 0 ? fd_thread_call(write_here, &c) : -EBADF;

	/* Said here, not on the fd thread, whose stderr is not the program's. */
	if (err && err != -EBADF)
		diag_error("%s: write failed: %s", f->setting, strerror(-err));
	return err;
}

static int close_here(void *fd)
{
	close(*(int *)fd);
	return 0;
}

void debug_file_close(struct debug_file *f)
{
	if (f->fd >= 0)
		fd_thread_call(close_here, &f->fd);
	f->fd = -1;
}

void debug_file_forget(struct debug_file *f)
{
	f->fd = -1;
}
