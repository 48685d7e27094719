/*
 * valw_bson.h — the value writer's BSON back end, on libbson.
 *
 * libimpulse does not link libbson: valw_bson_load() opens libbson-1.0.so.0 with
 * dlopen and fills a table of its functions (vwb_api), the first time a BSON
 * document is wanted, so that a user of the file logger pays nothing at start-up.
 * Only the headers of libbson are used at build time (Debian libbson-dev). Every
 * libbson call of libimpulse goes through vwb_api; the link (--no-undefined)
 * checks that.
 *
 * Logger thread only.
 */
#ifndef IMPULSE_VALW_BSON_H
#define IMPULSE_VALW_BSON_H

#include <bson/bson.h>

#include "render/valw.h"

#pragma GCC visibility push(hidden)

/* The libbson functions libimpulse uses, with the types of their declarations. */
struct vwb_api {
	__typeof__(bson_init) *init;
	__typeof__(bson_destroy) *destroy;
	__typeof__(bson_reinit) *reinit;
	__typeof__(bson_init_static) *init_static;
	__typeof__(bson_get_data) *get_data;
	__typeof__(bson_init_from_json) *init_from_json;
	__typeof__(bson_iter_init_find) *iter_init_find;
	__typeof__(bson_append_iter) *append_iter;
	__typeof__(bson_append_document_begin) *append_document_begin;
	__typeof__(bson_append_document_end) *append_document_end;
	__typeof__(bson_append_array_begin) *append_array_begin;
	__typeof__(bson_append_array_end) *append_array_end;
	__typeof__(bson_append_document) *append_document;
	__typeof__(bson_append_null) *append_null;
	__typeof__(bson_append_bool) *append_bool;
	__typeof__(bson_append_int64) *append_int64;
	__typeof__(bson_append_double) *append_double;
	__typeof__(bson_append_utf8) *append_utf8;
	__typeof__(bson_append_date_time) *append_date_time;
	__typeof__(bson_append_binary) *append_binary;
	__typeof__(bson_append_decimal128) *append_decimal128;
	__typeof__(bson_decimal128_from_string) *decimal128_from_string;
};

/* Filled by valw_bson_load(); read-only after. */
extern struct vwb_api vwb_api;

/*
 * Loads libbson (once; later calls return the first answer). 0, or -ENOENT when
 * libbson-1.0.so.0 cannot be opened or lacks a function (the message names the
 * library and the Debian package, printed once).
 */
int valw_bson_load(void);

/* Containers open at once; deeper ones are written as null (counted in skipped). */
#define VWB_MAX_DEPTH 48

/*
 * A BSON document under construction. The first vw_begin_object() opens root
 * itself (an initialized, empty bson_t of the caller's); its matching
 * vw_end_object() completes it. Large and 128-byte aligned (bson_t): keep it on
 * the stack or in static storage, not in malloc'ed memory.
 */
struct valw_bson {
	bson_t child[VWB_MAX_DEPTH];	/* child[i]: container i for i >= 1; [0] unused */
	bson_t *root;			/* container 0; the caller's */
	unsigned depth;			/* containers open */
	unsigned skipped;		/* containers opened past VWB_MAX_DEPTH, not closed yet */
	bool failed;			/* an append failed or a value had no place: the
					 * document misses something */
	bool is_array[VWB_MAX_DEPTH];
	uint32_t index[VWB_MAX_DEPTH];	/* next element's number, arrays */
	const char *key;		/* the pending member's key; the caller's */
	size_t key_len;
	char index_key[12];		/* an array element's key: its number */
	struct jbuf scratch;		/* strings with invalid UTF-8, wrapped JSON; owned */
};

/* Sets b up to write into root (an initialized empty document). libbson must be loaded. */
void valw_bson_init(struct valw_bson *b, bson_t *root);

/* Frees what b holds (not root). 0, or -EIO when the document is incomplete. */
int valw_bson_done(struct valw_bson *b);

/* The document data[0..n) (BSON bytes, e.g. rendered earlier by another writer)
 * as the next value. */
void vwb_document(struct valw_bson *b, const uint8_t *data, size_t n);

static inline struct valw valw_bson(struct valw_bson *b)
{
	return (struct valw){ .kind = VALW_BSON, .b = b };
}

#pragma GCC visibility pop

#endif
