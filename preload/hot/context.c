/*
 * context.c — impulse_context_capture/attach/release (include/impulse.h): a call
 * of one thread named by a token, so that work it hands to another thread (a
 * thread pool, an event loop) is recorded under it.
 *
 * These run on the program's threads, from its own code: no lock, no allocation
 * (a thread's first use maps its context, as its first traced call would). Each
 * writes one or two events into the calling thread's ring and the logger does the
 * bookkeeping (logger.c, on_hold and friends): a capture keeps the captured call
 * known to the logger until one attach-and-detach has used the capture, or until
 * impulse_context_release() gives it back. errno is never changed.
 */
#define IMPULSE_BUILDING_LIBRARY 1
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "hooks/event.h"
#include "impulse.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

static bool emit(struct thread_ctx *ctx, uint16_t type, uint64_t call_id)
{
	struct ev_call *ev = thread_ctx_reserve(ctx, sizeof(*ev));

	if (!ev)
		return false;
	ev->h = (struct ev_head){ .size = sizeof(*ev), .type = type };
	ev->call_id = call_id;
	ev->ticks = clock_ticks();
	ring_commit(&ctx->ring, sizeof(*ev));
	return true;
}

impulse_context_t impulse_context_capture(void)
{
	struct thread_ctx *ctx = tls_ctx;
	uint64_t id;

	/* Busy: a signal handler interrupted tracer code on this thread; its ring
	 * reservation must not be disturbed. */
	if (!ctx || tls_busy || !tracer_is_active() || !ctx->depth)
		return 0;
	tls_busy++;
	/* Frames left by longjmp since the last hooked call are not the current call. */
	thread_ctx_resync(ctx, (uintptr_t)__builtin_frame_address(0));
	if (!ctx->depth) {
		tls_busy--;
		return 0;
	}
	id = ctx->stack[ctx->depth - 1].call_id;
	/* A token without its hold could name a call the logger has let go. */
	if (!emit(ctx, EV_HOLD, id))
		id = 0;
	tls_busy--;
	return id;
}

impulse_context_t impulse_context_attach(impulse_context_t want)
{
	struct thread_ctx *ctx;
	uint64_t prev;

	if (tls_busy || !tracer_is_active())
		return 0;
	tls_busy++;
	ctx = tls_ctx;
	if (!ctx && want)
		ctx = thread_ctx_attach();
	if (!ctx) {
		tls_busy--;
		return 0;
	}
	prev = ctx->attached;
	if (prev != want) {
		/* In this order: the logger drops the old context before taking the new. */
		if (prev)
			emit(ctx, EV_DETACH, prev);
		if (want && !emit(ctx, EV_ATTACH, want))
			want = 0;
		ctx->attached = want;
		/* Read by the hot path of this same thread only: a plain store. */
		ctx->top_parent = want ? want : ctx->link_parent;
	}
	tls_busy--;
	return prev;
}

int impulse_context_release(impulse_context_t token)
{
	struct thread_ctx *ctx;
	int rc = -ENOSPC;

	if (!token)
		return -EINVAL;
	if (tls_busy || !tracer_is_active())
		return -ENOSPC;
	tls_busy++;
	ctx = tls_ctx ? tls_ctx : thread_ctx_attach();
	if (ctx && emit(ctx, EV_UNHOLD, token))
		rc = 0;
	tls_busy--;
	return rc;
}
