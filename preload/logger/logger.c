/*
 * logger.c — the logger thread: drains every thread's ring, feeds the events to
 * the renderer (render/feed.h: the table of calls in flight, records when calls
 * end) and hands the records it makes to the sink. What only the live process
 * knows is decided here before an event is fed: waiting for a parent or a context
 * another ring has not delivered yet, draining other rings before an exit that may
 * have children in them, the caller's module of a call through an address-taken stub.
 *
 * Only this thread (or, after it stopped, the one running shutdown) reads rings
 * and feeds the renderer; the hot path never waits for it unless a ring is
 * full. The thread marks itself busy for its whole life, so nothing it does —
 * malloc, write, Jansson — is ever recorded.
 *
 * Every record is counted once, as written or not: the sink says how many bytes
 * of a batch reached the file (sink.h), and the records past them, or past
 * max_log_size, go into drops.h's counts per thread and hook. After the first
 * loss no call is written any more; the root record is still tried, last.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "render/calls.h"
#include "base/clock.h"
#include "render/decode.h"
#include "base/diag.h"
#include "logger/debug_bson.h"
#include "logger/debug_events.h"
#include "logger/event_writer.h"
#include "logger/sink.h"
#include "logger/drops.h"
#include "render/exception_text.h"
#include "render/feed.h"
#include "base/fd_thread.h"
#include "base/life.h"
#include "base/threads.h"
#include "hooks/hooks.h"
#include "logger/logger.h"
#include "intercept/modules.h"
#include "render/record.h"
#include "logger/sink_mongo.h"
#include "render/status.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

#define OUT_FLUSH_BYTES (256u << 10)
/* Cycles a ring may wait for the creating thread's events before linking to the root. */
#define MAX_BLOCKED_CYCLES 5000

static struct sink sink;
static struct mongo_sink *mongo;	/* logger = mongo|both, else NULL */
static int mongo_loaded;		/* atomic: mongo_sink_start() returned */
static pthread_t thread;
static int stop_requested;		/* atomic */
static unsigned flush_requested, flush_done;	/* atomic counters */
static struct jbuf out;
static struct call *root;	/* rend.root while a logger runs, else NULL */
static unsigned blocked_cycles[CTX_MAX_THREADS];
static uint64_t records_written, bytes_written, records_dropped, logger_ns;
static uint64_t events_lost;	/* threads' ctx->dropped: entries (drops.h) and others */
static uint64_t thread_waits;	/* times traced threads waited for room (thread_ctx.c) */
static bool binary;		/* format = binary: the renderer's inputs go to the file
				 * (event_writer.h), no record is formatted */
static bool sink_failed;	/* a write failed or a limit cut a batch: only the root is tried */
static bool calls_stopped;	/* no record of a call goes to the file any more (sink_failed, or
				 * the next one would pass max_log_size): counted instead */
static bool nested_drain;	/* draining other rings from inside one ring's event */
static bool draining[CTX_MAX_THREADS];	/* ring i is being drained: do not re-enter it */
/* The crash path (logger_stop_dying): the text, then the request; the answer. */
static const char *dying_exception;
static int dying_requested, dying_done;	/* atomic */
static pid_t stopping;			/* atomic: the thread running logger_stop(), or 0 */

/*
 * Where the logger thread is, for fork (logger_hold_for_fork): a fork made while
 * it works could copy its state half-changed, or a lock it holds inside malloc
 * (allocators other than glibc's, ASan's among them, are not all fork-safe), into
 * a child that would then wait for ever. The parent's prepare handler holds the
 * thread while it sleeps, and lets it go after the fork.
 */
enum { LOGGER_WORKING, LOGGER_SLEEPING, LOGGER_HELD };
static int state;	/* atomic */
static int hold_wanted;	/* atomic: a fork's prepare handler waits for LOGGER_SLEEPING */

/*
 * A fork waits for this thread to be at rest: a pass stops at the next event
 * boundary (every FORK_CHECK_EVENTS events, and between rings) rather than drain
 * rings that busy threads keep filling, so that fork() waits microseconds, not a
 * pass of tens of milliseconds. Never inside a nested drain, which must finish to
 * keep its order. What is left is drained after the fork.
 */
#define FORK_CHECK_EVENTS 64

static bool fork_waits(void)
{
	return !nested_drain && __atomic_load_n(&hold_wanted, __ATOMIC_ACQUIRE);
}

static void wake_up(void);
static uint64_t now_ns(void);

/* What records carry beyond their events (render/world.h): filled at each start. */
static struct render_world world;
/* The renderer the drained events are fed to (render/feed.h). */
static struct render rend;
static void (*lineage_fill)(struct render_world *rw);

void logger_set_lineage(void (*fill)(struct render_world *rw))
{
	lineage_fill = fill;
}

