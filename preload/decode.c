/*
 * decode.c — renders captured values: replays a hook's capture plan over the bytes
 * of its events, exactly as capture.c walked it, taking each blob in turn.
 *
 * Logger thread only. Every test that decides whether a blob was written is the
 * one capture.c made (capture_plan.h), over the same bytes, so a blob is never
 * taken for another value's. A reader that reaches the event's end treats every
 * later value as cut by max_capture. The value forms are spec section 2: strings as
 * before, buffers through bufrender, arrays, structs, {"unreadable": …}, addresses
 * at the depth limit, and the truncation objects.
 */
#include "bufrender.h"
#include "capture_plan.h"
#include "decode.h"
#include "display.h"
#include "fmtscan.h"

struct reader {
	const uint8_t *p, *end;
	bool full;		/* a blob was missing: the hot path wrote nothing after it */
	const uint64_t *args;	/* raw argument values (entry, or re-read at exit) */
	uint64_t ret;
};

static const struct ev_blob *take(struct reader *r)
{
	const struct ev_blob *b;
	size_t size;

	if (r->full || (size_t)(r->end - r->p) < sizeof(*b)) {
		r->full = true;
		return NULL;
	}
	b = (const struct ev_blob *)r->p;
	size = sizeof(*b) + (b->len > 0 ? ev_align((uint64_t)b->len) : 0);
	if (size > (size_t)(r->end - r->p)) {
		r->full = true;	/* never with a sound event; do not read past it */
		return NULL;
	}
	r->p += size;
	return b;
}

/* A string: plain when complete and valid UTF-8, else an object saying what is wrong. */
static void put_text(struct jbuf *out, const char *s, size_t n, bool truncated)
{
	bool valid = utf8_is_valid(s, n);

	if (valid && !truncated) {
		jb_string(out, s, n);
		return;
	}
	jb_lit(out, "{\"value\":");
	jb_string(out, s, n);
	if (truncated)
		jb_lit(out, ",\"truncated\":true");
	else
		jb_lit(out, ",\"truncated\":false");
	if (valid)
		jb_lit(out, ",\"invalid_utf8\":false}");
	else
		jb_lit(out, ",\"invalid_utf8\":true}");
}

/* A followed pointer whose blob is missing, unreadable or cut: true when it said so. */
static bool put_blob_problem(struct jbuf *out, const struct ev_blob *b, uint64_t ptr)
{
	if (b && b->len >= 0)
		return false;
	if (b && b->len == EV_BLOB_UNREADABLE) {
		jb_lit(out, "{\"unreadable\":");
		jb_hex(out, ptr);
		jb_putc(out, '}');
	} else {
		jb_lit(out, "{\"address\":");
		jb_hex(out, ptr);
		jb_lit(out, ",\"truncated\":true}");
	}
	return true;
}

static void put_string_blob(struct jbuf *out, const struct ev_blob *b, uint64_t ptr)
{
	if (!put_blob_problem(out, b, ptr))
		put_text(out, (const char *)b->data, (size_t)b->len, b->info != 0);
}

static void render(struct reader *r, struct jbuf *out, const struct cfg_type *t,
		   const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth);

static void render_record(struct reader *r, struct jbuf *out, const struct cfg_record *rec,
			  const struct cap_node *n, const uint8_t *val, unsigned depth)
{
	jb_putc(out, '{');
	for (int i = 0; rec && i < rec->nfields; i++) {
		const struct cfg_field *f = &rec->fields[i];

		if (i)
			jb_putc(out, ',');
		jb_cstr(out, f->name);
		jb_putc(out, ':');
		render(r, out, &f->type, n ? n->fields[i] : NULL, val + f->offset, val, depth);
	}
	jb_putc(out, '}');
}

static bool is_char_array(const struct cfg_type *t)
{
	const struct cfg_type *e = t->pointee;

	return e && e->kind == CT_INT && e->size == 1 && e->display == CD_CHAR;
}

/* A T name[N] field: a string up to its NUL for char, else a JSON array. */
static void render_fixed(struct reader *r, struct jbuf *out, const struct cfg_type *t,
			 const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth)
{
	const struct cfg_type *e = t->pointee;
	size_t elem_size;

	if (!e) {
		jb_lit(out, "null");
		return;
	}
	/* A struct element's size is its record's (see capture_plan.c: size_of). */
	elem_size = e->kind == CT_STRUCT && e->record ? e->record->size : e->size;
	if (is_char_array(t)) {
		const char *s = (const char *)val;
		size_t len = strnlen(s, t->array_len);

		put_text(out, s, len, false);
		return;
	}
	jb_putc(out, '[');
	for (unsigned i = 0; i < t->array_len; i++) {
		if (i)
			jb_putc(out, ',');
		render(r, out, e, n ? n->elem : NULL, val + (size_t)i * elem_size, rec, depth);
	}
	jb_putc(out, ']');
}

