/*
 * raw_clone.c — children made without fork(): clone(), _Fork() and syscall() with
 * a clone, clone3, fork or vfork number; see raw_clone.h.
 *
 * A child with a copy of our memory, on the caller's stack or with a function of
 * its own (clone(fn, …)), is made here between fork()'s own handlers (fork_child.c):
 * it becomes a traced fork child with its own logger and file. Without them it
 * would keep a copy of a logger that is not in it, and its first full buffer would
 * wait for that logger for ever.
 *
 * A child that shares our memory (CLONE_VM, vfork-like, or CLONE_SETTLS, or one
 * whose stack we cannot see) is let through untouched, and the process is marked
 * TRACER_SHARED first: from then on the hot path asks, with one system call per
 * hooked call, whether its caller is the thread whose state it sees, and a caller
 * that is not (the child, on its parent thread's thread-local data) passes through
 * untraced, counted under the "raw clone" thread (thread_ctx_count_foreign). It
 * never writes into the parent's buffer or call stack. The mark is never taken off:
 * we do not see such a child end.
 *
 * Never on the hot path; nothing here waits for anything but fork()'s own handlers.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>

#include "arch.h"
#include "lifecycle/raw_clone.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"
#include "lifecycle/fork_child.h"
#include "lifecycle/shutdown.h"

pid_t _Fork(void);

/* A child may share our memory: the hot path checks its callers from now on. */
static void mark_shared(void)
{
	int on = TRACER_ON;

	/* The counters must exist before the first child can count into them. */
	thread_ctx_foreign_setup();
	/* Only from on: off stays off (stopped, or never started). */
	__atomic_compare_exchange_n(&tracer.active, &on, TRACER_SHARED, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_RELAXED);
}

/* The flags that make a child we cannot turn into a fork child. */
#define SHARES (CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_THREAD)

int raw_clone_syscall_decide(long nr, long a1, long a2, long a3, long a4, long a5)
{
	unsigned long flags, stack;

	(void)a3;
	(void)a4;
	(void)a5;
	if (!tracer_is_active())
		return 0;
	switch (nr) {
	case SYS_fork:
		return 1;
	case SYS_clone:
		flags = (unsigned long)a1;
		stack = (unsigned long)a2;
		break;
	case SYS_clone3: {
		struct clone_args args = { 0 };
		size_t n = (size_t)a2 < sizeof(args) ? (size_t)a2 : sizeof(args);

		/* The program's memory: a bad pointer is the kernel's EFAULT, not our fault. */
		if (!a1 || n < offsetof(struct clone_args, stack_size) + sizeof(args.stack_size) ||
		    impulse_safe_memcpy(&args, (const void *)a1, n) < 0) {
			mark_shared();
			return 0;
		}
		flags = args.flags;
		stack = args.stack;
		break;
	}
	default:	/* SYS_vfork */
		mark_shared();
		return 0;
	}
	/* A fork-like child on a stack of its own would return from syscall() through
	 * a frame the program built there: only the untouched call can do that. */
	if ((flags & SHARES) || stack) {
		mark_shared();
		return 0;
	}
	return 1;
}

long raw_clone_syscall_fork(long nr, long a1, long a2, long a3, long a4, long a5)
{
	long rc;
	int saved_errno;

	tracer_fork_prepare();
	rc = syscall(nr, a1, a2, a3, a4, a5);
	saved_errno = errno;
	if (rc == 0)
		tracer_fork_child();
	else
		tracer_fork_parent();
	errno = saved_errno;
	return rc;
}

pid_t raw_clone__Fork(void)
{
	pid_t pid;
	int saved_errno;

	if (!tracer_is_active())
		return _Fork();
	tracer_fork_prepare();
	pid = _Fork();
	saved_errno = errno;
	if (pid == 0)
		tracer_fork_child();
	else
		tracer_fork_parent();
	errno = saved_errno;
	return pid;
}

struct child_start {
	int (*fn)(void *);
	void *arg;
};

/*
 * The child's first code, on its own stack, before the program's function. When
 * that returns, glibc ends the thread (SYS_exit), which untraced ends the process:
 * our logger thread would keep it alive, so the records are written and the whole
 * process ends here, with the same status and, as untraced, no atexit handler run.
 */
static int child_start(void *p)
{
	struct child_start start = *(struct child_start *)p;
	int rc;

	tracer_fork_child();
	rc = start.fn(start.arg);
	tracer.exit_status = rc & 0xff;
	tracer_shutdown();
	_exit(rc);
}

int raw_clone_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	struct child_start start = { fn, arg };
	pid_t *parent_tid, *child_tid;
	void *tls;
	va_list ap;
	int rc, saved_errno;

	/* Read whether or not the caller passed them, as glibc's clone does: they are
	 * only used with the flags that say they were passed. */
	va_start(ap, arg);
	parent_tid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	child_tid = va_arg(ap, pid_t *);
	va_end(ap);
	if (!tracer_is_active() || !fn || !stack)
		return clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
	if (flags & SHARES) {
		mark_shared();
		return clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
	}
	/* The child reads start from its copy of this frame, taken at the clone. */
	tracer_fork_prepare();
	rc = clone(child_start, stack, flags, &start, parent_tid, tls, child_tid);
	saved_errno = errno;
	tracer_fork_parent();
	errno = saved_errno;
	return rc;
}