static uint64_t world_ticks_to_ns(const struct render_world *rw, uint64_t ticks)
{
	(void)rw;
	return clock_ticks_to_ns(ticks);	/* the calibration of the moment */
}

static void world_fill(void)
{
	static const char no_trace[33] = "00000000000000000000000000000000";

	world = (struct render_world){
		.tracer_id = tracer.tracer_id,
		.trace_id = no_trace,	/* until lineage says (it always does) */
		.program = tracer.program,
		.exe_path = tracer.exe_path,
		.argc = tracer.argc,
		.argv = tracer.argv,
		.pid = tracer.pid,
		.max_children = tracer.max_children,
		.tracer_metadata = tracer.cfg.settings.tracer_metadata,
		.ticks_to_ns = world_ticks_to_ns,
	};
	if (lineage_fill)
		lineage_fill(&world);
}

/* The root's arguments, with the drop counts and the messages as they are now. */
static void take_root_args(void)
{
	struct render_drops drops;
	struct render_diag diag;

	drops_view(&drops);
	diag.said = diag_kept(diag.text, RENDER_DIAG_MAX, &diag.n, &diag.omitted);
	render_root_args(&rend, &drops, &diag);
}

/* The longest fork() waits for the logger before it forks anyway (the child then
 * may inherit the logger's state mid-change, as doc/processes.md says). */
#define FORK_HOLD_MAX_NS (100 * 1000000ull)

/*
 * The records in `out`, not written yet: where each ends, and whose call it was,
 * so that a batch the sink takes only part of is counted exactly, per thread and
 * hook, as written or not (drops.h).
 */
struct queued_rec {
	size_t end;		/* out.len after the record */
	const char *hook;	/* the hook's symbol; NULL: the root */
	pid_t tid;
	char thread_name[16];
};
static struct queued_rec *queued;
static size_t nqueued, cap_queued;

static void queued_add(const struct call *c)
{
	if (nqueued == cap_queued) {
		size_t cap = cap_queued ? cap_queued * 2 : 1024;
		struct queued_rec *v = realloc(queued, cap * sizeof(*v));

		if (!v)
			return;	/* the record is still in out: counted as written if it goes in */
		queued = v;
		cap_queued = cap;
	}
	queued[nqueued].end = out.len;
	queued[nqueued].hook = c->slot && c->slot->hook ? c->slot->hook->cfg->symbol : NULL;
	queued[nqueued].tid = c->tid;
	memcpy(queued[nqueued].thread_name, c->thread_name, sizeof(queued[nqueued].thread_name));
	nqueued++;
}

/* The records of out past its first kept bytes were not written: counted, per hook. */
static void count_unwritten(size_t kept)
{
	for (size_t i = 0; i < nqueued; i++) {
		const struct queued_rec *p = &queued[i];

		if (p->end <= kept) {
			records_written++;
			continue;
		}
		if (p->hook)
			drops_add_unwritten(p->tid, p->thread_name, p->hook, 1);
		else
			records_dropped++;	/* the root's: not a call */
	}
	nqueued = 0;
}

/* A write failed or a limit cut a batch: said once; later calls are not written. */
static void sink_error(int err)
{
	if (sink_failed)
		return;
	if (calls_stopped && err == SINK_MAX_SIZE)
		err = 0;	/* said by past_max_size() */
	if (err == SINK_MAX_SIZE || err == SINK_MIN_FREE)
		diag_error("%s: %s; later calls are not written but counted, the program runs on",
			   sink.description, sink_strerror(err));
	else if (err)
		diag_error("writing records to %s failed: %s; later calls are not written but "
			   "counted, the program runs on", sink.description, sink_strerror(err));
	sink_failed = calls_stopped = true;
}

/* format = binary: event_writer.h's whole records to the sink. After a failure
 * only the last batch (the root's, SINK_ROOT) is tried: a reader renders what is
 * there, and the end of the run with it. */
static int binary_write(void *arg, const char *p, size_t len, unsigned flags)
{
	size_t kept = 0;
	int err;

	(void)arg;
	if (sink_failed && !(flags & SINK_ROOT))
		return 0;
	err = sink.ops->write(sink.state, p, len, flags, &kept);
	bytes_written += kept;
	if (err)
		sink_error(err);
	return 0;
}

/* flags: SINK_ROOT for the batch holding the root record (and nothing else). */
static void out_flush_as(unsigned flags)
{
	size_t kept = 0;
	int err;

	if (binary) {
		evw_flush(flags);
		count_unwritten(0);	/* none is formatted: every record is in the events */
		return;
	}
	if (!out.len && !nqueued)
		return;
	/* After a failure only the root is tried again (the room kept for it). */
	if (!sink_failed || (flags & SINK_ROOT)) {
		err = sink.ops->write(sink.state, out.p, out.len, flags, &kept);
		bytes_written += kept;
		if (err)
			sink_error(err);
	}
	count_unwritten(kept);
	out.len = 0;
}

