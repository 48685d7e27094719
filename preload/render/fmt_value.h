/*
 * fmt_value.h — showing the values a printf-style format's conversions fetched
 * (hooks/fmtscan.h walks the format). Renderer side: never on the hot path.
 */
#ifndef IMPULSE_FMT_VALUE_H
#define IMPULSE_FMT_VALUE_H

#include <stdint.h>

#include "hooks/fmtscan.h"

#pragma GCC visibility push(hidden)

struct valw;

/*
 * Shows a non-string value of conv as the record does: a number, "A" for %c,
 * "0x…" or null for %p, {"unsupported":"long double"}; null for %n.
 */
void fmt_put_value(struct valw *w, const struct fmt_conv *conv, uint64_t raw);

/* A character as a string (shown here as JSON): "A", "\"", "\\"; "\\n", "\\t", "\\r" and
 * "\\x01" (the escape is part of the value) for the rest. */
void fmt_put_char(struct valw *w, unsigned char c);

#pragma GCC visibility pop

#endif