/* count elements at data; the array had full of them. */
static void render_items(struct reader *r, struct jbuf *out, const struct cfg_type *elem,
			 const struct cap_node *n, const uint8_t *data, size_t count, uint64_t full,
			 unsigned depth)
{
	bool cut = full > count;

	if (cut)
		jb_lit(out, "{\"items\":");
	jb_putc(out, '[');
	for (size_t i = 0; i < count; i++) {
		if (i)
			jb_putc(out, ',');
		if (elem)
			render(r, out, elem, n->elem, data + i * n->elem_size, NULL, depth + 1);
		else
			jb_lit(out, "null");
	}
	jb_putc(out, ']');
	if (cut) {
		jb_lit(out, ",\"length\":");
		jb_u64(out, full);
		jb_lit(out, ",\"truncated\":true}");
	}
}

/* A pointer with a capture node: its blob, per the node's op. */
static void render_pointer(struct reader *r, struct jbuf *out, const struct cfg_type *t,
			   const struct cap_node *n, uint64_t ptr, const uint8_t *rec, unsigned depth)
{
	const struct cfg_type *pt = t->kind == CT_POINTER ? t->pointee : NULL;
	const struct ev_blob *b;
	int64_t len = 0;

	if (!cap_follows(n, ptr, depth)) {
		display_put(out, t, ptr);	/* NULL, or as deep as we go: the address */
		return;
	}
	if (n->op == CAP_BYTES || n->op == CAP_ARRAY) {
		len = cap_len_eval(&n->len, r->args, r->ret, rec);
		if (len < 0) {
			display_put(out, t, ptr);
			return;
		}
	}
	b = take(r);
	if (put_blob_problem(out, b, ptr))
		return;
	switch (n->op) {
	case CAP_STRING:
		put_string_blob(out, b, ptr);
		break;
	case CAP_BYTES:
		bufrender_put(out, b->data, (size_t)b->len, (uint64_t)len, (enum cfg_binary)cap_limits.binary);
		break;
	case CAP_ARRAY:
		render_items(r, out, pt, n, b->data, (size_t)b->len / n->elem_size, (uint64_t)len, depth);
		break;
	case CAP_NULLTERM:
		render_items(r, out, pt, n, b->data, (size_t)b->len / n->elem_size, b->info, depth);
		break;
	case CAP_POINTEE:
		if (pt)
			render(r, out, pt, n->elem, b->data, NULL, depth + 1);
		else
			jb_lit(out, "null");
		break;
	default:
		jb_lit(out, "null");
		break;
	}
}

/* The value of type t whose bytes are at val; n its capture node or NULL. */
static void render(struct reader *r, struct jbuf *out, const struct cfg_type *t,
		   const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth)
{
	uint64_t raw = 0;

	switch (t->kind) {
	case CT_STRUCT:
		if (t->record && t->record->complete)
			render_record(r, out, t->record, n, val, depth);
		else
			jb_lit(out, "null");
		return;
	case CT_ARRAY:
		render_fixed(r, out, t, n, val, rec, depth);
		return;
	case CT_STRING:
	case CT_POINTER:
		raw = cap_load_ptr(val);
		if (n)
			render_pointer(r, out, t, n, raw, rec, depth);
		else
			display_put(out, t, raw);
		return;
	default:
		memcpy(&raw, val, t->size && t->size < 8 ? t->size : 8);
		display_put(out, t, raw);
		return;
	}
}

/* A struct passed or returned by value: its blob, then its fields. */
static void render_struct_blob(struct reader *r, struct jbuf *out, const struct cfg_type *t,
			       const struct cap_node *n, uint64_t ptr)
{
	const struct ev_blob *b = take(r);

	if (!b || b->len == EV_BLOB_CUT) {
		jb_lit(out, "{\"truncated\":true}");
	} else if (b->len < 0) {
		if (ptr) {
			jb_lit(out, "{\"unreadable\":");
			jb_hex(out, ptr);
			jb_putc(out, '}');
		} else {
			jb_lit(out, "{\"unsupported\":\"struct location\"}");
		}
	} else {
		render(r, out, t, n, b->data, NULL, 0);
	}
}

/* "...": the printf-style values, replaying fmt_next over the captured format. */
static void render_format(struct reader *r, struct jbuf *out, const struct ev_blob *fmt)
{
	const struct ev_blob *vb = take(r);
	const uint64_t *vals;
	struct fmt_conv convs[CAP_MAX_VARARGS];
	size_t pos = 0;
	bool first = true;
	unsigned n;

	if (!vb || vb->len < 0) {
		jb_lit(out, "{\"truncated\":true}");
		return;
	}
	vals = (const uint64_t *)vb->data;
	n = vb->info <= CAP_MAX_VARARGS ? vb->info : CAP_MAX_VARARGS;
	jb_putc(out, '[');
	for (unsigned i = 0; i < n; i++) {
		if (!fmt_next((const char *)fmt->data, (size_t)fmt->len, &pos, &convs[i]))
			break;
		if (convs[i].arg == FA_STAR || convs[i].arg == FA_COUNT)
			continue;
		if (!first)
			jb_putc(out, ',');
		first = false;
		if (convs[i].arg == FA_STRING) {
			if (vals[i])
				put_string_blob(out, take(r), vals[i]);
			else
				jb_lit(out, "null");
		} else if (convs[i].arg == FA_LONG_DOUBLE) {
			jb_lit(out, "{\"unsupported\":\"long double\"}");
		} else {
			fmt_put_value(out, &convs[i], vals[i]);
		}
	}
	jb_putc(out, ']');
}

