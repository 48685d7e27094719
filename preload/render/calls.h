/*
 * calls.h — the table of calls seen start and not yet released, and what each
 * keeps until its record: the renderer's working state (record.h), fed by whoever
 * turns events into records (the logger thread, or `impulse render-events`).
 *
 * One thread only touches it. A call stays while it runs, and afterwards as
 * long as something still names it: a child in flight (whose record lists its
 * parents) or a thread it created (EV_LINK). Reference counts track both.
 */
#ifndef IMPULSE_CALLS_H
#define IMPULSE_CALLS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "render/jsonw.h"

struct ev_enter;
struct hook_slot;
struct session;

struct call {
	uint64_t id;
	struct call *hash_next;
	struct call *parent;		/* holds a reference; NULL only for the root */
	unsigned refs;
	unsigned links;			/* threads created inside this call (EV_LINK) */
	int holds;			/* captures not yet used by a detach or release, each
					 * holding a reference; below 0: detaches seen before
					 * their capture (another ring), which pay no reference */
	unsigned depth;			/* ancestors, the root included */
	const struct hook_slot *slot;	/* NULL for the process root */
	const struct session *session;
	uint64_t start_ticks;
	uint64_t return_address;
	const char *caller_path;	/* when the slot serves every module: the caller's,
					 * named from return_address as the entry is drained
					 * (before an unloaded caller's place can be reused) */
	pid_t tid;
	char thread_name[16];
	bool done;			/* its record has been written */
	struct jbuf args;		/* the "arguments" object, formatted at entry (or at
					 * the end, for hooks with values captured after the call) */
	struct ev_enter *enter;		/* a copy of the EV_ENTER while args waits for the
					 * EV_EXIT (decode_needs_exit), else NULL; owned */
	struct jbuf logs;		/* trace_logs entries, comma-separated */
	struct jbuf children;		/* refs of completed direct children, comma-separated */
	unsigned nchildren, children_omitted;
	struct jbuf ref;		/* {"fn_name", "call_id", "trace_module"}: built once, when needed */
	struct jbuf chain;		/* [ancestors' refs, own ref]: its children's "parents", built once */
	struct call_bson *bson;		/* the parts above as BSON, when records are built as
					 * BSON too (record.h); else NULL. Owned, kept on reuse */
};

/* A call's parts in BSON form (record_bson.c). */
struct call_bson {
	struct jbuf args;		/* the "arguments" document's bytes */
	struct jbuf logs;		/* trace_logs entries: BSON documents back to back */
	struct jbuf children;		/* struct record_child_ref, back to back */
};

/* The call with this id, or NULL. */
struct call *calls_find(uint64_t id);

/* A new call with one reference (its own run), in the table. NULL if out of memory. */
struct call *calls_new(uint64_t id);

/* Drops one reference; frees the call, and releases its parent, at zero. */
void calls_release(struct call *c);

/* Calls in the table: running, or kept for a child, a thread or a capture. */
size_t calls_count(void);

/* Calls fn on every call in the table (fn must not add or free calls). */
void calls_for_each(void (*fn)(struct call *c, void *arg), void *arg);

/* In a fork child: forgets every call of the parent's table without freeing. */
void calls_forget_all(void);

#endif
