/*
 * record_bson.h — one record as a BSON document (record_bson.c), for the Mongo
 * logger. Includes libbson's header: not for files that must not see it.
 */
#ifndef IMPULSE_RECORD_BSON_H
#define IMPULSE_RECORD_BSON_H

#include <bson/bson.h>

#include "render/record.h"

#pragma GCC visibility push(hidden)

/*
 * Builds c's whole record into doc (initialized and empty, e.g. with
 * vwb_api.init): the fields of the JSON record, with BSON types (see
 * record_bson.c). record_bson_enable() must have succeeded before the call's
 * parts were kept. 0, or -EIO when the document misses something (libbson's
 * 2 GiB limit, no memory). Values nested deeper than VWB_MAX_DEPTH are written as
 * null, which is not an error.
 */
int record_bson(bson_t *doc, const struct render_world *rw, struct call *c,
		const struct record_end *end);

#pragma GCC visibility pop

#endif
