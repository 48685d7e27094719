/*
 * record.c — one Impulse record per completed call: its shape, written once
 * through the value writer (valw.h), as a JSON line here and as a BSON document in
 * record_bson.c.
 *
 * Field names and nesting follow Impulse's schema (payload.function, trace_module,
 * call_id, timestamps, arguments, status, exception, output, stack_trace,
 * trace_logs), plus process and log_metadata. For JSON, parts that never change
 * for a slot, a session or a thread, and each call's reference, are rendered once
 * and spliced as text; BSON renders them each time through the same functions.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/tracer.h"		/* struct session only: no global of the tracer is read */
#include "hooks/hooks.h"
#include "render/decode.h"
#include "render/record.h"
#include "render/redact.h"
#include "render/status.h"

#define CHAIN_MAX 4096

/*
 * The record's shape is written once (record_shape and the SHAPE helpers) and
 * inlined twice: into record_put, for any writer (BSON), and into record_format,
 * where the writer is a JSON one that no out-of-line function ever sees. There the
 * compiler keeps the writer in registers, its kind a known constant: the BSON
 * branches go, and so do most comma tests, so the skeleton costs what literal
 * text did. Keeping that property: inside the shape, a writer is handed to an
 * out-of-line function only through VW_OUT, which gives the callee a copy and takes
 * back the one thing it may change (the comma state).
 */
#define SHAPE static inline __attribute__((always_inline))
#define VW_OUT(w, ow, call)						\
	do {								\
		struct valw ow = *(w);					\
		call;							\
		(w)->comma = ow.comma;					\
	} while (0)

unsigned record_forms = RECORD_JSON;

/* "<tracer id>-<sequence: 16 hex digits>": 33 characters. */
SHAPE void put_call_id(struct valw *w, const struct render_world *rw, uint64_t id)
{
	char tmp[33];

	memcpy(tmp, rw->tracer_id, 16);
	tmp[16] = '-';
	jb_hex16_at(tmp + 17, id);
	vw_ascii(w, tmp, sizeof(tmp));
}

static const char *name_of(const struct render_world *rw, const struct hook_slot *slot)
{
	return slot ? slot->hook->cfg->symbol : rw->program;
}

/* "thread_id":…,"hook_id":… of a hook, or of the root for NULL. */
static void put_thread_and_hook(struct valw *w, const struct cfg_hook *h)
{
	vw_klit(w, "thread_id");
	if (h)
		vw_cstr(w, h->thread_id);
	else
		vw_alit(w, "root");
	vw_klit(w, "hook_id");
	if (h)
		vw_cstr(w, h->hook_id);
	else
		vw_alit(w, "root");
}

static void put_tracer_and_session(struct valw *w, const struct render_world *rw,
				   const struct session *s)
{
	vw_klit(w, "tracer_id");
	vw_ascii(w, rw->tracer_id, 16);
	vw_klit(w, "session_id");
	vw_cstr(w, s->id);
}

void record_put_ref(struct valw *w, const struct render_world *rw, const struct hook_slot *slot,
		    const struct session *s, uint64_t id)
{
	vw_begin_object(w);
	vw_klit(w, "fn_name");
	vw_cstr(w, name_of(rw, slot));
	vw_klit(w, "call_id");
	put_call_id(w, rw, id);
	vw_klit(w, "trace_module");
	vw_begin_object(w);
	put_tracer_and_session(w, rw, s);
	put_thread_and_hook(w, slot ? slot->hook->cfg : NULL);
	vw_end_object(w);
	vw_end_object(w);
}

/* A call as its parents and children name it, as JSON; rendered once per call. */
static const struct jbuf *call_ref(const struct render_world *rw, struct call *c)
{
	struct jbuf *b = &c->ref;

	if (!b->len) {
		struct valw w = valw_json(b);

		record_put_ref(&w, rw, c->slot, c->session, c->id);
	}
	return b;
}

/* Beyond this depth parents lists are built per record: caching them would cost
 * memory quadratic in the depth of a recursion. */
