/*
 * ring_test.c — unit tests of the single-producer, single-consumer ring (preload/hot/ring.h).
 *
 * First one thread plays both sides, so every position, pad and NULL can be
 * checked exactly. Then a stress test: a producer thread writes variable-size
 * events carrying a sequence number and a checksum, the consumer thread checks
 * order, sizes, padding and content. The same file is built a second time under
 * ThreadSanitizer (ring_tsan), which checks the ring's acquire/release pairs.
 *
 *     ring_test [EVENTS]    EVENTS for the stress test, 5000000 by default
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hot/ring.h"
#include "check.h"

static void ring_setup(struct ring *r, uint64_t size, uint64_t start)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->data = aligned_alloc(64, size);
	if (!r->data)
		abort();
	/* A pattern that no event or pad header equals. */
	memset(r->data, 0xa5, size);
	r->head = r->tail = r->cached_tail = start;
}

/* Producer side: reserve, fill with tag, commit used bytes. Returns the event's place. */
static struct ev_head *put(struct ring *r, uint32_t need, uint32_t used, uint16_t tag)
{
	struct ev_head *e = ring_reserve(r, need);

	if (!e)
		return NULL;
	memset(e, (int)tag, used);
	e->size = used;
	e->type = EV_ENTER;
	e->flags = tag;
	ring_commit(r, used);
	return e;
}

/* Consumer side: the next event at *pos that is not a pad; NULL when none is committed.
 * Pads skipped are added to *pads (bytes). */
static const struct ev_head *next_event(struct ring *r, uint64_t *pos, uint64_t *pads)
{
	uint64_t head = ring_readable(r);

	while (*pos != head) {
		const struct ev_head *e = ring_at(r, *pos);

		*pos += e->size;
		if (e->type != EV_PAD)
			return e;
		*pads += e->size;
	}
	return NULL;
}

static void test_basic(void)
{
	struct ring r;
	struct ev_head *e;
	const struct ev_head *c;
	uint64_t pos = 0, pads = 0;

	ring_setup(&r, 256, 0);
	CHECK(ring_readable(&r) == 0, "empty ring: readable %lu", (unsigned long)ring_readable(&r));

	e = ring_reserve(&r, 16);
	CHECK(e == (void *)r.data, "first reserve at %p, not the start %p", (void *)e, (void *)r.data);
	CHECK(ring_readable(&r) == 0, "reserved but not committed: readable %lu",
	      (unsigned long)ring_readable(&r));
	/* Reserving again without a commit gives the same place. */
	CHECK(ring_reserve(&r, 24) == (void *)r.data, "a second reserve moved on without a commit");
	memset(e, 1, 16);
	e->size = 16;
	e->type = EV_ENTER;
	ring_commit(&r, 16);
	CHECK(ring_readable(&r) == 16, "after commit(16): readable %lu", (unsigned long)ring_readable(&r));
	CHECK(ring_at(&r, 0) == e, "ring_at(0) is not the event");

	/* Commit fewer bytes than reserved: only those count. */
	e = put(&r, 64, 24, 2);
	CHECK(e == (void *)(r.data + 16), "second event at offset %ld, not 16",
	      (long)((uint8_t *)e - r.data));
	CHECK(ring_readable(&r) == 40, "reserve(64) commit(24): readable %lu, not 40",
	      (unsigned long)ring_readable(&r));
	e = put(&r, 8, 8, 3);
	CHECK(e == (void *)(r.data + 40), "third event at offset %ld, not 40",
	      (long)((uint8_t *)e - r.data));

	c = next_event(&r, &pos, &pads);
	CHECK(c && c->size == 16 && pos == 16, "first event read back wrong");
	c = next_event(&r, &pos, &pads);
	CHECK(c && c->size == 24 && c->flags == 2 && pos == 40, "second event read back wrong");
	c = next_event(&r, &pos, &pads);
	CHECK(c && c->size == 8 && c->flags == 3 && pos == 48, "third event read back wrong");
	CHECK(next_event(&r, &pos, &pads) == NULL && pads == 0, "a fourth event or a pad");
	ring_consumed(&r, pos);
	CHECK(r.tail == 48, "tail %lu after consuming 48", (unsigned long)r.tail);

	/* An event larger than the ring never fits; one the ring's size fits only at offset 0. */
	CHECK(ring_reserve(&r, 264) == NULL, "reserve(size + 8) succeeded");
	CHECK(ring_reserve(&r, 256) == NULL, "reserve(size) succeeded at offset 48");
	free(r.data);

	ring_setup(&r, 256, 0);
	CHECK(ring_reserve(&r, 256) == (void *)r.data, "reserve(size) failed on an empty ring at 0");
	ring_commit(&r, 256);
	CHECK(ring_reserve(&r, 8) == NULL, "reserve(8) succeeded on a full ring");
	free(r.data);
}

