/*
 * logger.c — the logger thread: drains every thread's ring, keeps the table of
 * calls in flight, formats finished calls as records and hands them to the sink.
 *
 * Only this thread (or, after it stopped, the one running shutdown) reads rings
 * and touches the call table; the hot path never waits for it unless a ring is
 * full. The thread marks itself busy for its whole life, so nothing it does —
 * malloc, write, Jansson — is ever recorded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "calls.h"
#include "clock.h"
#include "decode.h"
#include "diag.h"
#include "exception_text.h"
#include "hooks.h"
#include "logger.h"
#include "modules.h"
#include "record.h"
#include "sink_mongo.h"
#include "status.h"
#include "thread_ctx.h"
#include "tracer.h"

#define OUT_FLUSH_BYTES (256u << 10)
/* Cycles a ring may wait for the creating thread's events before linking to the root. */
#define MAX_BLOCKED_CYCLES 5000

static struct sink sink;
static struct mongo_sink *mongo;	/* logger = mongo|both, else NULL */
static int mongo_loaded;		/* atomic: mongo_sink_start() returned */
static pthread_t thread;
static int stop_requested;		/* atomic */
static unsigned flush_requested, flush_done;	/* atomic counters */
static unsigned drain_passes;			/* atomic: logger_drain_passes() */
static struct jbuf out;
static struct call *root;
static unsigned blocked_cycles[CTX_MAX_THREADS];
static uint64_t records_written, bytes_written, records_dropped, logger_ns;
static bool sink_failed;
static bool nested_drain;	/* draining other rings from inside one ring's event */
static bool draining[CTX_MAX_THREADS];	/* ring i is being drained: do not re-enter it */

static void out_flush(void)
{
	int err;

	if (!out.len)
		return;
	if (!sink_failed) {
		err = sink.ops->write(sink.state, out.p, out.len);
		if (err) {
			diag_error("writing records to %s failed: %s; later records are dropped, the program runs on",
				   sink.description, strerror(-err));
			sink_failed = true;
		} else {
			bytes_written += out.len;
		}
	}
	out.len = 0;
}

static void write_record(struct call *c, const struct record_end *end)
{
	size_t at;

	if (c->enter) {
		/* Never returned: its after-the-call values stay the pointers passed. */
		record_take_args(c, c->enter, NULL);
		free(c->enter);
		c->enter = NULL;
	}
	at = out.len;
	if (record_forms & RECORD_JSON)
		record_format(&out, c, end);
	if (mongo)
		mongo_sink_record(mongo, c, end, out.p + at, out.len - at);
	if (record_forms & RECORD_BSON)
		record_bson_debug_write(c, end);
	if (sink_failed)
		records_dropped++;
	else
		records_written++;
	c->done = true;
	if (out.len >= OUT_FLUSH_BYTES)
		out_flush();
}

/* Ends a call: its record, its place among its parent's children, its own reference. */
static void finish(struct call *c, const struct record_end *end)
{
	if (c->done)
		return;
	write_record(c, end);
	if (c->parent && !c->parent->done)
		record_add_child(c->parent, c);
	calls_release(c);
}

/*
 * The module a call through an address-taken stub came from. Named now, not when
 * the record is written: a library unloaded meanwhile could have another in its
 * place by then (unload.c has the logger drain before it lets that happen).
 */
static const char *caller_by_address(uint64_t return_address)
{
	const struct module *m = modules_find((uintptr_t)return_address);

	return m ? m->path : NULL;
}

