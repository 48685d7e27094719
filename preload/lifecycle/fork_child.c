/*
 * fork_child.c — turning a forked child into a tracer of its own; see fork_child.h.
 *
 * Runs in the child's pthread_atfork handler, when the child has one thread and
 * the parent's other threads (the logger included) have vanished wherever they
 * were. Nothing of the parent's may be written from here: its buffers and its
 * file are the parent's, which writes them. Whatever the vanished threads may
 * have been changing is left alone (leaked), never freed or trusted.
 */
#include <stdint.h>
#include <unistd.h>

#include "base/clock.h"
#include "lifecycle/fork_child.h"
#include "intercept/interpose.h"
#include "lifecycle/lineage.h"
#include "logger/logger.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

static struct {
	bool forked;			/* this process is a fork child */
	struct thread_ctx *own;		/* the forking thread's context at the fork, or NULL */
	uint64_t head;			/* its ring's head then */
} child;

int fork_child_restart(void)
{
	struct thread_ctx *own = tls_ctx;
	struct lineage_ref link;

	/* Named while the tracer id is still the parent's: the call that forked. */
	lineage_current(&link, (uintptr_t)__builtin_frame_address(0));
	interpose_reset_locks_in_child();
	thread_ctx_forget_others_in_child(own);
	lineage_parent = link;
	lineage_random_hex(tracer.tracer_id, 16);
	tracer.pid = getpid();
	/* No raw CLONE_VM child of the parent's shares this copy of our memory. */
	if (__atomic_load_n(&tracer.active, __ATOMIC_RELAXED) == TRACER_SHARED)
		__atomic_store_n(&tracer.active, TRACER_ON, __ATOMIC_RELAXED);
	tracer.exit_status = -1;
	tracer.start_ticks = clock_ticks();
	child.forked = true;
	child.own = own;
	child.head = own ? own->ring.head : 0;
	return logger_start_in_fork_child();
}

bool fork_child_is_untouched(void)
{
	unsigned hint = __atomic_load_n(&impulse_threads_hint, __ATOMIC_ACQUIRE);

	if (!child.forked)
		return false;
	for (unsigned i = 0; i < hint; i++) {
		struct thread_ctx *ctx = __atomic_load_n(&impulse_threads[i], __ATOMIC_ACQUIRE);

		if (!ctx)
			continue;
		if (ctx != child.own || __atomic_load_n(&ctx->ring.head, __ATOMIC_ACQUIRE) != child.head)
			return false;
	}
	return true;
}