static void test_wrap(void)
{
	struct ring r;
	struct ev_head *e;
	const struct ev_head *c;
	const struct ev_head *pad;
	uint64_t pos = 0, pads = 0;

	ring_setup(&r, 256, 0);
	/* Five 48-byte events: 240 bytes, 16 left before the end. */
	for (uint16_t i = 0; i < 5; i++) {
		e = put(&r, 48, 48, (uint16_t)(10 + i));
		CHECK(e == (void *)(r.data + 48 * i), "event %u at offset %ld", i,
		      (long)((uint8_t *)e - r.data));
	}
	CHECK(ring_readable(&r) == 240, "readable %lu, not 240", (unsigned long)ring_readable(&r));

	/* 48 more need the 16-byte pad too: 304 - 0 > 256, full. Nothing may be written. */
	CHECK(ring_reserve(&r, 48) == NULL, "reserve(48) succeeded with 16 bytes free");
	CHECK(r.data[240] == 0xa5 && r.data[241] == 0xa5 && r.data[255] == 0xa5,
	      "a failed reserve wrote into the ring");
	CHECK(ring_readable(&r) == 240, "a failed reserve moved head to %lu",
	      (unsigned long)ring_readable(&r));
	/* 16 bytes fit exactly at the end, without a pad... but keep them for the pad test:
	 * a reserve that is not committed leaves no trace. */
	CHECK(ring_reserve(&r, 16) == (void *)(r.data + 240), "reserve(16) not at the end");
	CHECK(ring_readable(&r) == 240, "an uncommitted reserve moved head");

	/* Consume two events: 96 bytes free at the start. */
	c = next_event(&r, &pos, &pads);
	c = next_event(&r, &pos, &pads);
	CHECK(c && c->flags == 11 && pos == 96, "consumed up to %lu", (unsigned long)pos);
	ring_consumed(&r, pos);

	/* Now 48 bytes go to the start, after a 16-byte pad at 240. */
	e = ring_reserve(&r, 48);
	CHECK(e == (void *)r.data, "wrapped reserve at offset %ld, not 0",
	      e ? (long)((uint8_t *)e - r.data) : -1L);
	pad = (const struct ev_head *)(r.data + 240);
	CHECK(pad->type == EV_PAD && pad->size == 16, "pad at 240: type %u size %u, not EV_PAD 16",
	      pad->type, pad->size);
	CHECK(r.cached_tail == 96, "cached tail %lu, not 96", (unsigned long)r.cached_tail);
	CHECK(ring_readable(&r) == 240, "the pad was published before the commit");
	if (e) {
		memset(e, 0, 48);
		e->size = 48;
		e->type = EV_ENTER;
		e->flags = 15;
		ring_commit(&r, 48);
	}
	CHECK(ring_readable(&r) == 304, "head %lu after the wrap, not 240 + 16 + 48",
	      (unsigned long)ring_readable(&r));

	/* The consumer sees 12, 13, 14, skips the pad, then 15 at position 256. */
	for (uint16_t want = 12; want <= 15; want++) {
		c = next_event(&r, &pos, &pads);
		CHECK(c && c->flags == want, "expected event %u, got %d", want, c ? c->flags : -1);
	}
	CHECK(pads == 16 && pos == 304, "pad bytes %lu, position %lu (expected 16, 304)",
	      (unsigned long)pads, (unsigned long)pos);
	CHECK(ring_at(&r, 256) == (const struct ev_head *)r.data, "ring_at(256) is not offset 0");

	/* Exactly full: 304 - 96 = 208 used, 48 free. */
	ring_consumed(&r, 96);
	e = put(&r, 48, 48, 16);
	CHECK(e == (void *)(r.data + 48), "the last 48 bytes at offset %ld, not 48",
	      e ? (long)((uint8_t *)e - r.data) : -1L);
	CHECK(ring_readable(&r) == 352, "head %lu, not 352", (unsigned long)ring_readable(&r));
	CHECK(ring_reserve(&r, 8) == NULL, "reserve(8) on a full ring succeeded");
	/* The producer rereads tail only when full: a stale cached tail is refreshed then. */
	ring_consumed(&r, 104);
	CHECK(ring_reserve(&r, 8) == (void *)(r.data + 96), "reserve(8) after consuming 8 bytes");
	CHECK(r.cached_tail == 104, "cached tail %lu, not 104", (unsigned long)r.cached_tail);
	CHECK(ring_reserve(&r, 16) == NULL, "reserve(16) succeeded with 8 bytes free");

	/* An event exactly as long as the space to the end: no pad. */
	ring_consumed(&r, 352);
	pos = 352;
	pads = 0;
	e = put(&r, 160, 160, 17);		/* offset 96 .. 256 */
	CHECK(e == (void *)(r.data + 96), "event at offset %ld, not 96",
	      e ? (long)((uint8_t *)e - r.data) : -1L);
	e = put(&r, 8, 8, 18);
	CHECK(e == (void *)r.data, "next event at offset %ld, not 0",
	      e ? (long)((uint8_t *)e - r.data) : -1L);
	c = next_event(&r, &pos, &pads);
	c = next_event(&r, &pos, &pads);
	CHECK(c && c->flags == 18 && pads == 0 && pos == 520,
	      "ends at %lu with %lu pad bytes, not 520 with none", (unsigned long)pos,
	      (unsigned long)pads);
	free(r.data);
}

