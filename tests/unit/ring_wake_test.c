/*
 * ring_wake_test.c — the per-thread rings with several producers and the full-ring
 * wait/wake protocol (preload/hot/thread_ctx.c: thread_ctx_wait_reserve, thread_ctx_wake),
 * built under ThreadSanitizer (ring_wake_tsan).
 *
 * PRODUCERS threads attach a thread context each (a ring of 4 KB, so that they
 * fill it and sleep on wake_seq again and again) and write EVENTS events carrying
 * their number, a sequence number and a checksummed payload; one consumer drains
 * every registered ring as the logger does and wakes waiters after each drain. It
 * checks that every event arrives once, in order, intact. ThreadSanitizer checks
 * the acquire/release pairs of ring.h and the registration, and the test ends
 * (no lost wake-up leaves a producer asleep past its 2 ms safety timeout for long:
 * the run is bounded by the caller's timeout).
 *
 * Built with -DRING_WAKE_BROKEN, the consumer reads head with a relaxed load
 * instead of ring_readable()'s load-acquire: a deliberate bug ThreadSanitizer must
 * report (test_unit.py checks that it does, so this test is known to be able to fail).
 *
 *     ring_wake_tsan [EVENTS]    per producer, 20000 by default
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hot/thread_ctx.h"
#include "base/tracer.h"

#define PRODUCERS 4

/* base/tracer.c (linked) defines tracer: thread_ctx.c reads buffer_size, logger_running and pid */

struct ev_test {
	struct ev_head h;
	uint32_t producer;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
	uint8_t payload[];
};

static long events = 20000;
static int producers_done;

static uint32_t checksum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		s = (s ^ p[i]) * 16777619u;
	return s;
}

static void *producer(void *arg)
{
	uint32_t me = (uint32_t)(uintptr_t)arg;
	struct thread_ctx *ctx = thread_ctx_attach();

	if (!ctx) {
		fprintf(stderr, "producer %u: no context\n", me);
		exit(1);
	}
	for (uint32_t seq = 0; seq < (uint32_t)events; seq++) {
		uint32_t len = (seq * 37 + me * 11) % 200;
		uint32_t need = (uint32_t)ev_align(sizeof(struct ev_test) + len);
		struct ev_test *e = thread_ctx_wait_reserve(ctx, need);

		if (!e) {
			fprintf(stderr, "producer %u: event %u dropped\n", me, seq);
			exit(1);
		}
		e->h.size = need;
		e->h.type = EV_LOG;
		e->producer = me;
		e->seq = seq;
		e->len = len;
		for (uint32_t i = 0; i < len; i++)
			e->payload[i] = (uint8_t)(seq + i * 7 + me);
		e->sum = checksum(e->payload, len);
		ring_commit(&ctx->ring, need);
	}
	__atomic_add_fetch(&producers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t head_of(const struct ring *r)
{
#ifdef RING_WAKE_BROKEN
	return __atomic_load_n(&r->head, __ATOMIC_RELAXED);
#else
	return ring_readable(r);
#endif
}

/* Drains every registered ring once; returns the events taken. */
static long drain(uint32_t *next_seq)
{
	unsigned n = __atomic_load_n(&impulse_threads_hint, __ATOMIC_ACQUIRE);
	long taken = 0;

	for (unsigned i = 0; i < n; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);
		uint64_t pos, head;

		if (!ctx)
			continue;
		pos = ctx->ring.tail;
		head = head_of(&ctx->ring);
		while (pos < head) {
			const struct ev_test *e = (const struct ev_test *)ring_at(&ctx->ring, pos);

			if (e->h.type != EV_PAD) {
				if (e->producer >= PRODUCERS || e->seq != next_seq[e->producer] ||
				    e->sum != checksum(e->payload, e->len)) {
					fprintf(stderr, "bad event: producer %u seq %u (expected %u)\n",
						e->producer, e->seq,
						e->producer < PRODUCERS ? next_seq[e->producer] : 0);
					exit(1);
				}
				next_seq[e->producer]++;
				taken++;
			}
			pos += e->h.size;
		}
		ring_consumed(&ctx->ring, pos);
		thread_ctx_wake(ctx);
	}
	return taken;
}

int main(int argc, char **argv)
{
	pthread_t t[PRODUCERS];
	uint32_t next_seq[PRODUCERS] = { 0 };
	long total = 0;

	if (argc > 1)
		events = atol(argv[1]);
	tracer.buffer_size = 4096;
	tracer.pid = getpid();	/* as init.c: a full ring elsewhere is a raw clone child's */
	__atomic_store_n(&tracer.logger_running, 1, __ATOMIC_RELEASE);
	if (thread_ctx_setup())
		return 1;
	for (uintptr_t i = 0; i < PRODUCERS; i++)
		pthread_create(&t[i], NULL, producer, (void *)i);
	while (__atomic_load_n(&producers_done, __ATOMIC_ACQUIRE) < PRODUCERS || total < PRODUCERS * events)
		total += drain(next_seq);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	if (total != PRODUCERS * events) {
		fprintf(stderr, "%ld events, expected %ld\n", total, PRODUCERS * events);
		return 1;
	}
	printf("ring_wake: %d producers x %ld events through 4 KB rings, in order and intact\n",
	       PRODUCERS, events);
	return 0;
}
