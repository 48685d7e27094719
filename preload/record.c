/*
 * record.c — one Impulse record per completed call, as one line of JSON.
 *
 * Field names and nesting follow Impulse's schema (payload.function, trace_module,
 * call_id, timestamps, arguments, status, exception, output, stack_trace,
 * trace_logs), plus process and log_metadata. Parts that never change for a slot
 * or a session are rendered once and copied.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decode.h"
#include "hooks.h"
#include "modules.h"
#include "record.h"
#include "tracer.h"

#define CHAIN_MAX 4096
#define LOG_METADATA "{\"tracer\":\"libimpulse\",\"version\":\"0.1.0\",\"schema\":1}"

/* The sequence part of a call id: 16 hex digits. */
static void put_sequence(struct jbuf *b, uint64_t id)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];

	for (int i = 15; i >= 0; i--) {
		tmp[i] = digits[id & 15];
		id >>= 4;
	}
	jb_put(b, tmp, 16);
}

static void put_call_id(struct jbuf *b, uint64_t id)
{
	jb_putc(b, '"');
	jb_put(b, tracer.tracer_id, 16);
	jb_putc(b, '-');
	put_sequence(b, id);
	jb_putc(b, '"');
}

char *record_session_id_json(const char *id)
{
	struct jbuf b = { 0 };

	jb_cstr(&b, id);
	jb_putc(&b, '\0');
	return b.p;
}

void record_format_args(struct jbuf *out, const struct hook *hook, const struct ev_enter *ev,
			const struct ev_exit *exit)
{
	decode_args(out, hook, ev, exit);
}

void record_format_root_args(struct jbuf *out)
{
	jb_lit(out, "{\"argv\":[");
	for (int i = 0; i < tracer.argc; i++) {
		if (i)
			jb_putc(out, ',');
		jb_cstr(out, tracer.argv[i]);
	}
	jb_lit(out, "]}");
}

static const char *name_of(const struct hook_slot *slot)
{
	return slot ? slot->hook->cfg->symbol : tracer.program;
}

/* ,"thread_id":…,"hook_id":… of a hook, or of the root for NULL. */
static void put_thread_and_hook(struct jbuf *b, const struct cfg_hook *h)
{
	if (!h) {
		jb_lit(b, ",\"thread_id\":\"root\",\"hook_id\":\"root\"");
		return;
	}
	jb_lit(b, ",\"thread_id\":");
	jb_cstr(b, h->thread_id);
	jb_lit(b, ",\"hook_id\":");
	jb_cstr(b, h->hook_id);
}

/* The short trace_module used inside parents and children. */
static void put_module_short(struct jbuf *b, const struct hook_slot *slot, const struct session *s)
{
	jb_lit(b, "{\"tracer_id\":\"");
	jb_put(b, tracer.tracer_id, 16);
	jb_lit(b, "\",\"session_id\":");
	jb_puts(b, s->id_json);
	put_thread_and_hook(b, slot ? slot->hook->cfg : NULL);
	jb_putc(b, '}');
}

/* A call as its parents and children name it; formatted once per call. */
static const struct jbuf *call_ref(struct call *c)
{
	struct jbuf *b = &c->ref;

	if (b->len)
		return b;
	jb_lit(b, "{\"fn_name\":");
	jb_cstr(b, name_of(c->slot));
	jb_lit(b, ",\"call_id\":");
	put_call_id(b, c->id);
	jb_lit(b, ",\"trace_module\":");
	put_module_short(b, c->slot, c->session);
	jb_putc(b, '}');
	return b;
}

/* Beyond this depth parents lists are built per record: caching them would cost
 * memory quadratic in the depth of a recursion. */
#define CHAIN_CACHE_DEPTH 32

/* The "parents" array of c's children: c's ancestors and c, outermost first. */
static const struct jbuf *call_chain(struct call *c)
{
	struct jbuf *b = &c->chain;
	const struct jbuf *ref;

	if (b->len)
		return b;
	if (c->parent) {
		const struct jbuf *up = call_chain(c->parent);

		jb_put(b, up->p, up->len - 1);	/* without its "]" */
		jb_putc(b, ',');
	} else {
		jb_putc(b, '[');
	}
	ref = call_ref(c);
	jb_put(b, ref->p, ref->len);
	jb_putc(b, ']');
	return b;
}

