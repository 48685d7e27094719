/*
 * calls_test.c — unit tests of the logger's call table (preload/render/calls.c).
 *
 * The table is a set of file statics, so the tests run in one order in one
 * process: the empty table first, then reference counting through parents,
 * recycling, growth past the first 4096 buckets, and deep chains. Parents are
 * linked the way the logger does it (on_enter: c->parent = p, p->refs++; on_link:
 * refs++ and links++).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/calls.h"
#include "check.h"

static struct call *child_of(struct call *parent, uint64_t id)
{
	struct call *c = calls_new(id);

	if (c && parent) {
		c->parent = parent;
		c->depth = parent->depth + 1;
		parent->refs++;
	}
	return c;
}

struct census {
	size_t n;
	uint64_t id_sum, id_xor;
};

static void count_call(struct call *c, void *arg)
{
	struct census *k = arg;

	k->n++;
	k->id_sum += c->id;
	k->id_xor ^= c->id * 0x9e3779b97f4a7c15u;
}

static struct census census(void)
{
	struct census k = { 0 };

	calls_for_each(count_call, &k);
	return k;
}

static void test_empty(void)
{
	struct census k = census();

	/* Before the first calls_new there are no buckets at all. */
	CHECK(calls_find(0) == NULL, "calls_find(0) on an empty table");
	CHECK(calls_find(12345) == NULL, "calls_find(12345) on an empty table");
	CHECK(k.n == 0, "calls_for_each visits %zu calls of an empty table", k.n);
}

static void test_refcounts(struct call *root)
{
	struct call *a, *b, *g, *s1, *s2, *s3;

	CHECK(root && root->refs == 1 && root->parent == NULL && calls_find(0) == root,
	      "root: new call with one reference, found by id");

	/* root <- a <- b <- g */
	a = child_of(root, 1);
	b = child_of(a, 2);
	g = child_of(b, 3);
	CHECK(a && b && g, "calls_new returned NULL");
	if (!a || !b || !g)
		return;
	CHECK(root->refs == 2 && a->refs == 2 && b->refs == 2 && g->refs == 1,
	      "refs root %u a %u b %u g %u, expected 2 2 2 1", root->refs, a->refs, b->refs, g->refs);
	CHECK(calls_find(1) == a && calls_find(2) == b && calls_find(3) == g, "calls_find by id");
	CHECK(calls_find(4) == NULL, "calls_find(4) found a call never added");
	CHECK(g->depth == 3, "depth %u, expected 3", g->depth);

	/* a and b return before g: their records are written, but g still names them. */
	calls_release(a);
	calls_release(b);
	CHECK(calls_find(1) == a && calls_find(2) == b, "a parent was freed while its child runs");
	CHECK(a->refs == 1 && b->refs == 1, "refs a %u b %u, expected 1 1", a->refs, b->refs);
	/* g ends: g, b and a go in one release, and root gets its reference back. */
	calls_release(g);
	CHECK(calls_find(1) == NULL && calls_find(2) == NULL && calls_find(3) == NULL,
	      "the chain a <- b <- g is still in the table after its last reference");
	CHECK(root->refs == 1 && calls_find(0) == root, "root refs %u, expected 1", root->refs);
	CHECK(census().n == 1, "calls_for_each sees %zu calls, expected only the root", census().n);

	/* Siblings: the parent stays until its last child is released. */
	a = child_of(root, 10);
	s1 = child_of(a, 11);
	s2 = child_of(a, 12);
	s3 = child_of(a, 13);
	if (!a || !s1 || !s2 || !s3) {
		CHECK(0, "calls_new returned NULL");
		return;
	}
	CHECK(a->refs == 4, "a with three children: refs %u, expected 4", a->refs);
	calls_release(a);
	calls_release(s2);
	CHECK(calls_find(10) == a && a->refs == 2, "a: refs %u after own and one child's release",
	      a->refs);
	calls_release(s1);
	CHECK(calls_find(10) == a && a->refs == 1, "a freed with one child left");
	CHECK(calls_find(11) == NULL && calls_find(12) == NULL && calls_find(13) == s3,
	      "the children released are not the ones gone");
	calls_release(s3);
	CHECK(calls_find(10) == NULL && calls_find(13) == NULL && root->refs == 1,
	      "a and its last child still there, or root refs %u", root->refs);

	/* A thread created inside a call (EV_LINK) keeps it after it returns. */
	a = child_of(root, 20);
	if (!a) {
		CHECK(0, "calls_new returned NULL");
		return;
	}
	a->refs++;
	a->links++;
	calls_release(a);
	CHECK(calls_find(20) == a && a->refs == 1, "a linked call was freed when it returned");
	b = child_of(a, 21);		/* the new thread's first call */
	a->links--;
	calls_release(a);		/* the thread's link dropped */
	CHECK(calls_find(20) == a, "a call with a running child was freed when its link dropped");
	if (b)
		calls_release(b);
	CHECK(calls_find(20) == NULL && calls_find(21) == NULL && root->refs == 1,
	      "a linked call and its thread's call remain");
}

