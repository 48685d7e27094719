/*
 * sink_file.c — record files in the log directory: JSON Lines (logs_*.json) or,
 * with format = binary, event_writer.h's stream (logs_*.impulse).
 *
 * Logs can hold secrets: the directory is created 0700, the file 0600 with
 * O_EXCL, and neither is reached through a symbolic link (O_NOFOLLOW on every
 * component we create or open). A directory that exists already is used only if
 * no other user can delete or rename our files in it (logdir.h).
 *
 * What the file holds is exact: a batch is written whole records at a time, a
 * write that fails part-way is taken back to the last complete record
 * (ftruncate), and the logger is told how many bytes stayed (it counts the
 * records after them as not written). Two limits stop the calls' records:
 * max_log_size (the file's bytes) and min_free_space (free space left on the log
 * filesystem, looked at with fstatvfs once per stretch of writing, never per
 * record). The root record, written last, passes both, into room kept for it
 * from the start: an unnamed file of ROOT_ROOM bytes in the log directory,
 * allocated at creation and given back just before the root is written, so that
 * a full disk still gets the root.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/fd_high.h"
#include "base/fd_thread.h"
#include "base/logdir.h"
#include "logger/sink.h"
#include "base/tracer.h"
#include "render/redact.h"

#define ROOT_ROOM (64u << 10)		/* bytes kept free for the root record */
#define FREE_CHECK_MAX (1u << 20)	/* fstatvfs at least once per MiB written ... */
#define FREE_CHECK_MIN (64u << 10)	/* ... at most once per 64 KiB, near the limit */

struct file_sink {
	int fd;			/* in the fd thread's table (fd_thread.h), or high in the program's */
	int room_fd;		/* ROOT_ROOM bytes for the root (unnamed, in the log dir), or -1 */
	dev_t dev;		/* identity of our file, to notice a closed and reused fd */
	ino_t ino;
	bool shared;		/* fd is in the program's table: check it before each write */
	uint64_t size;		/* bytes in the file: whole records */
	uint64_t max_size;	/* max_log_size, 0: none */
	uint64_t free_due;	/* bytes to write before fstatvfs is asked again */
	bool binary;		/* logs_*.impulse: a batch goes in whole or not at all */
};

bool sink_file_is_binary(void)
{
	static bool said;

	if (tracer.cfg.settings.format != CFG_FORMAT_BINARY)
		return false;
	/* The writer fills what the patterns name before it writes (event_mask.h);
	 * a pattern not ending in '*' masks the very text that made it match, which a
	 * binary file cannot hold and `impulse cat` still mask the same way. */
	if (!tracer.cfg.settings.redact_patterns || redact_can_fill())
		return true;
	if (!said)
		diag_error("format = binary with a redact_pattern not ending in '*': writing JSON "
			   "records, where the patterns are applied (a binary file would hold the "
			   "text such a pattern matched)");
	said = true;
	return false;
}

const char *sink_strerror(int err)
{
	if (err == SINK_MAX_SIZE)
		return "the file reached max_log_size";
	if (err == SINK_MIN_FREE)
		return "the log filesystem reached min_free_space";
	return strerror(-err);
}

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

/* The whole records at the start of buf[0, len): up to and with its last '\n'. */
static size_t whole_records(const char *buf, size_t len)
{
	while (len && buf[len - 1] != '\n')
		len--;
	return len;
}

/* The bytes min_free_space asks to keep free on a filesystem of `total` bytes:
 * a size, a percentage of it, or (the default) the smaller of the two. */
static uint64_t keep_free(uint64_t total)
{
	const struct cfg_settings *c = &tracer.cfg.settings;
	uint64_t part = total / 100 * c->min_free_percent;

	if (!c->min_free_percent)
		return c->min_free_space;
	return part < c->min_free_space ? part : c->min_free_space;
}

