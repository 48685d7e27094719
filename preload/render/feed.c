/*
 * feed.c — events into records, one input at a time; see feed.h.
 *
 * A call enters the table at its EV_ENTER holding one reference (its own run), and
 * one on its parent; its record is written when it ends (returns, unwinds, or is
 * ended in flight at the end), and it is listed among its parent's children then
 * unless its parent's record went first. A call stays in the table while anything
 * still names it: a child in flight, a thread it created (EV_LINK), a captured
 * context (EV_HOLD) or a thread attached to one (EV_ATTACH).
 *
 * Nothing here knows about rings, sinks or the process: what it needs comes in
 * the inputs and in r->world.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks.h"
#include "render/decode.h"
#include "render/feed.h"
#include "render/status.h"

/* Whether records are built at all: not with format = binary (the renderer's
 * inputs go to the file and `impulse cat` builds them), where a call's parts
 * (arguments, children) would be made for nothing, twice per call. */
static inline bool formatting(void)
{
	return record_forms != 0;
}

static void tap(struct render *r, const struct render_input *in)
{
	if (r->tap)
		r->tap(r->tap_arg, in);
}

struct call *render_find(const struct render *r, uint64_t id)
{
	(void)r;
	return calls_find(id);
}

int render_begin(struct render *r, const struct session *session, uint64_t start_ticks, pid_t tid,
		 const char *thread_name)
{
	struct render_input in = { .kind = RI_BEGIN, .session = session, .ticks = start_ticks,
				   .tid = tid, .thread_name = thread_name };

	tap(r, &in);
	r->root = calls_new(0);
	if (!r->root)
		return -ENOMEM;
	r->root->session = session;
	r->root->start_ticks = start_ticks;
	r->root->tid = tid;
	memcpy(r->root->thread_name, thread_name, sizeof(r->root->thread_name));
	return 0;
}

int render_enter(struct render *r, const struct ev_enter *ev, struct call *parent,
		 const struct hook_slot *slot, pid_t tid, const char *thread_name,
		 const char *caller_path)
{
	struct render_input in = { .kind = RI_ENTER, .ev = &ev->h, .slot = slot, .tid = tid,
				   .thread_name = thread_name, .caller_path = caller_path };
	struct call *c;

	if (!parent)
		parent = r->root;
	in.id = parent->id;
	tap(r, &in);
	c = calls_new(ev->call_id);
	if (!c) {
		r->calls_lost++;
		return -ENOMEM;
	}
	c->slot = slot;
	c->session = ev->session;
	c->start_ticks = ev->ticks;
	c->return_address = ev->return_address;
	c->caller_path = caller_path;
	c->tid = tid;
	memcpy(c->thread_name, thread_name, sizeof(c->thread_name));
	c->parent = parent;
	c->depth = parent->depth + 1;
	parent->refs++;
	if (decode_needs_exit(slot->hook)) {
		/* Its [out] values come with the exit: format the arguments then. Kept
		 * with format = binary too: the writer's redaction decodes them at the
		 * exit (logger/event_mask.c). */
		c->enter = malloc(ev->h.size);
		if (c->enter) {
			memcpy(c->enter, ev, ev->h.size);
			return 0;
		}
	}
	if (formatting())
		record_take_args(c, ev, NULL);
	return 0;
}

/* Ends a call: its record, its place among its parent's children, its own reference. */
static void finish(struct render *r, struct call *c, const struct record_end *end)
{
	bool written;

	if (c->done)
		return;
	if (c->enter) {
		/* Never returned: its after-the-call values stay the pointers passed. */
		if (formatting())
			record_take_args(c, c->enter, NULL);
		free(c->enter);
		c->enter = NULL;
	}
	written = r->record(r->record_arg, c, end);
	c->done = true;
	/* A child whose record is not in the output is counted, not listed. */
	if (written && c->parent && !c->parent->done && formatting())
		record_add_child(r->world, c->parent, c);
	calls_release(c);
}

/* The status of a returned call (its output and exception come from ev when its
 * record is written), and its arguments when they waited for the exit. */
static void decode_exit(struct call *c, const struct ev_exit *ev, struct record_end *end)
{
	const struct hook *h = c->slot->hook;

	end->exit = ev;
	if (c->enter) {
		if (formatting())
			record_take_args(c, c->enter, ev);
		free(c->enter);
		c->enter = NULL;
	}
	if (h->cfg->has_prototype && status_is_error(h->cfg, ev->ret)) {
		end->status = "error";
		end->error = true;
	}
}

void render_exit(struct render *r, const struct ev_exit *ev)
{
	struct render_input in = { .kind = RI_EXIT, .ev = &ev->h };
	struct call *c;
	struct record_end end = { .status = "success", .end_ticks = ev->ticks };

	tap(r, &in);
	c = calls_find(ev->call_id);
	if (!c)
		return;
	if (c->slot)
		decode_exit(c, ev, &end);
	finish(r, c, &end);
}