#define CHAIN_CACHE_DEPTH 32

/* The JSON "parents" array of c's children: c's ancestors and c, outermost first. */
static const struct jbuf *call_chain(const struct render_world *rw, struct call *c)
{
	struct jbuf *b = &c->chain;
	const struct jbuf *ref;

	if (b->len)
		return b;
	if (c->parent) {
		const struct jbuf *up = call_chain(rw, c->parent);

		jb_put(b, up->p, up->len - 1);	/* without its "]" */
		jb_putc(b, ',');
	} else {
		jb_putc(b, '[');
	}
	ref = call_ref(rw, c);
	jb_put(b, ref->p, ref->len);
	jb_putc(b, ']');
	return b;
}

/* The root record's "parents": [] or [{fn_name, call_id, trace_module}] of the
 * call in another process image that started this one. */
static void put_root_parents(struct valw *w, const struct render_parent *p)
{
	char id[34];

	vw_begin_array(w);
	if (p->set) {
		memcpy(id, p->module, 16);
		id[16] = '-';
		jb_hex16_at(id + 17, p->call);
		vw_elem(w);
		vw_begin_object(w);
		vw_klit(w, "fn_name");
		vw_cstr(w, p->fn_name);
		vw_klit(w, "call_id");
		vw_ascii(w, id, 33);
		vw_klit(w, "trace_module");
		vw_begin_object(w);
		vw_klit(w, "tracer_id");
		vw_ascii(w, p->module, 16);
		vw_end_object(w);
		vw_end_object(w);
	}
	vw_end_array(w);
}

SHAPE void put_parents(struct valw *w, const struct render_world *rw, struct call *c)
{
	struct call *chain[CHAIN_MAX];
	int n = 0;

	if (!c->slot) {
		/* The root's parent is in another process, if any (lineage.h). */
		VW_OUT(w, ow, put_root_parents(&ow, &rw->root_parent));
		return;
	}
	if (valw_is_json(w) && c->parent && c->parent->depth < CHAIN_CACHE_DEPTH) {
		const struct jbuf *up = call_chain(rw, c->parent);

		vw_json_splice(w, up->p, up->len);
		return;
	}
	for (struct call *p = c->parent; p && n < CHAIN_MAX; p = p->parent)
		chain[n++] = p;
	vw_begin_array(w);
	for (int i = n - 1; i >= 0; i--) {
		vw_elem(w);
		if (valw_is_json(w)) {
			const struct jbuf *ref = call_ref(rw, chain[i]);

			vw_json_splice(w, ref->p, ref->len);
		} else {
			VW_OUT(w, ow, record_put_ref(&ow, rw, chain[i]->slot, chain[i]->session,
						     chain[i]->id));
		}
	}
	vw_end_array(w);
}

/* The call's BSON parts, made when first needed. */
static struct call_bson *bson_parts(struct call *c)
{
	if (!c->bson)
		c->bson = calloc(1, sizeof(*c->bson));
	return c->bson;
}

void record_add_child(const struct render_world *rw, struct call *parent, struct call *c)
{
	if (parent->nchildren >= rw->max_children) {
		parent->children_omitted++;
		return;
	}
	if (record_forms & RECORD_JSON) {
		const struct jbuf *ref = call_ref(rw, c);
		struct valw w = valw_json(&parent->children);

		w.comma = parent->nchildren != 0;
		vw_elem(&w);
		vw_json_splice(&w, ref->p, ref->len);
	}
	if (record_forms & RECORD_BSON) {
		struct call_bson *b = bson_parts(parent);
		struct record_child_ref r = { c->slot, c->session, c->id };

		if (b)
			jb_put(&b->children, &r, sizeof(r));
	}
	parent->nchildren++;
}

static void put_metadata(struct valw *w, const char *json)
{
	if (json)
		vw_raw_json(w, json, strlen(json));
	else
		vw_null(w);
}

/*
 * The record up to the call id: {"payload":{"function":{…},"trace_module":{…},
 * "call_id": — fixed for a slot, a caller and a session.
 */
