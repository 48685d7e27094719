/*
 * decode.h — the logger's half of capture: replays a hook's capture plan over a
 * call's events and writes the record's "arguments" and "output" values.
 */
#ifndef IMPULSE_DECODE_H
#define IMPULSE_DECODE_H

#include <stdbool.h>

#include "hooks/event.h"
#include "hooks/hooks.h"
#include "render/valw.h"

#pragma GCC visibility push(hidden)

/*
 * The "arguments" object from the call's entry event. Parameters captured after the
 * call ([out], len=return, an [out] vararg) come from exit when given; without it
 * (a call that never returned) they show the pointer as it was passed.
 */
void decode_args(struct valw *w, const struct hook *h, const struct ev_enter *enter,
		 const struct ev_exit *exit);

/* The "output" value from the call's exit event (null without a prototype). */
void decode_output(struct valw *w, const struct hook *h, const struct ev_exit *exit);

/* True when decode_args needs the exit event: keep the entry event until then. */
static inline bool decode_needs_exit(const struct hook *h)
{
	return h->exit_args;
}

#pragma GCC visibility pop

#endif
