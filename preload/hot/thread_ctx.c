/*
 * thread_ctx.c — attaching traced threads and handing their contexts to the logger.
 *
 * Attach runs once per thread and may make system calls (mmap, gettid, prctl); the
 * per-call paths never do. A pthread key's destructor tells the logger when the
 * thread is gone, so that its ring can be drained and unmapped.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"
#include "hot/altstack.h"
#include "hooks/hooks.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

struct thread_ctx *impulse_threads[CTX_MAX_THREADS];
unsigned impulse_threads_hint;

__thread struct thread_ctx *tls_ctx __attribute__((tls_model("initial-exec")));
__thread uint64_t tls_link_parent __attribute__((tls_model("initial-exec")));

static pthread_key_t exit_key;

/*
 * The context of this thread when the table was full at its first traced call:
 * mapped, not registered, so not used (the logger would never drain it). Each
 * later call tries to register it again (a scan of the table, no system call)
 * and is counted with the orphans until one succeeds; at thread exit a last
 * try. No fixed limit stops tracing
 * silently: a thread traces as soon as an ended thread's slot is free again.
 */
static __thread struct thread_ctx *tls_unlisted __attribute__((tls_model("initial-exec")));

/* Counts of calls made with no context at all (orphans()), made at setup. */
static struct thread_ctx *orphans;
static unsigned next_thread_number;	/* call ids of thread n start at n << 40 */

static struct thread_ctx *attach(void);
static struct thread_ctx *map_ctx(size_t ring_size);

/* The exit key's value for a thread created inside a hooked call that has no context yet. */
#define LINK_PENDING ((void *)1)

static bool register_ctx(struct thread_ctx *ctx);

/*
 * The thread ends with its context still unlisted: a last try to register it (its
 * ring is empty; its calls so far were counted with the orphans'), else it is
 * unmapped. True when registered: then closed as any other.
 */
static bool leave_unlisted(struct thread_ctx *ctx)
{
	tls_unlisted = NULL;
	if (register_ctx(ctx))
		return true;
	munmap(ctx, ctx->map_size);
	return false;
}

static void thread_exit_handler(void *arg)
{
	struct thread_ctx *ctx = arg;

	if (arg == LINK_PENDING) {
		/*
		 * The thread never made a traced call, but its creating call is kept alive
		 * for it (EV_LINK): a context, closed at once, is how the logger learns
		 * that the thread is gone and lets that call go. No logger: nobody to tell.
		 */
		int saved_errno = errno;

		if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE))
			return;

		tls_busy++;
		ctx = attach();
		if (ctx)
			pthread_setspecific(exit_key, NULL);	/* no second round for it */
		tls_busy--;
		errno = saved_errno;
		if (!ctx)
			return;
	}

	if (ctx == tls_unlisted && !leave_unlisted(ctx))
		return;
	if (tls_ctx == ctx)
		tls_ctx = NULL;
	/* Pairs with the logger's load-acquire: all events are committed before. */
	__atomic_store_n(&ctx->closed, 1, __ATOMIC_RELEASE);
}

int thread_ctx_setup(void)
{
	/* Without it, calls with no context go uncounted: not a reason to stop. */
	orphans = map_ctx(0);
	if (orphans)
		memcpy(orphans->name, "(no context)", sizeof("(no context)"));
	return -pthread_key_create(&exit_key, thread_exit_handler);
}

void thread_ctx_count_orphan(uint32_t slot)
{
	/* One context for all such threads, not one each: a thread alive at stop
	 * with no slot could not be found to report its own. Atomic adds: other
	 * threads, and signal handlers, count here at once. */
	struct thread_ctx *ctx = __atomic_load_n(&orphans, __ATOMIC_RELAXED);

	if (!ctx)
		return;
	__atomic_add_fetch(&ctx->calls_dropped, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ctx->slot_drops[slot], 1, __ATOMIC_RELAXED);
}

struct thread_ctx *thread_ctx_orphans(void)
{
	return orphans;
}

void thread_ctx_set_link(uint64_t parent)
{
	tls_link_parent = parent;
	if (!tls_ctx)
		pthread_setspecific(exit_key, LINK_PENDING);
}

