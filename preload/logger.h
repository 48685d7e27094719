/*
 * logger.h — the thread that turns events into records and writes them.
 */
#ifndef IMPULSE_LOGGER_H
#define IMPULSE_LOGGER_H

#include "sink.h"

/* Starts the logger thread writing to sink (which it then owns). 0 or -errno. */
int logger_start(struct sink *sink);

/* Stops the thread, drains every ring, writes calls still running as "incomplete"
 * and the root record, and closes the sink. Idempotent. */
void logger_stop(void);

/* Blocks until everything committed before the call is written. 0 or -EIO/-ETIMEDOUT. */
int logger_flush(void);

/* How many times the logger thread has drained every ring so far; it only grows.
 * Once it has grown by 2, everything committed before it was read has been read. */
unsigned logger_drain_passes(void);

#endif
