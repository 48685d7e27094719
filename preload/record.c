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
#include "hooks.h"
#include "modules.h"
#include "record.h"
#include "tracer.h"

#define CHAIN_MAX 4096
#define LOG_METADATA "{\"tracer\":\"libimpulse\",\"version\":\"0.1.0\",\"schema\":1}"

static void put_call_id(struct jbuf *b, uint64_t id)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];

	jb_putc(b, '"');
	jb_put(b, tracer.tracer_id, 16);
	jb_putc(b, '-');
	for (int i = 15; i >= 0; i--) {
		tmp[i] = digits[id & 15];
		id >>= 4;
	}
	jb_put(b, tmp, 16);
	jb_putc(b, '"');
}

char *record_session_id_json(const char *id)
{
	struct jbuf b = { 0 };

	jb_cstr(&b, id);
	jb_putc(&b, '\0');
	return b.p;
}

static void put_value(struct jbuf *b, const struct cfg_type *t, uint64_t raw)
{
	switch (t->kind) {
	case CT_VOID:
		jb_lit(b, "null");
		break;
	case CT_BOOL:
		if ((uint8_t)raw)
			jb_lit(b, "true");
		else
			jb_lit(b, "false");
		break;
	case CT_ENUM:
		jb_i64(b, (int32_t)raw);
		break;
	case CT_INT:
		if (t->is_signed) {
			int64_t v = t->size == 1 ? (int8_t)raw : t->size == 2 ? (int16_t)raw :
				    t->size == 4 ? (int32_t)raw : (int64_t)raw;
			jb_i64(b, v);
		} else {
			uint64_t v = t->size == 1 ? (uint8_t)raw : t->size == 2 ? (uint16_t)raw :
				     t->size == 4 ? (uint32_t)raw : raw;
			jb_u64(b, v);
		}
		break;
	case CT_FLOAT: {
		uint32_t bits = (uint32_t)raw;
		float f;

		memcpy(&f, &bits, sizeof(f));
		jb_double(b, f);
		break;
	}
	case CT_DOUBLE: {
		double d;

		memcpy(&d, &raw, sizeof(d));
		jb_double(b, d);
		break;
	}
	case CT_LONG_DOUBLE:
		jb_lit(b, "{\"unsupported\":\"long double\"}");
		break;
	case CT_POINTER:
	case CT_STRING:
		if (raw)
			jb_hex(b, raw);
		else
			jb_lit(b, "null");
		break;
	}
}

/* A captured string: plain when complete and valid, else an object saying what is wrong. */
static const uint8_t *put_string(struct jbuf *b, const uint8_t *p, uint64_t raw)
{
	const struct ev_str *s = (const struct ev_str *)p;
	bool valid;

	if (s->len == EV_STR_NULL) {
		jb_lit(b, "null");
		return p + sizeof(*s);
	}
	if (s->len == EV_STR_UNREADABLE) {
		jb_lit(b, "{\"unreadable\":");
		jb_hex(b, raw);
		jb_putc(b, '}');
		return p + sizeof(*s);
	}
	valid = utf8_is_valid(s->data, (size_t)s->len);
	if (valid && !s->truncated) {
		jb_string(b, s->data, (size_t)s->len);
	} else {
		jb_lit(b, "{\"value\":");
		jb_string(b, s->data, (size_t)s->len);
		if (s->truncated)
			jb_lit(b, ",\"truncated\":true");
		else
			jb_lit(b, ",\"truncated\":false");
		if (valid)
			jb_lit(b, ",\"invalid_utf8\":false}");
		else
			jb_lit(b, ",\"invalid_utf8\":true}");
	}
	return p + sizeof(*s) + ev_align((uint64_t)s->len);
}

