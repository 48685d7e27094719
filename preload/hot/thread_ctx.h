/*
 * thread_ctx.h — a traced thread's own state: its call stack and its event ring.
 *
 * Reached through an initial-exec thread-local pointer (one %fs-relative load).
 * Allocated with mmap on the thread's first traced event, registered for the
 * logger, and handed back to the logger at thread exit, which unmaps it once
 * drained.
 */
#ifndef IMPULSE_THREAD_CTX_H
#define IMPULSE_THREAD_CTX_H


#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/tracer.h"
#include "hot/ring.h"

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

#define CTX_MAX_DEPTH	512
#define CTX_MAX_THREADS	4096

struct call_frame {
	uint64_t call_id;
	uintptr_t entry_sp;	/* address of the caller's return address: orders frames */
	uint32_t slot;		/* impulse_slots index: names the call to a child process (lineage.c) */
};

struct thread_ctx {
	struct ring ring;		/* its own cache lines */

	/* Set at attach, then only read (by the logger too): a line of its own, so
	 * that the logger reading them never takes the producer's line away. */
	_Alignas(64) pid_t tid;
	char name[16];			/* thread name at attach */
	uint64_t link_parent;		/* the call that created this thread (EV_LINK), or 0 (root) */
	unsigned number;		/* call ids of this thread are number << 40 | sequence */
	size_t map_size;		/* bytes of the mapping holding this struct and its ring */
	int closed;			/* 1 once the thread exited; store-release, logger load-acquire */

	/* A full ring: the traced thread sleeps on wake_seq with waiting set, and the
	 * logger, having made room, bumps wake_seq and wakes it (thread_ctx_wake). */
	_Alignas(64) uint32_t wake_seq;	/* futex word */
	int waiting;
	/* The thread waits for room already: this wait is a signal handler's call,
	 * recorded while the one it interrupted waits (thread_ctx_wait_reserve). */
	bool in_wait;

	/* The traced thread's own: written on every call, read by the logger only
	 * after the thread closed. */
	_Alignas(64) uint64_t next_id;	/* next call id of this thread */
	uint64_t dropped;		/* events lost (ring full and no logger, or too deep) */
	int depth;			/* frames in stack */
	bool drop_when_full;		/* on_full = drop: never wait for room; set at attach */
	/* Calls not recorded (a full ring with on_full = drop, too deep, no logger): all
	 * of them, and per hook slot (MAX_SLOTS counters in this mapping, after the
	 * struct: pages never written cost nothing). Only this thread writes them,
	 * relaxed; the logger reads them when the thread closed, or at stop. */
	uint64_t calls_dropped;
	uint64_t *slot_drops;
	/* Of those, the calls a signal handler made while this thread ran the hot path
	 * (tls_busy had TLS_BUSY_HOT): the handler may interrupt the thread between
	 * the load and store of its own counts, so these two are apart, added to
	 * atomically (one locked instruction: whole, as seen from a handler), and
	 * reentrant_drops[s] is also in slot_drops[s] only in the report (drops.c). */
	uint64_t calls_reentrant;
	uint64_t *slot_reentrant;
	uint64_t waits;			/* times it waited for room (yield or sleep) */
	uint64_t top_parent;		/* parent of top-level calls: attached, else link_parent */
	uint64_t attached;		/* impulse_context_attach()'s context, or 0 */
	uintptr_t alt_lo;		/* the thread's alternate signal stack, [alt_lo, +alt_size), */
	size_t alt_size;		/* 0 when none: altstack.c keeps them (on depth's line) */
	struct call_frame stack[CTX_MAX_DEPTH];
	/* on_full = drop only: owed[d] is what the exits of frames 0..d-1 may need
	 * (2 * exit_max each), kept free by every reservation but theirs. */
	uint64_t owed[CTX_MAX_DEPTH + 1];
};

/* Every live or not yet drained context, for the logger. */
extern struct thread_ctx *impulse_threads[CTX_MAX_THREADS];
extern unsigned impulse_threads_hint;	/* highest index used + 1 */

extern __thread struct thread_ctx *tls_ctx __attribute__((tls_model("initial-exec")));
/* Set by our pthread_create wrapper before the thread has a context. */
extern __thread uint64_t tls_link_parent __attribute__((tls_model("initial-exec")));

/* Creates and registers the calling thread's context. Returns NULL on failure. */
struct thread_ctx *thread_ctx_attach(void);

/*
 * Called by a new thread created inside hooked call parent, before its own code
 * runs: its top-level calls become parent's children, and when it ends, even
 * without a traced call, the logger is told so that parent can be let go.
 */
void thread_ctx_set_link(uint64_t parent);

/* The current call of this thread (innermost frame), else the parent of its
 * top-level calls (the attached context or the creating call), or 0. */