static __attribute__((noinline)) void put_head(struct valw *w, const struct render_world *rw,
					       const struct hook_slot *slot, const char *caller,
					       const struct session *session)
{
	const struct cfg_hook *h = slot ? slot->hook->cfg : NULL;

	vw_begin_object(w);
	vw_klit_object(w, "payload");
	vw_klit(w, "function");
	vw_begin_object(w);
	vw_klit(w, "type");
	vw_alit(w, "Function");
	vw_klit(w, "name");
	vw_cstr(w, name_of(rw, slot));
	vw_klit(w, "args");
	vw_begin_array(w);
	if (h) {
		for (int i = 0; i < h->nparams; i++) {
			vw_elem(w);
			vw_cstr(w, h->params[i].name);
		}
	} else {
		vw_elem(w);
		vw_alit(w, "argv");
	}
	vw_end_array(w);
	vw_klit(w, "library");
	vw_cstr(w, h ? slot->library_path : rw->exe_path);
	vw_klit(w, "caller");
	if (caller)
		vw_cstr(w, caller);
	else
		vw_null(w);
	vw_end_object(w);
	vw_klit(w, "trace_module");
	vw_begin_object(w);
	put_tracer_and_session(w, rw, session);
	put_thread_and_hook(w, h);
	vw_klit(w, "tracer_metadata");
	put_metadata(w, rw->tracer_metadata);
	vw_klit(w, "session_metadata");
	put_metadata(w, session->metadata_json);
	vw_klit(w, "hook_metadata");
	put_metadata(w, h ? h->metadata_json : NULL);
	vw_end_object(w);
	vw_klit(w, "call_id");
}

SHAPE void put_record_head(struct valw *w, const struct render_world *rw, const struct call *c)
{
	struct hook_slot *slot = (struct hook_slot *)c->slot;

	if (valw_is_json(w) && slot && slot->caller_path) {
		if (slot->prefix_session != c->session || !slot->prefix) {
			struct jbuf b = { 0 };
			struct valw bw = valw_json(&b);

			put_head(&bw, rw, slot, slot->caller_path, c->session);
			if (jb_failed(&b)) {
				jb_free(&b);
				VW_OUT(w, ow, put_head(&ow, rw, slot, slot->caller_path, c->session));
				return;
			}
			free(slot->prefix);
			slot->prefix = b.p;
			slot->prefix_len = b.len;
			slot->prefix_session = c->session;
		}
		vw_json_raw(w, slot->prefix, slot->prefix_len, true);
		return;
	}
	if (slot && slot->caller_path) {
		VW_OUT(w, ow, put_head(&ow, rw, slot, slot->caller_path, c->session));
		return;
	}
	/* Address-taken functions serve every module: the caller was named by return
	 * address when the call's entry was drained (logger.c). */
	VW_OUT(w, ow, put_head(&ow, rw, slot, slot ? c->caller_path : NULL, c->session));
}

/*
 * The record from "process" to its end: ,"process":{…}},"log_metadata":{…}} —
 * the same for every call of a thread.
 */
static __attribute__((noinline)) void put_tail(struct valw *w, pid_t pid, pid_t tid,
					       const char *thread_name)
{
	vw_klit_object(w, "process");
	vw_klit(w, "pid");
	vw_i64(w, pid);
	vw_klit(w, "tid");
	vw_i64(w, tid);
	vw_klit(w, "thread_name");
	vw_cstr(w, thread_name);
	vw_end_object(w);
	vw_end_object(w);	/* payload */
	vw_klit_object(w, "log_metadata");
	vw_klit(w, "tracer");
	vw_alit(w, "libimpulse");
	vw_klit(w, "version");
	vw_alit(w, "0.1.0");
	vw_klit(w, "schema");
	vw_i64(w, 1);
	vw_end_object(w);
	vw_end_object(w);	/* the record */
}

/* As JSON, kept for the last thread seen (rendered after a member: it starts with a comma). */
static struct jbuf cached;
static pid_t cached_pid, cached_tid;
static char cached_name[16];

