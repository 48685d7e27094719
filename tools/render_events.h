/*
 * render_events.h — `impulse render-events FILE` (render_events.c): the records
 * rendered again from an IMPULSE_DEBUG_EVENTS file, with libimpulse's renderer.
 */
#ifndef IMPULSE_TOOL_RENDER_EVENTS_H
#define IMPULSE_TOOL_RENDER_EVENTS_H

int cmd_render_events(int argc, char **argv);

#endif
