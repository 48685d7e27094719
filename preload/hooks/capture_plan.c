/*
 * capture_plan.c — compiles a hook's prototype into its capture plan.
 *
 * Runs at hook build time (start-up, or when a pattern adds a hook, under the
 * install lock), never on a hooked call. The plan is a graph of small nodes: a
 * struct that points to its own kind (a list) gives a cycle, which the walks cut at
 * max_depth. Plans live as long as the process: nothing here is ever freed, except
 * what a failed compile leaves behind.
 */
#include <errno.h>
#include <stdlib.h>

#include "hooks/capture_plan.h"
#include "hooks/event.h"

struct cap_limits cap_limits;

/* Larger than any capture: worst-case sizes saturate here instead of overflowing. */
#define HUGE_BYTES ((uint64_t)1 << 40)
/* [nullterm] arrays longer than max_array: elements counted for "length", at most. */
#define NULLTERM_SCAN 1024

void cap_limits_init(const struct cfg_settings *s, size_t ring_size)
{
	static bool done;	/* the settings never change: hooks added later see the same */
	uint64_t cap = s->max_capture;

	if (done)
		return;
	done = true;

	/* An event must fit a ring many times over, or a thread would wait for ever. */
	if (ring_size && cap > ring_size / 8)
		cap = ring_size / 8;
	cap_limits = (struct cap_limits){
		.max_string = (uint32_t)(s->max_string < (1u << 30) ? s->max_string : 1u << 30),
		.max_buffer = (uint32_t)(s->max_buffer < (1u << 30) ? s->max_buffer : 1u << 30),
		.max_array = s->max_array < (1u << 20) ? s->max_array : 1u << 20,
		.max_depth = s->max_depth < 64 ? s->max_depth : 64,
		.max_capture = (uint32_t)(cap & ~(uint64_t)7),
		.nullterm_scan = NULLTERM_SCAN,
		.binary = (uint8_t)s->binary,
	};
}

/* A record being compiled or compiled, so that a struct pointing to itself is compiled once. */
struct memo {
	const struct cfg_record *rec;
	struct cap_node *node;
	bool done, referenced;
};

struct compiler {
	const struct cfg_hook *hook;
	struct memo *memo;
	int nmemo, cap;
	bool failed;
};

static struct cap_node *new_node(struct compiler *cc, enum cap_op op)
{
	struct cap_node *n = calloc(1, sizeof(*n));

	if (!n) {
		cc->failed = true;
		return NULL;
	}
	n->op = (uint8_t)op;
	return n;
}

/* sizeof a type; a struct's from its record, which a pointer written inside the
 * struct's own body may have seen before the size was known. */
static unsigned size_of(const struct cfg_type *t)
{
	if (t->kind == CT_STRUCT && t->record)
		return t->record->size;
	return t->size;
}

static bool is_byte(const struct cfg_type *t)
{
	return t->kind == CT_VOID || ((t->kind == CT_INT || t->kind == CT_BOOL) && t->size == 1);
}

/* A [nullterm] element: something that has a zero value. */
static bool is_scalar(const struct cfg_type *t)
{
	switch (t->kind) {
	case CT_BOOL:
	case CT_INT:
	case CT_ENUM:
	case CT_POINTER:
	case CT_STRING:
		return t->size >= 1 && t->size <= 8;
	default:
		return false;
	}
}

static void compile_term(struct compiler *cc, const struct cfg_record *rec, int i,
			 struct cap_term *out, const struct cfg_len *len)
{
	const struct cfg_type *t = NULL;

	out->kind = (uint8_t)len->terms[i].kind;
	switch (len->terms[i].kind) {
	case CL_PARAM:
		if (len->terms[i].index >= 0 && len->terms[i].index < cc->hook->nparams)
			t = &cc->hook->params[len->terms[i].index].type;
		out->where = (uint32_t)len->terms[i].index;
		break;
	case CL_RETURN:
		t = &cc->hook->ret;
		break;
	case CL_FIELD:
		if (rec && len->terms[i].index >= 0 && len->terms[i].index < rec->nfields) {
			t = &rec->fields[len->terms[i].index].type;
			out->where = rec->fields[len->terms[i].index].offset;
		}
		break;
	case CL_CONST:
		out->value = len->terms[i].value;
		return;
	}
	if (!t || t->size == 0 || t->size > 8) {
		/* Not an integer the parser should have let through: a zero length. */
		*out = (struct cap_term){ .kind = CL_CONST, .value = 0 };
		return;
	}
	out->size = (uint8_t)t->size;
	out->is_signed = t->is_signed || t->kind == CT_ENUM;
}