static void out_flush(void)
{
	out_flush_as(0);
}

/*
 * max_log_size, known here as well as in the sink (which enforces it on what it
 * is given): a record that would take the file past it is taken out of `out` as
 * soon as it is formatted, so that no parent lists a child whose record is not in
 * the file. The root goes past it (sink.h). Only for the file sinks.
 */
static bool past_max_size(const struct call *c, size_t at)
{
	size_t limit = tracer.cfg.settings.max_log_size;

	if (!limit || c == root || strcmp(sink.ops->name, "file") || bytes_written + out.len <= limit)
		return false;
	out.len = at;
	if (!calls_stopped) {
		diag_error("%s: %s; later calls are not written but counted, the program runs on",
			   sink.description, sink_strerror(SINK_MAX_SIZE));
		calls_stopped = true;
	}
	return true;
}

/* The renderer's output (feed.h): formats c's record into `out`. False when it is
 * known already not to reach the file (then counted as not written). */
static bool write_record(void *arg, struct call *c, const struct record_end *end)
{
	size_t at;
	bool dropped;

	(void)arg;
	at = out.len;
	if (record_forms & RECORD_JSON)
		record_format(&out, &world, c, end);
	if (mongo)
		mongo_sink_record(mongo, &world, c, end, out.p + at, out.len - at);
	if (record_forms & RECORD_BSON)
		debug_bson_write(&world, c, end);
	if (binary) {
		/* Its events are in the file already: nothing to queue (the queue would
		 * grow while the logger stays busy, with no JSON to flush it). */
		records_written++;
		return true;
	}
	dropped = (record_forms & RECORD_JSON) && (past_max_size(c, at) || (calls_stopped && c != root));
	if (dropped && c->slot && c->slot->hook) {
		out.len = at;
		drops_add_unwritten(c->tid, c->thread_name, c->slot->hook->cfg->symbol, 1);
	} else {
		queued_add(c);
	}
	if (dropped)
		evw_unwritten(c->id);
	if (out.len >= OUT_FLUSH_BYTES)
		out_flush();
	return !dropped;
}

/* The logger's side of impulse_context_*() (context.c): who is attached, what was seen. */
static struct call *attached_call[CTX_MAX_THREADS];	/* ring i's thread is attached to it (a reference) */
static uint64_t last_enter_id[CTX_MAX_THREADS];	/* of the last EV_ENTER handled from ring i */
static uint64_t contexts_unknown;

/*
 * Whether call id's EV_ENTER may still come: the ring of the thread that numbers
 * it is live and has not been handled that far. Call ids are thread number << 40
 * | sequence (thread_ctx.c). When false, a call not in the table is gone for good.
 */
static bool call_may_come(uint64_t id)
{
	unsigned number = (unsigned)(id >> 40), hint = __atomic_load_n(&impulse_threads_hint, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < hint; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);

		if (ctx && ctx->number == number)
			return last_enter_id[i] < id;
	}
	return false;
}

/*
 * The module a call through an address-taken stub came from. Named now, not when
 * the record is written: a library unloaded meanwhile could have another in its
 * place by then (unload.c has the logger drain before it lets that happen).
 *
 * The return address names the caller, except after a tail call: a function that
 * ends in `jmp *ptr` leaves its own caller's return address. When that address is
 * in libimpulse (a trampoline: the hooked function parent tail-called) the caller
 * is parent's library; when it is in ld.so (which calls only constructors,
 * destructors and resolvers, never our stubs itself) it is unknown: NULL. Neither
 * libimpulse nor ld.so is ever named as the caller of a call the program made.
 */
static const char *caller_by_address(uint64_t return_address, const struct call *parent)
{
	const struct module *m = modules_find((uintptr_t)return_address);

	if (!m || m->is_loader)
		return NULL;
	if (m->is_self)
		return parent && parent != root && parent->slot ? parent->slot->library_path : NULL;
	return m->path;
}

/* Returns false when the event names a parent not seen yet: try again next cycle. */
static bool on_enter(const struct thread_ctx *ctx, const struct ev_enter *ev, unsigned ring)
{
	const struct hook_slot *slot = &impulse_slots[ev->slot];
	struct call *parent = ev->parent_id ? calls_find(ev->parent_id) : root;

	if (!parent) {
		/* Created by a thread whose ring we have not drained this far yet (or the
		 * call is gone: an attached context used up, then no wait helps). */
		if (call_may_come(ev->parent_id) && ++blocked_cycles[ring] < MAX_BLOCKED_CYCLES)
			return false;
		parent = root;
	}
	blocked_cycles[ring] = 0;
	last_enter_id[ring] = ev->call_id;
	if (render_enter(&rend, ev, parent, slot, ctx->tid, ctx->name,
			 slot->caller_path ? slot->caller_path :
			 caller_by_address(ev->return_address, parent)))
		records_dropped++;
	return true;
}

