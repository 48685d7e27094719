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
#include "render/bufrender.h"
#include "hooks/capture_plan.h"
#include "render/decode.h"
#include "render/display.h"
#include "render/fmt_value.h"
#include "render/status.h"

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
static void put_text(struct valw *w, const char *s, size_t n, bool truncated)
{
	bool valid = utf8_is_valid(s, n);

	if (valid && !truncated) {
		vw_string(w, s, n);
		return;
	}
	vw_begin_object(w);
	vw_klit(w, "value");
	vw_string_cut(w, s, n, truncated);
	vw_klit(w, "truncated");
	vw_bool(w, truncated);
	vw_klit(w, "invalid_utf8");
	vw_bool(w, !valid);
	vw_end_object(w);
}

/* A followed pointer whose blob is missing, unreadable or cut: true when it said so. */
static bool put_blob_problem(struct valw *w, const struct ev_blob *b, uint64_t ptr)
{
	if (b && b->len >= 0)
		return false;
	vw_begin_object(w);
	if (b && b->len == EV_BLOB_UNREADABLE) {
		vw_klit(w, "unreadable");
		vw_hex(w, ptr);
	} else {
		vw_klit(w, "address");
		vw_hex(w, ptr);
		vw_klit(w, "truncated");
		vw_bool(w, true);
	}
	vw_end_object(w);
	return true;
}

/* {"truncated": true}: a value max_capture cut. */
static void put_truncated(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "truncated");
	vw_bool(w, true);
	vw_end_object(w);
}

/*
 * An [out] parameter of a call its [error=…] rule says failed: the function did
 * not fill it, so what the pointer holds is whatever the program left there (a
 * garbage struct stat, a stale int) and is not shown as if it were the result.
 * NULL stays null. [out=always] parameters are rendered as usual.
 */
static void put_not_filled(struct valw *w, uint64_t ptr)
{
	if (!ptr) {
		vw_null(w);
		return;
	}
	vw_begin_object(w);
	vw_klit(w, "not_filled");
	vw_hex(w, ptr);
	vw_end_object(w);
}

/* The blobs of a value, taken without writing anything: keeps the reader in step. */
static void skip_value(struct reader *r, const struct cfg_type *t, const struct cap_node *n,
		       const uint8_t *val);

static void put_string_blob(struct valw *w, const struct ev_blob *b, uint64_t ptr)
{
	if (put_blob_problem(w, b, ptr))
		return;
	if (b->info != EV_BLOB_STR_FAULT) {
		put_text(w, (const char *)b->data, (size_t)b->len, b->info != 0);
		return;
	}
	/* The readable start of a string that ran into an unreadable page. */
	vw_begin_object(w);
	vw_klit(w, "value");
	vw_string(w, (const char *)b->data, (size_t)b->len);
	vw_klit(w, "truncated");
	vw_bool(w, true);
	vw_klit(w, "invalid_utf8");
	vw_bool(w, !utf8_is_valid((const char *)b->data, (size_t)b->len));
	vw_klit(w, "unreadable");
	vw_hex(w, ptr + (uint64_t)b->len);
	vw_end_object(w);
}

static void render(struct reader *r, struct valw *w, const struct cfg_type *t,
		   const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth);

static void render_record(struct reader *r, struct valw *w, const struct cfg_record *rec,
			  const struct cap_node *n, const uint8_t *val, unsigned depth)
{
	vw_begin_object(w);
	for (int i = 0; rec && i < rec->nfields; i++) {
		const struct cfg_field *f = &rec->fields[i];

		vw_key_cstr(w, f->name);
		render(r, w, &f->type, n ? n->fields[i] : NULL, val + f->offset, val, depth);
	}
	vw_end_object(w);
}

static bool is_char_array(const struct cfg_type *t)
{
	const struct cfg_type *e = t->pointee;

	return e && e->kind == CT_INT && e->size == 1 && e->display == CD_CHAR;
}

