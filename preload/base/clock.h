/*
 * clock.h — turning the hot path's tick counts into wall-clock nanoseconds.
 *
 * The hot path only reads ticks (rdtsc, ~11 ns here, against ~26 ns for
 * clock_gettime). The logger maps ticks to CLOCK_REALTIME with a line through the
 * start-up sample and its latest sample, refined as the run goes on: a timestamp's
 * error stays proportional to its distance from the start sample, which keeps it
 * well below a microsecond. Without an invariant TSC, "ticks" are CLOCK_REALTIME
 * nanoseconds and the mapping is the identity.
 */
#ifndef IMPULSE_CLOCK_H
#define IMPULSE_CLOCK_H


#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arch.h"

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

/* Read on every hooked call: alone on its cache line. */
struct clock_mode {
	bool tsc;	/* ticks are TSC cycles (else CLOCK_REALTIME nanoseconds) */
} __attribute__((aligned(64)));

extern struct clock_mode clock_mode;

/* Ticks now: the hot path's only clock read. */
static inline uint64_t clock_ticks(void)
{
	struct timespec ts;

	if (__builtin_expect(clock_mode.tsc, 1))
		return arch_read_ticks();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Takes the start-up sample. */
void clock_setup(void);

/* Logger: takes a new sample when the last one is older than a millisecond. */
void clock_refine(void);

/* Logger: nanoseconds since the epoch at ticks. */
uint64_t clock_ticks_to_ns(uint64_t ticks);

/* The mapping clock_ticks_to_ns() applies now, as data: for a renderer outside the
 * process (render/event_file.h records it), which must convert exactly alike. */
struct clock_calibration {
	bool tsc;		/* else ticks are nanoseconds already */
	uint64_t t0_ticks, t0_ns;	/* the start-up sample */
	double ns_per_tick;
};

void clock_calibration_get(struct clock_calibration *out);

static inline uint64_t clock_calibration_to_ns(const struct clock_calibration *c, uint64_t ticks)
{
	if (!c->tsc)
		return ticks;
	return c->t0_ns + (uint64_t)((double)(int64_t)(ticks - c->t0_ticks) * c->ns_per_tick);
}

#pragma GCC visibility pop

#endif