static unsigned drain_all(bool final);

static void on_exit_event(const struct ev_exit *ev)
{
	struct call *c = calls_find(ev->call_id);

	/*
	 * Threads created inside this call, or running work captured in it, may have
	 * finished calls that happened before this return (a join, a wait for the
	 * task) but sit in rings not drained yet: drain them first so that those calls
	 * are listed among this call's children.
	 */
	if (c && (c->links || c->holds > 0) && !nested_drain) {
		nested_drain = true;
		drain_all(false);
		nested_drain = false;
	}
	render_exit(&rend, ev);
}

static void on_unwind(const struct ev_call *ev)
{
	struct record_end end = { .status = "unwound", .end_ticks = ev->ticks };

	render_end(&rend, ev->call_id, &end);
}

/* Left by an unwind through the trampoline: an exception, or a thread exit. */
static void on_exception(const struct ev_exception *ev)
{
	char text[EXCEPTION_TEXT_MAX];
	struct record_end end = { .status = exception_status(ev), .end_ticks = ev->ticks };

	if (!calls_find(ev->call_id))
		return;
	end.exception = exception_text(ev, text);
	render_end(&rend, ev->call_id, &end);
}

/*
 * The call a context event from ring names, or NULL (unknown: a bad token, or
 * used up). Its capture came first in time but may sit in a ring not drained this
 * far: then *retry, and ring waits for the next cycle like on_enter does. (Not a
 * nested drain here: the capturing call's exit, drained inside it, could not
 * drain in turn the ring that runs its work, and would miss its children.)
 */
static struct call *find_context(uint64_t id, unsigned ring, bool *retry)
{
	struct call *c = calls_find(id);

	*retry = false;
	if (!c && call_may_come(id) && ++blocked_cycles[ring] < MAX_BLOCKED_CYCLES) {
		*retry = true;
		return NULL;
	}
	blocked_cycles[ring] = 0;
	if (!c)
		contexts_unknown++;
	return c;
}

/* Returns false to be tried again next cycle (the call not seen yet). */
static bool on_attach(const struct ev_call *ev, unsigned i)
{
	bool retry;
	struct call *c = find_context(ev->call_id, i, &retry);

	if (retry)
		return false;
	render_attach(&rend, i, c);
	return true;
}

static bool on_unhold(const struct ev_call *ev, unsigned i)
{
	bool retry;
	struct call *c = find_context(ev->call_id, i, &retry);

	if (retry)
		return false;
	render_unhold(&rend, c);
	return true;
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
			render_log(&rend, (const struct ev_log *)h);
			break;
		case EV_LINK:
			render_link(&rend, ((const struct ev_call *)h)->call_id);
			break;
		case EV_EXCEPTION:
			on_exception((const struct ev_exception *)h);
			break;
		case EV_HOLD:
			render_hold(&rend, ((const struct ev_call *)h)->call_id);
			break;
		case EV_ATTACH:
			if (!on_attach((const struct ev_call *)h, i))
				goto out;
			break;
		case EV_DETACH:
			render_detach(&rend, i, ((const struct ev_call *)h)->call_id);
			break;
		case EV_UNHOLD:
			if (!on_unhold((const struct ev_call *)h, i))
				goto out;
			break;
		default:
			break;
		}
		pos += h->size;
		n++;
		if (n % FORK_CHECK_EVENTS == 0 && fork_waits())
			break;
	}
out:
	ring_consumed(r, pos);
	if (n)
		thread_ctx_wake(ctx);
	return n;
}

/*
 * Whether ring i's ended thread may be let go: the EV_LINK its creator wrote for
 * it, in another ring perhaps not drained this far, has been seen (else the link
 * would be counted after its release and keep the creating call for ever). Waits
 * a bounded number of cycles for a link that never comes.
 */
static bool link_settled(const struct thread_ctx *ctx, unsigned i)
{
	struct call *c;

	if (!ctx->link_parent)
		return true;
	c = calls_find(ctx->link_parent);
	if (c ? c->links > 0 : !call_may_come(ctx->link_parent))
		return true;
	return ++blocked_cycles[i] >= MAX_BLOCKED_CYCLES;
}

static void retire(struct thread_ctx *ctx, unsigned i)
{
	render_retire(&rend, i, ctx->link_parent);
	last_enter_id[i] = 0;
	blocked_cycles[i] = 0;
	events_lost += ctx->dropped;
	thread_waits += ctx->waits;
	drops_take(ctx);
	__atomic_store_n(&impulse_threads[i], NULL, __ATOMIC_RELEASE);
	thread_ctx_slot_freed();
	thread_ctx_release(ctx);
}

