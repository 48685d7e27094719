/*
 * debug_events.h — a debugging aid: with IMPULSE_DEBUG_EVENTS=PATH in the
 * environment, everything the renderer is fed goes to PATH (created 0600,
 * O_EXCL|O_NOFOLLOW; "%p" in PATH is the pid), in render/event_file.h's layout,
 * and `impulse render-events PATH` renders the records again from it. Logger
 * thread only; nothing of it runs on the hot path.
 */
#ifndef IMPULSE_DEBUG_EVENTS_H
#define IMPULSE_DEBUG_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "render/feed.h"

#pragma GCC visibility push(hidden)

/* Opens the file when the variable asks for one; rw is the world the records are
 * rendered with (kept). True when open: then make debug_events_tap the renderer's tap. */
bool debug_events_open(pid_t pid, const struct render_world *rw);

/* The renderer's tap (feed.h): writes one input. */
void debug_events_tap(void *arg, const struct render_input *in);

/* The record of call id made while the last input was fed did not reach the output. */
void debug_events_unwritten(uint64_t id);

/* Writes what is buffered (the process may be about to die). */
void debug_events_flush(void);

void debug_events_close(void);

/* In a fork child: forgets the parent's file, before the child's own is opened. */
void debug_events_forget_in_child(void);

#pragma GCC visibility pop

#endif
