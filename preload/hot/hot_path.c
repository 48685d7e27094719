/*
 * hot_path.c — what runs on every hooked call, called from the trampoline.
 *
 * Never: malloc, locks, formatting, system calls other than reading the clock
 * (the exceptions: a thread's very first traced call, which maps its ring; a full
 * ring, where lossless delivery waits for the logger; and, once a raw CLONE_VM
 * child may share our memory, gettid() to tell it from its parent thread). Never
 * changes errno as the program sees it: nothing here sets it, the two slow paths
 * that make system calls (thread_ctx.c) restore it, and gettid() and getpid()
 * never fail. No stdio, Jansson or libmongoc header here.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "hot/capture.h"
#include "hooks/capture_plan.h"
#include "base/clock.h"
#include "hooks/event.h"
#include "hooks/hooks.h"
#include "hot/hot_path.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

long impulse_hook_enter(struct arch_frame *f) __attribute__((visibility("hidden")));
void impulse_hook_exit(struct arch_frame *f) __attribute__((visibility("hidden")));

/* Records that the innermost frame was abandoned (longjmp, exception) and pops it. */
static void pop_unwound(struct thread_ctx *ctx, uint64_t ticks)
{
	/* Read before reserving: a signal handler's call recorded while the reservation
	 * waits for room (thread_ctx.c) takes the frame's place. */
	uint64_t call_id = ctx->stack[--ctx->depth].call_id;
	struct ev_call *ev = thread_ctx_reserve_end(ctx, sizeof(*ev));

	if (!ev)
		return;
	ev->h = (struct ev_head){ .size = sizeof(*ev), .type = EV_UNWIND };
	ev->call_id = call_id;
	ev->ticks = ticks;
	ring_commit(&ctx->ring, sizeof(*ev));
}

/*
 * A frame at or below sp on this thread's stack can no longer be running: the
 * program left it without returning through us. Frames on another stack are far
 * away and are left alone. A signal handler on the thread's alternate stack
 * (ctx->alt_lo, kept by altstack.c) may run at any address relative to the
 * frames it interrupted: calls made on it are nested, and frames left on it when
 * the thread is back on its own stack were abandoned (a longjmp out of the
 * handler).
 */
#define SAME_STACK_WINDOW (8u << 20)

static inline bool on_alt_stack(const struct thread_ctx *ctx, uintptr_t sp)
{
	return sp - ctx->alt_lo < ctx->alt_size;
}

static void resync_slow(struct thread_ctx *ctx, uintptr_t sp, bool inclusive)
{
	bool sp_alt = on_alt_stack(ctx, sp);

	while (ctx->depth) {
		uintptr_t top = ctx->stack[ctx->depth - 1].entry_sp;

		if (on_alt_stack(ctx, top) != sp_alt) {
			if (sp_alt)
				break;	/* a handler on the alternate stack, over the frames it interrupted */
		} else if (top > sp || (!inclusive && top == sp) || sp - top > SAME_STACK_WINDOW) {
			break;
		}
		pop_unwound(ctx, clock_ticks());
	}
}

/*
 * Most calls find their stack in order: check that inline. At an exit the top
 * frame is the one returning (top == sp), at a nested entry it is above (top >
 * sp); the second test costs a look at the alternate stack (alt_size is 0 when
 * there is none), which only frames on it pass.
 */
static inline void resync(struct thread_ctx *ctx, uintptr_t sp, bool inclusive)
{
	if (ctx->depth) {
		uintptr_t top = ctx->stack[ctx->depth - 1].entry_sp;

		if ((inclusive ? top <= sp : top < sp) || on_alt_stack(ctx, top))
			resync_slow(ctx, sp, inclusive);
	}
}

void thread_ctx_resync(struct thread_ctx *ctx, uintptr_t sp)
{
	resync(ctx, sp, true);
}

/*
 * The calling thread leaves for good (main returned, or exit, _exit, _Exit or
 * quick_exit was called) with sp its stack pointer there: frames at or below it
 * on its stack can never be returned to (a longjmp or siglongjmp left them, with
 * no hooked call after it to notice) and are recorded "unwound". Frames above it
 * are the calls that are still running (one that called exit itself): they stay,
 * and end "incomplete". Not on the hot path.
 */