/*
 * How much of len bytes may go in under the two limits: len, or less with
 * *limit set to the one that cut it. The free space is looked at again after
 * half of the room it left was used (so two looks never miss the limit by more
 * than that half, when others write too), between FREE_CHECK_MIN and
 * FREE_CHECK_MAX.
 */
static size_t room_for(struct file_sink *f, size_t len, int *limit)
{
	size_t allowed = len;
	struct statvfs sv;

	*limit = 0;
	if (f->max_size) {
		uint64_t room = f->size < f->max_size ? f->max_size - f->size : 0;

		if (len > room) {
			allowed = room;
			*limit = SINK_MAX_SIZE;
		}
	}
	if ((tracer.cfg.settings.min_free_space || tracer.cfg.settings.min_free_percent) &&
	    f->free_due <= len && fstatvfs(f->fd, &sv) == 0) {
		uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;
		uint64_t keep = keep_free((uint64_t)sv.f_blocks * sv.f_frsize);
		uint64_t room = avail > keep ? avail - keep : 0;

		f->free_due = room / 2 < FREE_CHECK_MIN ? FREE_CHECK_MIN :
			      room / 2 > FREE_CHECK_MAX ? FREE_CHECK_MAX : room / 2;
		if (allowed > room) {
			allowed = room;
			*limit = SINK_MIN_FREE;
		}
	} else if (f->free_due > len) {
		f->free_due -= len;
	}
	return allowed;
}

struct write_req {
	struct file_sink *f;
	const char *buf;
	size_t len;
	unsigned flags;
	size_t kept;		/* out */
};

/* The room kept for the root goes back to the filesystem, just before the root:
 * the file has no name, so closing it frees its blocks. */
static void give_back_room(struct file_sink *f)
{
	if (f->room_fd >= 0) {
		close(f->room_fd);
		f->room_fd = -1;
	}
}

