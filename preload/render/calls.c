/*
 * calls.c — the renderer's call table: an open hash of chains keyed by call id,
 * with freed entries kept on a free list to spare malloc on the logger's path.
 */
#include <stdlib.h>
#include <string.h>

#include "render/calls.h"

static struct call **buckets;
static size_t nbuckets, ncalls;
static struct call *free_list;
/* The call made last: the next input is most often its own return (a leaf call),
 * looked up twice (the logger's check, then render_exit). NULL once it is freed. */
static struct call *last;

static size_t bucket_of(uint64_t id, size_t n)
{
	/* Ids are (thread << 40) | sequence: mix so both parts spread. */
	id ^= id >> 29;
	id *= 0xbf58476d1ce4e5b9ull;
	id ^= id >> 32;
	return (size_t)id & (n - 1);
}

static void grow(void)
{
	size_t n = nbuckets ? nbuckets * 2 : 4096;
	struct call **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	for (size_t i = 0; i < nbuckets; i++) {
		struct call *c = buckets[i], *next;

		for (; c; c = next) {
			size_t b = bucket_of(c->id, n);

			next = c->hash_next;
			c->hash_next = nb[b];
			nb[b] = c;
		}
	}
	free(buckets);
	buckets = nb;
	nbuckets = n;
}

struct call *calls_find(uint64_t id)
{
	if (last && last->id == id)
		return last;
	if (!nbuckets)
		return NULL;
	for (struct call *c = buckets[bucket_of(id, nbuckets)]; c; c = c->hash_next)
		if (c->id == id)
			return c;
	return NULL;
}

struct call *calls_new(uint64_t id)
{
	struct call *c;
	size_t b;

	if (ncalls >= nbuckets)
		grow();
	if (!nbuckets)
		return NULL;
	if (free_list) {
		c = free_list;
		free_list = c->hash_next;
	} else {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
	}
	/* Keep the buffers of a recycled call: their capacity is reused. */
	c->args.len = 0;
	c->args.failed = false;
	c->logs.len = 0;
	c->logs.failed = false;
	c->children.len = 0;
	c->children.failed = false;
	c->ref.len = 0;
	c->ref.failed = false;
	c->chain.len = 0;
	c->chain.failed = false;
	if (c->bson) {
		c->bson->args.len = 0;
		c->bson->args.failed = false;
		c->bson->logs.len = 0;
		c->bson->logs.failed = false;
		c->bson->children.len = 0;
		c->bson->children.failed = false;
	}
	c->nchildren = c->children_omitted = 0;
	c->id = id;
	c->parent = NULL;
	c->refs = 1;
	c->links = 0;
	c->holds = 0;
	c->depth = 0;
	c->slot = NULL;
	c->session = NULL;
	c->done = false;
	c->enter = NULL;
	b = bucket_of(id, nbuckets);
	c->hash_next = buckets[b];
	buckets[b] = c;
	ncalls++;
	last = c;
	return c;
}

static void unlink_call(struct call *c)
{
	struct call **pp = &buckets[bucket_of(c->id, nbuckets)];

	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == c) {
			*pp = c->hash_next;
			if (last == c)
				last = NULL;
			ncalls--;
			return;
		}
	}
}

/* A recycled call keeps its buffers, unless one grew past 4 KiB (a rare large
 * record): freed then, so that the free list holds no large memory. */
static void drop_big_buffers(struct call *c)
{
	/* One test for the usual case, where no buffer grew past 4 KiB (the OR
	 * of the capacities is at least the largest). */
	if ((c->args.cap | c->logs.cap | c->children.cap | c->chain.cap | c->ref.cap) <= 4096 &&
	    !c->bson)
		return;
	if (c->args.cap > 4096)
		jb_free(&c->args);
	if (c->logs.cap > 4096)
		jb_free(&c->logs);
	if (c->children.cap > 4096)
		jb_free(&c->children);
	if (c->chain.cap > 4096)
		jb_free(&c->chain);
	if (c->ref.cap > 4096)
		jb_free(&c->ref);
	if (c->bson) {
		if (c->bson->args.cap > 4096)
			jb_free(&c->bson->args);
		if (c->bson->logs.cap > 4096)
			jb_free(&c->bson->logs);
		if (c->bson->children.cap > 4096)
			jb_free(&c->bson->children);
	}
}

void calls_release(struct call *c)
{
	while (c && --c->refs == 0) {
		struct call *parent = c->parent;

		unlink_call(c);
		if (c->enter) {	/* rare: a call with [out] values that never returned */
			free(c->enter);
			c->enter = NULL;
		}
		drop_big_buffers(c);
		c->hash_next = free_list;
		free_list = c;
		c = parent;
	}
}

size_t calls_count(void)
{
	return ncalls;
}

void calls_for_each(void (*fn)(struct call *c, void *arg), void *arg)
{
	for (size_t i = 0; i < nbuckets; i++)
		for (struct call *c = buckets[i]; c; c = c->hash_next)
			fn(c, arg);
}

void calls_forget_all(void)
{
	/* A fork child: the logger may have been mid-update; leak rather than free. */
	buckets = NULL;
	nbuckets = ncalls = 0;
	free_list = NULL;
	last = NULL;
}
