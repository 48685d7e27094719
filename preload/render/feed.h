/*
 * feed.h — a renderer fed one event at a time: the table of calls in flight
 * (calls.h), their parent and child links, each call's record when it ends and the
 * root's at the end, handed out through a callback.
 *
 * The feeder decides what to feed and when: the logger thread drains the rings,
 * waits for a parent another ring has not delivered yet, drains other rings
 * before an exit that may have children in them, and resolves what only the live
 * process knows (the parent a call falls back to, its caller's path, a context's
 * call), then feeds the result here; `impulse render-events` feeds the same
 * inputs back from a file. So both produce the same records byte for byte.
 *
 * Every input first goes to r->tap, when set (logger/debug_events.c writes them).
 * One renderer per process (calls.h's table is one); one thread only.
 */
#ifndef IMPULSE_RENDER_FEED_H
#define IMPULSE_RENDER_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hooks/event.h"
#include "render/record.h"

#pragma GCC visibility push(hidden)

struct hook_slot;
struct session;

/* What a renderer is fed; what r->tap sees (only the fields of its kind are set). */
enum render_input_kind {
	RI_BEGIN,		/* the root: session, ticks, tid, thread_name */
	RI_ENTER,		/* ev (EV_ENTER); id: the parent's (0: the root); slot; tid,
				 * thread_name; caller_path (NULL unless the slot serves
				 * every module) */
	RI_EXIT,		/* ev (EV_EXIT) */
	RI_END,			/* id ended otherwise: end (status, ticks, exception) */
	RI_LOG,			/* ev (EV_LOG) */
	RI_HOLD,		/* a context captured inside id */
	RI_ATTACH,		/* ring's thread attaches to id (found: false when the
				 * context is not known) */
	RI_DETACH,		/* ring's thread leaves id */
	RI_UNHOLD,		/* a capture of id given back (found, as for RI_ATTACH) */
	RI_LINK,		/* a thread created inside id */
	RI_RETIRE,		/* ring's thread has ended; id: the call that created it, or 0 */
	RI_FINISH_RUNNING,	/* every call in flight ends: end (status, ticks, exception) */
	RI_ROOT_ARGS,		/* the root's arguments again: drops, diag */
	RI_ROOT_END,		/* the root's record: end */
};

struct render_input {
	enum render_input_kind kind;
	const struct ev_head *ev;
	uint64_t id;
	bool found;
	unsigned ring;
	const struct hook_slot *slot;
	pid_t tid;
	const char *thread_name;	/* 16 bytes, NUL-padded */
	const char *caller_path;
	const struct session *session;
	uint64_t ticks;
	const struct record_end *end;
	const struct render_drops *drops;
	const struct render_diag *diag;
};

struct render {
	const struct render_world *world;
	/* Writes c's record. False when it will not reach the output: then c is not
	 * listed among its parent's children (it is counted where it was lost). */
	bool (*record)(void *arg, struct call *c, const struct record_end *end);
	void *record_arg;
	/* Sees every input before it is applied; NULL: nobody. */
	void (*tap)(void *arg, const struct render_input *in);
	void *tap_arg;
	struct call **attached;	/* per ring: the context its thread is attached to (a
				 * reference), nrings entries; owned by the feeder */
	unsigned nrings;
	struct call *root;
	uint64_t holds_taken, holds_used;	/* contexts captured; used or given back */
	uint64_t calls_lost;			/* entries with no memory for their call */
};

/* Makes the root call (the process; one reference, its own). 0, or -ENOMEM. */
int render_begin(struct render *r, const struct session *session, uint64_t start_ticks, pid_t tid,
		 const char *thread_name);

/*
 * A call starts: ev, under parent (NULL: the root), through slot (the hook table's
 * entry ev->slot names), on thread tid; caller_path when the slot serves every
 * module. 0, or -ENOMEM (the call is lost: counted in calls_lost).
 */
int render_enter(struct render *r, const struct ev_enter *ev, struct call *parent,
		 const struct hook_slot *slot, pid_t tid, const char *thread_name,
		 const char *caller_path);

/* A call returned: its record. */
void render_exit(struct render *r, const struct ev_exit *ev);

/* A call ended without returning (unwound, an exception, a thread exit). */
void render_end(struct render *r, uint64_t id, const struct record_end *end);

/* An impulse_log() entry: its call's, or the root's when that call is not running. */
void render_log(struct render *r, const struct ev_log *ev);

/* Contexts (impulse_context_*): c may be NULL where the call is not known. */
void render_hold(struct render *r, uint64_t id);
void render_attach(struct render *r, unsigned ring, struct call *c);
void render_detach(struct render *r, unsigned ring, uint64_t id);
void render_unhold(struct render *r, struct call *c);

/* A thread created inside call id (EV_LINK): the call is kept until it retires. */
void render_link(struct render *r, uint64_t id);

/* Ring's thread has ended: its attachment and its creator's link are let go. */
void render_retire(struct render *r, unsigned ring, uint64_t link_parent);

/* Ends every call still in flight with end's status, deepest first. */
void render_finish_running(struct render *r, const struct record_end *end);

/* Takes the root's arguments again (the counts are known at the end). */
void render_root_args(struct render *r, const struct render_drops *drops,
		      const struct render_diag *diag);

/* The root's record; the renderer is done. */
void render_root_end(struct render *r, const struct record_end *end);

/* The call with this id in flight or kept, or NULL. */
struct call *render_find(const struct render *r, uint64_t id);

#pragma GCC visibility pop

#endif
