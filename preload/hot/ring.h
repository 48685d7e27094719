/*
 * ring.h — a single-producer, single-consumer byte ring per traced thread.
 *
 * The producer is the traced thread (hot path: no lock, no system call), the
 * consumer the logger thread. head and tail live on separate cache lines, and the
 * producer keeps its own copy of tail so that it reads the consumer's line only
 * when the ring looks full. Events never wrap: a too-short tail end is filled with
 * an EV_PAD event.
 */
#ifndef IMPULSE_RING_H
#define IMPULSE_RING_H

#include <stdint.h>
#include <stddef.h>

#include "hooks/event.h"

struct ring {
	/* producer's line */
	_Alignas(64) uint64_t head;	/* bytes ever committed; store-release pairs with consumer's load-acquire */
	uint64_t reserved;		/* producer only: where the reserved event starts */
	uint64_t cached_tail;		/* producer only: last tail seen */
	uint64_t keep;			/* producer only: bytes ring_reserve() leaves free, kept
					 * for the exits of calls in flight (on_full = drop); 0
					 * when the producer may wait for room (the default) */
	/* consumer's line */
	_Alignas(64) uint64_t tail;	/* bytes ever consumed; store-release pairs with producer's load-acquire */
	/* read-only after setup */
	_Alignas(64) uint64_t size;	/* a power of two */
	uint8_t *data;
};

/*
 * Returns room for need bytes (a multiple of 8) that still leaves keep bytes free,
 * or NULL. An event costs at most 2 * need - 8 bytes: need, and the padding up to
 * the end of the ring when it does not fit there.
 */
static inline void *ring_reserve_keep(struct ring *r, uint32_t need, uint64_t keep)
{
	uint64_t pos = r->head;
	uint64_t off = pos & (r->size - 1);
	uint64_t contig = r->size - off;
	uint64_t total = need + (contig < need ? contig : 0) + keep;

	if (pos + total - r->cached_tail > r->size) {
		/* Pairs with the consumer's store-release of tail in ring_consumed(). */
		r->cached_tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (pos + total - r->cached_tail > r->size)
			return NULL;
	}
	if (contig < need) {
		struct ev_head *pad = (struct ev_head *)(r->data + off);

		pad->size = (uint32_t)contig;
		pad->type = EV_PAD;
		pos += contig;
	}
	r->reserved = pos;
	return r->data + (pos & (r->size - 1));
}

/* Returns room for need bytes, leaving r->keep free, or NULL when the ring is full. */
static inline void *ring_reserve(struct ring *r, uint32_t need)
{
	return ring_reserve_keep(r, need, r->keep);
}

/* Publishes the event reserved last, used bytes long. */
static inline void ring_commit(struct ring *r, uint32_t used)
{
	/* Pairs with the consumer's load-acquire of head in ring_readable(). */
	__atomic_store_n(&r->head, r->reserved + used, __ATOMIC_RELEASE);
}

/* Consumer: bytes ever committed, read once per drain. */
static inline uint64_t ring_readable(const struct ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

static inline const struct ev_head *ring_at(const struct ring *r, uint64_t pos)
{
	return (const struct ev_head *)(r->data + (pos & (r->size - 1)));
}

/* Consumer: everything before pos has been processed; the producer may reuse it. */
static inline void ring_consumed(struct ring *r, uint64_t pos)
{
	__atomic_store_n(&r->tail, pos, __ATOMIC_RELEASE);
}

#endif
