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
#include "base/life.h"
#include "lifecycle/lineage.h"
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
	int err;

	/* Named while the tracer id is still the parent's: the call that forked. */
	lineage_current(&link, (uintptr_t)__builtin_frame_address(0));
	lineage_parent = link;
	lineage_random_hex(tracer.tracer_id, 16);
	tracer.pid = getpid();
	/* No raw CLONE_VM child of the parent's shares this copy of our memory. */
	if (__atomic_load_n(&tracer.active, __ATOMIC_RELAXED) == TRACER_SHARED)
		__atomic_store_n(&tracer.active, TRACER_ON, __ATOMIC_RELAXED);
	tracer.exit_status = -1;
	tracer.start_ticks = clock_ticks();
	/* The interception's locks, the other threads' contexts (own emptied: its
	 * events are the parent's), then a logger of the child's own (base/life.h's
	 * order), now that the tracer is the child's. */
	err = life_raise(LIFE_FORK_CHILD, NULL);
	child.forked = true;
	child.own = own;
	child.head = own ? own->ring.head : 0;	/* this thread is the ring's only writer */
	return err;
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
