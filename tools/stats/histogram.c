/*
 * histogram.c — the log-linear histogram of histogram.h. Counting a value is a
 * leading-zero count, a shift and an increment; nothing here grows with the number
 * of values, and nothing prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stats/histogram.h"

void hist_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
}

/* Chunk 0 holds [0, 128) one value per bucket; chunk c >= 1 holds [2^(c+6), 2^(c+7)). */
static void locate(uint64_t v, unsigned *chunk, unsigned *slot)
{
	if (v < HIST_SUB) {
		*chunk = 0;
		*slot = (unsigned)v;
		return;
	}
	unsigned e = 63 - (unsigned)__builtin_clzll(v);	/* 2^e <= v < 2^(e+1), e >= 7 */

	*chunk = e - HIST_SUB_BITS + 1;
	*slot = (unsigned)(v >> (e - HIST_SUB_BITS)) - HIST_SUB;
}

int hist_add(struct histogram *h, int64_t v)
{
	unsigned c, s;

	if (v < 0)
		v = 0;
	locate((uint64_t)v, &c, &s);
	if (!h->chunk[c]) {
		h->chunk[c] = calloc(HIST_SUB, sizeof(uint64_t));
		if (!h->chunk[c])
			return -ENOMEM;
	}
	h->chunk[c][s]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (!h->count || v > h->max)
		h->max = v;
	h->count++;
	return 0;
}

/* The middle of bucket s of chunk c. */
static int64_t middle(unsigned c, unsigned s)
{
	if (c == 0)
		return s;
	unsigned shift = c - 1;		/* bucket width 2^shift */
	uint64_t low = (uint64_t)(HIST_SUB + s) << shift;

	return (int64_t)(low + (shift ? (1ULL << shift) / 2 : 0));
}

int64_t hist_percentile(const struct histogram *h, unsigned pct)
{
	uint64_t rank, seen = 0;
	int64_t v;

	if (!h->count)
		return 0;
	/* in integers: a double's 0.95 * 100 may round to either side of 95 */
	rank = ((uint64_t)pct * h->count + 99) / 100;
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	/* the first and last ranks are known exactly */
	if (rank == 1)
		return h->min;
	if (rank == h->count)
		return h->max;
	for (unsigned c = 0; c < HIST_CHUNKS; c++) {
		if (!h->chunk[c])
			continue;
		for (unsigned s = 0; s < HIST_SUB; s++) {
			seen += h->chunk[c][s];
			if (seen >= rank) {
				v = middle(c, s);
				return v < h->min ? h->min : v > h->max ? h->max : v;
			}
		}
	}
	return h->max;	/* not reached: the counts add up to count */
}

void hist_free(struct histogram *h)
{
	for (unsigned c = 0; c < HIST_CHUNKS; c++)
		free(h->chunk[c]);
	hist_init(h);
}
