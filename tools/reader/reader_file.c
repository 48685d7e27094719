/*
 * reader_file.c — a record file as a source of lines: large reads into a few
 * chunks, lines cut with memchr and handed out where they lie, gzip inflated with
 * zlib when the file starts with gzip's magic bytes (whatever its name; concatenated
 * members read as one).
 *
 * A binary record file (format = binary, binary.h) is rendered to its JSON Lines
 * by a thread of its own into a pipe, which is then read as any pipe is: the
 * records come out as the process would have written them, and the renderer's
 * problems (a file cut short, a chunk that does not decode) end the input as
 * one error naming the offset.
 *
 * For a regular file a read-ahead thread fills the chunks (reading, or inflating)
 * while the caller parses the previous ones, so the copy out of the page cache and
 * the inflating cost the parser no time on a second CPU. Pipes and other files that
 * could block forever are read on the caller's thread, with the same chunk code.
 *
 * Memory: FILE_SLOTS chunks of FILE_CHUNK bytes, and a carry buffer as large as the
 * longest line that straddles two chunks, at most READER_LINE_MAX — not the file's
 * size: a longer line is dropped to its newline and reported. It never writes to
 * the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "reader/binary.h"
#include "reader/reader_source.h"

/* One read(2) or inflate step: big enough that system calls cost little. */
#define FILE_CHUNK (1u << 20)
/* Chunks in flight between the read-ahead thread and the parser. */
#define FILE_SLOTS 4
/* Compressed bytes read per refill of inflate's input. */
#define GZ_IN_CHUNK (256u << 10)

struct chunk {
	char *data;		/* FILE_CHUNK bytes; owned */
	size_t len;		/* bytes in data; 0 with .rc 0: the end of the file */
	int rc;			/* 0, or the -errno that ended the file (text in .why) */
	char why[sizeof(((struct reader_error *)0)->text)];
};

struct file_source {
	struct reader_source base;
	int fd;
	/* gzip, touched only by whoever fills chunks (the thread, once it runs) */
	bool gzip, z_open, z_ended;
	z_stream z;
	unsigned char *zin;	/* compressed input, GZ_IN_CHUNK or more bytes */
	size_t zin_size;

	/* the ring of chunks: [head, tail) filled, waiting for the parser */
	struct chunk slots[FILE_SLOTS];
	unsigned head, tail;	/* counters; slot index is % FILE_SLOTS */
	bool threaded, stop, done;	/* done: the filler produced its last chunk */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;	/* filled pairs with the filler's signal, freed with the parser's */

	/* the parser's side */
	struct chunk *cur;	/* the chunk lines are cut from, or NULL */
	size_t pos;		/* next unread byte of cur */
	char *carry;		/* a line that straddles chunks, assembled */
	size_t carry_len, carry_cap;
	bool skipping;		/* the line is past READER_LINE_MAX: dropped to its newline */
	size_t skipped;		/* bytes of it dropped so far */
	bool finished;		/* the last chunk has been consumed */
	long lineno;

	/* a binary record file: rendered by a thread into the pipe fd reads */
	bool binary, binary_joined;
	pthread_t binary_thread;
	int binary_wfd;		/* the pipe's write end, the thread's */
	char *path;		/* owned */
	long problems;		/* the thread's, after the join */
	char first_problem[200];
};