/* A T name[N] field: a string up to its NUL for char, else a JSON array. */
static void render_fixed(struct reader *r, struct valw *w, const struct cfg_type *t,
			 const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth)
{
	const struct cfg_type *e = t->pointee;
	size_t elem_size;

	if (!e) {
		vw_null(w);
		return;
	}
	/* A struct element's size is its record's (see capture_plan.c: size_of). */
	elem_size = e->kind == CT_STRUCT && e->record ? e->record->size : e->size;
	if (is_char_array(t)) {
		const char *s = (const char *)val;
		size_t len = strnlen(s, t->array_len);

		put_text(w, s, len, false);
		return;
	}
	vw_begin_array(w);
	for (unsigned i = 0; i < t->array_len; i++) {
		vw_elem(w);
		render(r, w, e, n ? n->elem : NULL, val + (size_t)i * elem_size, rec, depth);
	}
	vw_end_array(w);
}

/* count elements at data; the array had full of them. */
static void render_items(struct reader *r, struct valw *w, const struct cfg_type *elem,
			 const struct cap_node *n, const uint8_t *data, size_t count, uint64_t full,
			 unsigned depth)
{
	bool cut = full > count;

	if (cut) {
		vw_begin_object(w);
		vw_klit(w, "items");
	}
	vw_begin_array(w);
	for (size_t i = 0; i < count; i++) {
		vw_elem(w);
		if (elem)
			render(r, w, elem, n->elem, data + i * n->elem_size, NULL, depth + 1);
		else
			vw_null(w);
	}
	vw_end_array(w);
	if (cut) {
		vw_klit(w, "length");
		vw_u64(w, full);
		vw_klit(w, "truncated");
		vw_bool(w, true);
		vw_end_object(w);
	}
}

/* A pointer with a capture node: its blob, per the node's op. */
static void render_pointer(struct reader *r, struct valw *w, const struct cfg_type *t,
			   const struct cap_node *n, uint64_t ptr, const uint8_t *rec, unsigned depth)
{
	const struct cfg_type *pt = t->kind == CT_POINTER ? t->pointee : NULL;
	const struct ev_blob *b;
	int64_t len = 0;

	if (!cap_follows(n, ptr, depth)) {
		display_put(w, t, ptr);	/* NULL, or as deep as we go: the address */
		return;
	}
	if (n->op == CAP_BYTES || n->op == CAP_ARRAY) {
		len = cap_len_eval(&n->len, r->args, r->ret, rec);
		if (len < 0) {
			display_put(w, t, ptr);
			return;
		}
	}
	b = take(r);
	if (put_blob_problem(w, b, ptr))
		return;
	switch (n->op) {
	case CAP_STRING:
		put_string_blob(w, b, ptr);
		break;
	case CAP_BYTES:
		bufrender_put(w, b->data, (size_t)b->len, (uint64_t)len, (enum cfg_binary)cap_limits.binary);
		break;
	case CAP_ARRAY:
		render_items(r, w, pt, n, b->data, (size_t)b->len / n->elem_size, (uint64_t)len, depth);
		break;
	case CAP_NULLTERM:
		render_items(r, w, pt, n, b->data, (size_t)b->len / n->elem_size, b->info, depth);
		break;
	case CAP_POINTEE:
		if (pt)
			render(r, w, pt, n->elem, b->data, NULL, depth + 1);
		else
			vw_null(w);
		break;
	default:
		vw_null(w);
		break;
	}
}

/*
 * A scalar loaded from val: plain integers of 1, 2, 4 or 8 bytes (most arguments
 * and returns) inline and straight to the writer, the same text display_put
 * gives them; every other scalar through display_put.
 */
static inline void put_scalar(struct valw *w, const struct cfg_type *t, const uint8_t *val)
{
	uint64_t raw = 0;

	if (t->kind == CT_INT && t->display == CD_DEFAULT) {
		switch (t->size) {
		case 1:
			if (t->is_signed)
				vw_i64(w, (int8_t)val[0]);
			else
				vw_u64(w, val[0]);
			return;
		case 2: {
			uint16_t v;

			memcpy(&v, val, 2);
			if (t->is_signed)
				vw_i64(w, (int16_t)v);
			else
				vw_u64(w, v);
			return;
		}
		case 4: {
			uint32_t v;

			memcpy(&v, val, 4);
			if (t->is_signed)
				vw_i64(w, (int32_t)v);
			else
				vw_u64(w, v);
			return;
		}
		case 8:
			memcpy(&raw, val, 8);
			if (t->is_signed)
				vw_i64(w, (int64_t)raw);
			else
				vw_u64(w, raw);
			return;
		default:
			break;
		}
	}
	memcpy(&raw, val, t->size && t->size < 8 ? t->size : 8);
	display_put(w, t, raw);
}

