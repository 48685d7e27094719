/*
 * shutdown.h — the orderly ends of the tracer; see shutdown.c.
 */
#ifndef IMPULSE_SHUTDOWN_H
#define IMPULSE_SHUTDOWN_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/* Stops recording, drains everything and writes the root record (LIFE_SHUTDOWN).
 * Idempotent; nothing in a vfork child or when tracing never started. */
void tracer_shutdown(void);

/* Stops recording and the logger without writing anything more (LIFE_ABANDON: a
 * fork child that recorded nothing and execs: it leaves no file). */
void tracer_abandon(void);

/* Whether an end has begun (then recording has stopped, or never started). */
bool shutdown_has_started(void);

/* In a fork child that is not to be traced: recording off, no logger to wait
 * for, and no end will write anything. */
void shutdown_stay_off(void);

#pragma GCC visibility pop

#endif