SHAPE void put_record_tail(struct valw *w, const struct render_world *rw, const struct call *c)
{
	if (!valw_is_json(w)) {
		VW_OUT(w, ow, put_tail(&ow, rw->pid, c->tid, c->thread_name));
		return;
	}
	if (!cached.len || cached_tid != c->tid || cached_pid != rw->pid ||
	    memcmp(cached_name, c->thread_name, 16)) {
		struct valw cw = valw_json(&cached);

		cached.len = 0;
		cw.comma = true;
		put_tail(&cw, rw->pid, c->tid, c->thread_name);
		cached_pid = rw->pid;
		cached_tid = c->tid;
		memcpy(cached_name, c->thread_name, 16);
	}
	vw_json_raw(w, cached.p, cached.len, true);
}

SHAPE void put_timestamps(struct valw *w, uint64_t start_ns, uint64_t end_ns)
{
	if (valw_is_json(w)) {
		/* One pass for the five members: the file logger's costliest numbers. */
		jb_timestamps(w->j, start_ns, end_ns);
		w->comma = true;
		vw_end_object(w);
		return;
	}
	vw_klit(w, "start");
	vw_date(w, start_ns);
	vw_klit(w, "end");
	vw_date(w, end_ns);
	vw_klit(w, "start_to_end_seconds");
	vw_seconds(w, end_ns - start_ns);
	vw_klit(w, "start_ns");
	vw_ns(w, start_ns);
	vw_klit(w, "end_ns");
	vw_ns(w, end_ns);
	vw_end_object(w);
}

SHAPE void put_stored_args(struct valw *w, const struct call *c)
{
	if (!valw_is_json(w)) {
		VW_OUT(w, ow, record_bson_put_args(&ow, c));
	} else if (c->args.len) {
		vw_json_splice(w, c->args.p, c->args.len);
	} else {
		vw_begin_object(w);
		vw_end_object(w);
	}
}

SHAPE void put_output(struct valw *w, const struct call *c, const struct record_end *end)
{
	if (!c->slot) {
		if (end->root_status >= 0)
			vw_i64(w, end->root_status);
		else
			vw_null(w);
	} else if (end->exit) {
		VW_OUT(w, ow, decode_output(&ow, c->slot->hook, end->exit));
	} else {
		vw_null(w);
	}
}

SHAPE void put_exception(struct valw *w, const struct call *c, const struct record_end *end)
{
	if (end->exception)
		vw_cstr(w, end->exception);
	else if (end->error && end->exit && c->slot)
		VW_OUT(w, ow, status_put_exception(&ow, c->slot->hook->cfg, end->exit->ret,
						   end->exit->h.flags));
	else
		vw_null(w);
}

/* The members of "stack_trace" and its closing brace. */
SHAPE void put_stack_trace(struct valw *w, const struct render_world *rw, struct call *c)
{
	vw_klit(w, "parents");
	put_parents(w, rw, c);
	vw_klit_array(w, "children");
	if (!valw_is_json(w)) {
		VW_OUT(w, ow, record_bson_put_children(&ow, rw, c));
	} else if (c->children.len) {
		vw_json_splice(w, c->children.p, c->children.len);
	}
	vw_end_array(w);
	vw_klit(w, "children_omitted");
	vw_u64(w, c->children_omitted);
	vw_end_object(w);
}

/* The entries of "trace_logs" and its closing bracket. */
SHAPE void put_logs(struct valw *w, const struct call *c)
{
	if (!valw_is_json(w))
		VW_OUT(w, ow, record_bson_put_logs(&ow, c));
	else if (c->logs.len)
		vw_json_splice(w, c->logs.p, c->logs.len);
	vw_end_array(w);
}

