/*
 * histogram.h — durations counted in log-linear buckets, for percentiles in bounded
 * memory (`impulse stats`).
 *
 * Values below 128 have a bucket each (exact). Above, every power of two [2^e, 2^(e+1))
 * is cut into 128 equal buckets of width 2^(e-7), so a bucket is at most 1/128 of the
 * values in it, and a value reported as its bucket's middle is within 1/256 (0.39%)
 * of any value in that bucket — HDR Histogram's layout with 7 bits of sub-bucket.
 * Memory: 1 KiB for each power of two that holds a value (allocated on first use), at
 * most 58 of them (58.5 KiB) for the whole int64 range, whatever the number of values.
 *
 * Percentiles are nearest-rank: the pct-th of n values is the value of rank
 * ceil(pct/100 * n) in sorted order. hist_percentile() returns the middle of the bucket
 * that value is in, clamped to [min, max] of the values counted: within 1/256 of the
 * exact percentile, and exact for values below 128, when all values are equal, and
 * for the first and last ranks (the min and the max, which are kept exactly).
 */
#ifndef IMPULSE_HISTOGRAM_H
#define IMPULSE_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1 << HIST_SUB_BITS)		/* buckets per power of two: 128 */
#define HIST_CHUNKS (64 - HIST_SUB_BITS + 1)	/* [0, 128) then one per 2^7 … 2^63 */

struct histogram {
	uint64_t *chunk[HIST_CHUNKS];	/* HIST_SUB counts each, or NULL: none yet; owned */
	uint64_t count;			/* values counted */
	int64_t min, max;		/* of the values counted (after clamping negatives to 0) */
};

void hist_init(struct histogram *h);

/* Counts v (negative values count as 0). 0, or -ENOMEM when a bucket could not be
 * allocated (the value is then not counted). */
int hist_add(struct histogram *h, int64_t v);

/* The pct-th percentile (1 <= pct <= 100) as described above; 0 when nothing was
 * counted. */
int64_t hist_percentile(const struct histogram *h, unsigned pct);

void hist_free(struct histogram *h);

#endif