/* Freed calls are reused, their buffers' capacity kept (up to 4096) and emptied. */
static void test_recycling(struct call *root)
{
	struct call *a, *b, *r1, *r2;
	char *args_p, *logs_p;
	static char big[5000];

	a = child_of(root, 100);
	b = child_of(root, 101);
	if (!a || !b) {
		CHECK(0, "calls_new returned NULL");
		return;
	}
	jb_lit(&a->args, "{\"x\":1}");
	jb_lit(&a->logs, "\"log\"");
	jb_lit(&a->children, "{},{}");
	jb_lit(&a->ref, "{\"ref\":1}");
	jb_lit(&a->chain, "[{}]");
	a->args.failed = a->logs.failed = a->children.failed = true;
	a->ref.failed = a->chain.failed = true;
	a->nchildren = 7;
	a->children_omitted = 3;
	a->done = true;
	a->links = 0;
	a->slot = (const struct hook_slot *)0x1000;
	a->session = (const struct session *)0x2000;
	args_p = a->args.p;
	logs_p = a->logs.p;
	/* b's args grow past 4096 bytes: freed on release, not kept. */
	memset(big, 'x', sizeof(big));
	jb_put(&b->args, big, sizeof(big));
	CHECK(b->args.cap > 4096, "b's args capacity %zu", b->args.cap);

	calls_release(a);
	calls_release(b);
	CHECK(calls_find(100) == NULL && calls_find(101) == NULL, "released calls still found");

	/* The free list gives back b, then a (last freed first). */
	r1 = calls_new(102);
	r2 = calls_new(103);
	CHECK(r1 == b && r2 == a, "freed calls were not reused (got %p %p, freed %p %p)",
	      (void *)r1, (void *)r2, (void *)b, (void *)a);
	if (r2 == a) {
		CHECK(a->id == 103 && a->refs == 1 && a->parent == NULL && a->links == 0 &&
		      a->depth == 0 && !a->done && a->slot == NULL && a->session == NULL &&
		      a->nchildren == 0 && a->children_omitted == 0,
		      "a recycled call's fields were not reset");
		CHECK(a->args.len == 0 && a->logs.len == 0 && a->children.len == 0 &&
		      a->ref.len == 0 && a->chain.len == 0,
		      "a recycled call's buffers are not empty (args %zu logs %zu children %zu "
		      "ref %zu chain %zu)", a->args.len, a->logs.len, a->children.len, a->ref.len,
		      a->chain.len);
		CHECK(!a->args.failed && !a->logs.failed && !a->children.failed &&
		      !a->ref.failed && !a->chain.failed, "a recycled call's buffers still failed");
		CHECK(a->args.p == args_p && a->logs.p == logs_p && a->args.cap == 256,
		      "a recycled call's small buffers were not kept (capacity %zu)", a->args.cap);
	}
	if (r1 == b)
		CHECK(b->args.p == NULL && b->args.cap == 0 && b->args.len == 0,
		      "a buffer over 4096 bytes was kept: capacity %zu", b->args.cap);
	CHECK(calls_find(102) == r1 && calls_find(103) == r2, "recycled calls not found by id");
	calls_release(r1);
	calls_release(r2);
	CHECK(census().n == 1, "%zu calls left, expected the root", census().n);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* 100,000 calls from ten threads: ids (thread << 40) | sequence, past 4096 buckets. */
static void test_growth(struct call *root)
{
	enum { THREADS = 10, PER = 10000, N = THREADS * PER };
	struct call **all = calloc(N, sizeof(*all));
	struct census k, want = { 0 };
	unsigned long missing = 0, wrong = 0, foreign = 0;

	if (!all)
		abort();
	for (int round = 0; round < 2; round++) {
		for (uint64_t n = 0; n < THREADS; n++)
			for (uint64_t seq = 1; seq <= PER; seq++) {
				uint64_t id = ((n + 1) << 40) | seq;
				struct call *c = child_of(root, id);

				if (!c) {
					CHECK(0, "calls_new(%#lx) returned NULL", (unsigned long)id);
					free(all);
					return;
				}
				if (round == 1 && !bsearch(&c, all, N, sizeof(*all), cmp_ptr))
					foreign++;
				if (round == 0)
					all[n * PER + seq - 1] = c;
			}
		if (round == 1)
			CHECK(foreign == 0, "%lu of 100000 new calls were not recycled ones", foreign);
		CHECK(root->refs == 1 + N, "root refs %u, expected %u", root->refs, 1 + N);

		want = (struct census){ 1, 0, 0 };
		for (uint64_t n = 0; n < THREADS; n++)
			for (uint64_t seq = 1; seq <= PER; seq++) {
				uint64_t id = ((n + 1) << 40) | seq;
				struct call *c = calls_find(id);

				if (!c)
					missing++;
				else if (c->id != id)
					wrong++;
				want.id_sum += id;
				want.id_xor ^= id * 0x9e3779b97f4a7c15u;
				/* Neighbours that were never added. */
				if (calls_find(((n + 1) << 40) | (seq + PER)) ||
				    calls_find(((n + 1 + THREADS) << 40) | seq) ||
				    calls_find(seq << 40))
					wrong++;
			}
		CHECK(missing == 0 && wrong == 0, "round %d: %lu ids not found, %lu found wrongly",
		      round, missing, wrong);
		k = census();
		CHECK(k.n == want.n + N && k.id_sum == want.id_sum && k.id_xor == want.id_xor,
		      "calls_for_each: %zu calls, expected %u, or other ids", k.n, 1 + N);

		/* Release in a scattered order (every 7th, stepping through all). */
		if (round == 0)
			qsort(all, N, sizeof(*all), cmp_ptr);
		for (uint64_t i = 0, j = 0; i < N; i++, j = (j + 7919) % N) {
			uint64_t id = ((j / PER + 1) << 40) | (j % PER + 1);
			struct call *c = calls_find(id);

			if (c)
				calls_release(c);
			else
				missing++;
		}
		CHECK(missing == 0, "round %d: %lu calls gone before their release", round, missing);
		k = census();
		CHECK(k.n == 1 && root->refs == 1 && calls_find(((uint64_t)1 << 40) | 1) == NULL,
		      "round %d: %zu calls after releasing all, root refs %u", round, k.n, root->refs);
	}
	free(all);
}

/* A chain 100,000 deep, released from its leaf in one call (a loop, not recursion). */
static void test_deep_chain(struct call *root)
{
	enum { DEPTH = 100000 };
	struct call *c = root, *leaf = NULL;
	unsigned long still = 0;

	for (uint64_t i = 1; i <= DEPTH; i++) {
		c = child_of(c, 0xabc0000000 + i);
		if (!c) {
			CHECK(0, "calls_new returned NULL at depth %lu", (unsigned long)i);
			return;
		}
		leaf = c;
	}
	CHECK(leaf && leaf->depth == DEPTH, "leaf depth %u", leaf ? leaf->depth : 0);
	/* Every call's own run ends from the top down, leaving the references of children. */
	for (uint64_t i = 1; i <= DEPTH; i++)
		calls_release(calls_find(0xabc0000000 + i) == leaf ? NULL :
			      calls_find(0xabc0000000 + i));
	for (uint64_t i = 1; i < DEPTH; i++)
		if (!calls_find(0xabc0000000 + i))
			still++;
	CHECK(still == 0, "%lu ancestors freed while the leaf runs", still);
	calls_release(leaf);
	CHECK(census().n == 1 && root->refs == 1, "%zu calls left after the leaf's release",
	      census().n);
}

int main(void)
{
	struct call *root;

	test_empty();
	root = calls_new(0);
	if (!root) {
		CHECK(0, "calls_new(0) returned NULL");
		return check_summary("calls_test");
	}
	test_refcounts(root);
	test_recycling(root);
	test_growth(root);
	test_deep_chain(root);
	return check_summary("calls_test");
}