/* Positions are 64-bit counters: they keep working when they wrap past 2^64. */
static void test_counter_wrap(void)
{
	struct ring r;
	uint64_t pos = UINT64_MAX - 127, start = pos, pads = 0;
	unsigned got = 0;
	bool ok = true;

	ring_setup(&r, 256, start);
	for (uint16_t i = 0; i < 40; i++) {
		const struct ev_head *c;

		if (!put(&r, 40, 40, i)) {
			ok = false;
			break;
		}
		while ((c = next_event(&r, &pos, &pads)) != NULL) {
			ok &= c->flags == got;
			got++;
		}
		ring_consumed(&r, pos);
	}
	CHECK(ok && got == 40, "across 2^64: %u events read back, order %s", got, ok ? "kept" : "lost");
	/* 40 events of 40 bytes and the pads before each wrap of the 256 bytes. */
	CHECK(pos - start == 40 * 40 + pads && pads > 0 && pos < start,
	      "%lu bytes with %lu pad bytes", (unsigned long)(pos - start), (unsigned long)pads);
	free(r.data);
}

/* Single-threaded: thousands of wraps, with a consumer that lags by varying amounts. */
static void test_accounting(void)
{
	struct ring r;
	uint64_t x = 0x853c49e6748fea9bu, pos = 0, events = 0, bytes = 0, pad_bytes = 0;
	uint64_t pad_written = 0;
	uint32_t seq_in = 0, seq_out = 0;
	unsigned long bad = 0;

	ring_setup(&r, 1024, 0);
	for (int round = 0; round < 20000; round++) {
		/* Produce until full or a random count. */
		for (int k = (int)(x % 8); k >= 0; k--) {
			uint32_t need, used;
			uint32_t *e;
			uint64_t old_off = r.head & 1023;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			used = 8 * (2 + (uint32_t)(x % 39));	/* 16 .. 320: room for the sequence */
			need = used + 8 * (uint32_t)((x >> 8) % 3);
			e = ring_reserve(&r, need);
			if (!e) {
				/* Full: then the reserve must really not have fit. */
				uint64_t off = r.head & 1023, contig = 1024 - off;
				uint64_t total = need + (contig < need ? contig : 0);

				if (r.head + total - r.tail <= 1024 && bad++ < 5)
					printf("%s:%d: reserve(%u) failed with %lu free\n", __FILE__, __LINE__,
					       need, (unsigned long)(1024 - (r.head - r.tail)));
				break;
			}
			if ((uint8_t *)e != r.data + old_off) {
				if (e != (void *)r.data && bad++ < 5)
					printf("%s:%d: reserve at neither the head nor the start\n",
					       __FILE__, __LINE__);
				pad_written += 1024 - old_off;
			}
			if ((uint8_t *)e + need > r.data + 1024 && bad++ < 5)
				printf("%s:%d: reserve(%u) runs past the ring's end\n", __FILE__, __LINE__, need);
			e[0] = used;
			e[1] = EV_ENTER;
			e[2] = seq_in++;
			for (uint32_t w = 3; w < used / 4; w++)
				e[w] = seq_in * 7 + w;
			ring_commit(&r, used);
			bytes += used;
		}
		/* Consume some or all of it. */
		{
			uint64_t head = ring_readable(&r);
			int limit = (int)((x >> 20) % 6);

			while (pos != head && limit-- >= 0) {
				const uint32_t *e = (const uint32_t *)ring_at(&r, pos);
				const struct ev_head *h = (const struct ev_head *)e;

				if (h->type == EV_PAD) {
					if (((pos + h->size) & 1023) != 0 && bad++ < 5)
						printf("%s:%d: pad at %lu does not end at the ring's end\n",
						       __FILE__, __LINE__, (unsigned long)pos);
					pad_bytes += h->size;
					pos += h->size;
					continue;
				}
				if (e[2] != seq_out && bad++ < 5)
					printf("%s:%d: event %u where %u was expected\n", __FILE__, __LINE__,
					       e[2], seq_out);
				for (uint32_t w = 3; w < h->size / 4; w++)
					if (e[w] != (e[2] + 1) * 7 + w && bad++ < 5)
						printf("%s:%d: event %u word %u is %u\n", __FILE__, __LINE__,
						       e[2], w, e[w]);
				seq_out++;
				events++;
				pos += h->size;
			}
			ring_consumed(&r, pos);
		}
	}
	CHECK(bad == 0, "%lu errors in the single-threaded run (the first above)", bad);
	CHECK(events == seq_out && seq_out <= seq_in && seq_in - seq_out < 1024 / 8,
	      "%u events written, %u read", seq_in, seq_out);
	CHECK(ring_readable(&r) == bytes + pad_written,
	      "head %lu is not the %lu event bytes plus %lu pad bytes committed",
	      (unsigned long)ring_readable(&r), (unsigned long)bytes, (unsigned long)pad_written);
	CHECK(r.tail == pos && pad_bytes <= pad_written, "tail %lu, consumer at %lu",
	      (unsigned long)r.tail, (unsigned long)pos);
	CHECK(pad_bytes > 0 && r.tail > 100 * 1024, "only %lu bytes, %lu of pads, went through",
	      (unsigned long)r.tail, (unsigned long)pad_bytes);
	free(r.data);
}

