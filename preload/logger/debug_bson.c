/*
 * debug_bson.c — IMPULSE_DEBUG_BSON_FILE (debug_bson.h): every record also built
 * as BSON and written to a file, for the tests of the Mongo logger's documents.
 * Logger thread only; the file is opened, written and closed on the fd thread,
 * out of the program's descriptor table.
 */
#include <stdlib.h>

#include "base/diag.h"
#include "logger/debug_bson.h"
#include "logger/debug_file.h"
#include "render/record.h"

static struct debug_file file = { "IMPULSE_DEBUG_BSON_FILE", -1 };
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

void debug_bson_open(pid_t pid)
{
	const char *path = secure_getenv("IMPULSE_DEBUG_BSON_FILE");

	if (!path || !*path || record_bson_enable())
		return;
	debug_file_open(&file, "IMPULSE_DEBUG_BSON_FILE", pid);
}

static void debug_flush(void)
{
	debug_file_write(&file, debug_out.p, debug_out.len);
	debug_out.len = 0;
}

void debug_bson_write(const struct render_world *rw, struct call *c, const struct record_end *end)
{
	struct record_src r = { rw, c, end };

	if (file.fd < 0)
		return;
	if (record_bson_render(&debug_out, put_whole, &r))
		diag_error("IMPULSE_DEBUG_BSON_FILE: an incomplete BSON record was left out");
	if (debug_out.len >= (256u << 10))
		debug_flush();
}

void debug_bson_close(void)
{
	debug_flush();
	debug_file_close(&file);
	jb_free(&debug_out);
}

void debug_bson_reopen_in_child(pid_t pid)
{
	debug_file_forget(&file);
	debug_out = (struct jbuf){ 0 };	/* may have been mid-update: leaked */
	debug_bson_open(pid);
}
