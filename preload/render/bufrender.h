/*
 * bufrender.h — how a captured byte buffer appears in a record: text when it is
 * printable UTF-8, otherwise base64 or hex (the "binary" setting), with the full
 * length and a truncation mark when only part of it was copied. Logger side only.
 */
#ifndef IMPULSE_BUFRENDER_H
#define IMPULSE_BUFRENDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "render/jsonw.h"
#include "render/valw.h"

#pragma GCC visibility push(hidden)

/* data[0..n) are the copied bytes of a buffer of full bytes (n <= full). */
void bufrender_put(struct valw *w, const void *data, size_t n, uint64_t full,
		   enum cfg_binary mode);

/* Appends the base64 encoding (RFC 4648, padded) of data[0..n), unquoted. */
void bufrender_base64(struct jbuf *b, const void *data, size_t n);

#pragma GCC visibility pop

#endif
