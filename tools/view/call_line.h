/*
 * call_line.h — one call as one line of text: what `impulse tree` and `impulse tail`
 * both show, so that the two commands print a call the same way.
 *
 *     open(path="/etc/hosts", flags=O_RDONLY) = 3
 *     open(path="/nope", flags=O_RDONLY) = -1  error: ENOENT: No such file or directory
 *
 * Arguments are the record's raw JSON object made compact (no whitespace outside
 * strings, top-level keys as key=value; strings stay JSON strings, escapes and all, so
 * a line never holds a control character), cut to a width with "…". Nothing here
 * allocates, prints or exits: the caller owns every buffer.
 */
#ifndef IMPULSE_CALL_LINE_H
#define IMPULSE_CALL_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

/* Widest argument list shown when the output is not a terminal (or is very wide). */
#define CALL_LINE_ARGS_MAX 100

/* Colour classes of a line, from its status. */
enum call_colour { CALL_PLAIN, CALL_RED, CALL_YELLOW };

/* "\033[31m" and friends; "" for CALL_PLAIN. */
const char *call_colour_start(enum call_colour c);
#define CALL_COLOUR_END "\033[0m"

/* Red for error, exception and crashed; yellow for unwound and incomplete. */
enum call_colour call_colour_of(enum record_status s);

/*
 * The duration ns in human units, in a field of 9 characters, right-aligned:
 * "   850 ns", " 12.34 us", "  4.56 ms", "  1.23 s ". Returns out.
 */
char *call_format_duration(int64_t ns, char *out, size_t size);

/*
 * name(args) = output  status: exception — for rec, into out (NUL-terminated,
 * truncated to size - 1 bytes at a character boundary). args_max bounds the argument
 * list (in bytes, cut with "…"). Returns the length written.
 */
size_t call_line_format(const struct record *rec, size_t args_max, char *out, size_t size);

/*
 * Compact JSON text of raw (len bytes) into out, at most max bytes of it (then "…"):
 * top_keys turns an object's top-level "key": into key= without the braces. Returns
 * the length written (out is NUL-terminated; size must be > max + 4).
 */
size_t call_compact_json(const char *raw, size_t len, int top_keys, size_t max, char *out,
			 size_t size);

/*
 * Calls fn(payload, len, data) for each entry of a record's raw trace_logs array, with
 * the raw JSON text of the entry's "payload". Returns how many entries there were.
 */
int call_each_trace_log(const struct record_raw *logs,
			void (*fn)(const char *payload, size_t len, void *data), void *data);

/* The status as its record text: "success", "error", … */
const char *call_status_name(const struct record *rec, char *buf, size_t size);

#endif
