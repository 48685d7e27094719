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

/*
 * Starts the logger thread writing to sink (which it then owns). 0 or -errno.
 *
 * It also registers the logger for the lifecycle events (base/life.h), which
 * reach it only that way:
 *  - LIFE_FORK_PREPARE: waits, up to about 100 ms, until the logger thread sleeps
 *    between passes and keeps it there, so that the child inherits its state at
 *    rest; LIFE_FORK_PARENT lets it go;
 *  - LIFE_FORK_CHILD (the only thread): forgets the parent's logger state without
 *    writing anything of it, and starts a logger of the child's own, its file
 *    created with its first record;
 *  - LIFE_DYING (in a signal handler, async-signal-safe): asks the logger thread to
 *    drain every ring and write the completed calls, the calls in flight and the
 *    root as "crashed" with the exception text (the root's output null), and waits
 *    for it at most LOGGER_DYING_WAIT_MS; when the logger is stopping already (exit
 *    on another thread), waits for that;
 *  - LIFE_SHUTDOWN: stops the thread, drains every ring, writes calls still running
 *    as "incomplete" and the root record, and closes the sink. Idempotent;
 *  - LIFE_ABANDON: stops the thread and closes the sink without writing anything
 *    more (a fork child that made no hooked call and execs: it leaves no file).
 */
int logger_start(struct sink *sink);

/* How long the logger waits for itself at LIFE_DYING, at most. */
#define LOGGER_DYING_WAIT_MS 2500

/*
 * After logger_start(): true when the program's exit must stop the logger from an
 * atexit handler registered now, before other atexit handlers run (logger = mongo
 * or both: libcrypto's, registered when the driver loaded, would tear down its
 * locks under the logger). lifecycle/exits.c registers it.
 */
bool logger_needs_exit_handler(void);

/* Whether the calling thread is the logger thread. Async-signal-safe. */
bool logger_on_this_thread(void);

/* Blocks until everything committed before the call is written. 0 or -EIO/-ETIMEDOUT. */
int logger_flush(void);

#endif