static void compile_len(struct compiler *cc, const struct cfg_record *rec, const struct cfg_len *len,
			struct cap_len *out)
{
	out->nterms = (uint8_t)(len->nterms < 2 ? len->nterms : 2);
	for (int i = 0; i < out->nterms; i++)
		compile_term(cc, rec, i, &out->terms[i], len);
}

static bool len_has_return(const struct cfg_len *len)
{
	for (int i = 0; i < len->nterms && i < 2; i++)
		if (len->terms[i].kind == CL_RETURN)
			return true;
	return false;
}

static const struct cap_node *node_for(struct compiler *cc, const struct cfg_type *t,
				       const struct cfg_record *in_rec);

static const struct cap_node *record_node(struct compiler *cc, const struct cfg_record *rec)
{
	struct cap_node *n;
	struct memo *m;
	bool any = false;
	int slot;

	if (!rec || !rec->complete || rec->is_union || rec->nfields <= 0)
		return NULL;	/* union members share bytes: none is followed */
	for (int i = 0; i < cc->nmemo; i++) {
		if (cc->memo[i].rec == rec) {
			cc->memo[i].referenced = true;
			return cc->memo[i].node;
		}
	}
	if (cc->nmemo == cc->cap) {
		int cap = cc->cap ? cc->cap * 2 : 8;
		struct memo *v = realloc(cc->memo, (size_t)cap * sizeof(*v));

		if (!v) {
			cc->failed = true;
			return NULL;
		}
		cc->memo = v;
		cc->cap = cap;
	}
	n = new_node(cc, CAP_RECORD);
	if (!n)
		return NULL;
	n->fields = calloc((size_t)rec->nfields, sizeof(*n->fields));
	if (!n->fields) {
		free(n);
		cc->failed = true;
		return NULL;
	}
	n->nfields = (uint32_t)rec->nfields;
	n->record = rec;
	n->elem_size = rec->size;
	slot = cc->nmemo++;
	cc->memo[slot] = (struct memo){ .rec = rec, .node = n };
	for (int i = 0; i < rec->nfields; i++) {
		n->fields[i] = node_for(cc, &rec->fields[i].type, rec);
		any |= n->fields[i] != NULL;
	}
	m = &cc->memo[slot];	/* the array may have moved */
	m->done = true;
	if (!any && !m->referenced) {
		free(n->fields);
		free(n);
		m->node = NULL;
		return NULL;
	}
	return n;
}

static const struct cap_node *pointer_node(struct compiler *cc, const struct cfg_type *t,
					   const struct cfg_record *in_rec)
{
	const struct cfg_type *pt = t->kind == CT_POINTER ? t->pointee : NULL;
	struct cap_node *n;

	if (t->len.nterms) {
		if (t->kind == CT_STRING || !pt || is_byte(pt)) {
			n = new_node(cc, CAP_BYTES);
			if (n)
				n->elem_size = 1;
		} else {
			if (!size_of(pt))
				return NULL;
			n = new_node(cc, CAP_ARRAY);
			if (n) {
				n->elem_size = size_of(pt);
				n->elem = node_for(cc, pt, NULL);
			}
		}
		if (n)
			compile_len(cc, in_rec, &t->len, &n->len);
	} else if (t->kind == CT_STRING) {
		n = new_node(cc, CAP_STRING);
	} else if (t->nullterm) {
		if (!pt || !is_scalar(pt))
			return NULL;
		n = new_node(cc, CAP_NULLTERM);
		if (n) {
			n->elem_size = pt->size;
			n->elem = node_for(cc, pt, NULL);
		}
	} else if (t->deref || t->out) {
		if (!pt || !size_of(pt) || pt->kind == CT_VOID)
			return NULL;
		n = new_node(cc, CAP_POINTEE);
		if (n) {
			n->elem_size = size_of(pt);
			n->elem = node_for(cc, pt, NULL);
		}
	} else if (pt && pt->kind == CT_STRUCT && pt->record && pt->record->complete && pt->record->size) {
		/* Followed by default, max_depth levels: never a leaf. */
		n = new_node(cc, CAP_POINTEE);
		if (n) {
			n->elem_size = pt->record->size;
			n->elem = node_for(cc, pt, NULL);
		}
		return n;
	} else {
		return NULL;
	}
	if (!n)
		return NULL;
	n->leaf = n->elem == NULL;
	n->after = t->out || len_has_return(&t->len);
	return n;
}

