/*
 * event_writer.h — what the renderer is fed, written as render/event_file.h lays
 * it out: the record file of format = binary (through the file sink, logger.c)
 * and IMPULSE_DEBUG_EVENTS's file (debug_events.c). One writer per process, on
 * the logger thread (the renderer's tap), never on the hot path; it formats no
 * record: `impulse cat` renders them from the file.
 */
#ifndef IMPULSE_EVENT_WRITER_H
#define IMPULSE_EVENT_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "render/feed.h"

#pragma GCC visibility push(hidden)

/* Where whole records go: 0, or an error (-errno, or a sink's code) after which
 * the writer writes nothing more; the caller of evw_flush() says it. flags: the
 * evw_flush() caller's, passed on (the sink's SINK_ROOT). */
typedef int (*evw_write_fn)(void *arg, const char *p, size_t len, unsigned flags);

/* Starts a stream: its head, then inputs as they come. rw is the world the
 * records are rendered with (kept). False when out of memory. */
bool evw_start(const struct render_world *rw, evw_write_fn write, void *arg);

bool evw_is_on(void);

/* The renderer's tap (feed.h): writes one input. */
void evw_tap(void *arg, const struct render_input *in);

/* The record of call id made while the last input was fed did not reach the output. */
void evw_unwritten(uint64_t id);

/* Ends the open chunk and hands what is buffered to the write function: 0, or
 * its error (the first one; the stream then ends). */
int evw_flush(unsigned flags);

/* The clock's calibration may have changed (clock_refine() ran): the next input
 * compares it with the one written. Between two calls, it is not read at all. */
void evw_clock_changed(void);

/* Flushes and ends the stream. */
int evw_stop(void);

/* In a fork child: forgets the parent's stream (its buffers may have been
 * mid-update: leaked), before the child's own starts. */
void evw_forget_in_child(void);

#pragma GCC visibility pop

#endif