static const struct cfg_type promoted_double = { .kind = CT_DOUBLE, .size = 8, .align = 8 };

/* "...": the one [vararg] value. rx: the exit reader, for a value captured after the call. */
static void render_vararg(struct reader *r, struct reader *rx, struct jbuf *out, const struct hook *h)
{
	int pick = cap_vararg_pick(h->cfg, r->args);
	const struct cfg_type *t;
	const struct cap_node *n;
	const struct ev_blob *b;

	if (pick < 0)
		return;
	t = cap_vararg_type(h->cfg, pick);
	n = h->plan->case_node[pick];
	if (t->kind == CT_FLOAT)
		t = &promoted_double;	/* a float passed through "..." arrives as a double */
	jb_lit(out, ",\"...\":");
	b = take(r);
	if (!b) {
		jb_lit(out, "{\"truncated\":true}");
		return;
	}
	jb_putc(out, '[');
	if (b->len < 8)
		jb_lit(out, "{\"unsupported\":\"variadic argument\"}");
	else if (n && n->after && rx)
		render(rx, out, t, n, (const uint8_t *)&rx->args[h->nparams], NULL, 0);
	else
		render(r, out, t, n && !n->after ? n : NULL, b->data, NULL, 0);
	jb_putc(out, ']');
}

/* The return value's captures, written to out (or skipped over with a scratch out). */
static void render_ret(struct reader *rx, struct jbuf *out, const struct hook *h, const struct ev_exit *ev)
{
	const struct cap_plan *p = h->plan;
	const struct cfg_type *t = &h->cfg->ret;

	if (p && p->ret_by_value)
		render_struct_blob(rx, out, t, p->ret_node, h->ret_loc.where == RET_MEMORY ? ev->ret : 0);
	else
		render(rx, out, t, p ? p->ret_node : NULL, (const uint8_t *)&ev->ret, NULL, 0);
}

static void exit_reader(struct reader *rx, const struct hook *h, const struct ev_exit *ev)
{
	const uint8_t *p = (const uint8_t *)ev->data;

	*rx = (struct reader){ .end = (const uint8_t *)ev + ev->h.size, .ret = ev->ret };
	if (h->exit_args) {
		rx->args = ev->data;
		p += 8 * ((size_t)h->nparams + 1);
	}
	rx->p = p;
}

void decode_args(struct jbuf *out, const struct hook *h, const struct ev_enter *ev,
		 const struct ev_exit *exit)
{
	const struct cap_plan *p = h->plan;
	struct reader r = { .p = (const uint8_t *)&ev->args[h->nparams],
			    .end = (const uint8_t *)ev + ev->h.size, .args = ev->args };
	struct reader rx, *px = NULL;
	const struct ev_blob *fmt = NULL;

	if (exit && h->exit_args) {
		static struct jbuf scratch;	/* logger thread only */

		exit_reader(&rx, h, exit);
		scratch.len = 0;
		render_ret(&rx, &scratch, h, exit);	/* exit blobs start with the return's */
		px = &rx;
	}
	jb_putc(out, '{');
	for (uint32_t i = 0; i < h->nparams; i++) {
		const struct cfg_type *t = &h->cfg->params[i].type;
		const struct cap_node *n = p ? p->param_node[i] : NULL;
		uint16_t key = i ? h->key_end[i - 1] : 0;
		const uint8_t *before = r.p;

		if (i)
			jb_putc(out, ',');
		jb_put(out, h->arg_keys + key, h->key_end[i] - key);
		if (h->redact_mask & (1u << i)) {
			jb_lit(out, "\"[redacted]\"");
		} else if (t->kind == CT_STRUCT) {
			render_struct_blob(&r, out, t, n, 0);
		} else if (n && n->after) {
			if (px)
				render(px, out, t, n, (const uint8_t *)&px->args[i], NULL, 0);
			else
				display_put(out, t, ev->args[i]);
		} else {
			render(&r, out, t, n, (const uint8_t *)&ev->args[i], NULL, 0);
			if (p && (int)i == p->format_param && r.p != before)
				fmt = (const struct ev_blob *)before;
		}
	}
	if (p && p->format_param >= 0 && fmt && fmt->len >= 0) {
		jb_lit(out, ",\"...\":");
		render_format(&r, out, fmt);
	} else if (p && p->vararg_param >= 0) {
		render_vararg(&r, px, out, h);
	}
	jb_putc(out, '}');
}

void decode_output(struct jbuf *out, const struct hook *h, const struct ev_exit *ev)
{
	struct reader rx;

	if (!h->cfg->has_prototype || h->cfg->ret.kind == CT_VOID) {
		jb_lit(out, "null");
		return;
	}
	exit_reader(&rx, h, ev);
	render_ret(&rx, out, h, ev);
}
