/*
 * record.h — Impulse records, formatted by the logger thread.
 */
#ifndef IMPULSE_RECORD_H
#define IMPULSE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "calls.h"
#include "event.h"
#include "jsonw.h"

struct hook;

struct record_end {
	const char *status;	/* "success", "error", "incomplete", "unwound" */
	uint64_t end_ticks;
	const struct jbuf *output;	/* the "output" value, or NULL: null */
	const struct jbuf *exception;	/* the "exception" value, or NULL: null */
	int root_status;	/* the root's output: exit status, or -1 for null */
};

/*
 * Formats the "arguments" object of a call from its EV_ENTER; values captured
 * after the call come from exit (NULL: the call did not return).
 */
void record_format_args(struct jbuf *out, const struct hook *hook, const struct ev_enter *ev,
			const struct ev_exit *exit);

/* Formats the root's arguments: {"argv": [...]}. */
void record_format_root_args(struct jbuf *out);

/* Appends c's whole record and a newline to out. */
void record_format(struct jbuf *out, struct call *c, const struct record_end *end);

/* Lists c among parent's children (up to max_children; the rest are counted). */
void record_add_child(struct call *parent, struct call *c);

/* Appends one trace_logs entry (with a leading comma unless first). */
void record_format_log(struct jbuf *logs, const struct ev_log *ev);

/* Builds the cached JSON of a session (at creation, not on the logger's path). */
char *record_session_id_json(const char *id);

#endif
