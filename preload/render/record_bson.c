/*
 * record_bson.c — records as BSON documents, for the Mongo logger: the same shape
 * as the JSON lines (record.c's record_put through a BSON writer), with native
 * types: timestamps.start/end and trace_logs timestamps as UTC datetimes (start_ns
 * and end_ns keep the nanoseconds as int64), integers as int64 (unsigned values
 * above INT64_MAX as Decimal128), doubles as doubles (NaN and infinities too),
 * buffers that are not text as binary (subtype 0) under "binary", addresses as
 * "0x…" strings, metadata and impulse_log_json payloads as documents.
 *
 * Logger thread only. libbson is loaded by record_bson_enable(), never linked.
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
#include "render/record_bson.h"
#include "base/tracer.h"
#include "render/valw_bson.h"

int record_bson_enable(void)
{
	int err = valw_bson_load();

	if (!err)
		record_forms |= RECORD_BSON;
	return err;
}

int record_bson_render(struct jbuf *dst, void (*fn)(struct valw *w, const void *arg),
		       const void *arg)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);
	bson_t doc;
	int err;

	vwb_api.init(&doc);
	valw_bson_init(&b, &doc);
	fn(&w, arg);
	err = valw_bson_done(&b);
	if (!err)
		jb_put(dst, vwb_api.get_data(&doc), doc.len);
	vwb_api.destroy(&doc);
	return err;
}

/* The BSON document at data (at most n bytes): its length, or 0 when it is not one. */
static size_t doc_len(const uint8_t *data, size_t n)
{
	uint32_t len;

	if (n < 5)
		return 0;
	memcpy(&len, data, 4);	/* little-endian, as the machine */
	return len >= 5 && len <= n ? len : 0;
}

void record_bson_put_args(struct valw *w, const struct call *c)
{
	const struct jbuf *a = c->bson ? &c->bson->args : NULL;

	if (a && doc_len((const uint8_t *)a->p, a->len)) {
		vwb_document(w->b, (const uint8_t *)a->p, a->len);
	} else {
		vw_begin_object(w);
		vw_end_object(w);
	}
}

void record_bson_put_logs(struct valw *w, const struct call *c)
{
	const struct jbuf *l = c->bson ? &c->bson->logs : NULL;
	size_t pos = 0, n;

	/* The array is open: its elements only. */
	while (l && (n = doc_len((const uint8_t *)l->p + pos, l->len - pos)) != 0) {
		vwb_document(w->b, (const uint8_t *)l->p + pos, n);
		pos += n;
	}
}

void record_bson_put_children(struct valw *w, const struct call *c)
{
	const struct jbuf *k = c->bson ? &c->bson->children : NULL;
	size_t n = k ? k->len / sizeof(struct record_child_ref) : 0;

	/* The array is open: its elements only. */
	for (size_t i = 0; i < n; i++) {
		struct record_child_ref r;

		memcpy(&r, k->p + i * sizeof(r), sizeof(r));
		record_put_ref(w, r.slot, r.session, r.id);
	}
}

int record_bson(bson_t *doc, struct call *c, const struct record_end *end)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);

	valw_bson_init(&b, doc);
	record_put(&w, c, end);
	return valw_bson_done(&b);
}

/* ---- IMPULSE_DEBUG_BSON_FILE: internal, for the tests ---- */

static int debug_fd = -1;
static struct jbuf debug_out;

struct record_src {
	struct call *c;
	const struct record_end *end;
};

static void put_whole(struct valw *w, const void *arg)
{
	const struct record_src *r = arg;

	record_put(w, r->c, r->end);	/* what record_bson() does */
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

void record_bson_debug_open(void)
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
			n += (size_t)snprintf(name + n, sizeof(name) - n, "%d", (int)tracer.pid);
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

void record_bson_debug_write(struct call *c, const struct record_end *end)
{
	struct record_src r = { c, end };

	if (debug_fd < 0)
		return;
	if (record_bson_render(&debug_out, put_whole, &r))
		diag_error("IMPULSE_DEBUG_BSON_FILE: an incomplete BSON record was left out");
	if (debug_out.len >= (256u << 10))
		debug_flush();
}

void record_bson_debug_close(void)
{
	debug_flush();
	if (debug_fd >= 0)
		fd_thread_call(debug_close_here, NULL);
	debug_fd = -1;
	jb_free(&debug_out);
}

void record_bson_debug_reopen_in_child(void)
{
	/* The parent's is in its fd thread's table, not here (or, without one, in
	 * ours, close-on-exec: left for the exec or the exit, never a number we now
	 * know to be ours). */
	debug_fd = -1;
	debug_out = (struct jbuf){ 0 };	/* may have been mid-update: leaked */
	record_bson_debug_open();
}