static const struct cap_node *node_for(struct compiler *cc, const struct cfg_type *t,
				       const struct cfg_record *in_rec)
{
	struct cap_node *n;
	const struct cap_node *elem;

	switch (t->kind) {
	case CT_STRING:
	case CT_POINTER:
		return pointer_node(cc, t, in_rec);
	case CT_STRUCT:
		return record_node(cc, t->record);
	case CT_ARRAY:
		if (!t->pointee || !t->array_len || !size_of(t->pointee))
			return NULL;
		elem = node_for(cc, t->pointee, in_rec);
		if (!elem)
			return NULL;
		n = new_node(cc, CAP_FIXED);
		if (!n)
			return NULL;
		n->elem = elem;
		n->elem_size = size_of(t->pointee);
		n->count = t->array_len;
		return n;
	default:
		return NULL;
	}
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b > HUGE_BYTES ? HUGE_BYTES : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > HUGE_BYTES / b ? HUGE_BYTES : a * b;
}

/* The most blob bytes a value's capture can write: bounds the event reserved. */
static uint64_t worst(const struct cap_node *n, unsigned depth)
{
	uint64_t w = 0, each;

	if (!n)
		return 0;
	switch (n->op) {
	case CAP_STRING:
		return sizeof(struct ev_blob) + ev_align(cap_limits.max_string);
	case CAP_BYTES:
		return sizeof(struct ev_blob) + ev_align(cap_limits.max_buffer);
	case CAP_RECORD:
		for (uint32_t i = 0; i < n->nfields; i++)
			w = sat_add(w, worst(n->fields[i], depth));
		return w;
	case CAP_FIXED:
		return sat_mul(worst(n->elem, depth), n->count);
	default:
		break;
	}
	if (!n->leaf && depth >= cap_limits.max_depth)
		return 0;
	each = sat_add(n->elem_size, worst(n->elem, depth + 1));
	if (n->op == CAP_POINTEE)
		return sat_add(sizeof(struct ev_blob) + 8, each);
	return sat_add(sizeof(struct ev_blob) + 8, sat_mul(each, cap_limits.max_array));
}

static uint64_t worst_varargs(const struct cap_plan *p, const struct cfg_hook *c, bool after)
{
	uint64_t w = 0;

	if (p->format_param >= 0 && !after)
		return sizeof(struct ev_blob) + 8 * CAP_MAX_VARARGS +
		       CAP_MAX_VARARGS * (sizeof(struct ev_blob) + ev_align(cap_limits.max_string));
	if (p->vararg_param < 0)
		return 0;
	for (int i = 0; i <= c->nvararg_cases; i++) {
		const struct cap_node *n = p->case_node[i];

		if (n && n->after == after)
			w = w > worst(n, 0) ? w : worst(n, 0);
	}
	/* The value itself is a blob at entry. */
	return after ? w : sat_add(w, sizeof(struct ev_blob) + 8);
}

static uint32_t cap_bytes(uint64_t w)
{
	return (uint32_t)(w < cap_limits.max_capture ? ev_align(w) : cap_limits.max_capture);
}

static bool add_param(struct cap_param **v, uint32_t *n, int index, bool by_value,
		      const struct cap_node *node)
{
	struct cap_param *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return false;
	nv[*n] = (struct cap_param){ .index = (uint16_t)index, .by_value = by_value, .node = node };
	*v = nv;
	(*n)++;
	return true;
}