/* Returns false when the event names a parent not seen yet: try again next cycle. */
static bool on_enter(const struct thread_ctx *ctx, const struct ev_enter *ev, unsigned ring)
{
	const struct hook_slot *slot = &impulse_slots[ev->slot];
	struct call *parent = ev->parent_id ? calls_find(ev->parent_id) : root;
	struct call *c;

	if (!parent) {
		/* Created by a thread whose ring we have not drained this far yet. */
		if (++blocked_cycles[ring] < MAX_BLOCKED_CYCLES)
			return false;
		parent = root;
	}
	blocked_cycles[ring] = 0;
	c = calls_new(ev->call_id);
	if (!c) {
		records_dropped++;
		return true;
	}
	c->slot = slot;
	c->session = ev->session;
	c->start_ticks = ev->ticks;
	c->return_address = ev->return_address;
	c->caller_path = slot->caller_path ? slot->caller_path : caller_by_address(ev->return_address);
	c->tid = ctx->tid;
	memcpy(c->thread_name, ctx->name, sizeof(c->thread_name));
	c->parent = parent;
	c->depth = parent->depth + 1;
	parent->refs++;
	if (decode_needs_exit(slot->hook)) {
		/* Its [out] values come with the exit: format the arguments then. */
		c->enter = malloc(ev->h.size);
		if (c->enter) {
			memcpy(c->enter, ev, ev->h.size);
			return true;
		}
	}
	record_take_args(c, ev, NULL);
	return true;
}

static unsigned drain_all(bool final);

/* The status of a returned call (its output and exception come from ev when its
 * record is written), and its arguments when they waited for the exit. */
static void decode_exit(struct call *c, const struct ev_exit *ev, struct record_end *end)
{
	const struct hook *h = c->slot->hook;

	end->exit = ev;
	if (c->enter) {
		record_take_args(c, c->enter, ev);
		free(c->enter);
		c->enter = NULL;
	}
	if (h->cfg->has_prototype && status_is_error(h->cfg, ev->ret)) {
		end->status = "error";
		end->error = true;
	}
}

static void on_exit_event(const struct ev_exit *ev)
{
	struct call *c = calls_find(ev->call_id);
	struct record_end end = { .status = "success", .end_ticks = ev->ticks };

	if (!c)
		return;
	/*
	 * Threads created inside this call may have finished calls that happened
	 * before this return (a join) but sit in rings not drained yet: drain them
	 * first so that those calls are listed among this call's children.
	 */
	if (c->links && !nested_drain) {
		nested_drain = true;
		drain_all(false);
		nested_drain = false;
	}
	if (c->slot)
		decode_exit(c, ev, &end);
	finish(c, &end);
}

static void on_unwind(const struct ev_call *ev)
{
	struct call *c = calls_find(ev->call_id);
	struct record_end end = { .status = "unwound", .end_ticks = ev->ticks };

	if (c)
		finish(c, &end);
}

/* Left by an unwind through the trampoline: an exception, or a thread exit. */
static void on_exception(const struct ev_exception *ev)
{
	struct call *c = calls_find(ev->call_id);
	char text[EXCEPTION_TEXT_MAX];
	struct record_end end = { .status = exception_status(ev), .end_ticks = ev->ticks };

	if (!c)
		return;
	end.exception = exception_text(ev, text);
	finish(c, &end);
}

static void on_log(const struct ev_log *ev)
{
	struct call *c = ev->call_id ? calls_find(ev->call_id) : root;

	if (!c || c->done)
		c = root;
	record_take_log(c, ev);
}

static void on_link(const struct ev_call *ev)
{
	struct call *c = calls_find(ev->call_id);

	if (c) {
		c->refs++;
		c->links++;
	}
}

/* Processes what ring i holds now. Returns the number of events handled. */
static unsigned drain_ring(struct thread_ctx *ctx, unsigned i)
{
	struct ring *r = &ctx->ring;
	uint64_t pos = r->tail, end = ring_readable(r);
	unsigned n = 0;

	while (pos < end) {
		const struct ev_head *h = ring_at(r, pos);

		switch (h->type) {
		case EV_ENTER:
			if (!on_enter(ctx, (const struct ev_enter *)h, i))
				goto out;
			break;
		case EV_EXIT:
			on_exit_event((const struct ev_exit *)h);
			break;
		case EV_UNWIND:
			on_unwind((const struct ev_call *)h);
			break;
		case EV_LOG:
			on_log((const struct ev_log *)h);
			break;
		case EV_LINK:
			on_link((const struct ev_call *)h);
			break;
		case EV_EXCEPTION:
			on_exception((const struct ev_exception *)h);
			break;
		default:
			break;
		}
		pos += h->size;
		n++;
	}
out:
	ring_consumed(r, pos);
	if (n)
		thread_ctx_wake(ctx);
	return n;
}

