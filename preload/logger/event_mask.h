/*
 * event_mask.h — redact_pattern for format = binary: a copy of an event with the
 * bytes the patterns would mask overwritten, so that no secret reaches the file
 * and `impulse cat`, which applies the same patterns when it renders, gives the
 * masks a format = json run writes (render/redact.h: redact_can_fill()).
 */
#ifndef IMPULSE_EVENT_MASK_H
#define IMPULSE_EVENT_MASK_H

#include <stdbool.h>

#include "render/feed.h"
#include "render/jsonw.h"

#pragma GCC visibility push(hidden)

/*
 * in's event copied into *copy with every string the renderer would pass through
 * redact_pattern filled (arguments, outputs, buffers, impulse_log text, the keys and
 * strings of a JSON note): the copy, or in->ev itself when nothing was filled; NULL
 * when out of memory (the caller must not write the event then). Logger thread only.
 */
const struct ev_head *evm_masked(const struct render_input *in, struct jbuf *copy);

#pragma GCC visibility pop

#endif
