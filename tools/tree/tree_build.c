/*
 * tree_build.c — records into `impulse tree`'s spool: each call is appended as a node
 * (struct node and its rendered text) when it arrives, and linked to its children,
 * which arrived before it: per thread, the calls completed at each depth whose parent
 * has not come yet wait in a list (struct level); a call of depth d takes those deeper
 * than d that started after it did. Memory: per thread one list head per depth; the
 * spool's cache; nothing per record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "view/call_line.h"

void *tree_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		tree_fail(1, "out of memory");
	return p;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static uint64_t hash_str(const struct record_str *s)
{
	return s->ptr ? hash_bytes(s->ptr, s->len) : 0;
}

/* --------------------------------------------------------------- processes, threads */

static struct process *get_process(struct tree *t, const struct record *rec)
{
	static struct process *last;	/* records of one process come in runs */
	uint64_t h;
	size_t i;
	struct process *p;

	if (last && !rec->tracer_id.escaped && rec->tracer_id.len == strlen(last->tracer) &&
	    !memcmp(rec->tracer_id.ptr, last->tracer, rec->tracer_id.len))
		return last;
	h = hash_str(&rec->tracer_id);

	if (t->nprocs * 2 >= t->procs_cap) {
		size_t cap = t->procs_cap ? t->procs_cap * 2 : 64, j;
		struct process **n = tree_xcalloc(cap, sizeof(*n));

		for (j = 0; j < t->procs_cap; j++)
			if (t->procs[j]) {
				for (i = t->procs[j]->hash % cap; n[i]; i = (i + 1) % cap)
					;
				n[i] = t->procs[j];
			}
		free(t->procs);
		t->procs = n;
		t->procs_cap = cap;
	}
	for (i = h % t->procs_cap; (p = t->procs[i]); i = (i + 1) % t->procs_cap)
		if (p->hash == h && record_str_eq(&rec->tracer_id, p->tracer))
			return last = p;
	p = tree_xcalloc(1, sizeof(*p));
	record_str_unescape(&rec->tracer_id, p->tracer, sizeof(p->tracer));
	p->hash = h;
	p->pid = rec->pid;
	p->start_ns = INT64_MAX;
	t->procs[i] = p;
	t->nprocs++;
	return last = p;
}

static uint64_t thread_hash(const struct process *p, int64_t tid)
{
	return p->hash * 31 + (uint64_t)tid;
}

static struct thread *get_thread(struct tree *t, struct process *p, const struct record *rec)
{
	uint64_t h = thread_hash(p, rec->tid);
	size_t i;
	struct thread *th;

	if (t->nthreads * 2 >= t->threads_cap) {
		size_t cap = t->threads_cap ? t->threads_cap * 2 : 256, j;
		struct thread **n = tree_xcalloc(cap, sizeof(*n));

		for (j = 0; j < t->threads_cap; j++)
			if (t->threads[j]) {
				for (i = thread_hash(t->threads[j]->proc, t->threads[j]->tid) % cap;
				     n[i]; i = (i + 1) % cap)
					;
				n[i] = t->threads[j];
			}
		free(t->threads);
		t->threads = n;
		t->threads_cap = cap;
	}
	for (i = h % t->threads_cap; (th = t->threads[i]); i = (i + 1) % t->threads_cap)
		if (th->proc == p && th->tid == rec->tid)
			return th;
	th = tree_xcalloc(1, sizeof(*th));
	th->proc = p;
	th->tid = rec->tid;
	th->first_start = INT64_MAX;
	record_str_unescape(&rec->thread_name, th->name, sizeof(th->name));
	th->next = p->threads;
	p->threads = th;
	p->nthreads++;
	t->threads[i] = th;
	t->nthreads++;
	return th;
}

void tree_spool_check(int rc)
{
	if (rc)
		tree_fail(1, "temporary file: %s (set TMPDIR to a directory with room)", strerror(-rc));
}

static void patch_next(struct tree *t, uint64_t at, uint64_t next)
{
	tree_spool_check(spool_write(&t->sp, at + offsetof(struct node, next), &next, sizeof(next)));
}