static void retire(struct thread_ctx *ctx, unsigned i)
{
	if (ctx->link_parent) {
		struct call *c = calls_find(ctx->link_parent);

		if (c && c->links) {
			c->links--;
			calls_release(c);
		}
	}
	records_dropped += ctx->dropped;
	__atomic_store_n(&impulse_threads[i], NULL, __ATOMIC_RELEASE);
	thread_ctx_release(ctx);
}

static unsigned drain_all(bool final)
{
	unsigned n = 0, hint = __atomic_load_n(&impulse_threads_hint, __ATOMIC_ACQUIRE);

	clock_refine();
	for (unsigned i = 0; i < hint; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);
		bool closed;

		if (!ctx || draining[i])
			continue;
		/* Read closed before draining: events committed before it are then visible. */
		closed = __atomic_load_n(&ctx->closed, __ATOMIC_ACQUIRE);
		draining[i] = true;
		n += drain_ring(ctx, i);
		draining[i] = false;
		if (closed && !nested_drain && !final && ctx->ring.tail == ring_readable(&ctx->ring))
			retire(ctx, i);
	}
	return n;
}

static void serve_flush_requests(void)
{
	unsigned want = __atomic_load_n(&flush_requested, __ATOMIC_ACQUIRE);

	if (want == __atomic_load_n(&flush_done, __ATOMIC_RELAXED))
		return;
	while (drain_all(false))
		;
	out_flush();
	if (mongo)
		mongo_sink_tick(mongo, true);
	/* Pairs with logger_flush()'s load-acquire. */
	__atomic_store_n(&flush_done, want, __ATOMIC_RELEASE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *logger_main(void *arg)
{
	unsigned idle = 0;

	(void)arg;
	tls_busy = 1;	/* for ever: nothing this thread does is the program's */
	if (mongo)
		mongo_sink_start(mongo);	/* the driver runs on this thread only */
	/* Pairs with wait_mongo_loaded()'s load-acquire. */
	__atomic_store_n(&mongo_loaded, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop_requested, __ATOMIC_ACQUIRE)) {
		uint64_t t0 = now_ns();
		unsigned n = drain_all(false);

		__atomic_add_fetch(&drain_passes, 1, __ATOMIC_RELEASE);
		serve_flush_requests();
		if (mongo)
			mongo_sink_tick(mongo, false);
		if (n) {
			logger_ns += now_ns() - t0;
			idle = 0;
			continue;
		}
		out_flush();
		logger_ns += now_ns() - t0;
		/* Back off while idle: 50 µs up to 2 ms between looks. */
		{
			struct timespec ts = { 0, idle < 40 ? 50000 : 2000000 };

			idle++;
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void stop_at_exit(void)
{
	tracer_shutdown();
}

/*
 * libmongoc's load brings libcrypto, whose atexit handler (OPENSSL_cleanup) tears
 * down its locks when the program exits: before our destructor would stop the
 * logger, and possibly in the middle of the logger's dlopen or a driver call
 * (a crash seen with a program that exits at once). So the program waits here,
 * in our constructor, until the logger thread has loaded the driver (no network:
 * milliseconds), and then an atexit handler registered after libcrypto's stops the
 * logger before libcrypto's runs. Bounded, so that a stuck load cannot hang the start.
 */
static void wait_mongo_loaded(void)
{
	for (int i = 0; i < 5000; i++) {
		struct timespec ts = { 0, 1000000 };

		if (__atomic_load_n(&mongo_loaded, __ATOMIC_ACQUIRE)) {
			atexit(stop_at_exit);
			return;
		}
		nanosleep(&ts, NULL);
	}
}

int logger_start(struct sink *s)
{
	int err;

	sink = *s;
	root = calls_new(0);
	if (!root)
		return -ENOMEM;
	root->session = tracer.session;
	root->start_ticks = tracer.start_ticks;
	root->tid = tracer.pid;
	/* The main thread's name, as its other records show it. */
	prctl(PR_GET_NAME, root->thread_name, 0, 0, 0);
	/* Before any call's parts are kept (the root's first): BSON must be on. */
	if (tracer.cfg.settings.logger == CFG_LOGGER_MONGO || tracer.cfg.settings.logger == CFG_LOGGER_BOTH)
		mongo = mongo_sink_new(&tracer.cfg.settings);
	record_bson_debug_open();
	record_take_root_args(root);
	__atomic_store_n(&tracer.logger_running, 1, __ATOMIC_RELEASE);
	err = pthread_create(&thread, NULL, logger_main, NULL);
	if (err) {
		__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
		return -err;
	}
	if (mongo)
		wait_mongo_loaded();
	return 0;
}

struct pending {
	struct call **v;
	size_t n, cap;
};

static void collect_running(struct call *c, void *arg)
{
	struct pending *p = arg;

	if (c == root || c->done || !c->slot)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct call **v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = c;
}

static int deeper_first(const void *a, const void *b)
{
	const struct call *x = *(struct call *const *)a, *y = *(struct call *const *)b;

	return x->depth < y->depth ? 1 : x->depth > y->depth ? -1 : 0;
}

void logger_stop(void)
{
	struct pending running = { 0 };
	uint64_t end_ticks;
	struct record_end end;
	uint64_t t0 = now_ns();

	if (!root)
		return;
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	/* Every ring, even with parents never seen: nothing waits any more. */
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++)
		blocked_cycles[i] = MAX_BLOCKED_CYCLES;
	while (drain_all(true))
		;
	end_ticks = clock_ticks();
	calls_for_each(collect_running, &running);
	if (running.n)
		qsort(running.v, running.n, sizeof(*running.v), deeper_first);
	end = (struct record_end){ .status = "incomplete", .end_ticks = end_ticks };
	for (size_t i = 0; i < running.n; i++)
		finish(running.v[i], &end);
	free(running.v);
	end = (struct record_end){ .status = "success", .end_ticks = end_ticks,
				   .root_status = tracer.exit_status };
	write_record(root, &end);
	out_flush();
	logger_ns += now_ns() - t0;
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++) {
		struct thread_ctx *ctx = impulse_threads[i];

		if (ctx)
			records_dropped += ctx->dropped;
	}
	diag_note("wrote %llu records (%llu bytes) to %s in %.6f s of logger time, dropped %llu",
		  (unsigned long long)records_written, (unsigned long long)bytes_written, sink.description,
		  (double)logger_ns / 1e9, (unsigned long long)records_dropped);
	if (records_dropped && !diag_verbose_enabled)
		diag_error("%llu records dropped", (unsigned long long)records_dropped);
	sink.ops->close(sink.state);
	mongo_sink_close(mongo);	/* bounded: about 2 s at most */
	mongo = NULL;
	record_bson_debug_close();
	root = NULL;
}

unsigned logger_drain_passes(void)
{
	return __atomic_load_n(&drain_passes, __ATOMIC_ACQUIRE);
}

int logger_flush(void)
{
	unsigned want;

	if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE))
		return -EIO;
	want = __atomic_add_fetch(&flush_requested, 1, __ATOMIC_ACQ_REL);
	for (int i = 0; i < 50000; i++) {
		struct timespec ts = { 0, 100000 };

		/* Pairs with serve_flush_requests()'s store-release. */
		if ((int)(__atomic_load_n(&flush_done, __ATOMIC_ACQUIRE) - want) >= 0)
			return sink_failed ? -EIO : 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}
