/*
 * capture.h — copies what a hook's capture plan names from a call into its events.
 * Hot path: see capture.c for what it must never do.
 */
#ifndef IMPULSE_CAPTURE_H
#define IMPULSE_CAPTURE_H

#include <stdint.h>

#include "arch.h"
#include "event.h"
#include "hooks.h"

#pragma GCC visibility push(hidden)

/*
 * Writes the entry blobs of a call of h (h->enter_blobs) from p, never past end;
 * args are the event's raw argument values. Returns where the blobs end.
 */
uint8_t *cap_enter(const struct hook *h, const struct arch_frame *f, const uint64_t *args,
		   uint8_t *p, uint8_t *end);

/*
 * Fills the exit part of ev (h->exit_blobs; ev->ret already set): the re-read
 * argument values when h->exit_args, then the exit blobs, never past end. Returns
 * where the event ends.
 */
uint8_t *cap_exit(const struct hook *h, const struct arch_frame *f, struct ev_exit *ev, uint8_t *end);

#pragma GCC visibility pop

#endif
