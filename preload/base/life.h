/*
 * life.h — the process's lifecycle events, as the parts below the lifecycle
 * receive them.
 *
 * The lifecycle part (preload/lifecycle/) is the one that sees the process fork,
 * die of a signal and end; it raises each event here, and the parts that must act
 * on it register a receiver at their setup. So the lifecycle does not reach into
 * every part's internals for these moments, and no part calls back up into the
 * lifecycle. What the lifecycle simply asks of one part (start the logger, scan
 * the loaded objects) stays a plain call down, as the layout allows.
 *
 * The table is fixed and static: no malloc, no lock. Raising an event reads it
 * only, so it is as signal-safe and fork-safe as the receivers are; each event
 * below says what its receivers may do. Receivers are called in the order of
 * enum life_receiver, whatever the order they registered in: where order matters
 * it is written there, once.
 */
#ifndef IMPULSE_LIFE_H
#define IMPULSE_LIFE_H

#pragma GCC visibility push(hidden)

enum life_event {
	/* fork() and the raw clones made fork-like (lifecycle/fork_child.c and
	 * raw_clone.c), on the forking thread, tls_busy raised: before the system
	 * call; after it in the parent (also when it failed); in the child, as its
	 * only thread, when the child is to be traced as a process of its own (the
	 * tracer's pid and id are the child's already). In the child, receivers only
	 * reset or leak what the vanished threads may have held; they may allocate. */
	LIFE_FORK_PREPARE,
	LIFE_FORK_PARENT,
	LIFE_FORK_CHILD,
	/* A fatal signal, in its handler (lifecycle/crash.c), once per process,
	 * recording stopped: arg is the exception text (const char *). Receivers must
	 * be async-signal-safe and bounded in time. */
	LIFE_DYING,
	/* The orderly end (exit, quick_exit, _exit, exec: lifecycle/shutdown.c's
	 * tracer_shutdown), once, recording stopped, every signal blocked: write
	 * everything. */
	LIFE_SHUTDOWN,
	/* The end of a fork child that recorded nothing and execs (tracer_abandon):
	 * stop without writing anything. */
	LIFE_ABANDON,
	LIFE_NEVENTS
};

/*
 * Who receives, in the order every event reaches them. In a fork child the
 * interception's locks and the hot path's contexts are made the child's before the
 * logger starts afresh (it reads both as soon as it runs).
 */
enum life_receiver {
	LIFE_INTERCEPT,		/* intercept/interpose.c */
	LIFE_HOT,		/* hot/thread_ctx.c */
	LIFE_LOGGER,		/* logger/logger.c */
	LIFE_NRECEIVERS
};

/* A receiver: arg is the event's (NULL unless said above). 0, or -errno: the
 * first error stops the event there and is what life_raise() returns. */
typedef int (*life_fn)(const void *arg);

/* Makes fn receive event for who, replacing what who had registered for it. At
 * start-up, before the event can happen (while the process has one thread). */
void life_register(enum life_event event, enum life_receiver who, life_fn fn);

/* Calls event's receivers in order; 0, or the first one's -errno. */
int life_raise(enum life_event event, const void *arg);

#pragma GCC visibility pop

#endif