/* The value of type t whose bytes are at val; n its capture node or NULL. */
static void render(struct reader *r, struct valw *w, const struct cfg_type *t,
		   const struct cap_node *n, const uint8_t *val, const uint8_t *rec, unsigned depth)
{
	uint64_t raw = 0;

	switch (t->kind) {
	case CT_STRUCT:
		if (t->record && t->record->complete)
			render_record(r, w, t->record, n, val, depth);
		else
			vw_null(w);
		return;
	case CT_ARRAY:
		render_fixed(r, w, t, n, val, rec, depth);
		return;
	case CT_STRING:
	case CT_POINTER:
		raw = cap_load_ptr(val);
		if (n)
			render_pointer(r, w, t, n, raw, rec, depth);
		else
			display_put(w, t, raw);
		return;
	default:
		put_scalar(w, t, val);
		return;
	}
}

/* A struct passed or returned by value: its blob, then its fields. */
static void render_struct_blob(struct reader *r, struct valw *w, const struct cfg_type *t,
			       const struct cap_node *n, uint64_t ptr)
{
	const struct ev_blob *b = take(r);

	if (!b || b->len == EV_BLOB_CUT) {
		put_truncated(w);
	} else if (b->len < 0) {
		if (ptr) {
			vw_begin_object(w);
			vw_klit(w, "unreadable");
			vw_hex(w, ptr);
			vw_end_object(w);
		} else {
			display_unsupported(w, "struct location");
		}
	} else {
		render(r, w, t, n, b->data, NULL, 0);
	}
}

/* "varargs": the printf-style values, replaying fmt_next over the captured format. */
static void render_format(struct reader *r, struct valw *w, const struct ev_blob *fmt)
{
	const struct ev_blob *vb = take(r);
	const uint64_t *vals;
	struct fmt_conv convs[CAP_MAX_VARARGS];
	size_t pos = 0;
	unsigned n;

	if (!vb || vb->len < 0) {
		put_truncated(w);
		return;
	}
	vals = (const uint64_t *)vb->data;
	n = vb->info <= CAP_MAX_VARARGS ? vb->info : CAP_MAX_VARARGS;
	vw_begin_array(w);
	for (unsigned i = 0; i < n; i++) {
		if (!fmt_next((const char *)fmt->data, (size_t)fmt->len, &pos, &convs[i]))
			break;
		if (convs[i].arg == FA_STAR || convs[i].arg == FA_COUNT)
			continue;
		vw_elem(w);
		if (convs[i].arg == FA_STRING) {
			if (vals[i])
				put_string_blob(w, take(r), vals[i]);
			else
				vw_null(w);
		} else if (convs[i].arg == FA_LONG_DOUBLE) {
			display_unsupported(w, "long double");
		} else {
			fmt_put_value(w, &convs[i], vals[i]);
		}
	}
	vw_end_array(w);
}

static const struct cfg_type promoted_double = { .kind = CT_DOUBLE, .size = 8, .align = 8 };

/* "varargs": the one [vararg] value. rx: the exit reader, for a value captured after the call. */
static void render_vararg(struct reader *r, struct reader *rx, struct valw *w, const struct hook *h)
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
	vw_klit(w, "varargs");
	b = take(r);
	if (!b) {
		put_truncated(w);
		return;
	}
	vw_begin_array(w);
	vw_elem(w);
	if (b->len < 8)
		display_unsupported(w, "variadic argument");
	else if (n && n->after && rx && t->out_unless_failed && status_is_error(h->cfg, rx->ret)) {
		skip_value(rx, t, n, (const uint8_t *)&rx->args[h->nparams]);
		put_not_filled(w, rx->args[h->nparams]);
	} else if (n && n->after && rx)
		render(rx, w, t, n, (const uint8_t *)&rx->args[h->nparams], NULL, 0);
	else
		render(r, w, t, n && !n->after ? n : NULL, b->data, NULL, 0);
	vw_end_array(w);
}

