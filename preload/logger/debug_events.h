/*
 * debug_events.h — a debugging aid: with IMPULSE_DEBUG_EVENTS=PATH in the
 * environment, everything the renderer is fed goes to PATH (created 0600,
 * O_EXCL|O_NOFOLLOW; "%p" in PATH is the pid) through event_writer.h, and
 * `impulse render-events PATH` renders the records again from it. Not with
 * format = binary, whose record file is that stream already. Logger thread only.
 */
#ifndef IMPULSE_DEBUG_EVENTS_H
#define IMPULSE_DEBUG_EVENTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "render/feed.h"

#pragma GCC visibility push(hidden)

/* Opens the file when the variable asks for one and starts event_writer.h's stream
 * to it; rw is the world the records are rendered with (kept). True when open:
 * then make evw_tap the renderer's tap. */
bool debug_events_open(pid_t pid, const struct render_world *rw);

/* Ends the stream and closes the file. */
void debug_events_close(void);

/* In a fork child: forgets the parent's file, before the child's own is opened. */
void debug_events_forget_in_child(void);

#pragma GCC visibility pop

#endif
