/*
 * export.h — what `impulse export` (export.c) shares with its formats: one file per
 * format (export_chrome.c, export_otlp.c) behind struct export_format, and the JSON
 * helpers both use (export_json.c).
 *
 * A format is handed the records one at a time, in the order the reader reads them,
 * and writes as it goes: nothing is kept per record, so memory is bounded by the
 * number of processes and threads, never by the number of records. A format that
 * must know something only the end of a process tells (OTLP: the trace id and the
 * program, which the root record, written last, carries) asks for a first pass over
 * the same inputs (scan), in which it keeps only that per process.
 */
#ifndef IMPULSE_EXPORT_H
#define IMPULSE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "reader/reader.h"

struct export_format {
	const char *name;		/* as given to --format */
	/* the first pass, or NULL when the format needs none */
	int (*scan)(void **state, const struct record *rec);
	/* writes the document's head; *state as scan left it (NULL when no scan) */
	int (*begin)(void **state, FILE *out);
	int (*record)(void *state, FILE *out, const struct record *rec);
	/* writes the document's tail and frees the state */
	int (*end)(void *state, FILE *out);
};

extern const struct export_format export_chrome;
extern const struct export_format export_otlp;

/* ------------------------------------------------------------ export_json.c */

/* The JSON text between p and end, walked without building anything. */
struct ej_iter {
	const char *p, *end;
};

enum ej_type { EJ_BAD, EJ_NULL, EJ_FALSE, EJ_TRUE, EJ_INT, EJ_REAL, EJ_STRING, EJ_ARRAY,
	       EJ_OBJECT };

/* The type of the value raw holds (leading whitespace allowed). */
enum ej_type ej_type(const char *p, const char *end);

/* Past the value at p (after its leading whitespace), or NULL when it is not JSON. */
const char *ej_skip(const char *p, const char *end);

/* An iterator over the members of the object (or the items of the array) at raw. */
bool ej_open(struct ej_iter *it, const char *p, const char *end, char open);

/*
 * The next member of an object: key (the bytes between the quotes, escapes kept) and
 * the value's text. Returns false at the end (or on text that is not JSON).
 */
bool ej_next_member(struct ej_iter *it, struct record_raw *key, struct record_raw *value);

/* The next item of an array. */
bool ej_next_item(struct ej_iter *it, struct record_raw *value);

/* s as a JSON string ("…"; its escapes are JSON's already), or null when absent. */
void ej_put_str(FILE *out, const struct record_str *s);

/* The bytes text[0..len) as a JSON string, escaped. */
void ej_put_escaped(FILE *out, const char *text, size_t len);

/* v in decimal. */
void ej_put_int(FILE *out, int64_t v);

/* ns as microseconds with three decimals: 1234567 -> 1234.567 (sign kept). */
void ej_put_us(FILE *out, int64_t ns);

/* An RFC 3339 UTC time ("2026-11-24T02:29:09.918376Z") in ns since the epoch. */
bool ej_parse_rfc3339(const char *p, size_t len, int64_t *ns);

/*
 * A trace log's time: its "timestamp_ns" when it has one, else its RFC 3339
 * "timestamp"; false when it has neither.
 */
bool ej_log_time(const struct record_raw *log, int64_t *ns);

#endif
