/*
 * logger.h — the thread that turns events into records and writes them.
 */
#ifndef IMPULSE_LOGGER_H
#define IMPULSE_LOGGER_H

#include <stdbool.h>

#include "sink.h"

/* Starts the logger thread writing to sink (which it then owns). 0 or -errno. */
int logger_start(struct sink *sink);

/* Stops the thread, drains every ring, writes calls still running as "incomplete"
 * and the root record, and closes the sink. Idempotent. */
void logger_stop(void);

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

#endif