/* ---- two threads ---- */

struct stress {
	struct ring r;
	uint64_t events;
	unsigned long errors;		/* consumer's */
	uint64_t pads, producer_full, consumer_empty;
};

static uint64_t mix(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdu;
	v ^= v >> 33;
	return v;
}

/* Event seq: ev_head, then seq, then n payload words, then their checksum. */
static uint32_t stress_size(uint64_t seq)
{
	return 8 * (3 + (uint32_t)(mix(seq) % 30));	/* 24 .. 256 bytes */
}

static void *producer(void *arg)
{
	struct stress *s = arg;

	for (uint64_t seq = 0; seq < s->events; seq++) {
		uint32_t size = stress_size(seq);
		/* Sometimes reserve more than is used. */
		uint32_t need = size + (seq % 7 == 0 ? 64 : 0);
		uint64_t *e, sum = 0, n = size / 8 - 3;

		while ((e = ring_reserve(&s->r, need)) == NULL) {
			s->producer_full++;
			sched_yield();
		}
		e[1] = seq;
		for (uint64_t i = 0; i < n; i++) {
			e[2 + i] = mix(seq * 64 + i);
			sum += e[2 + i] ^ i;
		}
		e[2 + n] = sum;
		((struct ev_head *)e)->size = size;
		((struct ev_head *)e)->type = EV_EXIT;
		((struct ev_head *)e)->flags = (uint16_t)seq;
		ring_commit(&s->r, size);
	}
	return NULL;
}