void render_end(struct render *r, uint64_t id, const struct record_end *end)
{
	struct render_input in = { .kind = RI_END, .id = id, .end = end };
	struct call *c;

	tap(r, &in);
	c = calls_find(id);
	if (c)
		finish(r, c, end);
}

void render_log(struct render *r, const struct ev_log *ev)
{
	struct render_input in = { .kind = RI_LOG, .ev = &ev->h };
	struct call *c;

	tap(r, &in);
	c = ev->call_id ? calls_find(ev->call_id) : r->root;
	if (!c || c->done)
		c = r->root;
	record_take_log(r->world, c, ev);
}

/* impulse_context_capture() inside call id: its own ring, so the call is known. */
void render_hold(struct render *r, uint64_t id)
{
	struct render_input in = { .kind = RI_HOLD, .id = id };
	struct call *c;

	tap(r, &in);
	c = calls_find(id);
	if (!c)
		return;
	r->holds_taken++;
	if (c->holds++ >= 0)
		c->refs++;	/* else it pays for a detach seen first */
}

/* One capture of c used (by a detach) or given back; may free c. */
static void use_hold(struct render *r, struct call *c)
{
	r->holds_used++;
	if (c->holds-- > 0)
		calls_release(c);
}

/* The thread of ring leaves its attached context. */
static void detach_ring(struct render *r, unsigned ring)
{
	struct call *c = r->attached[ring];

	if (!c)
		return;
	r->attached[ring] = NULL;
	use_hold(r, c);
	calls_release(c);	/* the attachment's own reference, last: c lived till here */
}

void render_attach(struct render *r, unsigned ring, struct call *c)
{
	struct render_input in = { .kind = RI_ATTACH, .ring = ring, .id = c ? c->id : 0,
				   .found = c != NULL };

	tap(r, &in);
	if (ring >= r->nrings)
		return;
	/* Its own reference: the calls attached may start after the capture is used
	 * up elsewhere. Taken before the (never needed: context.c detaches first)
	 * detach below, which might otherwise free c. */
	if (c)
		c->refs++;
	detach_ring(r, ring);
	r->attached[ring] = c;
}

void render_detach(struct render *r, unsigned ring, uint64_t id)
{
	struct render_input in = { .kind = RI_DETACH, .ring = ring, .id = id };

	tap(r, &in);
	if (ring < r->nrings && r->attached[ring] && r->attached[ring]->id == id)
		detach_ring(r, ring);
}

void render_unhold(struct render *r, struct call *c)
{
	struct render_input in = { .kind = RI_UNHOLD, .id = c ? c->id : 0, .found = c != NULL };

	tap(r, &in);
	if (c)
		use_hold(r, c);
}

void render_link(struct render *r, uint64_t id)
{
	struct render_input in = { .kind = RI_LINK, .id = id };
	struct call *c;

	tap(r, &in);
	c = calls_find(id);
	if (c) {
		c->refs++;
		c->links++;
	}
}

void render_retire(struct render *r, unsigned ring, uint64_t link_parent)
{
	struct render_input in = { .kind = RI_RETIRE, .ring = ring, .id = link_parent };

	tap(r, &in);
	if (ring < r->nrings)
		detach_ring(r, ring);	/* the thread ended attached */
	if (link_parent) {
		struct call *c = calls_find(link_parent);

		if (c && c->links) {
			c->links--;
			calls_release(c);
		}
	}
}

struct pending {
	struct call *root;
	struct call **v;
	size_t n, cap;
};

static void collect_running(struct call *c, void *arg)
{
	struct pending *p = arg;

	if (c == p->root || c->done || !c->slot)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct call **v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = c;
}

static int deeper_first(const void *a, const void *b)
{
	const struct call *x = *(struct call *const *)a, *y = *(struct call *const *)b;

	return x->depth < y->depth ? 1 : x->depth > y->depth ? -1 : 0;
}

void render_finish_running(struct render *r, const struct record_end *end)
{
	struct render_input in = { .kind = RI_FINISH_RUNNING, .end = end };
	struct pending running = { .root = r->root };

	tap(r, &in);
	calls_for_each(collect_running, &running);
	if (running.n)
		qsort(running.v, running.n, sizeof(*running.v), deeper_first);
	for (size_t i = 0; i < running.n; i++)
		finish(r, running.v[i], end);
	free(running.v);
}

void render_root_args(struct render *r, const struct render_drops *drops,
		      const struct render_diag *diag)
{
	struct render_input in = { .kind = RI_ROOT_ARGS, .drops = drops, .diag = diag };

	tap(r, &in);
	record_take_root_args(r->world, r->root, drops, diag);
}

void render_root_end(struct render *r, const struct record_end *end)
{
	struct render_input in = { .kind = RI_ROOT_END, .end = end };

	tap(r, &in);
	if (r->root->done)
		return;
	/* Its record only: the root keeps its reference to the last (calls kept for
	 * threads or contexts still point at it). */
	r->record(r->record_arg, r->root, end);
	r->root->done = true;
}
