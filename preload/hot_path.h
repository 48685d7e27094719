/*
 * hot_path.h — what the rest of libimpulse may ask of the frame stack that the
 * hot path (hot_path.c) keeps; the trampoline calls the enter/exit functions.
 */
#ifndef IMPULSE_HOT_PATH_H
#define IMPULSE_HOT_PATH_H

#include <stdint.h>

#include "thread_ctx.h"

#pragma GCC visibility push(hidden)

/*
 * Pops, each with an EV_UNWIND, the frames of ctx below sp on the same stack: the
 * program left them without returning through us (longjmp). The frame whose entry
 * sp is sp itself stays.
 */
void hot_path_drop_below(struct thread_ctx *ctx, uintptr_t sp);

#pragma GCC visibility pop

#endif