void record_format_args(struct jbuf *out, const struct hook *hook, const struct ev_enter *ev)
{
	const uint8_t *strings = (const uint8_t *)&ev->args[hook->nparams];

	jb_putc(out, '{');
	for (uint32_t i = 0; i < hook->nparams; i++) {
		const struct cfg_param *p = &hook->cfg->params[i];

		if (i)
			jb_putc(out, ',');
		jb_cstr(out, p->name);
		jb_putc(out, ':');
		if (p->type.kind == CT_STRING)
			strings = put_string(out, strings, ev->args[i]);
		else
			put_value(out, &p->type, ev->args[i]);
	}
	jb_putc(out, '}');
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

/* "function" without its caller, which may differ per call for address-taken slots. */
static void slot_function_json(struct hook_slot *slot)
{
	struct jbuf b = { 0 };
	const struct cfg_hook *h = slot->hook->cfg;

	jb_lit(&b, "{\"type\":\"Function\",\"name\":");
	jb_cstr(&b, h->symbol);
	jb_lit(&b, ",\"args\":[");
	for (int i = 0; i < h->nparams; i++) {
		if (i)
			jb_putc(&b, ',');
		jb_cstr(&b, h->params[i].name);
	}
	jb_lit(&b, "],\"library\":");
	jb_cstr(&b, slot->library_path);
	jb_lit(&b, ",\"caller\":");
	slot->function_json = b.p;
	slot->function_json_len = b.len;
}

static const char *name_of(const struct hook_slot *slot)
{
	return slot ? slot->hook->cfg->symbol : tracer.program;
}

static void put_session(struct jbuf *b, const struct session *s)
{
	jb_puts(b, s->id_json);
}

/* The short trace_module used inside parents and children. */
static void put_module_short(struct jbuf *b, const struct hook_slot *slot, const struct session *s)
{
	jb_lit(b, "{\"tracer_id\":\"");
	jb_put(b, tracer.tracer_id, 16);
	jb_lit(b, "\",\"session_id\":");
	put_session(b, s);
	if (slot) {
		jb_lit(b, ",\"thread_id\":");
		jb_cstr(b, slot->hook->cfg->thread_id);
		jb_lit(b, ",\"hook_id\":");
		jb_cstr(b, slot->hook->cfg->hook_id);
	} else {
		jb_lit(b, ",\"thread_id\":\"root\",\"hook_id\":\"root\"");
	}
	jb_putc(b, '}');
}

static void put_ref(struct jbuf *b, const struct hook_slot *slot, const struct session *s, uint64_t id)
{
	jb_lit(b, "{\"fn_name\":");
	jb_cstr(b, name_of(slot));
	jb_lit(b, ",\"call_id\":");
	put_call_id(b, id);
	jb_lit(b, ",\"trace_module\":");
	put_module_short(b, slot, s);
	jb_putc(b, '}');
}

static void put_parents(struct jbuf *b, const struct call *c)
{
	const struct call *chain[CHAIN_MAX];
	int n = 0;

	for (const struct call *p = c->parent; p && n < CHAIN_MAX; p = p->parent)
		chain[n++] = p;
	jb_putc(b, '[');
	for (int i = n - 1; i >= 0; i--) {
		put_ref(b, chain[i]->slot, chain[i]->session, chain[i]->id);
		if (i)
			jb_putc(b, ',');
	}
	jb_putc(b, ']');
}

static void put_function(struct jbuf *b, const struct call *c)
{
	struct hook_slot *slot = (struct hook_slot *)c->slot;
	const char *caller = slot ? slot->caller_path : NULL;

	if (!slot) {
		jb_lit(b, "{\"type\":\"Function\",\"name\":");
		jb_cstr(b, tracer.program);
		jb_lit(b, ",\"args\":[\"argv\"],\"library\":");
		jb_cstr(b, tracer.exe_path);
		jb_lit(b, ",\"caller\":null}");
		return;
	}
	if (!slot->function_json)
		slot_function_json(slot);
	jb_put(b, slot->function_json, slot->function_json_len);
	if (!caller) {
		const struct module *m = modules_find((uintptr_t)c->return_address);

		caller = m ? m->path : NULL;
	}
	if (caller)
		jb_cstr(b, caller);
	else
		jb_lit(b, "null");
	jb_putc(b, '}');
}

static void put_metadata(struct jbuf *b, const char *json)
{
	if (json)
		jb_puts(b, json);
	else
		jb_lit(b, "null");
}

void record_format(struct jbuf *out, const struct call *c, const struct record_end *end)
{
	const struct hook_slot *slot = c->slot;
	uint64_t start_ns = clock_ticks_to_ns(c->start_ticks);
	uint64_t end_ns = clock_ticks_to_ns(end->end_ticks);

	if (end_ns < start_ns)
		end_ns = start_ns;
	jb_lit(out, "{\"payload\":{\"function\":");
	put_function(out, c);
	jb_lit(out, ",\"trace_module\":{\"tracer_id\":\"");
	jb_put(out, tracer.tracer_id, 16);
	jb_lit(out, "\",\"session_id\":");
	put_session(out, c->session);
	if (slot) {
		jb_lit(out, ",\"thread_id\":");
		jb_cstr(out, slot->hook->cfg->thread_id);
		jb_lit(out, ",\"hook_id\":");
		jb_cstr(out, slot->hook->cfg->hook_id);
	} else {
		jb_lit(out, ",\"thread_id\":\"root\",\"hook_id\":\"root\"");
	}
	jb_lit(out, ",\"tracer_metadata\":");
	put_metadata(out, tracer.cfg.settings.tracer_metadata);
	jb_lit(out, ",\"session_metadata\":");
	put_metadata(out, c->session->metadata_json);
	jb_lit(out, ",\"hook_metadata\":");
	put_metadata(out, slot ? slot->hook->cfg->metadata_json : NULL);
	jb_lit(out, "},\"call_id\":");
	put_call_id(out, c->id);
	jb_lit(out, ",\"timestamps\":{\"start\":");
	jb_time(out, start_ns);
	jb_lit(out, ",\"end\":");
	jb_time(out, end_ns);
	jb_lit(out, ",\"start_to_end_seconds\":");
	jb_seconds(out, end_ns - start_ns);
	jb_lit(out, ",\"start_ns\":");
	jb_u64(out, start_ns);
	jb_lit(out, ",\"end_ns\":");
	jb_u64(out, end_ns);
	jb_lit(out, "},\"arguments\":");
	if (c->args.len)
		jb_put(out, c->args.p, c->args.len);
	else
		jb_lit(out, "{}");
	jb_lit(out, ",\"status\":\"");
	jb_puts(out, end->status);
	jb_lit(out, "\",\"exception\":null,\"output\":");
	if (!slot) {
		if (end->root_status >= 0)
			jb_i64(out, end->root_status);
		else
			jb_lit(out, "null");
	} else if (end->has_output && end->ret_str) {
		put_string(out, end->ret_str, end->ret);
	} else if (end->has_output) {
		put_value(out, &slot->hook->cfg->ret, end->ret);
	} else {
		jb_lit(out, "null");
	}
	jb_lit(out, ",\"stack_trace\":{\"parents\":");
	put_parents(out, c);
	jb_lit(out, ",\"children\":[");
	for (unsigned i = 0; i < c->nchildren; i++) {
		if (i)
			jb_putc(out, ',');
		put_ref(out, c->children[i].slot, c->children[i].session, c->children[i].id);
	}
	jb_lit(out, "],\"children_omitted\":");
	jb_u64(out, c->children_omitted);
	jb_lit(out, "},\"trace_logs\":[");
	if (c->logs.len)
		jb_put(out, c->logs.p, c->logs.len);
	jb_lit(out, "],\"process\":{\"pid\":");
	jb_i64(out, tracer.pid);
	jb_lit(out, ",\"tid\":");
	jb_i64(out, c->tid);
	jb_lit(out, ",\"thread_name\":");
	jb_cstr(out, c->thread_name);
	jb_lit(out, "}},\"log_metadata\":" LOG_METADATA "}\n");
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