static void skip_value(struct reader *r, const struct cfg_type *t, const struct cap_node *n,
		       const uint8_t *val)
{
	static struct jbuf scratch;	/* logger thread only */

	scratch.len = 0;
	render(r, VALW_JSON_TMP(&scratch), t, n, val, NULL, 0);
}

/* The return value's captures, written to w (or skipped over with a scratch writer). */
static void render_ret(struct reader *rx, struct valw *w, const struct hook *h, const struct ev_exit *ev)
{
	const struct cap_plan *p = h->plan;
	const struct cfg_type *t = &h->cfg->ret;

	if (p && p->ret_by_value)
		render_struct_blob(rx, w, t, p->ret_node, h->ret_loc.where == RET_MEMORY ? ev->ret : 0);
	else if (t->kind == CT_INT && !(p && p->ret_node))
		put_scalar(w, t, (const uint8_t *)&ev->ret);
	else
		render(rx, w, t, p ? p->ret_node : NULL, (const uint8_t *)&ev->ret, NULL, 0);
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

void decode_args(struct valw *w, const struct hook *h, const struct ev_enter *ev,
		 const struct ev_exit *exit)
{
	const struct cap_plan *p = h->plan;
	struct reader r = { .p = (const uint8_t *)&ev->args[h->nparams],
			    .end = (const uint8_t *)ev + ev->h.size, .args = ev->args };
	struct reader rx, *px = NULL;
	const struct ev_blob *fmt = NULL;
	bool failed = false;

	if (exit && h->exit_args) {
		failed = status_is_error(h->cfg, exit->ret);
		static struct jbuf scratch;	/* logger thread only */

		exit_reader(&rx, h, exit);
		scratch.len = 0;
		/* exit blobs start with the return's: skip them (as JSON, the cheapest) */
		render_ret(&rx, VALW_JSON_TMP(&scratch), h, exit);
		px = &rx;
	}
	vw_begin_object(w);
	for (uint32_t i = 0; i < h->nparams; i++) {
		const struct cfg_type *t = &h->cfg->params[i].type;
		const struct cap_node *n = p ? p->param_node[i] : NULL;
		uint16_t key = i ? h->key_end[i - 1] : 0;
		const uint8_t *before = r.p;

		vw_key_pre(w, h->cfg->params[i].name, h->arg_keys + key, h->key_end[i] - key);
		if (h->redact_mask & (1u << i)) {
			vw_alit(w, "[redacted]");
		} else if (t->kind == CT_STRUCT) {
			/* A struct passed in memory: its raw value is its address on the
			 * caller's stack (arch_arg_raw), named when it could not be read. */
			bool in_memory = i < ARCH_MAX_ARG_LOCS && h->locs[i].where == ARG_ON_STACK &&
					 h->locs[i].size > 8;

			render_struct_blob(&r, w, t, n, in_memory ? ev->args[i] : 0);
		} else if (n && n->after) {
			if (px && failed && t->out_unless_failed) {
				skip_value(px, t, n, (const uint8_t *)&px->args[i]);
				put_not_filled(w, px->args[i]);
			} else if (px) {
				render(px, w, t, n, (const uint8_t *)&px->args[i], NULL, 0);
			} else {
				display_put(w, t, ev->args[i]);
			}
		} else if (!n && t->kind == CT_INT) {
			/* The commonest argument: no capture, no blob; skips render's frame. */
			put_scalar(w, t, (const uint8_t *)&ev->args[i]);
		} else {
			render(&r, w, t, n, (const uint8_t *)&ev->args[i], NULL, 0);
			if (p && (int)i == p->format_param && r.p != before)
				fmt = (const struct ev_blob *)before;
		}
	}
	if (p && p->format_param >= 0 && fmt && fmt->len >= 0) {
		vw_klit(w, "varargs");
		render_format(&r, w, fmt);
	} else if (p && p->vararg_param >= 0) {
		render_vararg(&r, px, w, h);
	}
	vw_end_object(w);
}

void decode_output(struct valw *w, const struct hook *h, const struct ev_exit *ev)
{
	struct reader rx;

	if (!h->cfg->has_prototype || h->cfg->ret.kind == CT_VOID) {
		vw_null(w);
		return;
	}
	exit_reader(&rx, h, ev);
	render_ret(&rx, w, h, ev);
}
