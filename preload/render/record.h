/*
 * record.h — Impulse records, built by the logger thread: one JSON line per call
 * (the file logger's), or one BSON document (record_bson.c, for the Mongo logger),
 * both from one description of the record's shape (record.c) written through the
 * value writer (valw.h).
 */
#ifndef IMPULSE_RECORD_H
#define IMPULSE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "logger/calls.h"
#include "hooks/event.h"
#include "render/jsonw.h"
#include "render/valw.h"

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

/* Keeps the root's arguments: {"argv": [...], "dropped": {...}} (drops.h); taken
 * again at stop, when the counts are known. */
void record_take_root_args(struct call *c);

/* Keeps one trace_logs entry of c. */
void record_take_log(struct call *c, const struct ev_log *ev);

/* Appends c's whole record, as one line of JSON, to out. */
void record_format(struct jbuf *out, struct call *c, const struct record_end *end);

/* Lists c among parent's children (up to max_children; the rest are counted). */
void record_add_child(struct call *parent, struct call *c);

/*
 * Writes c's whole record through w: {"payload": {…}, "log_metadata": {…}}. The
 * parts kept before (arguments, logs, children) must exist in w's form.
 */
void record_put(struct valw *w, struct call *c, const struct record_end *end);

/* In a fork child: drops the texts rendered for the parent (tracer id, pid). */
void record_forget_after_fork(void);

/* ---- record_bson.c ---- */

/* A child as a BSON record lists it (kept by record_add_child). */
struct record_child_ref {
	const struct hook_slot *slot;
	const struct session *session;
	uint64_t id;
};

/* The writer of a call's entry in parents/children: {"fn_name", "call_id", "trace_module"}. */
void record_put_ref(struct valw *w, const struct hook_slot *slot, const struct session *s,
		    uint64_t id);

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
void record_bson_put_children(struct valw *w, const struct call *c);

/*
 * Internal testing aid, not documented: with IMPULSE_DEBUG_BSON_FILE=PATH in the
 * environment, every record is also built as BSON and the documents are written
 * back to back to PATH (created 0600, O_EXCL; "%p" in PATH is the pid).
 */
void record_bson_debug_open(void);
void record_bson_debug_write(struct call *c, const struct record_end *end);
void record_bson_debug_close(void);
/* In a fork child: forgets the parent's debug file (our copy of its descriptor is
 * closed) and opens the child's own. */
void record_bson_debug_reopen_in_child(void);

#pragma GCC visibility pop

#endif