void hot_path_leave(uintptr_t sp)
{
	struct thread_ctx *ctx = tls_ctx;

	if (!ctx || tls_busy || !__atomic_load_n(&tracer.active, __ATOMIC_RELAXED))
		return;
	tls_busy = TLS_BUSY_HOT;
	resync(ctx, sp, true);
	tls_busy = 0;
}

/* Not on the hot path: for the personality routine (unwind.c). */
void hot_path_drop_below(struct thread_ctx *ctx, uintptr_t sp)
{
	resync_slow(ctx, sp, false);
}

/* A char * parameter, as capture.c's put_string with room to spare (hooks.c only
 * sets string_mask when the event has it): inline for the common case. */
static inline uint8_t *capture_string(uint8_t *p, uint64_t s)
{
	struct ev_blob *b = (struct ev_blob *)p;
	long n;

	if (!s)
		return p;	/* NULL: the argument value says it, no blob */
	/* The first page is never mapped: no need to try. */
	n = s < 4096 ? -1 : impulse_safe_strncpy((char *)b->data, (const char *)s, cap_limits.max_string);
	b->info = 0;
	if (n < 0 && s >= 4096) {
		int nul;

		/* Keep what is readable of a string that runs into an unreadable page. */
		n = capture_string_before_fault(b->data, s, cap_limits.max_string, &nul);
		if (n >= 0) {
			b->info = nul ? 0 : EV_BLOB_STR_FAULT;
			b->len = (int32_t)n;
			return p + sizeof(*b) + ev_align((uint64_t)n);
		}
	}
	if (n < 0) {
		b->len = EV_BLOB_UNREADABLE;
		return p + sizeof(*b);
	}
	if ((size_t)n > cap_limits.max_string) {
		n = (long)cap_limits.max_string;
		b->info = 1;
	}
	b->len = (int32_t)n;
	return p + sizeof(*b) + ev_align((uint64_t)n);
}

