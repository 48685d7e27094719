/*
 * capture.h — copies what a hook's capture plan names from a call into its events.
 * Hot path: see capture.c for what it must never do.
 */
#ifndef IMPULSE_CAPTURE_H
#define IMPULSE_CAPTURE_H

#include <stdint.h>

#include "arch.h"
#include "hooks/event.h"
#include "hooks/hooks.h"

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

/*
 * A string whose copy faulted (it may run from readable memory into an unreadable
 * page before its NUL): copies it page by page, up to max bytes, to dst. Returns
 * the bytes copied before a page that cannot be read, or -1 when the first cannot
 * be; *nul is set when a NUL was found after all (the memory changed meanwhile).
 * Only on the fault path: a loop of our own, no libc call.
 */
static inline long capture_string_before_fault(uint8_t *dst, uint64_t s, size_t max, int *nul)
{
	size_t got = 0;

	*nul = 0;
	while (got < max) {
		uint64_t at = s + got;
		size_t chunk = 4096 - (at & 4095);

		if (chunk > max - got)
			chunk = max - got;
		if (impulse_safe_memcpy(dst + got, (const void *)at, chunk) < 0)
			break;
		for (size_t i = 0; i < chunk; i++)
			if (!dst[got + i]) {
				*nul = 1;
				return (long)(got + i);
			}
		got += chunk;
	}
	return got ? (long)got : -1;
}

#pragma GCC visibility pop

#endif
