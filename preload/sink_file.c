/*
 * sink_file.c — JSON Lines files in the log directory.
 *
 * Logs can hold secrets: the directory is created 0700, the file 0600 with
 * O_EXCL, and neither is reached through a symbolic link (O_NOFOLLOW on every
 * component we create or open). A write error (a full disk) is reported once; the
 * program runs on and later records are counted as dropped by the logger.
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
#include "sink.h"
#include "tracer.h"

struct file_sink {
	int fd;
	dev_t dev;		/* identity of our file, to notice a closed and reused fd */
	ino_t ino;
	char *path;		/* for reopening it; owned */
};

/*
 * Programs that close every descriptor (daemons do) close ours too, and the
 * number may then name a file of theirs: never write there. Check that the fd
 * still is our file before each batch, and reopen it (append, no symlinks) if not.
 */
static int file_check(struct file_sink *f)
{
	struct stat st;
	int fd;

	if (fstat(f->fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
		return 0;
	fd = open(f->path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != f->dev || st.st_ino != f->ino) {
		close(fd);
		return -ESTALE;
	}
	f->fd = fd;	/* the old number is the program's now: leave it alone */
	return 0;
}

static int file_write(void *state, const char *buf, size_t len)
{
	struct file_sink *f = state;
	int err = file_check(f);

	if (err)
		return err;
	while (len) {
		ssize_t n = write(f->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void file_close(void *state)
{
	struct file_sink *f = state;

	if (!file_check(f))
		close(f->fd);
	free(f->path);
	free(f);
}

static const struct sink_ops file_ops = { "file", file_write, file_close };

/* Opens dir (creating it and its parents 0700), refusing symbolic links. */
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

int sink_file_open(struct sink *sink, const char *dir)
{
	struct file_sink *f;
	char name[96], path[4096];
	struct timespec ts;
	struct stat st;
	struct tm tm;
	int dfd, fd = -1, high;

	dfd = sink_file_open_dir(dir);
	if (dfd < 0) {
		diag_error("cannot use log directory '%s': %s%s; tracing off, the program runs on", dir,
			   strerror(-dfd), dfd == -ELOOP || dfd == -ENOTDIR ? " (a symbolic link or not a directory)" : "");
		return dfd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		size_t n = strftime(name, sizeof(name), "logs_%Y%m%dT%H%M%SZ", &tm);

		snprintf(name + n, sizeof(name) - n, attempt ? "_%d_%d.json" : "_%d.json", (int)tracer.pid, attempt);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int err = -errno;

		diag_error("cannot create a log file in '%s': %s; tracing off, the program runs on", dir, strerror(errno));
		close(dfd);
		return err;
	}
	close(dfd);
	f = malloc(sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f->fd = fd;
	f->path = realpath(path, NULL);
	if (!f->path || fstat(fd, &st)) {
		free(f->path);
		free(f);
		close(fd);
		return -ENOMEM;
	}
	/* Far from the numbers a program uses and reuses first. */
	high = fcntl(fd, F_DUPFD_CLOEXEC, 512);
	if (high >= 0) {
		close(fd);
		f->fd = high;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
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

void sink_forget_in_child(struct sink *sink)
{
	/* Our copy of the parent's descriptor: closing it leaves the parent's open. */
	if (sink->ops == &file_ops)
		close(((struct file_sink *)sink->state)->fd);
	else if (sink->ops == &lazy_ops && ((struct lazy_sink *)sink->state)->real.ops)
		close(((struct file_sink *)((struct lazy_sink *)sink->state)->real.state)->fd);
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
