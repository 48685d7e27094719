/*
 * init.h — start-up and the ends of the tracer, and what fork() runs around its
 * system call; see init.c.
 */
#ifndef IMPULSE_INIT_H
#define IMPULSE_INIT_H

#pragma GCC visibility push(hidden)

/* Stops recording, drains everything and writes the root record. Idempotent. */
void tracer_shutdown(void);

/* Stops recording and the logger without writing anything more (a fork child that
 * recorded nothing and execs: it leaves no file). */
void tracer_abandon(void);

/*
 * What fork() runs around the system call (pthread_atfork handlers, init.c), and
 * what libimpulse's wrappers of raw clones and _Fork run around theirs
 * (raw_clone.c), as the LIFE_FORK_* events (base/life.h): prepare holds the logger
 * at rest; child makes the child a tracer of its own (fork_child.c); parent lets
 * the logger go. They may change errno: callers that return to the program keep
 * the system call's.
 */
void tracer_fork_prepare(void);
void tracer_fork_parent(void);
void tracer_fork_child(void);

#pragma GCC visibility pop

#endif