SHAPE void record_shape(struct valw *w, const struct render_world *rw, struct call *c,
			const struct record_end *end)
{
	uint64_t start_ns = rw->ticks_to_ns(rw, c->start_ticks);
	uint64_t end_ns = rw->ticks_to_ns(rw, end->end_ticks);

	if (end_ns < start_ns)
		end_ns = start_ns;
	put_record_head(w, rw, c);	/* up to "call_id": */
	put_call_id(w, rw, c->id);
	if (!c->slot) {
		/* Only the root names the trace its process tree shares. */
		vw_klit(w, "trace_id");
		vw_ascii(w, rw->trace_id, 32);
	}
	vw_klit_object(w, "timestamps");
	put_timestamps(w, start_ns, end_ns);
	vw_klit(w, "arguments");
	put_stored_args(w, c);
	vw_klit(w, "status");
	vw_ascii(w, end->status, strlen(end->status));
	vw_klit(w, "exception");
	put_exception(w, c, end);
	vw_klit(w, "output");
	put_output(w, c, end);
	vw_klit_object(w, "stack_trace");
	put_stack_trace(w, rw, c);
	vw_klit_array(w, "trace_logs");
	put_logs(w, c);
	put_record_tail(w, rw, c);	/* process, log_metadata and the closing braces */
}

void record_put(struct valw *w, const struct render_world *rw, struct call *c,
		const struct record_end *end)
{
	record_shape(w, rw, c, end);
}

void record_format(struct jbuf *out, const struct render_world *rw, struct call *c,
		   const struct record_end *end)
{
	struct valw w = valw_json(out);

	record_shape(&w, rw, c, end);
	jb_putc(out, '\n');
}

void record_forget_after_fork(struct hook_slot *slots, unsigned nslots)
{
	/* The texts rendered once hold the parent's tracer id and pid; they may also
	 * have been mid-update at the fork: leak them rather than free. */
	cached = (struct jbuf){ 0 };
	cached_pid = cached_tid = 0;
	for (unsigned i = 0; i < nslots; i++) {
		slots[i].prefix = NULL;
		slots[i].prefix_session = NULL;
	}
}

/* ---- the parts kept per call until its record ---- */

struct args_src {
	const struct hook *hook;
	const struct ev_enter *ev;
	const struct ev_exit *exit;
};

static void put_args(struct valw *w, const void *arg)
{
	const struct args_src *a = arg;

	decode_args(w, a->hook, a->ev, a->exit);
}

struct root_args_src {
	const struct render_world *rw;
	const struct render_drops *drops;
	const struct render_diag *diag;
};

/*
 * {"total": N, "threads": [{"thread_id": tid, "thread_name": s, "total": n,
 * "hooks": {"<hook name>": n, ...}}, ...]}: threads that dropped only, in the order
 * their counts were taken. A thread whose signal handlers made calls while
 * libimpulse ran on it has also "reentrant": {"<hook name>": n}.
 */
static void put_drops(struct valw *w, const struct render_drops *d)
{
	vw_begin_object(w);
	vw_klit(w, "total");
	vw_u64(w, d->total);
	vw_klit(w, "threads");
	vw_begin_array(w);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct render_drop_thread *t = &d->threads[i];

		vw_elem(w);
		vw_begin_object(w);
		vw_klit(w, "thread_id");
		vw_i64(w, t->tid);
		vw_klit(w, "thread_name");
		vw_cstr(w, t->name);
		vw_klit(w, "total");
		vw_u64(w, t->total);
		vw_klit(w, "hooks");
		vw_begin_object(w);
		for (unsigned h = 0; h < t->nhooks; h++) {
			vw_key_cstr(w, t->hooks[h].name);
			vw_u64(w, t->hooks[h].count);
		}
		vw_end_object(w);
		if (t->reentrant) {
			vw_klit(w, "reentrant");
			vw_begin_object(w);
			for (unsigned h = 0; h < t->nrhooks; h++) {
				vw_key_cstr(w, t->rhooks[h].name);
				vw_u64(w, t->rhooks[h].count);
			}
			vw_end_object(w);
		}
		vw_end_object(w);
	}
	vw_end_array(w);
	vw_end_object(w);
}