static void put_parents(struct jbuf *b, struct call *c)
{
	struct call *chain[CHAIN_MAX];
	int n = 0;

	if (!c->parent) {
		jb_lit(b, "[]");
		return;
	}
	if (c->parent->depth < CHAIN_CACHE_DEPTH) {
		const struct jbuf *up = call_chain(c->parent);

		jb_put(b, up->p, up->len);
		return;
	}
	for (struct call *p = c->parent; p && n < CHAIN_MAX; p = p->parent)
		chain[n++] = p;
	jb_putc(b, '[');
	for (int i = n - 1; i >= 0; i--) {
		const struct jbuf *ref = call_ref(chain[i]);

		jb_put(b, ref->p, ref->len);
		if (i)
			jb_putc(b, ',');
	}
	jb_putc(b, ']');
}

void record_add_child(struct call *parent, struct call *c)
{
	const struct jbuf *ref;

	if (parent->nchildren >= tracer.max_children) {
		parent->children_omitted++;
		return;
	}
	ref = call_ref(c);
	if (parent->nchildren++)
		jb_putc(&parent->children, ',');
	jb_put(&parent->children, ref->p, ref->len);
}

static void put_metadata(struct jbuf *b, const char *json)
{
	if (json)
		jb_puts(b, json);
	else
		jb_lit(b, "null");
}

/* Everything before the call id's hex digits: fixed for a slot, a caller and a session. */
static void put_prefix(struct jbuf *b, const struct hook_slot *slot, const char *caller,
		       const struct session *session)
{
	const struct cfg_hook *h = slot ? slot->hook->cfg : NULL;

	jb_lit(b, "{\"payload\":{\"function\":{\"type\":\"Function\",\"name\":");
	if (h) {
		jb_cstr(b, h->symbol);
		jb_lit(b, ",\"args\":[");
		for (int i = 0; i < h->nparams; i++) {
			if (i)
				jb_putc(b, ',');
			jb_cstr(b, h->params[i].name);
		}
		jb_lit(b, "],\"library\":");
		jb_cstr(b, slot->library_path);
	} else {
		jb_cstr(b, tracer.program);
		jb_lit(b, ",\"args\":[\"argv\"],\"library\":");
		jb_cstr(b, tracer.exe_path);
	}
	jb_lit(b, ",\"caller\":");
	if (caller)
		jb_cstr(b, caller);
	else
		jb_lit(b, "null");
	jb_lit(b, "},\"trace_module\":{\"tracer_id\":\"");
	jb_put(b, tracer.tracer_id, 16);
	jb_lit(b, "\",\"session_id\":");
	jb_puts(b, session->id_json);
	put_thread_and_hook(b, h);
	jb_lit(b, ",\"tracer_metadata\":");
	put_metadata(b, tracer.cfg.settings.tracer_metadata);
	jb_lit(b, ",\"session_metadata\":");
	put_metadata(b, session->metadata_json);
	jb_lit(b, ",\"hook_metadata\":");
	put_metadata(b, h ? h->metadata_json : NULL);
	jb_lit(b, "},\"call_id\":\"");
	jb_put(b, tracer.tracer_id, 16);
	jb_putc(b, '-');
}

static void put_record_prefix(struct jbuf *out, const struct call *c)
{
	struct hook_slot *slot = (struct hook_slot *)c->slot;
	const struct module *m;

	if (slot && slot->caller_path) {
		if (slot->prefix_session != c->session || !slot->prefix) {
			struct jbuf b = { 0 };

			put_prefix(&b, slot, slot->caller_path, c->session);
			if (jb_failed(&b)) {
				jb_free(&b);
				put_prefix(out, slot, slot->caller_path, c->session);
				return;
			}
			free(slot->prefix);
			slot->prefix = b.p;
			slot->prefix_len = b.len;
			slot->prefix_session = c->session;
		}
		jb_put(out, slot->prefix, slot->prefix_len);
		return;
	}
	/* Address-taken functions serve every module: name the caller by return address. */
	m = slot ? modules_find((uintptr_t)c->return_address) : NULL;
	put_prefix(out, slot, m ? m->path : NULL, c->session);
}