static unsigned drain_all(bool final)
{
	unsigned n = 0, hint = __atomic_load_n(&impulse_threads_hint, __ATOMIC_ACQUIRE);

	clock_refine();
	evw_clock_changed();	/* once a pass, not per input */
	for (unsigned i = 0; i < hint; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);
		bool closed;

		if (n && fork_waits())
			break;	/* n > 0: callers that drain until a pass finds nothing come back */
		if (!ctx || draining[i])
			continue;
		/* Read closed before draining: events committed before it are then visible. */
		closed = __atomic_load_n(&ctx->closed, __ATOMIC_ACQUIRE);
		draining[i] = true;
		n += drain_ring(ctx, i);
		draining[i] = false;
		if (closed && !nested_drain && !final && ctx->ring.tail == ring_readable(&ctx->ring) &&
		    link_settled(ctx, i))
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

/* Ends every call still in flight with status (and exception), deepest first. */
static void finish_running(const char *status, const char *exception, uint64_t end_ticks)
{
	struct record_end end = { .status = status, .end_ticks = end_ticks, .exception = exception };

	render_finish_running(&rend, &end);
}

/*
 * The process is dying of a signal (logger_stop_dying): everything committed is
 * written, the calls in flight and the root as "crashed" with its exception text,
 * the root's output null. The sink is not closed: the file's bytes are in the
 * kernel once written, and the process is about to end.
 */
/* At stop: the counts of threads still registered (running, or not retired yet). */
static void take_live_drops(void)
{
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);

		if (ctx) {
			events_lost += ctx->dropped;
			thread_waits += __atomic_load_n(&ctx->waits, __ATOMIC_RELAXED);
			drops_take(ctx);
		}
	}
	/* Calls of threads that had no context (never in the table): counted apart. */
	if (thread_ctx_orphans())
		drops_take(thread_ctx_orphans());
}

static void write_dying(void)
{
	const char *exception = dying_exception;
	struct record_end end;
	uint64_t end_ticks;

	/* In order first, as logger_stop() does, then whatever still waits. */
	while (drain_all(true))
		;
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++)
		blocked_cycles[i] = MAX_BLOCKED_CYCLES;
	while (drain_all(true))
		;
	end_ticks = clock_ticks();
	finish_running("crashed", exception, end_ticks);
	out_flush();	/* the calls first: what they lose goes into the root's counts */
	take_live_drops();
	take_root_args();	/* with the drop counts */
	end = (struct record_end){ .status = "crashed", .end_ticks = end_ticks, .root_status = -1,
				   .exception = exception };
	render_root_end(&rend, &end);
	out_flush_as(SINK_ROOT);
	evw_flush(0);	/* the process dies next: no close */
	if (mongo) {
		mongo_sink_close(mongo);	/* bounded: about 2 s at most */
		mongo = NULL;
	}
	diag_note("%s: wrote %llu record%s (%llu byte%s) to %s, dropped %llu", exception,
		  (unsigned long long)records_written, diag_s(records_written),
		  (unsigned long long)bytes_written, diag_s(bytes_written), sink.description,
		  (unsigned long long)(records_dropped + drops_total()));
	if (drops_unwritten())
		drops_report();	/* the file took no more: say so, as at exit */
	/* Producers waiting for room must not wait for us any more. */
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&dying_done, 1, __ATOMIC_RELEASE);
}

static sigset_t program_mask;	/* the signal mask of the thread that started us */

/*
 * Main ended its thread with pthread_exit and every other thread of the program
 * has ended too: the process ends when the last thread does (glibc then calls
 * exit(0)), and that must not wait for us. This thread calls exit(0) as glibc
 * would have (returning would leave the fd thread, which glibc counts, as the
 * last one, and nobody would call it): the program's atexit handlers and our
 * destructor (which drains everything, logger_stop's join of this thread failing
 * at once) run here, in the program's descriptor table, as the program's, not
 * busy, with the program's signal mask.
 */
