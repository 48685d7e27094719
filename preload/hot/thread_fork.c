/*
 * thread_fork.c — the hot path's part in a fork child: the threads that did not
 * come along leave their contexts behind.
 *
 * A receiver of base/life.h's LIFE_FORK_CHILD, kept out of thread_ctx.c so that
 * the file the hot path runs stays as it is. Runs on the child's only thread.
 */
#include "base/life.h"
#include "hot/thread_ctx.h"
#include "hot/thread_fork.h"

static int forget_others(const void *arg)
{
	(void)arg;
	thread_ctx_forget_others_in_child(tls_ctx);
	return 0;
}

void thread_fork_setup(void)
{
	life_register(LIFE_FORK_CHILD, LIFE_HOT, forget_others);
}