/* "process":{…}: the same for every call of a thread; kept for the last thread seen. */
static void put_process(struct jbuf *out, const struct call *c)
{
	static struct jbuf cached;
	static pid_t cached_tid;
	static char cached_name[16];

	if (!cached.len || cached_tid != c->tid || memcmp(cached_name, c->thread_name, 16)) {
		cached.len = 0;
		jb_lit(&cached, "\"process\":{\"pid\":");
		jb_i64(&cached, tracer.pid);
		jb_lit(&cached, ",\"tid\":");
		jb_i64(&cached, c->tid);
		jb_lit(&cached, ",\"thread_name\":");
		jb_cstr(&cached, c->thread_name);
		jb_lit(&cached, "}},\"log_metadata\":" LOG_METADATA "}\n");
		cached_tid = c->tid;
		memcpy(cached_name, c->thread_name, 16);
	}
	jb_put(out, cached.p, cached.len);
}

void record_format(struct jbuf *out, struct call *c, const struct record_end *end)
{
	const struct hook_slot *slot = c->slot;
	uint64_t start_ns = clock_ticks_to_ns(c->start_ticks);
	uint64_t end_ns = clock_ticks_to_ns(end->end_ticks);

	if (end_ns < start_ns)
		end_ns = start_ns;
	put_record_prefix(out, c);
	put_sequence(out, c->id);	/* the prefix ends with the tracer id and '-' */
	jb_lit(out, "\",\"timestamps\":{\"start\":");
	jb_time(out, start_ns);
	jb_lit(out, ",\"end\":");
	jb_time(out, end_ns);
	jb_lit(out, ",\"start_to_end_seconds\":");
	jb_seconds(out, end_ns - start_ns);
	jb_lit(out, ",\"start_ns\":");
	jb_ns(out, start_ns);
	jb_lit(out, ",\"end_ns\":");
	jb_ns(out, end_ns);
	jb_lit(out, "},\"arguments\":");
	if (c->args.len)
		jb_put(out, c->args.p, c->args.len);
	else
		jb_lit(out, "{}");
	jb_lit(out, ",\"status\":\"");
	jb_puts(out, end->status);
	jb_lit(out, "\",\"exception\":");
	if (end->exception)
		jb_put(out, end->exception->p, end->exception->len);
	else
		jb_lit(out, "null");
	jb_lit(out, ",\"output\":");
	if (!slot) {
		if (end->root_status >= 0)
			jb_i64(out, end->root_status);
		else
			jb_lit(out, "null");
	} else if (end->output) {
		jb_put(out, end->output->p, end->output->len);
	} else {
		jb_lit(out, "null");
	}
	jb_lit(out, ",\"stack_trace\":{\"parents\":");
	put_parents(out, c);
	jb_lit(out, ",\"children\":[");
	if (c->children.len)
		jb_put(out, c->children.p, c->children.len);
	jb_lit(out, "],\"children_omitted\":");
	jb_u64(out, c->children_omitted);
	jb_lit(out, "},\"trace_logs\":[");
	if (c->logs.len)
		jb_put(out, c->logs.p, c->logs.len);
	jb_lit(out, "],");
	put_process(out, c);
}

void record_format_log(struct jbuf *logs, const struct ev_log *ev)
{
	if (logs->len)
		jb_putc(logs, ',');
	jb_lit(logs, "{\"timestamp\":");
	jb_time(logs, clock_ticks_to_ns(ev->ticks));
	jb_lit(logs, ",\"payload\":");
	if (ev->h.flags == EV_LOG_JSON) {
		json_error_t err;
		json_t *v = json_loadb(ev->data, ev->len, JSON_DECODE_ANY, &err);

		if (v) {
			char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			if (text) {
				jb_puts(logs, text);
				free(text);
			} else {
				jb_lit(logs, "null");
			}
			json_decref(v);
			jb_putc(logs, '}');
			return;
		}
		jb_string(logs, ev->data, ev->len);
		jb_lit(logs, ",\"invalid_json\":true}");
		return;
	}
	jb_string(logs, ev->data, ev->len);
	jb_putc(logs, '}');
}