static void leave_as_last_thread(void)
{
	while (drain_all(false))
		;
	out_flush();
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	tls_busy = 0;
	pthread_sigmask(SIG_SETMASK, &program_mask, NULL);
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
		unsigned n;

		if (__atomic_load_n(&dying_requested, __ATOMIC_ACQUIRE)) {
			write_dying();
			break;
		}
		n = drain_all(false);
		/* Pairs with tracer_wait_drained()'s load-acquire. */
		__atomic_add_fetch(&tracer.drain_passes, 1, __ATOMIC_RELEASE);
		serve_flush_requests();
		if (mongo)
			mongo_sink_tick(mongo, false);
		/* Busy: straight on, unless a fork waits to hold us (then a short sleep). */
		if (n && !__atomic_load_n(&hold_wanted, __ATOMIC_ACQUIRE)) {
			logger_ns += now_ns() - t0;
			idle = 0;
			continue;
		}
		if (n)
			idle = 0;
		if (__atomic_load_n(&hold_wanted, __ATOMIC_ACQUIRE)) {
			/* At rest until the fork is made (or given up): the forking thread
			 * holds us then, and lets go after it (wake_up waits for that). */
			logger_ns += now_ns() - t0;
			/* Pairs with logger_hold_for_fork()'s compare-exchange. */
			__atomic_store_n(&state, LOGGER_SLEEPING, __ATOMIC_RELEASE);
			while (__atomic_load_n(&hold_wanted, __ATOMIC_ACQUIRE) &&
			       __atomic_load_n(&state, __ATOMIC_ACQUIRE) == LOGGER_SLEEPING) {
				struct timespec ts = { 0, 20000 };

				nanosleep(&ts, NULL);
			}
			wake_up();
			continue;
		}
		out_flush();
		logger_ns += now_ns() - t0;
		if (idle % 8 == 7 && threads_only_caller_left()) {
			leave_as_last_thread();
			exit(0);
		}
		/* Back off while idle: 50 µs up to 2 ms between looks. */
		{
			struct timespec ts = { 0, idle < 40 ? 50000 : 2000000 };

			idle++;
			/* Pairs with logger_hold_for_fork()'s compare-exchange. */
			__atomic_store_n(&state, LOGGER_SLEEPING, __ATOMIC_RELEASE);
			nanosleep(&ts, NULL);
			wake_up();
		}
	}
	return NULL;
}

/* Back to work after a sleep, unless a fork holds the thread: then once let go. */
static void wake_up(void)
{
	int expected = LOGGER_SLEEPING;

	while (!__atomic_compare_exchange_n(&state, &expected, LOGGER_WORKING, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 20000 };

		expected = LOGGER_SLEEPING;
		nanosleep(&ts, NULL);
	}
}

static bool logger_hold_for_fork(void)
{
	uint64_t deadline = now_ns() + FORK_HOLD_MAX_NS;
	unsigned tries = 0;
	bool held = false;

	__atomic_store_n(&hold_wanted, 1, __ATOMIC_RELEASE);
	/* The logger stops at its next event boundary (fork_waits) and rests until
	 * we let go; bounded by the clock, not by a count of sleeps, which take far
	 * longer than asked on a busy machine. */
	while (!held && now_ns() < deadline) {
		int expected = LOGGER_SLEEPING;
		struct timespec ts = { 0, 20000 };

		if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE))
			break;
		/* Pairs with the store-release before the logger's nanosleep. */
		held = __atomic_compare_exchange_n(&state, &expected, LOGGER_HELD, false,
						   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		/* Yield first: on a machine with more busy threads than cores, this
		 * CPU is the logger's fastest way to its rest. */
		if (!held && sched_yield() == 0 && tries++ > 8)
			nanosleep(&ts, NULL);
	}
	__atomic_store_n(&hold_wanted, 0, __ATOMIC_RELEASE);
	return held;
}

static void logger_release_after_fork(void)
{
	int expected = LOGGER_HELD;

	/* Pairs with wake_up()'s compare-exchange. */
	__atomic_compare_exchange_n(&state, &expected, LOGGER_SLEEPING, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
}

/*
 * libmongoc's load brings libcrypto, whose atexit handler (OPENSSL_cleanup) tears
 * down its locks when the program exits: before our destructor would stop the
 * logger, and possibly in the middle of the logger's dlopen or a driver call
 * (a crash seen with a program that exits at once). So the program waits here,
 * in our constructor, until the logger thread has loaded the driver (no network:
 * milliseconds), and then an atexit handler registered after libcrypto's (by
 * lifecycle/exits.c, when logger_needs_exit_handler() says so) stops the logger
 * before libcrypto's runs. Bounded, so that a stuck load cannot hang the start.
 */
static bool exit_handler_needed;

static void wait_mongo_loaded(void)
{
	for (int i = 0; i < 5000; i++) {
		struct timespec ts = { 0, 1000000 };

		if (__atomic_load_n(&mongo_loaded, __ATOMIC_ACQUIRE)) {
			exit_handler_needed = true;
			return;
		}
		nanosleep(&ts, NULL);
	}
}

/*
 * The logger thread blocks every signal: a signal sent to the process is then
 * delivered to one of the program's threads, as without us (a program that blocks
 * SIGTERM everywhere to sigwait() for it must still get it), and the crash path
 * never runs on the thread that has to write the records.
 */
static int start_thread(void)
{
	sigset_t all;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &program_mask);
	err = pthread_create(&thread, NULL, logger_main, NULL);
	pthread_sigmask(SIG_SETMASK, &program_mask, NULL);
	return err;
}

