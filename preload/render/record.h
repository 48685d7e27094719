/*
 * record.h — Impulse records: one JSON line per call (the file logger's), or one
 * BSON document (record_bson.c, for the Mongo logger), both from one description
 * of the record's shape (record.c) written through the value writer (valw.h).
 *
 * Everything a record says beyond its call's events comes in the struct
 * render_world every function here takes (world.h): the renderer reads no global
 * of the tracer, so that the impulse tool renders records exactly as the logger.
 */
#ifndef IMPULSE_RECORD_H
#define IMPULSE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "hooks/event.h"
#include "render/calls.h"
#include "render/jsonw.h"
#include "render/valw.h"
#include "render/world.h"

#pragma GCC visibility push(hidden)

struct hook;
struct hook_slot;
struct session;

struct record_end {
	const char *status;	/* "success", "error", "incomplete", "unwound", "exception",
				 * "crashed"; ASCII */
	uint64_t end_ticks;
	const struct ev_exit *exit;	/* the call's exit event: its "output" (and its
					 * "exception" when error); NULL: both null */
	bool error;		/* the hook's [error=…] rule holds for exit's return value */
	int root_status;	/* the root's output: exit status, or -1 for null */
	const char *exception;	/* "exception" text when it does not come from the error
				 * rule (a C++ type name, a signal): UTF-8, or NULL */
};

/* The forms records are built in: RECORD_JSON always; RECORD_BSON when a BSON
 * consumer exists (record_bson_enable). Logger thread only. */
enum { RECORD_JSON = 1, RECORD_BSON = 2 };
extern unsigned record_forms;

/*
 * Keeps c's "arguments" from its EV_ENTER, in every form records are built in;
 * values captured after the call come from exit (NULL: the call did not return).
 */
void record_take_args(struct call *c, const struct ev_enter *ev, const struct ev_exit *exit);

/* Keeps the root's arguments: {"argv": [...], "dropped": {...}, "diagnostics": {...}}
 * (the last only when diag->said); taken again at stop, when the counts are known. */
void record_take_root_args(const struct render_world *rw, struct call *c,
			   const struct render_drops *drops, const struct render_diag *diag);

/* Keeps one trace_logs entry of c. */
void record_take_log(const struct render_world *rw, struct call *c, const struct ev_log *ev);

/* Appends c's whole record, as one line of JSON, to out. */
void record_format(struct jbuf *out, const struct render_world *rw, struct call *c,
		   const struct record_end *end);

/* Lists c among parent's children (up to rw->max_children; the rest are counted). */
void record_add_child(const struct render_world *rw, struct call *parent, struct call *c);

/*
 * Writes c's whole record through w: {"payload": {…}, "log_metadata": {…}}. The
 * parts kept before (arguments, logs, children) must exist in w's form.
 */
void record_put(struct valw *w, const struct render_world *rw, struct call *c,
		const struct record_end *end);

/* In a fork child: drops the texts rendered for the parent (tracer id, pid),
 * the cached heads of the nslots slots of the hook table included. */
void record_forget_after_fork(struct hook_slot *slots, unsigned nslots);

/* ---- record_bson.c ---- */

/* A child as a BSON record lists it (kept by record_add_child). */
struct record_child_ref {
	const struct hook_slot *slot;
	const struct session *session;
	uint64_t id;
};

/* The writer of a call's entry in parents/children: {"fn_name", "call_id", "trace_module"}. */
void record_put_ref(struct valw *w, const struct render_world *rw, const struct hook_slot *slot,
		    const struct session *s, uint64_t id);

/*
 * Turns on RECORD_BSON: loads libbson. 0, or -ENOENT (said once) when libbson
 * cannot be loaded; records are then built as JSON only.
 */
int record_bson_enable(void);

/*
 * Renders fn(w, arg) as one BSON document through a BSON writer and appends its
 * bytes to dst. 0, or -EIO (the document is incomplete; nothing appended).
 */
int record_bson_render(struct jbuf *dst, void (*fn)(struct valw *w, const void *arg),
		       const void *arg);

/* The stored parts of c as BSON values, for record_put (w is a BSON writer); the
 * logs and children arrays are open already: their elements only. */
void record_bson_put_args(struct valw *w, const struct call *c);
void record_bson_put_logs(struct valw *w, const struct call *c);
void record_bson_put_children(struct valw *w, const struct render_world *rw, const struct call *c);

#pragma GCC visibility pop

#endif
