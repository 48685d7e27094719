/*
 * fmtscan.h — walks a printf-style format, conversion by conversion.
 *
 * Used twice on the same bytes: on the hot path, over the captured copy of the
 * format, to fetch each variadic argument with the right register class; and by
 * the renderer, over that same copy, to show each value (render/fmt_value.h). So it must stay hot-path
 * safe: no allocation, no locale, no libc call, bounded by len.
 */
#ifndef IMPULSE_FMTSCAN_H
#define IMPULSE_FMTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#pragma GCC visibility push(hidden)

/* What one conversion consumes from the variadic arguments. */
enum fmt_arg {
	FA_STAR,	/* an int for a '*' width or precision: consumed, not shown */
	FA_INT,		/* %d %i %u %x %X %o %c and their length modifiers: INTEGER class */
	FA_DOUBLE,	/* %f %F %e %E %g %G %a %A: SSE class */
	FA_LONG_DOUBLE,	/* %Lf etc.: 16 bytes on the stack, shown as unsupported */
	FA_STRING,	/* %s: a pointer to text (precision bounds it) */
	FA_POINTER,	/* %p: shown as an address */
	FA_COUNT,	/* %n (any length): a pointer consumed, never dereferenced nor shown */
	FA_WIDE,	/* %ls %lc %C %S: consumed, shown as the raw value */
};

struct fmt_conv {
	uint8_t arg;		/* enum fmt_arg */
	uint8_t size;		/* FA_INT: bytes of the converted type (1, 2, 4, 8; 1 for %c);
				 * FA_WIDE: 4 for %lc/%C (a wint_t), 8 for %ls/%S (a pointer) */
	bool is_signed;		/* FA_INT: d and i */
	char spec;		/* the conversion letter ('d', 'x', 'c', 's', '*', …) */
	int32_t precision;	/* FA_STRING: ".N" bytes, -1 when none, -2 when given by '*' */
};

/*
 * The next argument-consuming conversion of fmt[0..len) at or after *pos. Returns
 * false at the end (or at an incomplete conversion); "%%" and unknown letters
 * consume nothing. A '*' width and a '*' precision come out as FA_STAR entries
 * before their conversion. *pos must be 0 for the first call and, after that,
 * what the previous call left there: it is the only state kept between calls.
 * A positional conversion ("%1$d") ends the walk: its arguments cannot be fetched
 * in order. A NUL before len ends the format, as it ends printf's.
 */
bool fmt_next(const char *fmt, size_t len, size_t *pos, struct fmt_conv *conv);

#pragma GCC visibility pop

#endif