/* with_mongo: logger = mongo|both starts the Mongo client (never in a fork child). */
static int start(struct sink *s, bool with_mongo)
{
	char name[16];
	int err;

	sink = *s;
	world_fill();
	drops_reset();
	events_lost = thread_waits = 0;
	/* The main thread's name, as its other records show it. */
	memset(name, 0, sizeof(name));
	prctl(PR_GET_NAME, name, 0, 0, 0);
	rend = (struct render){ .world = &world, .record = write_record, .attached = attached_call,
				.nrings = CTX_MAX_THREADS };
	binary = !strcmp(sink.ops->name, "file") && sink_file_is_binary();
	if (binary) {
		/* Nothing formatted in the process: `impulse cat` renders from the events. */
		record_forms &= ~(unsigned)RECORD_JSON;
		if (!evw_start(&world, binary_write, NULL))
			return -ENOMEM;
		rend.tap = evw_tap;
	} else if (debug_events_open(tracer.pid, &world)) {
		rend.tap = evw_tap;
	}
	if (render_begin(&rend, tracer.session, tracer.start_ticks, tracer.pid, name))
		return -ENOMEM;
	root = rend.root;
	/* Before any call's parts are kept (the root's first): BSON must be on. */
	if (with_mongo && (tracer.cfg.settings.logger == CFG_LOGGER_MONGO ||
			   tracer.cfg.settings.logger == CFG_LOGGER_BOTH))
		mongo = mongo_sink_new(&tracer.cfg.settings);
	if (with_mongo)
		debug_bson_open(tracer.pid);
	else
		debug_bson_reopen_in_child(tracer.pid);
	take_root_args();
	__atomic_store_n(&tracer.logger_running, 1, __ATOMIC_RELEASE);
	err = start_thread();
	if (err) {
		__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
		return -err;
	}
	if (mongo)
		wait_mongo_loaded();
	return 0;
}

static void register_life(void);

int logger_start(struct sink *s)
{
	register_life();
	return start(s, true);
}

bool logger_needs_exit_handler(void)
{
	return exit_handler_needed;
}

/*
 * The child's logger starts from nothing: the parent's logger thread is not in the
 * child and may have been anywhere in its work at the fork, so its state is leaked,
 * not freed, and its records are the parent's to write. libmongoc is not
 * fork-safe: the child's records go to a file in log_dir (logger = mongo or both).
 */
static int logger_start_in_fork_child(void)
{
	struct sink s;
	int err;

	sink_forget_in_child(&sink);
	fd_thread_forget_in_child();	/* after the sink: it asks whether ours was private */
	state = LOGGER_WORKING;
	hold_wanted = 0;
	dying_exception = NULL;
	dying_requested = dying_done = 0;
	stopping = 0;
	memset(attached_call, 0, sizeof(attached_call));	/* the parent's calls: leaked */
	memset(last_enter_id, 0, sizeof(last_enter_id));
	contexts_unknown = 0;
	mongo = NULL;
	mongo_loaded = 0;
	stop_requested = 0;
	flush_requested = flush_done = 0;
	out = (struct jbuf){ 0 };
	root = NULL;
	memset(blocked_cycles, 0, sizeof(blocked_cycles));
	memset(draining, 0, sizeof(draining));
	nested_drain = false;
	records_written = bytes_written = records_dropped = logger_ns = 0;
	sink_failed = calls_stopped = false;
	queued = NULL;	/* the parent's: leaked, like its other state */
	nqueued = cap_queued = 0;
	calls_forget_all();
	record_forget_after_fork(impulse_slots, impulse_nslots);
	debug_events_forget_in_child();
	evw_forget_in_child();
	if (tracer.cfg.settings.logger == CFG_LOGGER_NONE) {
		sink_none_open(&s);
	} else {
		err = sink_file_open_lazy(&s, tracer.cfg.settings.log_dir);
		if (err)
			return err;
	}
	return start(&s, false);
}

static void logger_abandon(void)
{
	if (!root)
		return;
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	sink.ops->close(sink.state);
	root = NULL;
}