long impulse_hook_enter(struct arch_frame *f)
{
	const struct hook_slot *slot = &impulse_slots[f->slot];
	const struct hook *hook = slot->hook;
	struct thread_ctx *ctx;
	struct ev_enter *ev;
	uint8_t *p;
	int active;

	/* The trampoline jumps here on every path, traced or not. */
	f->real = (uint64_t)slot->real;
	/* Relaxed, as tracer_is_active(): a call racing with a change may go either way. */
	active = __atomic_load_n(&tracer.active, __ATOMIC_RELAXED);
	if (!active)
		return 0;
	ctx = tls_ctx;
	/* A raw CLONE_VM child runs on its parent thread's thread-local data: it must
	 * not touch that thread's buffer, call stack or tls_busy, which its parent may
	 * have raised at this very moment (raw_clone.c). */
	if (__builtin_expect(active == TRACER_SHARED, 0) && thread_ctx_is_foreign(ctx, tracer.pid)) {
		thread_ctx_count_foreign((uint32_t)f->slot);
		return 0;
	}
	if (tls_busy) {
		/* A signal handler's call, made while this thread ran the hot path: its
		 * event would land in the middle of the one being written. Counted. */
		if (__builtin_expect(tls_busy & TLS_BUSY_HOT, 0))
			thread_ctx_count_reentrant(ctx, (uint32_t)f->slot);
		return 0;
	}
	tls_busy = TLS_BUSY_HOT;
	if (__builtin_expect(!ctx, 0)) {
		ctx = thread_ctx_attach();
		if (!ctx) {
			/* No context for this thread (thread_ctx_attach says why): counted. */
			thread_ctx_count_orphan((uint32_t)f->slot);
			goto pass;
		}
	}
	resync(ctx, arch_frame_entry_sp(f), true);
	if (ctx->depth == CTX_MAX_DEPTH) {
		ctx->dropped++;
		goto drop;
	}
	/* on_full = drop: the call is recorded only with room for its own exit left
	 * beside that of the calls it is inside (an exit or unwind event costs at
	 * most twice its size, padding included), so no recorded call loses its end. */
	if (__builtin_expect(ctx->drop_when_full, 0))
		ctx->ring.keep = ctx->owed[ctx->depth] + 2 * (uint64_t)hook->exit_max;
	ev = thread_ctx_reserve(ctx, hook->enter_max);
	if (!ev)
		goto drop;
	ev->slot = (uint32_t)f->slot;
	ev->call_id = ++ctx->next_id;
	ev->parent_id = thread_ctx_current_call(ctx);
	ev->session = __atomic_load_n(&tracer.session, __ATOMIC_ACQUIRE);
	ev->return_address = arch_frame_return_address(f);
	/* Before any stack argument is read: what exists of the window the trampoline
	 * copies bounds the reads here, in capture and at exit (issue 11: a coroutine
	 * under a guard page, a prototype claiming more than the caller passed). */
	f->stack_readable = hook->stack_copy ? arch_stack_readable(f, hook->stack_copy) : 0;
	for (uint32_t i = 0; i < hook->nparams; i++)
		ev->args[i] = arch_arg_raw(f, hook->locs[i]);
	if (__builtin_expect(hook->redact_mask != 0, 0))
		for (uint32_t mask = hook->redact_mask; mask; mask &= mask - 1)
			ev->args[__builtin_ctz(mask)] = 0;
	p = (uint8_t *)&ev->args[hook->nparams];
	for (uint32_t mask = hook->string_mask; mask; mask &= mask - 1)
		p = capture_string(p, ev->args[__builtin_ctz(mask)]);
	if (hook->enter_blobs)
		p = cap_enter(hook, f, ev->args, p, (uint8_t *)ev + hook->enter_max);
	ev->h = (struct ev_head){ .size = (uint32_t)(p - (uint8_t *)ev), .type = EV_ENTER };
	ctx->stack[ctx->depth].call_id = ev->call_id;
	ctx->stack[ctx->depth].entry_sp = arch_frame_entry_sp(f);
	ctx->stack[ctx->depth].slot = ev->slot;
	ctx->depth++;
	if (__builtin_expect(ctx->drop_when_full, 0))
		ctx->owed[ctx->depth] = ctx->ring.keep;
	ev->ticks = clock_ticks();
	ring_commit(&ctx->ring, ev->h.size);
	tls_busy = 0;
	return (long)hook->stack_copy + 1;
drop:
	/* Not recorded: no frame, so its exit writes nothing and its callees' records
	 * name its caller as their parent. */
	thread_ctx_count_drop(ctx, (uint32_t)f->slot);
pass:
	tls_busy = 0;
	return 0;
}

void impulse_hook_exit(struct arch_frame *f)
{
	/* First, before anything here could change it: the error number the real
	 * function left, for hooks whose error rule reads it. It is never written. */
	const struct hook *hook = impulse_slots[f->slot].hook;
	int err = hook->reads_errno ? errno : 0;
	uint64_t ticks = clock_ticks();
	struct thread_ctx *ctx = tls_ctx;
	uintptr_t sp = arch_frame_entry_sp(f);
	struct ev_exit *ev;

	if (!ctx)
		return;
	tls_busy = TLS_BUSY_HOT;
	resync(ctx, sp, false);
	if (ctx->depth && ctx->stack[ctx->depth - 1].entry_sp == sp) {
		/* Read before reserving, as in pop_unwound(). */
		uint64_t call_id = ctx->stack[--ctx->depth].call_id;

		ev = thread_ctx_reserve_end(ctx, hook->exit_max);
		if (ev) {
			uint32_t size = sizeof(*ev);

			ev->call_id = call_id;
			ev->ticks = ticks;
			ev->ret = arch_ret_raw(f, hook->cfg->ret.kind);
			if (hook->exit_blobs)
				size = (uint32_t)(cap_exit(hook, f, ev, (uint8_t *)ev + hook->exit_max) -
						  (uint8_t *)ev);
			ev->h = (struct ev_head){ .size = size, .type = EV_EXIT, .flags = (uint16_t)err };
			ring_commit(&ctx->ring, size);
		}
	}
	tls_busy = 0;
}
