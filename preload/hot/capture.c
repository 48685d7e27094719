/*
 * capture.c — the hot-path half of capture: follows a hook's plan over a call's
 * registers and memory and copies what it names into the event being written.
 *
 * Same rules as hot_path.c: no malloc, no lock, no formatting, no system call, errno
 * untouched, no stdio header. The program's pointers are read only through
 * impulse_safe_memcpy / impulse_safe_strncpy, which turn a bad pointer into -1
 * instead of a crash. Every write stays below the end the caller reserved; a value
 * that does not fit is cut (and its blob says so), and once a blob header does not
 * fit nothing more is written, which the logger sees as the event's end. Every
 * decision reads only bytes that are also in the event, so that decode.c can replay
 * it (capture_plan.h).
 */
#include "hot/capture.h"
#include "hooks/capture_plan.h"
#include "hooks/fmtscan.h"

struct writer {
	uint8_t *p;		/* next blob */
	uint8_t *end;		/* reserved end: never written */
	bool full;		/* a blob header did not fit: nothing more is written */
	const uint64_t *args;	/* raw argument values of the call (in the event) */
	uint64_t ret;		/* raw return value (exit side) */
};

/* The first page is never mapped: no need to try. */
#define LOWEST_VALID 4096

static struct ev_blob *blob_begin(struct writer *w)
{
	if (w->full || (size_t)(w->end - w->p) < sizeof(struct ev_blob)) {
		w->full = true;
		return NULL;
	}
	return (struct ev_blob *)w->p;
}

/* Bytes the open blob may hold: a multiple of 8, so its padding fits too. */
static size_t blob_room(const struct writer *w)
{
	return (size_t)(w->end - w->p) - sizeof(struct ev_blob);
}

static void blob_end(struct writer *w, struct ev_blob *b, int64_t len, uint32_t info)
{
	b->len = (int32_t)len;
	b->info = info;
	w->p += sizeof(*b) + (len > 0 ? ev_align((uint64_t)len) : 0);
}

static size_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return (size_t)(m < c ? m : c);
}

/* A string up to max bytes. With exact (a printf precision), never reads past max:
 * the bytes after a %.*s argument need not exist. */
static void put_string(struct writer *w, uint64_t ptr, size_t max, bool exact)
{
	struct ev_blob *b = blob_begin(w);
	size_t room, lim;
	long n;

	if (!b)
		return;
	room = blob_room(w);
	lim = max < room ? max : room;
	if (ptr < LOWEST_VALID) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	if (exact && lim == max) {
		/* strncpy(…, lim) looks at byte lim to say "longer": look at lim - 1 at most. */
		n = lim ? impulse_safe_strncpy((char *)b->data, (const char *)ptr, lim - 1) : 0;
		if (n == (long)lim && impulse_safe_memcpy(b->data + lim - 1, (const char *)ptr + lim - 1, 1) < 0)
			n = -1;
		if (n >= 0) {
			blob_end(w, b, n, 0);
			return;
		}
	} else {
		n = impulse_safe_strncpy((char *)b->data, (const char *)ptr, lim);
		if (n < 0) {
			int nul;

			/* Keep what is readable of a string that runs into an unreadable page. */
			n = capture_string_before_fault(b->data, ptr, lim, &nul);
			if (n >= 0) {
				blob_end(w, b, n, nul ? 0 : EV_BLOB_STR_FAULT);
				return;
			}
		}
	}
	if (n < 0)
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
	else if ((size_t)n > lim)
		blob_end(w, b, (int64_t)lim, 1);
	else
		blob_end(w, b, n, 0);
}

static void put_bytes(struct writer *w, uint64_t ptr, int64_t len)
{
	struct ev_blob *b = blob_begin(w);
	size_t n;

	if (!b)
		return;
	n = min3((uint64_t)len, cap_limits.max_buffer, blob_room(w));
	if (ptr < LOWEST_VALID || impulse_safe_memcpy(b->data, (const void *)ptr, n) < 0)
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
	else
		blob_end(w, b, (int64_t)n, 0);
}

static void put_value(struct writer *w, const struct cap_node *n, const uint8_t *val,
		      const uint8_t *rec, unsigned depth);

