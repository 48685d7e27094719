/*
 * fork_child.h — fork()'s handlers, and a forked child as a tracer of its own (a
 * new "module").
 */
#ifndef IMPULSE_FORK_CHILD_H
#define IMPULSE_FORK_CHILD_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/*
 * What fork() runs around the system call (pthread_atfork handlers, registered by
 * init.c), and what libimpulse's wrappers of raw clones and _Fork run around
 * theirs (raw_clone.c), as the LIFE_FORK_* events (base/life.h): prepare holds the
 * logger at rest; child makes the child a tracer of its own (below); parent lets
 * the logger go. They may change errno: callers that return to the program keep
 * the system call's.
 */
void tracer_fork_prepare(void);
void tracer_fork_parent(void);
void tracer_fork_child(void);

/*
 * From the pthread_atfork child handler (the child's only thread): a new tracer
 * id, pid and start time; the root's parent the call in which the parent forked;
 * then the LIFE_FORK_CHILD event (base/life.h): the parent's locks, threads,
 * buffers and logger state forgotten, and a new logger thread writing to the
 * child's own file. 0, or -errno (the child then runs untraced: the caller turns
 * tracing off).
 */
int fork_child_restart(void);

/* True in a fork child that has recorded nothing yet (no hooked call, no note):
 * an exec then leaves no file for it, and the new image links to the fork call. */
bool fork_child_is_untouched(void);

#pragma GCC visibility pop

#endif
