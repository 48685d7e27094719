/*
 * hot_path.h — what the rest of libimpulse may ask of the frame stack that the
 * hot path (hot_path.c) keeps; the trampoline calls the enter/exit functions.
 */
#ifndef IMPULSE_HOT_PATH_H
#define IMPULSE_HOT_PATH_H

#include <stdint.h>

#include "hot/thread_ctx.h"

#pragma GCC visibility push(hidden)

/*
 * Pops, each with an EV_UNWIND, the frames of ctx below sp on the same stack: the
 * program left them without returning through us (longjmp). The frame whose entry
 * sp is sp itself stays.
 */
void hot_path_drop_below(struct thread_ctx *ctx, uintptr_t sp);

/*
 * The calling thread leaves for good (main returned; exit, _exit, _Exit or
 * quick_exit called) with its stack pointer at sp (for a call: the address of its
 * return address): closes with EV_UNWIND the frames at or below sp on its stack,
 * which nothing can return to any more. Frames above sp (a hooked call that is
 * itself calling exit) stay open and end "incomplete".
 */
void hot_path_leave(uintptr_t sp);

/* A wrapper's own entry stack pointer, as the hot path names frames: the address
 * of its return address (just above the frame pointer the builtin forces). */
#define HOT_PATH_CALLER_SP() ((uintptr_t)__builtin_frame_address(0) + sizeof(void *))

#pragma GCC visibility pop

#endif