void tree_read_node(struct tree *t, uint64_t off, struct node *n)
{
	tree_spool_check(spool_read(&t->sp, off, n, sizeof(*n)));
}

/* Moves the calls of l that started at or after start (a suffix: l is in start order) to *part. */
static void level_split(struct tree *t, struct level *l, int64_t start, struct level *part)
{
	uint64_t x, prev = 0;
	int64_t prev_start = 0;
	struct node n;

	memset(part, 0, sizeof(*part));
	if (l->first_start >= start) {
		*part = *l;
		memset(l, 0, sizeof(*l));
		return;
	}
	if (l->last_start < start)
		return;
	for (x = l->first; x; x = n.next) {
		tree_read_node(t, x, &n);
		if (n.start_ns >= start)
			break;
		prev = x;
		prev_start = n.start_ns;
	}
	part->first = x;
	part->first_start = n.start_ns;
	part->last = l->last;
	part->last_start = l->last_start;
	for (; x; x = n.next) {
		tree_read_node(t, x, &n);
		part->count += 1 + n.descendants;
		part->match |= !!(n.flags & NODE_SUB_MATCH);
	}
	patch_next(t, prev, 0);
	l->last = prev;
	l->last_start = prev_start;
	l->count -= part->count;
}

/* The calls of a and b in one list, by start time (each is in start order already). */
struct level tree_level_merge(struct tree *t, const struct level *a, const struct level *b)
{
	struct level m;
	uint64_t x, y, tail = 0;
	struct node nx, ny;

	if (!a->first)
		return *b;
	if (!b->first)
		return *a;
	memset(&m, 0, sizeof(m));
	m.count = a->count + b->count;
	m.match = a->match || b->match;
	m.first_start = a->first_start < b->first_start ? a->first_start : b->first_start;
	m.last_start = a->last_start > b->last_start ? a->last_start : b->last_start;
	x = a->first;
	y = b->first;
	tree_read_node(t, x, &nx);
	tree_read_node(t, y, &ny);
	while (x && y) {
		uint64_t *pick = nx.start_ns <= ny.start_ns ? &x : &y;
		struct node *pn = pick == &x ? &nx : &ny;

		if (tail)
			patch_next(t, tail, *pick);
		else
			m.first = *pick;
		tail = *pick;
		*pick = pn->next;
		if (*pick)
			tree_read_node(t, *pick, pn);
	}
	patch_next(t, tail, x ? x : y);
	m.last = x ? a->last : y ? b->last : tail;
	return m;
}

/* --------------------------------------------------------------- reading */

struct text_buf {
	char *p;
	size_t len, size, max;
};

static void add_log(const char *payload, size_t len, void *data)
{
	struct text_buf *b = data;
	char line[CALL_LINE_ARGS_MAX * 2 + 8];
	size_t n = call_compact_json(payload, len, 0, b->max, line, sizeof(line));

	if (b->len + n + 2 < b->size) {
		b->p[b->len++] = '\n';
		memcpy(b->p + b->len, line, n);
		b->len += n;
	}
}

static bool hook_matches(const struct tree *t, const struct record *rec)
{
	return record_filter_hook_ok(&t->o.filter, rec);
}

void tree_add_root(struct tree *t, const struct record *rec)
{
	struct process *p = get_process(t, rec);
	char st[64];

	p->has_root = true;
	record_str_unescape(&rec->name, p->program, sizeof(p->program));
	p->pid = rec->pid;
	p->status = (uint8_t)rec->status_code;
	p->start_ns = rec->start_ns;
	p->end_ns = rec->end_ns;
	p->root_call_hash = hash_str(&rec->call_id);
	if (rec->parent_id.ptr) {
		p->parent_hash = hash_str(&rec->parent_id);
		record_str_unescape(&rec->parent_id, p->parent_id, sizeof(p->parent_id));
	}
	if (rec->status_code == RECORD_SUCCESS) {
		char o[64];

		call_compact_json(rec->output.ptr, rec->output.len, 0, 40, o, sizeof(o));
		snprintf(p->exit_text, sizeof(p->exit_text), "exit %s", o);
	} else if (rec->exception.ptr) {
		char e[120];

		record_str_unescape(&rec->exception, e, sizeof(e));
		snprintf(p->exit_text, sizeof(p->exit_text), "%s: %s",
			 call_status_name(rec, st, sizeof(st)), e);
	} else {
		snprintf(p->exit_text, sizeof(p->exit_text), "%s",
			 call_status_name(rec, st, sizeof(st)));
	}
}