static void compile_varargs(struct compiler *cc, struct cap_plan *p, uint32_t redact_mask)
{
	const struct cfg_hook *c = cc->hook;

	p->format_param = -1;
	p->vararg_param = -1;
	if (!c->variadic)
		return;
	if (c->format_param >= 0 && c->format_param < c->nparams && c->format_param < 32 &&
	    !(redact_mask & (1u << c->format_param)) &&
	    p->param_node[c->format_param] && p->param_node[c->format_param]->op == CAP_STRING &&
	    !p->param_node[c->format_param]->after) {
		p->format_param = c->format_param;
		return;
	}
	if (c->vararg_param < 0 || c->vararg_param >= c->nparams || c->vararg_param >= 32)
		return;
	p->case_node = calloc((size_t)c->nvararg_cases + 1, sizeof(*p->case_node));
	if (!p->case_node) {
		cc->failed = true;
		return;
	}
	p->vararg_param = c->vararg_param;
	for (int i = 0; i < c->nvararg_cases; i++)
		p->case_node[i] = node_for(cc, &c->vararg_cases[i].type, NULL);
	p->case_node[c->nvararg_cases] = node_for(cc, &c->vararg_default, NULL);
	for (int i = 0; i <= c->nvararg_cases; i++)
		if (p->case_node[i] && p->case_node[i]->after)
			p->vararg_after = true;
}

const struct cap_plan *cap_plan_compile(const struct cfg_hook *c, uint32_t redact_mask,
					uint32_t *enter_data, uint32_t *exit_data)
{
	struct compiler cc = { .hook = c };
	struct cap_plan *p;
	uint64_t we = 0, wx = 0;
	int nparams = c->nparams < 32 ? c->nparams : 32;

	*enter_data = *exit_data = 0;
	if (!c->has_prototype)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->param_node = calloc((size_t)nparams + 1, sizeof(*p->param_node));
	if (!p->param_node)
		goto fail;
	for (int i = 0; i < nparams; i++) {
		const struct cfg_type *t = &c->params[i].type;
		const struct cap_node *n;

		if (redact_mask & (1u << i))
			continue;	/* never copied: nothing to plan */
		n = node_for(&cc, t, NULL);
		p->param_node[i] = n;
		if (t->kind == CT_STRUCT) {
			if (!add_param(&p->entry, &p->nentry, i, true, n))
				goto fail;
			we = sat_add(we, sat_add(sizeof(struct ev_blob) + ev_align(t->size), worst(n, 0)));
		} else if (n && n->after) {
			if (!add_param(&p->exit, &p->nexit, i, false, n))
				goto fail;
			wx = sat_add(wx, worst(n, 0));
		} else if (n) {
			if (!add_param(&p->entry, &p->nentry, i, false, n))
				goto fail;
			we = sat_add(we, worst(n, 0));
		}
	}
	if (c->ret.kind == CT_STRUCT) {
		p->ret_by_value = true;
		p->ret_node = record_node(&cc, c->ret.record);
		wx = sat_add(wx, sat_add(sizeof(struct ev_blob) + ev_align(c->ret.size), worst(p->ret_node, 0)));
	} else {
		p->ret_node = node_for(&cc, &c->ret, NULL);
		wx = sat_add(wx, worst(p->ret_node, 0));
	}
	compile_varargs(&cc, p, redact_mask);
	if (cc.failed)
		goto fail;
	we = sat_add(we, worst_varargs(p, c, false));
	wx = sat_add(wx, worst_varargs(p, c, true));
	free(cc.memo);
	*enter_data = cap_bytes(we);
	*exit_data = cap_bytes(wx);
	if (!p->nentry && !p->nexit && !p->ret_node && !p->ret_by_value && p->format_param < 0 &&
	    p->vararg_param < 0) {
		free(p->param_node);
		free(p);
		return NULL;
	}
	return p;
fail:
	/* Nodes already made stay allocated: a start-up leak under memory pressure. */
	free(cc.memo);
	free(p->entry);
	free(p->exit);
	free(p->param_node);
	free(p);
	return NULL;
}

uint32_t cap_plan_simple_strings(const struct cap_plan *plan, uint32_t enter_data)
{
	uint32_t mask = 0;

	if (!plan || !plan->nentry || plan->format_param >= 0 || plan->vararg_param >= 0)
		return 0;
	for (uint32_t k = 0; k < plan->nentry; k++) {
		const struct cap_param *cp = &plan->entry[k];

		if (cp->by_value || cp->node->op != CAP_STRING || cp->index >= 32)
			return 0;
		mask |= 1u << cp->index;
	}
	if ((uint64_t)plan->nentry * (sizeof(struct ev_blob) + ev_align(cap_limits.max_string)) > enter_data)
		return 0;	/* capped by max_capture: the general walk cuts them */
	return mask;
}