static int binary_records(void *arg, const char *p, size_t len)
{
	struct file_source *f = arg;

	while (len) {
		ssize_t n = write(f->binary_wfd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;	/* the reader went away */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void binary_problem(void *arg, const char *text)
{
	struct file_source *f = arg;

	if (!f->first_problem[0])
		snprintf(f->first_problem, sizeof(f->first_problem), "%s", text);
}

static void *binary_renderer(void *arg)
{
	struct file_source *f = arg;
	struct binary_out o = { binary_records, binary_problem, f };
	long n = binary_render_file(f->path, &o, NULL);

	f->problems = n > 0 ? n : 0;
	if (n < 0 && n != -EPIPE && !f->first_problem[0])
		snprintf(f->first_problem, sizeof(f->first_problem), "%s", strerror((int)-n));
	if (n < 0 && n != -EPIPE)
		f->problems = 1;
	close(f->binary_wfd);
	f->binary_wfd = -1;
	return NULL;
}

static void binary_join(struct file_source *f)
{
	if (f->binary && !f->binary_joined) {
		pthread_join(f->binary_thread, NULL);
		f->binary_joined = true;
	}
}

/* The file is a binary record file: its records come through a pipe from a
 * renderer thread (SIGPIPE blocked there: a reader that stops early gives it
 * EPIPE). 0 or -errno. */
static int binary_start(struct file_source *f, const char *path)
{
	int fds[2];
	sigset_t pipe_sig, old;
	int rc;

	f->path = strdup(path);
	if (!f->path || pipe2(fds, O_CLOEXEC))
		return f->path ? -errno : -ENOMEM;
	close(f->fd);
	f->fd = fds[0];
	f->binary_wfd = fds[1];
	/* A larger pipe: fewer switches between the renderer and the parser. */
	fcntl(fds[1], F_SETPIPE_SZ, FILE_CHUNK);
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
	rc = pthread_create(&f->binary_thread, NULL, binary_renderer, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		close(fds[1]);
		return -rc;
	}
	f->binary = true;
	return 0;
}

/* read(2) until something or the end: bytes read, 0 at the end, -errno. */
static ssize_t read_some(int fd, void *to, size_t n)
{
	for (;;) {
		ssize_t got = read(fd, to, n);

		if (got >= 0 || errno != EINTR)
			return got < 0 ? -errno : got;
	}
}

/* More compressed input: 1, 0 at the end of the file, -errno (why set). */
static int gz_input(struct file_source *f, struct chunk *c)
{
	ssize_t got = read_some(f->fd, f->zin, f->zin_size);

	if (got < 0) {
		snprintf(c->why, sizeof(c->why), "read: %s", strerror((int)-got));
		return (int)got;
	}
	f->z.next_in = f->zin;
	f->z.avail_in = (uInt)got;
	return got > 0;
}

/* Inflates into c->data: bytes produced (0 at the end of the data), or -errno. */
static ssize_t inflate_some(struct file_source *f, struct chunk *c)
{
	if (f->z_ended)
		return 0;
	f->z.next_out = (unsigned char *)c->data;
	f->z.avail_out = FILE_CHUNK;
	while (f->z.avail_out == FILE_CHUNK) {
		int rc;

		if (f->z.avail_in == 0) {
			rc = gz_input(f, c);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				/* the end of the file in the middle of a member */
				snprintf(c->why, sizeof(c->why), "gzip data ends early (truncated file?)");
				return -EIO;
			}
		}
		rc = inflate(&f->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* another member may follow (gzip files can be concatenated) */
			if (f->z.avail_in == 0) {
				rc = gz_input(f, c);
				if (rc < 0)
					return rc;
				if (rc == 0) {
					f->z_ended = true;
					break;
				}
			}
			inflateReset(&f->z);
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(c->why, sizeof(c->why), "gzip: %s", f->z.msg ? f->z.msg : "corrupt data");
			return -EIO;
		}
	}
	return (ssize_t)(FILE_CHUNK - f->z.avail_out);
}

/* Fills one chunk with the next data: its len, or rc < 0 with why. */
static void fill_chunk(struct file_source *f, struct chunk *c)
{
	ssize_t got;

	if (f->gzip) {
		got = inflate_some(f, c);
	} else {
		got = read_some(f->fd, c->data, FILE_CHUNK);
		if (got < 0)
			snprintf(c->why, sizeof(c->why), "read: %s", strerror((int)-got));
	}
	c->rc = got < 0 ? (int)got : 0;
	c->len = got < 0 ? 0 : (size_t)got;
}

/* The read-ahead thread: fills free slots until the end, an error, or stop. */
static void *filler(void *arg)
{
	struct file_source *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		struct chunk *c;

		if (f->tail - f->head == FILE_SLOTS) {
			pthread_cond_wait(&f->freed, &f->lock);
			continue;
		}
		c = &f->slots[f->tail % FILE_SLOTS];
		pthread_mutex_unlock(&f->lock);
		fill_chunk(f, c);	/* the slot is ours until tail moves past it */
		pthread_mutex_lock(&f->lock);
		f->tail++;
		pthread_cond_signal(&f->filled);
		if (c->len == 0)	/* the end, or an error: the last chunk */
			break;
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* The next filled chunk for the parser (the previous one given back first). */
static struct chunk *take_chunk(struct file_source *f)
{
	struct chunk *c;

	if (!f->threaded) {
		if (f->cur)
			f->head++;
		if (f->head == f->tail) {
			fill_chunk(f, &f->slots[f->tail % FILE_SLOTS]);
			f->tail++;
		}
		return &f->slots[f->head % FILE_SLOTS];
	}
	pthread_mutex_lock(&f->lock);
	if (f->cur) {
		f->head++;
		pthread_cond_signal(&f->freed);
	}
	while (f->head == f->tail)
		pthread_cond_wait(&f->filled, &f->lock);
	c = &f->slots[f->head % FILE_SLOTS];
	pthread_mutex_unlock(&f->lock);
	return c;
}

/* Appends p[0..n) to the carry buffer: 0 or -ENOMEM. */
static int carry_add(struct file_source *f, const char *p, size_t n)
{
	if (n == 0)	/* a chunk that ended with its last newline: nothing to carry */
		return 0;
	if (f->carry_len + n > f->carry_cap) {
		size_t cap = f->carry_cap ? f->carry_cap : FILE_CHUNK;
		char *more;

		while (cap < f->carry_len + n)
			cap *= 2;
		more = realloc(f->carry, cap);
		if (!more)
			return -ENOMEM;
		f->carry = more;
		f->carry_cap = cap;
	}
	memcpy(f->carry + f->carry_len, p, n);
	f->carry_len += n;
	return 0;
}

/* The end of a line too long to hand out: its number and the report. */
static int skipped_line(struct file_source *f, long *lineno, struct reader_error *err)
{
	*lineno = ++f->lineno;
	snprintf(err->text, sizeof(err->text), "a line of %zu bytes, longer than the %u MiB a record may be: "
		 "skipped", f->skipped, READER_LINE_MAX >> 20);
	f->skipping = false;
	f->skipped = 0;
	return READER_LINE_SKIPPED;
}

/* Keeps p[0..n), part of a line not ended yet: 0, or -ENOMEM. Past READER_LINE_MAX
 * the line is dropped instead, and only counted. */
static int keep_partial(struct file_source *f, const char *p, size_t n)
{
	if (f->skipping) {
		f->skipped += n;
		return 0;
	}
	if (f->carry_len + n > READER_LINE_MAX) {
		f->skipping = true;
		f->skipped = f->carry_len + n;
		f->carry_len = 0;
		return 0;
	}
	return carry_add(f, p, n);
}

static int file_next_line(struct reader_source *src, const char **line, size_t *len,
			  long *lineno, struct reader_error *err)
{
	struct file_source *f = (struct file_source *)src;

	if (f->finished)
		return 0;
	for (;;) {
		if (f->cur) {
			const char *p = f->cur->data + f->pos;
			size_t n = f->cur->len - f->pos;
			const char *nl = memchr(p, '\n', n);

			if (nl) {
				size_t part = (size_t)(nl - p);

				f->pos += part + 1;
				if (!f->skipping && !f->carry_len) {
					*lineno = ++f->lineno;
					*line = p;
					*len = part;
					return 1;
				}
				if (keep_partial(f, p, part))
					goto nomem;
				if (f->skipping)
					return skipped_line(f, lineno, err);
				*lineno = ++f->lineno;
				*line = f->carry;
				*len = f->carry_len;
				f->carry_len = 0;	/* the text stays until the next call */
				return 1;
			}
			if (keep_partial(f, p, n))
				goto nomem;
		}
		f->cur = take_chunk(f);
		f->pos = 0;
		if (f->cur->rc < 0) {
			snprintf(err->text, sizeof(err->text), "%s", f->cur->why);
			f->finished = true;
			return f->cur->rc;
		}
		if (f->cur->len == 0) {
			f->finished = true;
			binary_join(f);
			if (f->problems) {
				snprintf(err->text, sizeof(err->text), "%s%s", f->first_problem,
					 f->problems > 1 ? " (and more)" : "");
				return -EIO;
			}
			if (f->skipping)
				return skipped_line(f, lineno, err);
			if (!f->carry_len)
				return 0;
			/* a last line without its newline: torn, or written by hand */
			*line = f->carry;
			*len = f->carry_len;
			*lineno = ++f->lineno;
			f->carry_len = 0;
			return READER_LINE_UNTERMINATED;
		}
	}

nomem:
	snprintf(err->text, sizeof(err->text), "out of memory for a line of %zu bytes", f->carry_len);
	f->finished = true;
	return -ENOMEM;
}

static void file_close(struct reader_source *src)
{
	struct file_source *f = (struct file_source *)src;

	if (f->binary) {
		close(f->fd);	/* the renderer's writes fail: it ends */
		f->fd = -1;
		binary_join(f);
	}
	free(f->path);
	if (f->threaded) {
		pthread_mutex_lock(&f->lock);
		f->stop = true;
		pthread_cond_signal(&f->freed);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->filled);
		pthread_cond_destroy(&f->freed);
	}
	if (f->z_open)
		inflateEnd(&f->z);
	if (f->fd >= 0)
		close(f->fd);
	for (int i = 0; i < FILE_SLOTS; i++)
		free(f->slots[i].data);
	free(f->zin);
	free(f->carry);
	free(f);
}

static const struct reader_source_ops file_ops = {
	.next_line = file_next_line,
	.close = file_close,
};

/* Starts the read-ahead thread: 0 or -errno (then the caller's thread reads). */
static int start_filler(struct file_source *f)
{
	int rc;

	if (pthread_mutex_init(&f->lock, NULL))
		return -ENOMEM;
	pthread_cond_init(&f->filled, NULL);
	pthread_cond_init(&f->freed, NULL);
	rc = pthread_create(&f->thread, NULL, filler, f);
	if (rc) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->filled);
		pthread_cond_destroy(&f->freed);
		return -rc;
	}
	f->threaded = true;
	return 0;
}

