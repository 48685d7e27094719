/*
 * stats_self.c — self time for `impulse stats`: a call's duration minus the
 * durations of its direct children on the same thread.
 *
 * Records arrive in completion order, so a call's children come before it. For each
 * thread with calls in flight we keep a stack of frames, one per parent still
 * running: the parent's call_id (as a 64-bit hash and a length), the depth of its
 * children, and the durations of the children seen so far. When a call's record
 * arrives, the frame naming it (at depth + 1) gives its children's total and is
 * popped; its own duration then goes into its parent's frame (at its depth).
 * Within one thread calls nest strictly, so the frames' depths only grow from the
 * bottom of the stack to the top: a frame that does not fit (a parent whose record
 * was dropped, a thread cut short) is discarded by the next call at its depth or
 * above. A thread's stack is freed when it empties, and whatever is left of a
 * process's threads when its root arrives.
 *
 * Memory bound: one frame (24 bytes) per call in flight that already has a completed
 * child, i.e. at most (deepest nesting) × (threads inside a call at once) frames, plus
 * one small stack per such thread — never a function of the number of records.
 *
 * Children on another thread are not subtracted: a thread's top-level calls name
 * as parent the call during which the thread was created (or the root), and they run
 * beside it, not inside it (subtracting them would give a negative self time to a
 * call that waits for four threads). Threads are told apart by the call ids: libimpulse
 * writes "<tracer id: 16 hex>-<sequence: 16 hex>" with the thread's number in the top
 * 24 bits of the sequence, so two calls are on the same thread when their first 23
 * characters are equal. Ids of another shape are taken to be on the same thread, and
 * the stacks are then keyed by pid and tid.
 *
 * Parents are matched by a 64-bit FNV-1a hash of the call_id and its length: two
 * different ids in flight on one thread at the same depth with equal hashes (odds
 * 2^-64) would be taken for one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

#define ID_LEN 33		/* "<16 hex>-<16 hex>" */
#define THREAD_PREFIX 23	/* tracer id, '-', and the 6 hex digits of the thread's number */
#define TRACER_PREFIX 17	/* tracer id and '-' */

struct frame {
	uint64_t parent;	/* hash of the parent's call_id */
	uint32_t parent_len;	/* its length */
	uint32_t child_depth;	/* depth of the children summed here (the parent's + 1) */
	int64_t sum;		/* ns: durations of the children seen */
};

struct thread_stack {
	char key[40];		/* THREAD_PREFIX bytes of a call id, or "pid/tid" */
	uint32_t key_len;
	uint64_t hash;
	struct frame *frames;	/* owned */
	uint32_t n, cap;
	struct thread_stack *next;	/* in its bucket, or in the free list */
};

