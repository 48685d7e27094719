/*
 * spill.c — the Mongo logger's spill file and its BSON companion; see spill.h.
 *
 * Logs can hold secrets: the JSON file is created like the file logger's (0600,
 * O_EXCL, O_NOFOLLOW, in the 0700 directory); the companion is an O_TMPFILE in the
 * same directory, so it has no name anybody could open or that could be left
 * behind. Both live on the fd thread, out of the program's descriptor table
 * (fd_thread.h). A fully replayed spill is truncated (not removed) while the program
 * runs, so that a later outage reuses it; an empty one is removed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/fd_high.h"
#include "base/fd_thread.h"
#include "logger/sink.h"
#include "logger/spill.h"
#include "base/tracer.h"

/* Buffered bytes (JSON or BSON) that make spill_append() write. */
#define SPILL_FLUSH_BYTES (256u << 10)

void spill_init(struct spill *s, const char *dir)
{
	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->json_fd = -1;
	s->doc_fd = -1;
}

static int create(struct spill *s)
{
	char name[96], path[4096], why[256];
	struct timespec ts;
	struct tm tm;
	int dfd, err;

	dfd = sink_file_open_dir(s->dir, why, sizeof(why));
	if (dfd < 0)
		return dfd;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	for (int attempt = 0; attempt < 100 && s->json_fd < 0; attempt++) {
		size_t n = strftime(name, sizeof(name), "spill_%Y%m%dT%H%M%SZ", &tm);

		snprintf(name + n, sizeof(name) - n, attempt ? "_%d_%d.json" : "_%d.json", (int)tracer.pid, attempt);
		s->json_fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
		if (s->json_fd < 0 && errno != EEXIST)
			break;
	}
	if (s->json_fd < 0) {
		err = -errno;
		close(dfd);
		return err;
	}
	s->doc_fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	err = s->doc_fd < 0 ? -errno : 0;
	close(dfd);
	if (!err && !fd_thread_is_private()) {
		/* In the program's table (no fd thread): out of its way. */
		int json = fd_move_high(s->json_fd), doc = fd_move_high(s->doc_fd);

		s->json_fd = json >= 0 ? json : s->json_fd;
		s->doc_fd = doc >= 0 ? doc : s->doc_fd;
	}
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	s->path = strdup(path);
	if (err || !s->path) {
		/* Without the companion nothing could be replayed: no spill at all. */
		unlink(path);
		close(s->json_fd);
		s->json_fd = -1;
		return err ? err : -ENOMEM;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len, off_t off, bool at)
{
	while (len) {
		ssize_t n = at ? pwrite(fd, p, len, off) : write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Kept to be said by the caller (say_failure()): on the fd thread, stderr is not the program's. */
static void say_failed(struct spill *s, const char *what, int err)
{
	if (!s->failed) {
		s->failed_what = what;
		s->failed_err = err;
	}
	s->failed = true;
}

static int sync_here(struct spill *s)
{
	int err;

	if (!s->json.len && !s->docs.len)
		return 0;
	/* The companion first: a record is replayable only once both are written. */
	err = write_all(s->doc_fd, s->docs.p, s->docs.len, (off_t)(s->doc_size - s->docs.len), true);
	if (!err)
		err = write_all(s->json_fd, s->json.p, s->json.len, 0, false);
	s->json.len = 0;
	s->docs.len = 0;
	if (err)
		say_failed(s, "write", err);
	return err;
}

static int append_here(struct spill *s, const char *json, size_t json_len, const uint8_t *doc,
		       size_t doc_len)
{
	uint64_t end;
	int err;

	if (s->failed)
		return -EIO;
	if (s->json_fd < 0) {
		err = create(s);
		if (err) {
			say_failed(s, "create", err);
			return err;
		}
	}
	end = s->json_size + json_len;
	jb_put(&s->json, json, json_len);
	jb_put(&s->docs, &end, sizeof(end));
	jb_put(&s->docs, doc, doc_len);
	if (jb_failed(&s->json) || jb_failed(&s->docs)) {
		say_failed(s, "buffer", -ENOMEM);
		return -ENOMEM;
	}
	s->json_size = end;
	s->doc_size += sizeof(end) + doc_len;
	s->held++;
	s->spilled++;
	if (s->json.len >= SPILL_FLUSH_BYTES || s->docs.len >= SPILL_FLUSH_BYTES)
		return sync_here(s);
	return 0;
}

static int read_at(int fd, void *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p = (char *)p + n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_here(struct spill *s, struct jbuf *docs, unsigned max, unsigned *n)
{
	uint64_t off = s->read_off, json_end = s->json_done;
	int err = sync_here(s);

	docs->len = 0;
	*n = 0;
	while (!err && *n < max && off < s->doc_size) {
		unsigned char head[12];
		uint32_t len;

		err = read_at(s->doc_fd, head, sizeof(head), off);
		if (err)
			break;
		memcpy(&json_end, head, 8);
		len = (uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 |
		      (uint32_t)head[11] << 24;
		if (len < 5 || !jb_reserve(docs, len)) {
			err = -EIO;
			break;
		}
		err = read_at(s->doc_fd, docs->p + docs->len, len, off + 8);
		if (err)
			break;
		docs->len += len;
		off += 8 + len;
		(*n)++;
	}
	s->next_off = off;
	s->next_json = json_end;
	return err;
}

static void delivered_here(struct spill *s, unsigned n)
{
	s->read_off = s->next_off;
	s->json_done = s->next_json;
	s->held -= n < s->held ? n : s->held;
	if (s->held || s->json_fd < 0 || s->read_off < s->doc_size)
		return;
	/* All in MongoDB: start both over (the JSON file is O_APPEND). */
	if (!ftruncate(s->json_fd, 0) && !ftruncate(s->doc_fd, 0)) {
		s->json_size = s->doc_size = s->read_off = s->json_done = 0;
	}
}

/* Moves the JSON file's bytes [from, size) to its start and cuts it there. */
static void cut_head(struct spill *s, uint64_t from)
{
	int fd = open(s->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	char buf[65536];
	uint64_t to = 0;

	if (fd < 0)
		return;
	while (from < s->json_size) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)from);

		if (n <= 0 || write_all(fd, buf, (size_t)n, (off_t)to, true))
			break;
		from += (uint64_t)n;
		to += (uint64_t)n;
	}
	if (from == s->json_size && !ftruncate(fd, (off_t)to))
		s->json_size = to;
	close(fd);
}

static uint64_t close_here(struct spill *s)
{
	uint64_t held = s->held;

	if (s->json_fd < 0)
		return 0;
	sync_here(s);
	if (!held || s->json_size == s->json_done)
		unlink(s->path);
	else if (s->json_done)
		cut_head(s, s->json_done);
	close(s->json_fd);
	close(s->doc_fd);
	s->json_fd = s->doc_fd = -1;
	jb_free(&s->json);
	jb_free(&s->docs);
	return held;
}

/*
 * The public functions: each runs its part on the fd thread, where the two files
 * live (fd_thread.h), out of the program's descriptor table.
 */
enum spill_op { OP_APPEND, OP_SYNC, OP_READ, OP_DELIVERED, OP_CLOSE };

struct spill_req {
	enum spill_op op;
	struct spill *s;
	const char *json;
	size_t json_len;
	const uint8_t *doc;
	size_t doc_len;
	struct jbuf *docs;
	unsigned max, *n;
	uint64_t held;		/* out: OP_CLOSE's */
};

/* On the caller's thread: says a failure once. */
static void say_failure(struct spill *s)
{
	if (!s->failed || s->failed_said)
		return;
	s->failed_said = true;
	diag_error("mongo: cannot %s the spill file in '%s': %s; records not delivered to MongoDB are lost",
		   s->failed_what, s->dir, strerror(-s->failed_err));
}

static int run_here(void *arg)
{
	struct spill_req *r = arg;

	switch (r->op) {
	case OP_APPEND:
		return append_here(r->s, r->json, r->json_len, r->doc, r->doc_len);
	case OP_SYNC:
		return sync_here(r->s);
	case OP_READ:
		return read_here(r->s, r->docs, r->max, r->n);
	case OP_DELIVERED:
		delivered_here(r->s, r->max);
		return 0;
	case OP_CLOSE:
		r->held = close_here(r->s);
		return 0;
	}
	return -EINVAL;
}

int spill_append(struct spill *s, const char *json, size_t json_len, const uint8_t *doc,
		 size_t doc_len)
{
	struct spill_req r = { .op = OP_APPEND, .s = s, .json = json, .json_len = json_len,
			       .doc = doc, .doc_len = doc_len };
	int err = fd_thread_call(run_here, &r);

	say_failure(s);
	return err;
}

int spill_sync(struct spill *s)
{
	struct spill_req r = { .op = OP_SYNC, .s = s };
	int err = fd_thread_call(run_here, &r);

	say_failure(s);
	return err;
}

int spill_read(struct spill *s, struct jbuf *docs, unsigned max, unsigned *n)
{
	struct spill_req r = { .op = OP_READ, .s = s, .docs = docs, .max = max, .n = n };
	int err = fd_thread_call(run_here, &r);

	say_failure(s);
	return err;
}

void spill_delivered(struct spill *s, unsigned n)
{
	struct spill_req r = { .op = OP_DELIVERED, .s = s, .max = n };

	fd_thread_call(run_here, &r);
}

uint64_t spill_close(struct spill *s)
{
	struct spill_req r = { .op = OP_CLOSE, .s = s };

	fd_thread_call(run_here, &r);
	say_failure(s);
	return r.held;
}
