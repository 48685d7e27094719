/*
 * debug_events.c — IMPULSE_DEBUG_EVENTS (debug_events.h): event_writer.h's stream
 * to a file of its own, beside whatever the logger writes, so that `impulse
 * render-events` can render the same records outside the process.
 *
 * The file is opened, written and closed on the fd thread, out of the program's
 * descriptor table, like IMPULSE_DEBUG_BSON_FILE's. Errors are said once and end
 * the file; they never reach the program.
 */
#include <stddef.h>

#include "logger/debug_events.h"
#include "logger/debug_file.h"
#include "logger/event_writer.h"

static struct debug_file file = { "IMPULSE_DEBUG_EVENTS", -1 };

static int write_out(void *arg, const char *p, size_t len, unsigned flags)
{
	(void)arg;
	(void)flags;
	return debug_file_write(&file, p, len);
}

bool debug_events_open(pid_t pid, const struct render_world *rw)
{
	if (debug_file_open(&file, "IMPULSE_DEBUG_EVENTS", pid))
		return false;
	return evw_start(rw, write_out, NULL);
}

void debug_events_forget_in_child(void)
{
	debug_file_forget(&file);
}

void debug_events_close(void)
{
	evw_stop();
	debug_file_close(&file);
}
