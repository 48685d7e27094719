/*
 * clock.c — calibration of ticks against CLOCK_REALTIME; see clock.h.
 */
#include <stdbool.h>
#include <time.h>

#include "arch.h"
#include "base/clock.h"

struct clock_mode clock_mode;
static uint64_t t0_ticks, t0_ns;	/* start-up sample */
/* Written by the logger: kept off the hot path's lines. */
static struct {
	uint64_t t1_ticks, t1_ns;	/* latest sample */
	double ns_per_tick;
} __attribute__((aligned(64))) cal = { .ns_per_tick = 1.0 };

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A sample whose two readings are close together: the shortest of a few tries. */
static void sample(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t a = arch_read_ticks();
		uint64_t n = realtime_ns();
		uint64_t b = arch_read_ticks();

		if (b - a < best) {
			best = b - a;
			*ticks = a + (b - a) / 2;
			*ns = n;
		}
	}
}

void clock_setup(void)
{
	clock_mode.tsc = arch_ticks_are_invariant();
	if (!clock_mode.tsc)
		return;
	sample(&t0_ticks, &t0_ns);
	cal.t1_ticks = t0_ticks;
	cal.t1_ns = t0_ns;
	/* A first guess until the logger's samples refine it: about 1 tick per ns. */
	cal.ns_per_tick = 1.0;
}

void clock_refine(void)
{
	uint64_t ticks, ns;

	if (!clock_mode.tsc)
		return;
	ticks = arch_read_ticks();
	if (ticks - cal.t1_ticks < 1000000 && cal.t1_ticks != t0_ticks)
		return;
	/* The first estimate needs some distance from the start sample: wait for it. */
	do
		sample(&ticks, &ns);
	while (ns < t0_ns + 200000);
	cal.t1_ticks = ticks;
	cal.t1_ns = ns;
	cal.ns_per_tick = (double)(cal.t1_ns - t0_ns) / (double)(cal.t1_ticks - t0_ticks);
}

void clock_calibration_get(struct clock_calibration *out)
{
	*out = (struct clock_calibration){ .tsc = clock_mode.tsc, .t0_ticks = t0_ticks,
					   .t0_ns = t0_ns, .ns_per_tick = cal.ns_per_tick };
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
	struct clock_calibration c;

	clock_calibration_get(&c);
	return clock_calibration_to_ns(&c, ticks);
}
