/*
 * raw_clone.h — processes the program makes without fork(): syscall(SYS_clone…),
 * clone(), _Fork(). None of them runs the pthread_atfork handlers through which a
 * fork child becomes a tracer of its own, and a child that shares our memory
 * (CLONE_VM) shares the parent thread's thread-local state, the tracer's included.
 */
#ifndef IMPULSE_RAW_CLONE_H
#define IMPULSE_RAW_CLONE_H

#include <stdbool.h>
#include <sys/types.h>
#include <unistd.h>

#include "hot/thread_ctx.h"

#pragma GCC visibility push(hidden)

/* The wrappers (wrappers.c's table): clone() and _Fork(). syscall() is wrapped by
 * impulse_syscall_entry (arch/x86_64/syscall_entry.S), which calls the two below. */
int raw_clone_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);
pid_t raw_clone__Fork(void);
void impulse_syscall_entry(void);

/*
 * For syscall() with a clone, clone3, fork or vfork number: 1 when the call is to be
 * made by raw_clone_syscall_fork (a fork-like child on the caller's own stack);
 * 0 to let it through unchanged, having marked the process TRACER_SHARED when the
 * child may share our memory or was not made here.
 */
int raw_clone_syscall_decide(long nr, long a1, long a2, long a3, long a4, long a5);

/* Makes the fork-like system call with fork()'s handlers around it. */
long raw_clone_syscall_fork(long nr, long a1, long a2, long a3, long a4, long a5);

#pragma GCC visibility pop

#endif