/* On the fd thread. */
static int write_here(void *arg)
{
	struct write_req *w = arg;
	struct file_sink *f = w->f;
	int limit = 0, err = file_check(f);
	size_t len = w->len, done = 0;

	w->kept = 0;
	if (err)
		return err;
	if (w->flags & SINK_ROOT) {
		give_back_room(f);
	} else {
		len = room_for(f, w->len, &limit);
		if (len < w->len)
			len = f->binary ? 0 : whole_records(w->buf, len);
	}
	while (done < len) {
		ssize_t n = write(f->fd, w->buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (err) {
		/* Part of a record may be in: back to the last whole one. */
		size_t whole = f->binary ? 0 : whole_records(w->buf, done);

		if (whole < done && ftruncate(f->fd, (off_t)(f->size + whole)))
			whole = done;	/* cannot take it back: say what is there */
		done = whole;
	}
	f->size += done;
	w->kept = done;
	return err ? err : limit;
}

static int file_write(void *state, const char *buf, size_t len, unsigned flags, size_t *kept)
{
	struct write_req w = { state, buf, len, flags, 0 };
	int err = fd_thread_call(write_here, &w);

	*kept = w.kept;
	return err;
}

/* On the fd thread. */
static int close_here(void *arg)
{
	struct file_sink *f = arg;

	give_back_room(f);
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
 * Opens dir (creating it and its parents 0700), refusing symbolic links and a
 * directory others could tamper with. Call it on the fd thread (fd_thread_call),
 * or where no program thread runs: the descriptors it opens on the way take the
 * lowest free numbers for a moment.
 */
int sink_file_open_dir(const char *dir, char *why, size_t why_size)
{
	int fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *copy = strdup(dir), *save = NULL;
	int err;

	if (why_size)
		why[0] = '\0';
	if (!copy) {
		close(fd);
		return -ENOMEM;
	}
	for (char *part = strtok_r(copy, "/", &save); part && fd >= 0; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (mkdirat(fd, part, 0700) && errno != EEXIST) {
			err = -errno;
			close(fd);
			free(copy);
			return err;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next < 0 ? -errno : next;
	}
	free(copy);
	if (fd >= 0 && (err = logdir_check(fd, why, why_size))) {
		close(fd);
		return err;
	}
	return fd;
}

struct open_req {
	const char *dir;
	const char *ext;	/* "json" or "impulse" */
	char name[96];		/* out: the file's name in dir */
	char why[256];		/* out: why the directory was refused */
	int fd;			/* out */
	int room_fd;		/* out: the root's room, or -1 */
	struct stat st;		/* out: the file's */
	bool dir_failed;	/* out: the error was the directory's */
};

/*
 * The root's room: ROOT_ROOM bytes allocated to an unnamed file in the log
 * directory (gone with its descriptor, even if we are killed), or -1 when the
 * filesystem has no O_TMPFILE or no room. Only in the fd thread's table: in the
 * program's it would be one more descriptor of ours among theirs.
 */
static int make_room(int dfd)
{
	int fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (fallocate(fd, 0, 0, ROOT_ROOM)) {
		/* No fallocate there: zeros take the blocks as well. */
		static const char zeros[4096];
		off_t at = 0;

		while (at < ROOT_ROOM) {
			ssize_t n = pwrite(fd, zeros, sizeof(zeros), at);

			if (n <= 0) {
				close(fd);
				return -1;
			}
			at += n;
		}
	}
	return fd;
}

/* On the fd thread: the new file's descriptor in req->fd, or -errno. */
static int open_here(void *arg)
{
	struct open_req *req = arg;
	struct timespec ts;
	struct tm tm;
	int dfd, fd = -1, err = 0;

	dfd = sink_file_open_dir(req->dir, req->why, sizeof(req->why));
	if (dfd < 0) {
		req->dir_failed = true;
		return dfd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		size_t n = strftime(req->name, sizeof(req->name), "logs_%Y%m%dT%H%M%SZ", &tm);

		if (attempt)
			snprintf(req->name + n, sizeof(req->name) - n, "_%d_%d.%s", (int)tracer.pid,
				 attempt, req->ext);
		else
			snprintf(req->name + n, sizeof(req->name) - n, "_%d.%s", (int)tracer.pid, req->ext);
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
	if (!err && fd_thread_is_private())
		req->room_fd = make_room(dfd);
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
	bool binary = sink_file_is_binary();
	struct open_req req = { .dir = dir, .ext = binary ? "impulse" : "json", .fd = -1, .room_fd = -1 };
	struct file_sink *f;
	char path[4096];
	int err;

	err = fd_thread_call(open_here, &req);
	if (err && req.dir_failed) {
		diag_error("cannot use log directory '%s': %s%s; tracing off, the program runs on", dir,
			   req.why[0] ? req.why : strerror(-err),
			   err == -ELOOP || err == -ENOTDIR ? " (a symbolic link or not a directory)" : "");
		return err;
	}
	if (err) {
		diag_error("cannot create a log file in '%s': %s; tracing off, the program runs on", dir, strerror(-err));
		return err;
	}
	f = calloc(1, sizeof(*f));
	snprintf(path, sizeof(path), "%s/%s", dir, req.name);
	if (!f) {
		struct file_sink gone = { .fd = req.fd, .room_fd = req.room_fd };

		fd_thread_call(close_here, &gone);
		free(f);
		return -ENOMEM;
	}
	f->fd = req.fd;
	f->room_fd = req.room_fd;
	f->binary = binary;
	f->max_size = tracer.cfg.settings.max_log_size;
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

static int lazy_write(void *state, const char *buf, size_t len, unsigned flags, size_t *kept)
{
	struct lazy_sink *l = state;

	*kept = 0;
	if (!l->real.ops) {
		int err = l->failed ? -EIO : sink_file_open(&l->real, l->dir);

		if (err) {
			l->failed = true;
			return err;
		}
	}
	return l->real.ops->write(l->real.state, buf, len, flags, kept);
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

static int none_write(void *state, const char *buf, size_t len, unsigned flags, size_t *kept)
{
	(void)state;
	(void)buf;
	(void)flags;
	*kept = len;
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
