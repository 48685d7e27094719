/*
 * sink_file.c — JSON Lines files in the log directory.
 *
 * Logs can hold secrets: the directory is created 0700, the file 0600 with
 * O_EXCL, and neither is reached through a symbolic link (O_NOFOLLOW on every
 * component we create or open). A write error (a full disk) is reported once; the
 * program runs on and later records are counted as dropped by the logger.
 *
 * Every descriptor here is opened, written and closed on the fd thread, in a
 * table of libimpulse's own (fd_thread.h): the program cannot close it, dup2
 * over it, lose a number to it, or race with its creation (a fork child's file
 * is created at its first record, on its logger thread, while the program may be
 * reopening 0-2). Without that table the file goes high in the program's
 * (fd_high.h) and is given up, not reopened, if the program closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "fd_high.h"
#include "fd_thread.h"
#include "sink.h"
#include "tracer.h"

struct file_sink {
	int fd;			/* in the fd thread's table (fd_thread.h), or high in the program's */
	dev_t dev;		/* identity of our file, to notice a closed and reused fd */
	ino_t ino;
	bool shared;		/* fd is in the program's table: check it before each write */
};

/*
 * Without a table of our own (fd_thread.h), a program that closes every
 * descriptor closes ours too, and the number may then name a file of theirs:
 * never write there. Reopening would be an open racing with the program's own
 * (its close(0); open() could get another number): the file is given up
 * instead, and later records are counted as dropped (logger.c says how many).
 */
