/*
 * display.h — how one scalar value appears in a record: numbers, booleans, floats,
 * addresses, and the [hex] [oct] [char] [enum=…] [flags=…] forms. Logger side only.
 */
#ifndef IMPULSE_DISPLAY_H
#define IMPULSE_DISPLAY_H

#include <stdint.h>

#include "config.h"
#include "render/valw.h"

#pragma GCC visibility push(hidden)

/*
 * Writes the value of a scalar of type t whose raw bits are raw (a register's
 * 64 bits, or the bytes loaded zero-extended; only t->size bytes count). Structs and
 * arrays are not scalars: null.
 */
void display_put(struct valw *w, const struct cfg_type *t, uint64_t raw);

/* {"unsupported": what}: a value libimpulse does not decode ("long double"). */
void display_unsupported(struct valw *w, const char *what);

#pragma GCC visibility pop

#endif