struct self_tracker {
	struct thread_stack **buckets;
	size_t nbuckets, nstacks;
	struct thread_stack *free_list;	/* emptied stacks, kept for reuse */
	size_t frames, peak_frames;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

/* "<16 hex>-<16 hex>", as libimpulse writes call ids (by length and dash: the digits
 * are not checked, this runs for every record). */
static bool is_libimpulse_id(const struct record_str *id)
{
	return id->ptr && id->len == ID_LEN && id->ptr[16] == '-';
}

struct self_tracker *self_new(void)
{
	struct self_tracker *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = 64;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

/* The thread a call ran on, as a key. */
static void thread_key(const struct record *rec, char *key, uint32_t *len)
{
	if (is_libimpulse_id(&rec->call_id)) {
		memcpy(key, rec->call_id.ptr, THREAD_PREFIX);
		*len = THREAD_PREFIX;
	} else {
		*len = (uint32_t)snprintf(key, 40, "%lld/%lld", (long long)rec->pid,
					  (long long)rec->tid);
	}
}

static struct thread_stack **find_slot(struct self_tracker *t, const char *key, uint32_t len,
				       uint64_t hash)
{
	struct thread_stack **p = &t->buckets[hash & (t->nbuckets - 1)];

	while (*p && !((*p)->hash == hash && (*p)->key_len == len && !memcmp((*p)->key, key, len)))
		p = &(*p)->next;
	return p;
}

static void grow_buckets(struct self_tracker *t)
{
	size_t n = t->nbuckets * 2;
	struct thread_stack **b = calloc(n, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct thread_stack *s = t->buckets[i], *next;

		for (; s; s = next) {
			next = s->next;
			s->next = b[s->hash & (n - 1)];
			b[s->hash & (n - 1)] = s;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static struct thread_stack *stack_new(struct self_tracker *t, const char *key, uint32_t len,
				      uint64_t hash)
{
	struct thread_stack *s = t->free_list;

	if (s) {
		t->free_list = s->next;
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
	}
	memcpy(s->key, key, len);
	s->key_len = len;
	s->hash = hash;
	s->n = 0;
	if (t->nstacks >= 2 * t->nbuckets)
		grow_buckets(t);
	s->next = t->buckets[hash & (t->nbuckets - 1)];
	t->buckets[hash & (t->nbuckets - 1)] = s;
	t->nstacks++;
	return s;
}

/* Unlinks *slot and keeps it for reuse. */
static void stack_release(struct self_tracker *t, struct thread_stack **slot)
{
	struct thread_stack *s = *slot;

	*slot = s->next;
	t->frames -= s->n;
	s->n = 0;
	s->next = t->free_list;
	t->free_list = s;
	t->nstacks--;
}

static void pop(struct self_tracker *t, struct thread_stack *s)
{
	s->n--;
	t->frames--;
}

static int push(struct self_tracker *t, struct thread_stack *s, const struct frame *f)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 8;
		struct frame *more = realloc(s->frames, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		s->frames = more;
		s->cap = cap;
	}
	s->frames[s->n++] = *f;
	if (++t->frames > t->peak_frames)
		t->peak_frames = t->frames;
	return 0;
}

/* Whether the parent runs on the call's thread (see the top of the file). */
static bool parent_on_same_thread(const struct record *rec)
{
	if (!is_libimpulse_id(&rec->call_id) || !is_libimpulse_id(&rec->parent_id))
		return true;
	return !memcmp(rec->call_id.ptr, rec->parent_id.ptr, THREAD_PREFIX);
}

int self_add(struct self_tracker *t, const struct record *rec, int64_t duration,
	     int64_t *children)
{
	char key[40];
	uint32_t key_len, d = rec->depth;
	uint64_t hash, own = 0;
	struct thread_stack **slot, *s;
	int rc = 0;

	*children = 0;
	thread_key(rec, key, &key_len);
	hash = fnv1a(key, key_len);
	slot = find_slot(t, key, key_len, hash);
	s = *slot;
	if (s && rec->call_id.ptr) {
		/* frames deeper than this call's children: parents that never completed */
		while (s->n && s->frames[s->n - 1].child_depth > d + 1)
			pop(t, s);
		if (s->n && s->frames[s->n - 1].child_depth == d + 1) {
			struct frame *f = &s->frames[s->n - 1];

			own = fnv1a(rec->call_id.ptr, rec->call_id.len);
			if (f->parent == own && f->parent_len == rec->call_id.len)
				*children = f->sum;
			pop(t, s);
		}
	}
	if (rec->parent_id.ptr && d > 0 && parent_on_same_thread(rec)) {
		struct frame f = {
			.parent = fnv1a(rec->parent_id.ptr, rec->parent_id.len),
			.parent_len = rec->parent_id.len,
			.child_depth = d,
			.sum = duration,
		};

		if (!s) {
			s = stack_new(t, key, key_len, hash);
			if (!s)
				return -ENOMEM;
			slot = find_slot(t, key, key_len, hash);
		}
		while (s->n && s->frames[s->n - 1].child_depth > d)
			pop(t, s);
		if (s->n && s->frames[s->n - 1].child_depth == d) {
			struct frame *top = &s->frames[s->n - 1];

			if (top->parent == f.parent && top->parent_len == f.parent_len)
				top->sum += duration;
			else
				*top = f;	/* a sibling whose parent never completed */
		} else {
			rc = push(t, s, &f);
		}
	}
	if (s && !s->n)
		stack_release(t, slot);
	return rc;
}

void self_end_process(struct self_tracker *t, const struct record *root)
{
	if (!is_libimpulse_id(&root->call_id))
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct thread_stack **p = &t->buckets[i];

		while (*p) {
			if ((*p)->key_len == THREAD_PREFIX &&
			    !memcmp((*p)->key, root->call_id.ptr, TRACER_PREFIX))
				stack_release(t, p);
			else
				p = &(*p)->next;
		}
	}
}

size_t self_peak_frames(const struct self_tracker *t)
{
	return t->peak_frames;
}

static void free_stack(struct thread_stack *s)
{
	free(s->frames);
	free(s);
}

void self_free(struct self_tracker *t)
{
	struct thread_stack *s, *next;

	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (s = t->buckets[i]; s; s = next) {
			next = s->next;
			free_stack(s);
		}
	for (s = t->free_list; s; s = next) {
		next = s->next;
		free_stack(s);
	}
	free(t->buckets);
	free(t);
}
