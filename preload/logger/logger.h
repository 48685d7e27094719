/*
 * logger.h — the thread that turns events into records and writes them.
 */
#ifndef IMPULSE_LOGGER_H
#define IMPULSE_LOGGER_H

#include <stdbool.h>

#include "logger/sink.h"

struct render_world;

/*
 * Who fills in the facts records carry that the logger does not keep: the trace id
 * and the root's parent (lifecycle/lineage.c). fill is called each time a logger
 * starts, a fork child's included; before the first logger_start().
 */
void logger_set_lineage(void (*fill)(struct render_world *rw));

/* Starts the logger thread writing to sink (which it then owns). 0 or -errno. */
int logger_start(struct sink *sink);

/* Stops the thread, drains every ring, writes calls still running as "incomplete"
 * and the root record, and closes the sink. Idempotent. */
void logger_stop(void);

/*
 * Before a fork (pthread_atfork prepare): waits, up to about 100 ms, until the
 * logger thread sleeps between passes and keeps it there, so that the child
 * inherits its state at rest. True when held: call logger_release_after_fork()
 * in the parent.
 */
bool logger_hold_for_fork(void);
void logger_release_after_fork(void);

/* In a fork child (the only thread): forgets the parent's logger state without
 * writing anything of it, and starts a logger of the child's own, its file created
 * with its first record. 0 or -errno. */
int logger_start_in_fork_child(void);

/* Stops the thread and closes the sink without writing anything more (a fork
 * child that made no hooked call and execs: it leaves no file). */
void logger_abandon(void);
/* How long logger_stop_dying() waits for the logger, at most. */
#define LOGGER_DYING_WAIT_MS 2500

/*
 * The process is dying of a signal (crash.c, in a signal handler): asks the logger
 * thread to drain every ring and write the completed calls, the calls in flight
 * and the root as "crashed" with exception as their "exception" text (the root's
 * output null), and waits for it at most LOGGER_DYING_WAIT_MS. Async-signal-safe.
 * When the logger is stopping already (exit on another thread), waits for that.
 */
void logger_stop_dying(const char *exception);

/* Whether the calling thread is the logger thread. Async-signal-safe. */
bool logger_on_this_thread(void);

/* Blocks until everything committed before the call is written. 0 or -EIO/-ETIMEDOUT. */
int logger_flush(void);

/* How many times the logger thread has drained every ring so far; it only grows.
 * Once it has grown by 2, everything committed before it was read has been read. */
unsigned logger_drain_passes(void);

#endif