/* "diagnostics": {"messages": [...], "omitted": N}, when the process said anything. */
static void put_diagnostics(struct valw *w, const struct render_diag *d)
{
	if (!d->said)
		return;
	vw_klit(w, "diagnostics");
	vw_begin_object(w);
	vw_klit(w, "messages");
	vw_begin_array(w);
	for (unsigned i = 0; i < d->n; i++) {
		vw_elem(w);
		vw_cstr(w, d->text[i]);
	}
	vw_end_array(w);
	vw_klit(w, "omitted");
	vw_u64(w, d->omitted);
	vw_end_object(w);
}

static void put_root_args(struct valw *w, const void *arg)
{
	const struct root_args_src *a = arg;

	vw_begin_object(w);
	vw_klit(w, "argv");
	vw_begin_array(w);
	for (int i = 0; i < a->rw->argc; i++) {
		vw_elem(w);
		vw_cstr(w, a->rw->argv[i]);
	}
	vw_end_array(w);
	vw_klit(w, "dropped");
	put_drops(w, a->drops);
	put_diagnostics(w, a->diag);
	vw_end_object(w);
}

SHAPE void take(struct call *c, void (*fn)(struct valw *w, const void *arg), const void *arg)
{
	if (record_forms & RECORD_JSON) {
		struct valw w = valw_json(&c->args);

		c->args.len = 0;
		fn(&w, arg);
	}
	if (record_forms & RECORD_BSON) {
		struct call_bson *b = bson_parts(c);

		if (b) {
			b->args.len = 0;
			record_bson_render(&b->args, fn, arg);
		}
	}
}

void record_take_args(struct call *c, const struct ev_enter *ev, const struct ev_exit *exit)
{
	struct args_src a = { c->slot->hook, ev, exit };

	if (record_forms == RECORD_JSON) {
		/* The file logger's path: straight to the decoder. */
		struct valw w = valw_json(&c->args);

		c->args.len = 0;
		decode_args(&w, a.hook, ev, exit);
		return;
	}
	take(c, put_args, &a);
}

void record_take_root_args(const struct render_world *rw, struct call *c,
			   const struct render_drops *drops, const struct render_diag *diag)
{
	struct root_args_src a = { rw, drops, diag };

	take(c, put_root_args, &a);
}

struct log_src {
	const struct render_world *rw;
	const struct ev_log *ev;
};

/* One trace_logs entry: {"timestamp": …, "payload": …}. */
static void put_log(struct valw *w, const void *arg)
{
	const struct log_src *src = arg;
	const struct ev_log *ev = src->ev;
	bool cut = ev->h.flags & EV_LOG_CUT;

	vw_begin_object(w);
	vw_klit(w, "timestamp");
	vw_date(w, src->rw->ticks_to_ns(src->rw, ev->ticks));
	vw_klit(w, "payload");
	if ((ev->h.flags & ~EV_LOG_CUT) == EV_LOG_JSON) {
		json_error_t err;
		json_t *v = json_loadb(ev->data, ev->len, JSON_DECODE_ANY, &err);

		if (v) {
			char *text;

			redact_json(v);
			text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			if (text) {
				vw_raw_json(w, text, strlen(text));
				free(text);
			} else {
				vw_null(w);
			}
			json_decref(v);
			vw_end_object(w);
			return;
		}
		vw_string_cut(w, ev->data, ev->len, cut);
		vw_klit(w, "invalid_json");
		vw_bool(w, true);
		vw_end_object(w);
		return;
	}
	vw_string_cut(w, ev->data, ev->len, cut);
	vw_end_object(w);
}

void record_take_log(const struct render_world *rw, struct call *c, const struct ev_log *ev)
{
	struct log_src src = { rw, ev };

	if (record_forms & RECORD_JSON) {
		struct valw w = valw_json(&c->logs);

		w.comma = c->logs.len != 0;
		vw_elem(&w);
		put_log(&w, &src);
	}
	if (record_forms & RECORD_BSON) {
		struct call_bson *b = bson_parts(c);

		if (b)
			record_bson_render(&b->logs, put_log, &src);
	}
}