/* The captures inside n elements just copied to data. */
static void put_elements(struct writer *w, const struct cap_node *n, const uint8_t *data,
			 size_t count, unsigned depth)
{
	if (!n->elem)
		return;
	for (size_t i = 0; i < count && !w->full; i++)
		put_value(w, n->elem, data + i * n->elem_size, NULL, depth + 1);
}

static void put_array(struct writer *w, const struct cap_node *n, uint64_t ptr, int64_t len,
		      unsigned depth)
{
	struct ev_blob *b = blob_begin(w);
	size_t count;

	if (!b)
		return;
	count = min3((uint64_t)len, cap_limits.max_array, blob_room(w) / n->elem_size);
	if (ptr < LOWEST_VALID || impulse_safe_memcpy(b->data, (const void *)ptr, count * n->elem_size) < 0) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	blob_end(w, b, (int64_t)(count * n->elem_size), 0);
	put_elements(w, n, b->data, count, depth);
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Elements up to the first zero one; counts on (without copying) past max_array. */
static void put_nullterm(struct writer *w, const struct cap_node *n, uint64_t ptr, unsigned depth)
{
	struct ev_blob *b = blob_begin(w);
	size_t es = n->elem_size, cap, count = 0, total;
	const uint8_t *src = (const uint8_t *)ptr;
	uint8_t tmp[8];

	if (!b)
		return;
	if (ptr < LOWEST_VALID) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	cap = min3(cap_limits.max_array, blob_room(w) / es, SIZE_MAX);
	for (; count < cap; count++) {
		if (impulse_safe_memcpy(b->data + count * es, src + count * es, es) < 0) {
			if (!count) {
				blob_end(w, b, EV_BLOB_UNREADABLE, 0);
				return;
			}
			break;
		}
		if (is_zero(b->data + count * es, es))
			break;
	}
	total = count;
	if (count == cap) {
		while (total < cap_limits.nullterm_scan &&
		       impulse_safe_memcpy(tmp, src + total * es, es) == 0 && !is_zero(tmp, es))
			total++;
	}
	blob_end(w, b, (int64_t)(count * es), (uint32_t)total);
	put_elements(w, n, b->data, count, depth);
}

static void put_pointee(struct writer *w, const struct cap_node *n, uint64_t ptr, unsigned depth)
{
	struct ev_blob *b = blob_begin(w);

	if (!b)
		return;
	if (blob_room(w) < n->elem_size) {
		blob_end(w, b, EV_BLOB_CUT, 0);
		return;
	}
	if (ptr < LOWEST_VALID || impulse_safe_memcpy(b->data, (const void *)ptr, n->elem_size) < 0) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	blob_end(w, b, n->elem_size, 0);
	if (n->elem)
		put_value(w, n->elem, b->data, NULL, depth + 1);
}

/* The captures of one value whose own bytes are at val (in the event); rec is the
 * record holding it, for [len=field]. */
static void put_value(struct writer *w, const struct cap_node *n, const uint8_t *val,
		      const uint8_t *rec, unsigned depth)
{
	uint64_t ptr;
	int64_t len;

	if (w->full)
		return;
	switch (n->op) {
	case CAP_RECORD:
		for (uint32_t i = 0; i < n->nfields; i++)
			if (n->fields[i])
				put_value(w, n->fields[i], val + n->record->fields[i].offset, val, depth);
		return;
	case CAP_FIXED:
		for (uint32_t i = 0; i < n->count && !w->full; i++)
			put_value(w, n->elem, val + (size_t)i * n->elem_size, rec, depth);
		return;
	default:
		break;
	}
	ptr = cap_load_ptr(val);
	if (!cap_follows(n, ptr, depth))
		return;
	switch (n->op) {
	case CAP_STRING:
		put_string(w, ptr, cap_limits.max_string, false);
		break;
	case CAP_BYTES:
	case CAP_ARRAY:
		len = cap_len_eval(&n->len, w->args, w->ret, rec);
		if (len < 0)
			break;
		if (n->op == CAP_BYTES)
			put_bytes(w, ptr, len);
		else
			put_array(w, n, ptr, len, depth);
		break;
	case CAP_NULLTERM:
		put_nullterm(w, n, ptr, depth);
		break;
	case CAP_POINTEE:
		put_pointee(w, n, ptr, depth);
		break;
	}
}

/* A struct by value: its bytes, then what its fields point to. */
static void put_struct_arg(struct writer *w, const struct hook *h, const struct arch_frame *f,
			   const struct cap_param *cp)
{
	const struct arg_loc *loc = &h->locs[cp->index];
	struct ev_blob *b = blob_begin(w);
	uint32_t size = h->cfg->params[cp->index].type.size;

	if (!b)
		return;
	if (loc->where == ARG_UNSUPPORTED || loc->size != size || size == 0) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	/* Past what exists of the caller's stack (or the copy's cap): the prototype
	 * claims more than was passed. Unreadable, with its address (decode.c). */
	if (loc->where == ARG_ON_STACK && !arch_arg_on_readable_stack(f, loc)) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	if (blob_room(w) < size) {
		blob_end(w, b, EV_BLOB_CUT, 0);
		return;
	}
	if (!arch_copy_arg(f, loc, b->data)) {
		blob_end(w, b, EV_BLOB_UNREADABLE, 0);
		return;
	}
	blob_end(w, b, size, 0);
	if (cp->node)
		put_value(w, cp->node, b->data, NULL, 0);
}

static enum arch_va_class fmt_class(const struct fmt_conv *conv)
{
	return conv->arg == FA_DOUBLE ? VA_SSE : conv->arg == FA_LONG_DOUBLE ? VA_X87 : VA_INT;
}

/* printf-style variadic values: one blob of raw values, then each %s string. */
static void put_format(struct writer *w, const struct hook *h, const struct arch_frame *f,
		       const struct ev_blob *fmt)
{
	uint64_t vals[CAP_MAX_VARARGS];
	struct fmt_conv convs[CAP_MAX_VARARGS];
	struct arch_va va;
	struct ev_blob *b;
	size_t pos = 0;
	unsigned n = 0;

	arch_va_start(&va, h->cfg, h->locs, &h->ret_loc, f->stack_readable);
	while (n < CAP_MAX_VARARGS && fmt_next((const char *)fmt->data, (size_t)fmt->len, &pos, &convs[n])) {
		if (!arch_va_next(f, &va, fmt_class(&convs[n]), &vals[n]))
			break;
		n++;
	}
	b = blob_begin(w);
	if (!b)
		return;
	if (n > blob_room(w) / 8)
		n = (unsigned)(blob_room(w) / 8);
	memcpy(b->data, vals, n * 8u);
	blob_end(w, b, n * 8, n);
	for (unsigned i = 0; i < n && !w->full; i++) {
		int64_t prec;

		if (convs[i].arg != FA_STRING || !vals[i])
			continue;
		prec = cap_fmt_precision(&convs[i], vals, i);
		if (prec < 0 || (uint64_t)prec > cap_limits.max_string)
			put_string(w, vals[i], cap_limits.max_string, false);
		else
			put_string(w, vals[i], (size_t)prec, true);
	}
}

/* The first variadic value, fetched as type t: false when it cannot be. */
static bool fetch_vararg(const struct hook *h, const struct arch_frame *f, const struct cfg_type *t,
			 uint64_t *raw)
{
	struct arch_va va;
	enum arch_va_class cls = VA_INT;

	if (t->kind == CT_STRUCT || t->kind == CT_VOID)
		return false;
	if (t->kind == CT_FLOAT || t->kind == CT_DOUBLE)
		cls = VA_SSE;
	else if (t->kind == CT_LONG_DOUBLE)
		cls = VA_X87;
	arch_va_start(&va, h->cfg, h->locs, &h->ret_loc, f->stack_readable);
	return arch_va_next(f, &va, cls, raw);
}

/* [vararg=…]: the value as a blob (empty when it cannot be fetched), then its captures. */
static void put_vararg(struct writer *w, const struct hook *h, const struct arch_frame *f)
{
	int pick = cap_vararg_pick(h->cfg, w->args);
	const struct cap_node *node;
	struct ev_blob *b;
	uint64_t raw;

	if (pick < 0)
		return;
	b = blob_begin(w);
	if (!b)
		return;
	if (blob_room(w) < 8 || !fetch_vararg(h, f, cap_vararg_type(h->cfg, pick), &raw)) {
		blob_end(w, b, 0, 0);
		return;
	}
	memcpy(b->data, &raw, 8);
	blob_end(w, b, 8, 1);
	node = h->plan->case_node[pick];
	if (node && !node->after)
		put_value(w, node, b->data, NULL, 0);
}

uint8_t *cap_enter(const struct hook *h, const struct arch_frame *f, const uint64_t *args,
		   uint8_t *p, uint8_t *end)
{
	const struct cap_plan *plan = h->plan;
	struct writer w = { .p = p, .end = end, .args = args };
	const struct ev_blob *fmt = NULL;

	for (uint32_t k = 0; k < plan->nentry; k++) {
		const struct cap_param *cp = &plan->entry[k];
		uint8_t *before = w.p;

		if (cp->by_value) {
			put_struct_arg(&w, h, f, cp);
			continue;
		}
		if (cp->node->op == CAP_BYTES) {
			/* The common case (a buffer and its length), without the general walk. */
			int64_t len = cap_len_eval(&cp->node->len, args, 0, NULL);

			if (args[cp->index] && len >= 0)
				put_bytes(&w, args[cp->index], len);
		} else {
			put_value(&w, cp->node, (const uint8_t *)&args[cp->index], NULL, 0);
		}
		if (cp->index == plan->format_param && w.p != before)
			fmt = (const struct ev_blob *)before;
	}
	if (fmt && fmt->len >= 0)
		put_format(&w, h, f, fmt);
	else if (plan->vararg_param >= 0)
		put_vararg(&w, h, f);
	return w.p;
}

uint8_t *cap_exit(const struct hook *h, const struct arch_frame *f, struct ev_exit *ev, uint8_t *end)
{
	const struct cap_plan *plan = h->plan;
	struct writer w = { .p = (uint8_t *)ev->data, .end = end, .ret = ev->ret };

	if (h->exit_args) {
		/* The frame still holds the entry registers and the caller's stack
		 * arguments: the pointers are what they were at entry. */
		uint64_t *args = ev->data;

		for (uint32_t i = 0; i < h->nparams; i++)
			args[i] = arch_arg_raw(f, h->locs[i]);
		for (uint32_t mask = h->redact_mask; mask; mask &= mask - 1)
			args[__builtin_ctz(mask)] = 0;
		args[h->nparams] = 0;
		if (plan->vararg_after) {
			int pick = cap_vararg_pick(h->cfg, args);

			if (pick >= 0)
				fetch_vararg(h, f, cap_vararg_type(h->cfg, pick), &args[h->nparams]);
		}
		w.args = args;
		w.p += 8 * ((size_t)h->nparams + 1);
	}
	if (plan->ret_by_value) {
		struct ev_blob *b = blob_begin(&w);
		uint32_t size = h->ret_loc.size;

		if (b) {
			if (blob_room(&w) < size || size == 0) {
				blob_end(&w, b, EV_BLOB_CUT, 0);
			} else if (h->ret_loc.where == RET_REGS) {
				arch_copy_ret(f, &h->ret_loc, b->data);
				blob_end(&w, b, size, 0);
			} else if (h->ret_loc.where == RET_MEMORY && f->ret_rax >= LOWEST_VALID &&
				   impulse_safe_memcpy(b->data, (const void *)f->ret_rax, size) == 0) {
				blob_end(&w, b, size, 0);
			} else {
				blob_end(&w, b, EV_BLOB_UNREADABLE, 0);
			}
			if (b->len > 0 && plan->ret_node)
				put_value(&w, plan->ret_node, b->data, NULL, 0);
		}
	} else if (plan->ret_node) {
		put_value(&w, plan->ret_node, (const uint8_t *)&ev->ret, NULL, 0);
	}
	for (uint32_t k = 0; k < plan->nexit; k++)
		put_value(&w, plan->exit[k].node, (const uint8_t *)&w.args[plan->exit[k].index], NULL, 0);
	if (plan->vararg_after) {
		int pick = cap_vararg_pick(h->cfg, w.args);
		const struct cap_node *node = pick >= 0 ? plan->case_node[pick] : NULL;

		if (node && node->after)
			put_value(&w, node, (const uint8_t *)&w.args[h->nparams], NULL, 0);
	}
	return w.p;
}