static bool register_ctx(struct thread_ctx *ctx)
{
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++) {
		struct thread_ctx *expected = NULL;

		if (__atomic_load_n(&impulse_threads[i], __ATOMIC_RELAXED))
			continue;
		/* Pairs with the logger's load-acquire of the entry. */
		if (__atomic_compare_exchange_n(&impulse_threads[i], &expected, ctx, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			unsigned hint = __atomic_load_n(&impulse_threads_hint, __ATOMIC_RELAXED);

			while (hint < i + 1 &&
			       !__atomic_compare_exchange_n(&impulse_threads_hint, &hint, i + 1, false,
							    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
				;
			return true;
		}
	}
	return false;
}

/* Runs on a hooked call: the program must see the errno the real function set. */
struct thread_ctx *thread_ctx_attach(void)
{
	int saved_errno = errno;
	struct thread_ctx *ctx = attach();

	errno = saved_errno;
	return ctx;
}

/* A mapped context with a ring of ring_size bytes, naming no thread yet, not
 * registered; NULL on failure. */
static struct thread_ctx *map_ctx(size_t ring_size)
{
	size_t counters = 2 * (size_t)MAX_SLOTS * sizeof(uint64_t);
	size_t head = (sizeof(struct thread_ctx) + counters + 4095) & ~(size_t)4095;
	struct thread_ctx *ctx;
	unsigned number;

	ctx = mmap(NULL, head + ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ctx == MAP_FAILED)
		return NULL;
	ctx->map_size = head + ring_size;
	ctx->ring.size = ring_size;
	ctx->ring.data = (uint8_t *)ctx + head;
	ctx->slot_drops = (uint64_t *)((uint8_t *)ctx + head - counters);
	ctx->slot_reentrant = ctx->slot_drops + MAX_SLOTS;
	ctx->drop_when_full = tracer.cfg.settings.on_full == CFG_ON_FULL_DROP;
	number = __atomic_add_fetch(&next_thread_number, 1, __ATOMIC_RELAXED);
	ctx->number = number;
	ctx->next_id = (uint64_t)number << 40;
	return ctx;
}

static struct thread_ctx *new_ctx(void)
{
	return map_ctx(tracer.buffer_size);
}

/* Whether a registered context belongs to a thread that ended: the logger frees
 * its slot once it drained it. */
static bool slot_coming_free(void)
{
	for (unsigned i = 0; i < CTX_MAX_THREADS; i++) {
		struct thread_ctx *c = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);

		if (c && __atomic_load_n(&c->closed, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/* Bumped by the logger each time it frees a slot (thread_ctx_slot_freed), which
 * wakes one waiter: a futex word. */
static uint32_t slot_seq;
static int slot_waiters;	/* threads in wait_for_slot() */

static void futex_wait(uint32_t *word, uint32_t expected, long timeout_ns);

/*
 * The table is full. Lossless (on_full = wait), as a full ring waits: while some
 * slot belongs to a thread that ended, the logger will free it soon, so wait and
 * register then (thread churn faster than the logger drains, issue 12). Never
 * when every slot is a live thread (that could wait for ever), with on_full =
 * drop, with no logger, nor past about 10 s. True when registered.
 */
static bool wait_for_slot(struct thread_ctx *ctx)
{
	bool ok = false;

	if (ctx->drop_when_full)
		return false;
	__atomic_add_fetch(&slot_waiters, 1, __ATOMIC_SEQ_CST);
	for (unsigned tries = 0; tries < 1000; tries++) {
		/* Read before trying: a slot freed after it ends the wait at once. */
		uint32_t seq = __atomic_load_n(&slot_seq, __ATOMIC_SEQ_CST);

		if (register_ctx(ctx)) {
			ok = true;
			break;
		}
		if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE) ||
		    (tries % 8 == 0 && !slot_coming_free()))
			break;
		futex_wait(&slot_seq, seq, 10000000);	/* 10 ms: a safety net */
	}
	__atomic_sub_fetch(&slot_waiters, 1, __ATOMIC_SEQ_CST);
	return ok;
}

void thread_ctx_slot_freed(void)
{
	__atomic_add_fetch(&slot_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&slot_waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &slot_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static struct thread_ctx *attach(void)
{
	struct thread_ctx *ctx = tls_unlisted;

	if (ctx) {
		/* Its calls so far are counted in it; from now on they are recorded. */
		if (!register_ctx(ctx))
			return NULL;
		tls_unlisted = NULL;
		tls_ctx = ctx;
		return ctx;
	}
	ctx = new_ctx();
	if (!ctx)
		return NULL;
	ctx->link_parent = tls_link_parent;
	ctx->top_parent = tls_link_parent;
	ctx->tid = gettid();
	prctl(PR_GET_NAME, ctx->name, 0, 0, 0);
	altstack_learn(ctx);	/* one set before our wrapper saw it, or by a library's raw call */
	pthread_setspecific(exit_key, ctx);
	if (!register_ctx(ctx) && !wait_for_slot(ctx)) {
		tls_unlisted = ctx;	/* the table is full: kept for a later try */
		return NULL;
	}
	tls_ctx = ctx;
	return ctx;
}

/*
 * The calls made by raw CLONE_VM children (raw_clone.c), counted and never
 * recorded: a context of no thread (tid 0) whose ring stays empty, never closed,
 * so the logger reports its counts with the others' at stop. NULL until needed.
 */
static struct thread_ctx *foreign;

void thread_ctx_foreign_setup(void)
{
	struct thread_ctx *ctx, *expected = NULL;

	if (__atomic_load_n(&foreign, __ATOMIC_ACQUIRE))
		return;
	ctx = new_ctx();
	if (!ctx)
		return;		/* the children's calls then go uncounted */
	memcpy(ctx->name, "raw clone", sizeof("raw clone"));
	/* Two threads cloning at once: one context wins; the other is never seen. */
	if (!__atomic_compare_exchange_n(&foreign, &expected, ctx, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		munmap(ctx, ctx->map_size);
		return;
	}
	/* Pairs with the logger's load-acquire of the entry. */
	if (!register_ctx(ctx))
		__atomic_store_n(&foreign, NULL, __ATOMIC_RELEASE);	/* leaked: a child may hold it */
}

void thread_ctx_count_foreign(uint32_t slot)
{
	struct thread_ctx *ctx = __atomic_load_n(&foreign, __ATOMIC_ACQUIRE);

	/* Children of one parent count at once: atomic adds, where one thread's own
	 * counts get relaxed stores. */
	if (!ctx)
		return;
	__atomic_add_fetch(&ctx->calls_dropped, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ctx->slot_drops[slot], 1, __ATOMIC_RELAXED);
}

static void futex_wait(uint32_t *word, uint32_t expected, long timeout_ns)
{
	struct timespec ts = { 0, timeout_ns };

	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, &ts, NULL, 0);
}

void *thread_ctx_wait_reserve(struct thread_ctx *ctx, uint32_t need)
{
	int saved_errno = errno;	/* sched_yield/futex must not change the program's */
	int busy = tls_busy;
	bool nested = ctx->in_wait;
	int outer_waiting = __atomic_load_n(&ctx->waiting, __ATOMIC_RELAXED);
	unsigned tries = 0;
	void *p;

	/* on_full = drop: ring_reserve() has just looked at the logger's progress. */
	if (ctx->drop_when_full) {
		ctx->dropped++;
		return NULL;
	}
	if (need > ctx->ring.size / 2) {
		ctx->dropped++;
		return NULL;
	}
	/*
	 * A process that is not the one this tracer records, and was not made a
	 * tracer of its own: a raw clone child libimpulse did not see start (an
	 * inline syscall instruction). Its logger is not in it: never wait, count.
	 */
	if (getpid() != tracer.pid) {
		ctx->dropped++;
		return NULL;	/* getpid() never fails: errno is the program's */
	}
	ctx->in_wait = true;
	while (!(p = ring_reserve(&ctx->ring, need))) {
		uint32_t seq;

		/* Lossless: wait for the logger, unless there is none (stopped, or a forked child). */
		if (!__atomic_load_n(&tracer.logger_running, __ATOMIC_ACQUIRE)) {
			ctx->dropped++;
			break;
		}
		if (!tries)
			__atomic_store_n(&ctx->waits, ctx->waits + 1, __ATOMIC_RELAXED);
		/*
		 * While the hot path waits, nothing is reserved and the frame stack is
		 * whole (hot_path.c reads what it needs of it before it reserves): a
		 * signal handler's hooked calls may record as calls of their own, which
		 * a program held up by the logger would otherwise lose nearly all of
		 * (issue 12). Only the hot path's waits: other callers hold other state.
		 */
		if (busy == TLS_BUSY_HOT)
			tls_busy = 0;
		if (tries++ < 4) {
			sched_yield();
			tls_busy = busy;
			continue;
		}
		/*
		 * Sleep until the logger has made room: with more traced threads than
		 * cores, spinning or polling producers take the logger's CPU. Announce the
		 * wait, then look again: pairs with the fence in thread_ctx_wake(), so
		 * either we see the room or the logger sees us waiting.
		 */
		seq = __atomic_load_n(&ctx->wake_seq, __ATOMIC_ACQUIRE);
		__atomic_store_n(&ctx->waiting, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		tls_busy = busy;
		p = ring_reserve(&ctx->ring, need);
		if (p) {
			__atomic_store_n(&ctx->waiting, 0, __ATOMIC_RELAXED);
			break;
		}
		if (busy == TLS_BUSY_HOT)
			tls_busy = 0;
		futex_wait(&ctx->wake_seq, seq, 2000000);	/* 2 ms: a safety net, not the plan */
		tls_busy = busy;
	}
	tls_busy = busy;
	ctx->in_wait = nested;
	/*
	 * A handler's wait must leave the interrupted one announced: its futex wait is
	 * restarted by the kernel, and only a wake (the logger wakes a waiting
	 * thread) ends it before its 2 ms. The interrupted wait looks again then.
	 */
	__atomic_store_n(&ctx->waiting, nested ? outer_waiting : 0, __ATOMIC_RELAXED);
	errno = saved_errno;
	return p;
}

void thread_ctx_wake(struct thread_ctx *ctx)
{
	/* Pairs with the fence in thread_ctx_wait_reserve(): tail is stored before. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&ctx->waiting, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&ctx->waiting, 0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ctx->wake_seq, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &ctx->wake_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void thread_ctx_release(struct thread_ctx *ctx)
{
	munmap(ctx, ctx->map_size);
}

void thread_ctx_forget_others_in_child(struct thread_ctx *own)
{
	unsigned hint = 0;

	for (unsigned i = 0; i < CTX_MAX_THREADS; i++) {
		struct thread_ctx *ctx = impulse_threads[i];

		if (!ctx)
			continue;
		if (ctx == own) {
			hint = i + 1;
			continue;
		}
		/* Its thread is not in this process, and its events are the parent's to
		 * write: the mapping is only our copy of them. */
		impulse_threads[i] = NULL;
		munmap(ctx, ctx->map_size);
	}
	impulse_threads_hint = hint;
	foreign = NULL;		/* unmapped above: the parent's children's, not ours */
	if (orphans) {		/* the parent's counts are the parent's to report */
		orphans->calls_dropped = 0;
		orphans->calls_reentrant = 0;
		memset(orphans->slot_drops, 0, 2 * MAX_SLOTS * sizeof(*orphans->slot_drops));
	}
	tls_link_parent = 0;
	if (!own)
		return;
	/* What the ring holds is the parent's: consumed, as far as the child knows. The
	 * calls still open are the parent's: their returns here record nothing. */
	own->ring.tail = own->ring.head;
	own->ring.cached_tail = own->ring.head;
	own->depth = 0;
	own->link_parent = 0;
	own->top_parent = 0;	/* a context attached in the parent names a parent's call */
	own->attached = 0;
	own->dropped = 0;
	own->calls_dropped = 0;	/* the parent's counts are the parent's to report */
	own->calls_reentrant = 0;
	own->waits = 0;
	memset(own->slot_drops, 0, 2 * MAX_SLOTS * sizeof(*own->slot_drops));
	own->ring.keep = 0;
	own->waiting = 0;
	own->tid = gettid();
}
