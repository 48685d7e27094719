/*
 * fork_child.c — what fork() runs around its system call, and turning a forked
 * child into a tracer of its own; see fork_child.h.
 *
 * The handlers are registered with pthread_atfork at start-up (init.c) and run
 * by raw_clone.c around the clones it makes fork-like. The child's part runs in
 * the child's pthread_atfork handler, when the child has one thread and
 * the parent's other threads (the logger included) have vanished wherever they
 * were. Nothing of the parent's may be written from here: its buffers and its
 * file are the parent's, which writes them. Whatever the vanished threads may
 * have been changing is left alone (leaked), never freed or trusted.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/diag.h"
#include "base/fd_high.h"
#include "lifecycle/fork_child.h"
#include "base/life.h"
#include "lifecycle/lineage.h"
#include "hot/thread_ctx.h"
#include "lifecycle/shutdown.h"
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

/*
 * The forking thread stays busy from here to the end of our parent or child
 * handler: a hooked call made by a prepare handler that runs after ours must not
 * wait for the logger the LIFE_FORK_PREPARE event holds (logger.h).
 */
void tracer_fork_prepare(void)
{
	tls_busy++;
	(void)life_raise(LIFE_FORK_PREPARE, NULL);
}

void tracer_fork_parent(void)
{
	(void)life_raise(LIFE_FORK_PARENT, NULL);
	tls_busy--;
}

/* The child is traced as a process of its own (fork_child_restart), unless the
 * parent was not tracing (any more) when it forked. */
void tracer_fork_child(void)
{
	int err;

	diag_forget_in_child();
	fd_high_begin_alone();	/* the child's only thread, until fork() returns */
	if (shutdown_has_started() || !tracer_is_active()) {
		shutdown_stay_off();
	} else {
		err = fork_child_restart();
		if (err) {
			diag_error("cannot trace the forked child: %s; it runs untraced", strerror(-err));
			shutdown_stay_off();
		}
	}
	fd_high_end_alone();
	tls_busy--;	/* tracer_fork_prepare's */
}
