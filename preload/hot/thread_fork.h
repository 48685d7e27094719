/*
 * thread_fork.h — the hot path's receiver of the fork child event (thread_fork.c).
 */
#ifndef IMPULSE_THREAD_FORK_H
#define IMPULSE_THREAD_FORK_H

#pragma GCC visibility push(hidden)

/* Registers thread_ctx_forget_others_in_child() for LIFE_FORK_CHILD (base/life.h),
 * with the forking thread's context as the one kept. At start-up. */
void thread_fork_setup(void);

#pragma GCC visibility pop

#endif