static void logger_stop(void)
{
	uint64_t end_ticks;
	struct record_end end;
	uint64_t t0 = now_ns();

	if (!root)
		return;
	__atomic_store_n(&stopping, gettid(), __ATOMIC_RELEASE);
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	__atomic_store_n(&tracer.logger_running, 0, __ATOMIC_RELEASE);
	/* First in order (a ring waiting for a parent another ring still holds gets
	 * it), then every ring, even with parents never seen: nothing waits any more. */
	while (drain_all(true))
		;
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++)
		blocked_cycles[i] = MAX_BLOCKED_CYCLES;
	while (drain_all(true))
		;
	end_ticks = clock_ticks();
	finish_running("incomplete", NULL, end_ticks);
	out_flush();	/* the calls first: what they lose goes into the root's counts */
	take_live_drops();
	/* The drop counts are known only now: the root's arguments again. */
	take_root_args();
	diag_note("contexts: %llu captured, %llu used or released, %llu unknown; %zu call%s kept at exit",
		  (unsigned long long)rend.holds_taken, (unsigned long long)rend.holds_used,
		  (unsigned long long)contexts_unknown, calls_count(), diag_s(calls_count()));
	end = (struct record_end){ .status = "success", .end_ticks = end_ticks,
				   .root_status = tracer.exit_status };
	render_root_end(&rend, &end);
	out_flush_as(SINK_ROOT);
	logger_ns += now_ns() - t0;
	diag_note("wrote %llu record%s (%llu byte%s) to %s in %.6f s of logger time, dropped %llu",
		  (unsigned long long)records_written, diag_s(records_written),
		  (unsigned long long)bytes_written, diag_s(bytes_written), sink.description,
		  (double)logger_ns / 1e9, (unsigned long long)(records_dropped + drops_total()));
	diag_note("calls not recorded: %llu; events lost: %llu; waits of traced threads for room: %llu",
		  (unsigned long long)drops_total(), (unsigned long long)events_lost,
		  (unsigned long long)thread_waits);
	drops_report();
	if (records_dropped && !diag_verbose_enabled)
		diag_error("%llu record%s dropped (out of memory, or the root record could not be written)",
			   (unsigned long long)records_dropped, diag_s(records_dropped));
	sink.ops->close(sink.state);
	mongo_sink_close(mongo);	/* bounded: about 2 s at most */
	mongo = NULL;
	debug_bson_close();
	if (binary)
		evw_stop();
	else
		debug_events_close();
	__atomic_store_n(&root, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&stopping, 0, __ATOMIC_RELEASE);
}

int logger_flush(void)
{
	unsigned want;

	/* A raw clone child libimpulse did not see start has a copy of a logger that
	 * is not in it (raw_clone.c): nothing to wait for. */
	if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE) || getpid() != tracer.pid)
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

bool logger_on_this_thread(void)
{
	return __atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE) &&
	       pthread_equal(pthread_self(), thread);
}

static bool wait_until(const int *flag, int value, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		struct timespec ts = { 0, 1000000 };

		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == value)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void logger_stop_dying(const char *exception)
{
	pid_t stopper = __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);

	if (stopper || !__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE)) {
		/* Stopping on another thread (exit): let that finish first. Or stopped. */
		if (stopper && stopper != gettid())
			wait_until(&stopping, 0, LOGGER_DYING_WAIT_MS);
		return;
	}
	dying_exception = exception;
	__atomic_store_n(&dying_requested, 1, __ATOMIC_RELEASE);
	wait_until(&dying_done, 1, LOGGER_DYING_WAIT_MS);
}

/*
 * The lifecycle events (base/life.h). held_for_fork: by this thread's prepare, for
 * its own parent handler: per thread, since a raw clone's handlers
 * (lifecycle/raw_clone.c) may run beside another thread's fork().
 */
static __thread bool held_for_fork;

static int on_fork_prepare(const void *arg)
{
	(void)arg;
	held_for_fork = tracer_is_active() && logger_hold_for_fork();
	return 0;
}

static int on_fork_parent(const void *arg)
{
	(void)arg;
	if (held_for_fork)
		logger_release_after_fork();
	held_for_fork = false;
	return 0;
}

static int on_fork_child(const void *arg)
{
	(void)arg;
	held_for_fork = false;
	return logger_start_in_fork_child();
}

static int on_dying(const void *exception)
{
	logger_stop_dying(exception);
	return 0;
}

static int on_shutdown(const void *arg)
{
	(void)arg;
	logger_stop();
	return 0;
}

static int on_abandon(const void *arg)
{
	(void)arg;
	logger_abandon();
	return 0;
}

static void register_life(void)
{
	life_register(LIFE_FORK_PREPARE, LIFE_LOGGER, on_fork_prepare);
	life_register(LIFE_FORK_PARENT, LIFE_LOGGER, on_fork_parent);
	life_register(LIFE_FORK_CHILD, LIFE_LOGGER, on_fork_child);
	life_register(LIFE_DYING, LIFE_LOGGER, on_dying);
	life_register(LIFE_SHUTDOWN, LIFE_LOGGER, on_shutdown);
	life_register(LIFE_ABANDON, LIFE_LOGGER, on_abandon);
}