static void consumer(struct stress *s)
{
	uint64_t pos = 0, seq = 0, mask = s->r.size - 1;

	while (seq < s->events) {
		uint64_t head = ring_readable(&s->r);

		if (head == pos) {
			s->consumer_empty++;
			sched_yield();
			continue;
		}
		while (pos != head) {
			const struct ev_head *h = ring_at(&s->r, pos);
			const uint64_t *e = (const uint64_t *)h;
			uint64_t sum = 0, n;

			if (h->size < 8 || h->size % 8 || (pos & mask) + h->size > s->r.size ||
			    pos + h->size > head) {
				if (s->errors++ < 5)
					printf("%s:%d: event at %lu has size %u\n", __FILE__, __LINE__,
					       (unsigned long)pos, h->size);
				return;
			}
			if (h->type == EV_PAD) {
				if (((pos + h->size) & mask) != 0 && s->errors++ < 5)
					printf("%s:%d: pad at %lu ends inside the ring\n", __FILE__, __LINE__,
					       (unsigned long)pos);
				s->pads++;
				pos += h->size;
				continue;
			}
			if (h->type != EV_EXIT || e[1] != seq || h->size != stress_size(seq) ||
			    h->flags != (uint16_t)seq) {
				if (s->errors++ < 5)
					printf("%s:%d: at %lu: type %u seq %lu size %u, expected seq %lu size %u\n",
					       __FILE__, __LINE__, (unsigned long)pos, h->type,
					       (unsigned long)e[1], h->size, (unsigned long)seq,
					       stress_size(seq));
				return;
			}
			n = h->size / 8 - 3;
			for (uint64_t i = 0; i < n; i++) {
				if (e[2 + i] != mix(seq * 64 + i) && s->errors++ < 5)
					printf("%s:%d: event %lu word %lu is wrong\n", __FILE__, __LINE__,
					       (unsigned long)seq, (unsigned long)i);
				sum += e[2 + i] ^ i;
			}
			if (e[2 + n] != sum && s->errors++ < 5)
				printf("%s:%d: event %lu checksum is wrong\n", __FILE__, __LINE__,
				       (unsigned long)seq);
			seq++;
			pos += h->size;
			/* Release every event sometimes, a whole batch other times. */
			if (seq % 3 == 0)
				ring_consumed(&s->r, pos);
		}
		ring_consumed(&s->r, pos);
	}
}

static void test_stress(uint64_t events)
{
	struct stress s;
	pthread_t t;
	int err;

	memset(&s, 0, sizeof(s));
	ring_setup(&s.r, 4096, 0);
	s.events = events;
	err = pthread_create(&t, NULL, producer, &s);
	CHECK(err == 0, "pthread_create: error %d", err);
	if (err)
		return;
	consumer(&s);
	CHECK(s.errors == 0, "stress: %lu errors in %lu events (the first above)", s.errors,
	      (unsigned long)events);
	if (s.errors) {
		/* The consumer may have stopped early, with the producer waiting on a full ring. */
		exit(check_summary("ring_test"));
	}
	pthread_join(t, NULL);
	CHECK(s.pads > 0, "stress: no pad in %lu events", (unsigned long)events);
	printf("stress: %lu events, %lu pads, producer found the ring full %lu times, "
	       "consumer found it empty %lu times\n", (unsigned long)events, (unsigned long)s.pads,
	       (unsigned long)s.producer_full, (unsigned long)s.consumer_empty);
	free(s.r.data);
}

/* keep (on_full = drop): room left free for exits; ring_reserve_keep(.., 0) may use it. */
static void test_keep(void)
{
	struct ring r;

	ring_setup(&r, 256, 0);
	put(&r, 128, 128, 1);
	r.keep = 64;
	CHECK(ring_reserve(&r, 72) == NULL, "reserve(72) took room kept: 128 used + 72 + 64 kept > 256");
	CHECK(r.head == 128, "a failed reserve moved head to %lu", (unsigned long)r.head);
	CHECK(ring_reserve(&r, 64) == (void *)(r.data + 128), "reserve(64) failed: 128 + 64 + 64 kept fit");
	ring_commit(&r, 64);
	CHECK(ring_reserve(&r, 8) == NULL, "reserve(8) took room kept");
	CHECK(ring_reserve_keep(&r, 64, 0) == (void *)(r.data + 192), "the kept room was not usable");
	ring_commit(&r, 64);
	CHECK(ring_reserve_keep(&r, 8, 0) == NULL, "reserve on a full ring succeeded");
	/* Padding counts: at 248 (8 to the end) a 16-byte event costs 24 bytes. */
	free(r.data);
	ring_setup(&r, 256, 240);
	put(&r, 8, 8, 2);
	ring_consumed(&r, 248);
	r.keep = 240;
	CHECK(ring_reserve(&r, 16) == NULL, "8 pad + 16 + 240 kept > 256 fitted");
	r.keep = 232;
	CHECK(ring_reserve(&r, 16) == (void *)r.data, "8 pad + 16 + 232 kept did not fit");
	free(r.data);
}

int main(int argc, char **argv)
{
	uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 0) : 5000000;

	test_basic();
	test_wrap();
	test_counter_wrap();
	test_accounting();
	test_keep();
	test_stress(events);
	return check_summary("ring_test");
}