void tree_add_call(struct tree *t, const struct record *rec)
{
	struct process *p = get_process(t, rec);
	struct thread *th = get_thread(t, p, rec);
	unsigned d = rec->depth, k;
	struct node n;
	struct text_buf b = { t->text, 0, sizeof(t->text), CALL_LINE_ARGS_MAX };
	uint64_t off, first, count;
	struct level kids;
	bool sub;

	memset(&kids, 0, sizeof(kids));

	if (d + 2 > th->nlv) {
		unsigned cap = th->nlv ? th->nlv : 8;

		while (cap < d + 2)
			cap *= 2;
		th->lv = realloc(th->lv, cap * sizeof(*th->lv));
		if (!th->lv)
			tree_fail(1, "out of memory");
		memset(th->lv + th->nlv, 0, (cap - th->nlv) * sizeof(*th->lv));
		th->nlv = cap;
	}
	/*
	 * What is pending deeper than d in this thread and started after this call did
	 * completed inside it (a thread's calls nest): its children. What started before
	 * is left where it is: calls whose parent is missing (filtered out by --thread, or
	 * dropped) are not adopted by a later call.
	 */
	for (k = d + 1; k < th->top; k++) {
		struct level part;

		if (!th->lv[k].first)
			continue;
		level_split(t, &th->lv[k], rec->start_ns, &part);
		if (part.first)
			kids = tree_level_merge(t, &kids, &part);
	}
	first = kids.first;
	count = kids.count;
	sub = kids.match;
	while (th->top > d + 1 && !th->lv[th->top - 1].first)
		th->top--;
	memset(&n, 0, sizeof(n));
	n.first_child = first;
	n.descendants = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	n.start_ns = rec->start_ns;
	n.end_ns = rec->end_ns;
	n.call_hash = hash_str(&rec->call_id);
	n.fold_key = hash_str(&rec->name) * 7 + rec->status_code +
		     (rec->status_code == RECORD_STATUS_OTHER ? hash_str(&rec->status) : 0);
	n.status = (uint8_t)rec->status_code;
	if (t->o.filter.nhooks && hook_matches(t, rec))
		n.flags |= NODE_MATCH | NODE_SUB_MATCH;
	if (sub)
		n.flags |= NODE_SUB_MATCH;

	b.len = call_line_format(rec, t->o.args_max, b.p, b.size / 2);
	call_each_trace_log(&rec->trace_logs, add_log, &b);
	n.text_len = (uint32_t)b.len;

	tree_spool_check(spool_append(&t->sp, &n, sizeof(n), &off));
	tree_spool_check(spool_append(&t->sp, b.p, b.len, &(uint64_t){ 0 }));

	if (th->lv[d].last) {
		patch_next(t, th->lv[d].last, off);
	} else {
		th->lv[d].first = off;
		th->lv[d].first_start = rec->start_ns;
	}
	th->lv[d].last = off;
	th->lv[d].last_start = rec->start_ns;
	th->lv[d].count += 1 + count;
	th->lv[d].match |= !!(n.flags & NODE_SUB_MATCH);
	if (th->top < d + 1)
		th->top = d + 1;
	th->calls++;
	th->match |= !!(n.flags & NODE_SUB_MATCH);
	if (rec->start_ns < th->first_start)
		th->first_start = rec->start_ns;
	if (rec->end_ns > th->last_end)
		th->last_end = rec->end_ns;
	if (rec->start_ns < p->start_ns && !p->has_root)
		p->start_ns = rec->start_ns;
	if (rec->end_ns > p->end_ns && !p->has_root)
		p->end_ns = rec->end_ns;
	if (!th->name[0] && rec->thread_name.ptr)
		record_str_unescape(&rec->thread_name, th->name, sizeof(th->name));
}
