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
	const char *status;	/* "success", "incomplete", "unwound" */
	uint64_t end_ticks;
	bool has_output;	/* false: output is null */
	uint64_t ret;		/* raw return register */
	const uint8_t *ret_str;	/* the returned string's struct ev_str, or NULL */
	int root_status;	/* the root's output: exit status, or -1 for null */
};

/* Formats the "arguments" object of a call from its EV_ENTER. */
void record_format_args(struct jbuf *out, const struct hook *hook, const struct ev_enter *ev);

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