int reader_file_open(const char *path, bool allow_pipe, struct reader_source **out)
{
	struct file_source *f = calloc(1, sizeof(*f));
	struct chunk *first;
	struct stat st;
	int err;

	if (!f)
		return -ENOMEM;
	f->base.ops = &file_ops;
	f->base.name = path;
	/* O_NONBLOCK: opening a FIFO with no writer would wait for one for ever. */
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0 || fstat(f->fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !(allow_pipe && S_ISFIFO(st.st_mode))) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto fail;
	}
	/* A pipe named on the command line is read as it comes: blocking reads. */
	if (S_ISFIFO(st.st_mode))
		fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
	for (int i = 0; i < FILE_SLOTS; i++) {
		f->slots[i].data = malloc(FILE_CHUNK);
		if (!f->slots[i].data) {
			err = -ENOMEM;
			goto fail;
		}
	}
	/* The first bytes say whether it is gzip; they are the start of the data either way
	 * (read, not pread, so that pipes work). */
	first = &f->slots[0];
	fill_chunk(f, first);
	if (first->rc < 0) {
		err = first->rc;
		goto fail;
	}
	if (first->len >= 2 && (unsigned char)first->data[0] == 0x1f &&
	    (unsigned char)first->data[1] == 0x8b) {
		f->gzip = true;
		f->zin_size = GZ_IN_CHUNK > first->len ? GZ_IN_CHUNK : first->len;
		f->zin = malloc(f->zin_size);
		if (!f->zin) {
			err = -ENOMEM;
			goto fail;
		}
		memcpy(f->zin, first->data, first->len);
		/* 16 + MAX_WBITS: a gzip wrapper, not zlib's */
		if (inflateInit2(&f->z, 16 + MAX_WBITS) != Z_OK) {
			err = -ENOMEM;
			goto fail;
		}
		f->z_open = true;
		f->z.next_in = f->zin;
		f->z.avail_in = (uInt)first->len;
	} else if (S_ISREG(st.st_mode) && binary_is_magic(first->data, first->len)) {
		err = binary_start(f, path);
		if (err)
			goto fail;
		*out = &f->base;
		return 0;	/* the pipe is read on the caller's thread */
	} else {
		f->tail = 1;	/* slot 0 holds the first chunk, ready for the parser */
	}
	/* A regular file never blocks for long: read ahead on a thread of its own. */
	if (first->len > 0 && S_ISREG(st.st_mode))
		start_filler(f);
	*out = &f->base;
	return 0;

fail:
	file_close(&f->base);
	return err;
}
