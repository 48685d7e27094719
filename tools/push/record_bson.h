/*
 * record_bson.h — a record file's line as the Mongo logger's document (record_bson.c).
 *
 * A header of its own rather than base/tool.h: it brings libbson's, which only the files
 * that talk to MongoDB are compiled with.
 */
#ifndef IMPULSE_RECORD_BSON_H
#define IMPULSE_RECORD_BSON_H

#include <stddef.h>

#include <bson/bson.h>

/*
 * line[0..len) (one JSON object, without its newline) as the document to insert:
 * the record with payload.timestamps.start and .end as BSON dates (from start_ns
 * and end_ns, floor to the millisecond, else from the RFC 3339 text; null stays
 * null). Returns a document owned by the caller (bson_destroy()), or NULL with why
 * saying what is wrong: not one JSON object, invalid JSON (libbson's message), no
 * payload.call_id string, an unreadable time, out of memory.
 */
bson_t *record_bson_from_json(const char *line, size_t len, char *why, size_t whysize);

#endif