static inline uint64_t thread_ctx_current_call(const struct thread_ctx *ctx)
{
	return ctx->depth ? ctx->stack[ctx->depth - 1].call_id : ctx->top_parent;
}

/*
 * Closes (EV_UNWIND) the frames the program left without returning, as seen from
 * sp, an address on the calling thread's stack deeper than every live frame (the
 * hot path's own check, for the API: hot_path.c). Call with tls_busy set.
 */
void thread_ctx_resync(struct thread_ctx *ctx, uintptr_t sp);

/* The slow path of thread_ctx_reserve(): the ring is full. */
void *thread_ctx_wait_reserve(struct thread_ctx *ctx, uint32_t need);

/*
 * Reserves need bytes in ctx's ring, waiting for the logger while the ring is full
 * (lossless). Returns NULL, counting a lost event, when no logger will ever make
 * room, or at once when the ring is full and the thread must not wait (on_full =
 * drop; the room kept for the exits of calls in flight counts as full then).
 */
static inline void *thread_ctx_reserve(struct thread_ctx *ctx, uint32_t need)
{
	void *p = ring_reserve(&ctx->ring, need);

	return __builtin_expect(p != NULL, 1) ? p : thread_ctx_wait_reserve(ctx, need);
}

/* As thread_ctx_reserve(), for the event that ends a call in flight (its exit or
 * unwind): it may use the room kept for it. */
static inline void *thread_ctx_reserve_end(struct thread_ctx *ctx, uint32_t need)
{
	void *p = ring_reserve_keep(&ctx->ring, need, 0);

	return __builtin_expect(p != NULL, 1) ? p : thread_ctx_wait_reserve(ctx, need);
}

/* Counts a call of slot that is not recorded (slow paths only). */
static inline void thread_ctx_count_drop(struct thread_ctx *ctx, uint32_t slot)
{
	__atomic_store_n(&ctx->calls_dropped, ctx->calls_dropped + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&ctx->slot_drops[slot], ctx->slot_drops[slot] + 1, __ATOMIC_RELAXED);
}

/*
 * Counts a call of slot that no context can count: made on a thread that has none
 * (its context could not be mapped, or the table of contexts was full when it
 * started; thread_ctx_attach). Any thread, lock-free: atomic adds into a context
 * of no thread, "(no context)", never in the table, reported at stop.
 */
void thread_ctx_count_orphan(uint32_t slot);

/* That context, for the logger's report at stop (NULL when it could not be made). */
struct thread_ctx *thread_ctx_orphans(void);

/* Counts a call of slot made by a signal handler that interrupted the hot path on
 * this thread (ctx is its context, or NULL before it has one). Lock-free. */
static inline void thread_ctx_count_reentrant(struct thread_ctx *ctx, uint32_t slot)
{
	if (!ctx) {
		thread_ctx_count_orphan(slot);
		return;
	}
	__atomic_add_fetch(&ctx->calls_reentrant, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ctx->slot_reentrant[slot], 1, __ATOMIC_RELAXED);
}

/* A context that counts the calls of raw CLONE_VM children (raw_clone.c): made
 * once, before the first such child, registered so the logger reports its counts. */
void thread_ctx_foreign_setup(void);

/* Counts a call of slot made by such a child: not recorded. Any thread, lock-free. */
void thread_ctx_count_foreign(uint32_t slot);

/* Called by the logger after consuming from ctx's ring: wakes a thread waiting for room. */
void thread_ctx_wake(struct thread_ctx *ctx);

/* Called by the logger once it cleared a slot of impulse_threads: wakes a thread
 * waiting for one (the table was full, thread_ctx_attach). */
void thread_ctx_slot_freed(void);

/* Called by the logger: unmaps a closed, drained context. */
void thread_ctx_release(struct thread_ctx *ctx);

/*
 * In a fork child, from the forking thread: unregisters (and unmaps) every other
 * thread's context, and empties own (the forking thread's, or NULL): its ring's
 * events and its open calls are the parent's.
 */
void thread_ctx_forget_others_in_child(struct thread_ctx *own);

/* Installs the thread-exit handler; called once at start-up. 0 or -errno. */
int thread_ctx_setup(void);

/*
 * In TRACER_SHARED mode (a raw clone made it so: lifecycle/raw_clone.c), from the
 * hot path: true when the caller is not the thread whose thread-local state it
 * sees (a raw CLONE_VM child, or a child we did not see start). Makes a system
 * call: only ever reached once such a child was made.
 */
static inline bool thread_ctx_is_foreign(const struct thread_ctx *ctx, pid_t tracer_pid)
{
	return ctx ? gettid() != ctx->tid : getpid() != tracer_pid;
}

#pragma GCC visibility pop

#endif