static int file_check(const struct file_sink *f)
{
	struct stat st;

	if (!f->shared)
		return 0;	/* the program cannot reach it */
	if (fstat(f->fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
		return 0;
	return -EBADF;
}

struct write_req {
	struct file_sink *f;
	const char *buf;
	size_t len;
};

/* On the fd thread. */
static int write_here(void *arg)
{
	struct write_req *w = arg;
	int err = file_check(w->f);

	if (err)
		return err;
	while (w->len) {
		ssize_t n = write(w->f->fd, w->buf, w->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		w->buf += n;
		w->len -= (size_t)n;
	}
	return 0;
}

static int file_write(void *state, const char *buf, size_t len)
{
	struct write_req w = { state, buf, len };

	return fd_thread_call(write_here, &w);
}

/* On the fd thread. */
static int close_here(void *arg)
{
	struct file_sink *f = arg;

	if (!file_check(f))
		close(f->fd);
	return 0;
}

static void file_close(void *state)
{
	fd_thread_call(close_here, state);
	free(state);
}

static const struct sink_ops file_ops = { "file", file_write, file_close };

/*
 * Opens dir (creating it and its parents 0700), refusing symbolic links. Call it
 * on the fd thread (fd_thread_call), or where no program thread runs: the
 * descriptors it opens on the way take the lowest free numbers for a moment.
 */
int sink_file_open_dir(const char *dir)
{
	int fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *copy = strdup(dir), *save = NULL;

	if (!copy) {
		close(fd);
		return -ENOMEM;
	}
	for (char *part = strtok_r(copy, "/", &save); part && fd >= 0; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (mkdirat(fd, part, 0700) && errno != EEXIST) {
			int err = -errno;

			close(fd);
			free(copy);
			return err;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next < 0 ? -errno : next;
	}
	free(copy);
	return fd;
}

struct open_req {
	const char *dir;
	char name[96];		/* out: the file's name in dir */
	int fd;			/* out */
	struct stat st;		/* out: the file's */
	bool dir_failed;	/* out: the error was the directory's */
};

/* On the fd thread: the new file's descriptor in req->fd, or -errno. */
static int open_here(void *arg)
{
	struct open_req *req = arg;
	struct timespec ts;
	struct tm tm;
	int dfd, fd = -1, err = 0;

	dfd = sink_file_open_dir(req->dir);
	if (dfd < 0) {
		req->dir_failed = true;
		return dfd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		size_t n = strftime(req->name, sizeof(req->name), "logs_%Y%m%dT%H%M%SZ", &tm);

		snprintf(req->name + n, sizeof(req->name) - n, attempt ? "_%d_%d.json" : "_%d.json",
			 (int)tracer.pid, attempt);
		fd = openat(dfd, req->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		err = -errno;
	else if (fstat(fd, &req->st))
		err = -errno;
	if (err && fd >= 0)
		close(fd);
	close(dfd);
	if (err)
		return err;
	/* In the program's table (no fd thread): out of its way. */
	if (!fd_thread_is_private()) {
		int high = fd_move_high(fd);

		if (high >= 0)
			fd = high;
	}
	req->fd = fd;
	return 0;
}

int sink_file_open(struct sink *sink, const char *dir)
{
	struct open_req req = { .dir = dir, .fd = -1 };
	struct file_sink *f;
	char path[4096];
	int err;

	err = fd_thread_call(open_here, &req);
	if (err && req.dir_failed) {
		diag_error("cannot use log directory '%s': %s%s; tracing off, the program runs on", dir,
			   strerror(-err), err == -ELOOP || err == -ENOTDIR ? " (a symbolic link or not a directory)" : "");
		return err;
	}
	if (err) {
		diag_error("cannot create a log file in '%s': %s; tracing off, the program runs on", dir, strerror(-err));
		return err;
	}
	f = calloc(1, sizeof(*f));
	snprintf(path, sizeof(path), "%s/%s", dir, req.name);
	if (!f) {
		struct file_sink gone = { .fd = req.fd };

		fd_thread_call(close_here, &gone);
		free(f);
		return -ENOMEM;
	}
	f->fd = req.fd;
	f->shared = !fd_thread_is_private();
	f->dev = req.st.st_dev;
	f->ino = req.st.st_ino;
	sink->ops = &file_ops;
	sink->state = f;
	sink->description = strdup(path);
	return 0;
}

/*
 * A fork child's file: created by its first write, so that a child that writes
 * nothing (it execs at once) leaves no empty file behind.
 */
struct lazy_sink {
	struct sink real;	/* ops NULL until opened */
	char *dir;		/* owned */
	bool failed;		/* opening failed (said once): drop everything */
};

static int lazy_write(void *state, const char *buf, size_t len)
{
	struct lazy_sink *l = state;

	if (!l->real.ops) {
		int err = l->failed ? -EIO : sink_file_open(&l->real, l->dir);

		if (err) {
			l->failed = true;
			return err;
		}
	}
	return l->real.ops->write(l->real.state, buf, len);
}

static void lazy_close(void *state)
{
	struct lazy_sink *l = state;

	if (l->real.ops)
		l->real.ops->close(l->real.state);
	free(l->real.description);
	free(l->dir);
	free(l);
}

static const struct sink_ops lazy_ops = { "file", lazy_write, lazy_close };

int sink_file_open_lazy(struct sink *sink, const char *dir)
{
	struct lazy_sink *l = calloc(1, sizeof(*l));
	char desc[4200];

	if (!l || !(l->dir = strdup(dir))) {
		free(l);
		return -ENOMEM;
	}
	snprintf(desc, sizeof(desc), "a new file in %s", dir);
	sink->ops = &lazy_ops;
	sink->state = l;
	sink->description = strdup(desc);
	return 0;
}

/* Our copy of the parent's descriptor, when it is in the program's table (with a
 * table of our own it is not in the child at all): closing it leaves the parent's. */
static void forget_file(struct file_sink *f)
{
	if (f->shared && !file_check(f))
		close(f->fd);
}

void sink_forget_in_child(struct sink *sink)
{
	if (sink->ops == &file_ops)
		forget_file(sink->state);
	else if (sink->ops == &lazy_ops && ((struct lazy_sink *)sink->state)->real.ops)
		forget_file(((struct lazy_sink *)sink->state)->real.state);
	sink->ops = NULL;
	sink->state = NULL;
	sink->description = NULL;
}

static int none_write(void *state, const char *buf, size_t len)
{
	(void)state;
	(void)buf;
	(void)len;
	return 0;
}

static void none_close(void *state)
{
	(void)state;
}

static const struct sink_ops none_ops = { "none", none_write, none_close };

void sink_none_open(struct sink *sink)
{
	sink->ops = &none_ops;
	sink->state = NULL;
	sink->description = strdup("(discarded)");
}
