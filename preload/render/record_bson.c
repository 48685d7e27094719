/*
 * record_bson.c — records as BSON documents, for the Mongo logger: the same shape
 * as the JSON lines (record.c's record_put through a BSON writer), with native
 * types: timestamps.start/end and trace_logs timestamps as UTC datetimes (start_ns
 * and end_ns keep the nanoseconds as int64), integers as int64 (unsigned values
 * above INT64_MAX as Decimal128), doubles as doubles (NaN and infinities too),
 * buffers that are not text as binary (subtype 0) under "binary", addresses as
 * "0x…" strings, metadata and impulse_log_json payloads as documents.
 *
 * One thread only. libbson is loaded by record_bson_enable(), never linked.
 */
#include <stdlib.h>
#include <string.h>

#include "render/record_bson.h"
#include "render/valw_bson.h"

int record_bson_enable(void)
{
	int err = valw_bson_load();

	if (!err)
		record_forms |= RECORD_BSON;
	return err;
}

int record_bson_render(struct jbuf *dst, void (*fn)(struct valw *w, const void *arg),
		       const void *arg)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);
	bson_t doc;
	int err;

	vwb_api.init(&doc);
	valw_bson_init(&b, &doc);
	fn(&w, arg);
	err = valw_bson_done(&b);
	if (!err)
		jb_put(dst, vwb_api.get_data(&doc), doc.len);
	vwb_api.destroy(&doc);
	return err;
}

/* The BSON document at data (at most n bytes): its length, or 0 when it is not one. */
static size_t doc_len(const uint8_t *data, size_t n)
{
	uint32_t len;

	if (n < 5)
		return 0;
	memcpy(&len, data, 4);	/* little-endian, as the machine */
	return len >= 5 && len <= n ? len : 0;
}

void record_bson_put_args(struct valw *w, const struct call *c)
{
	const struct jbuf *a = c->bson ? &c->bson->args : NULL;

	if (a && doc_len((const uint8_t *)a->p, a->len)) {
		vwb_document(w->b, (const uint8_t *)a->p, a->len);
	} else {
		vw_begin_object(w);
		vw_end_object(w);
	}
}

void record_bson_put_logs(struct valw *w, const struct call *c)
{
	const struct jbuf *l = c->bson ? &c->bson->logs : NULL;
	size_t pos = 0, n;

	/* The array is open: its elements only. */
	while (l && (n = doc_len((const uint8_t *)l->p + pos, l->len - pos)) != 0) {
		vwb_document(w->b, (const uint8_t *)l->p + pos, n);
		pos += n;
	}
}

void record_bson_put_children(struct valw *w, const struct render_world *rw, const struct call *c)
{
	const struct jbuf *k = c->bson ? &c->bson->children : NULL;
	size_t n = k ? k->len / sizeof(struct record_child_ref) : 0;

	/* The array is open: its elements only. */
	for (size_t i = 0; i < n; i++) {
		struct record_child_ref r;

		memcpy(&r, k->p + i * sizeof(r), sizeof(r));
		record_put_ref(w, rw, r.slot, r.session, r.id);
	}
}

int record_bson(bson_t *doc, const struct render_world *rw, struct call *c,
		const struct record_end *end)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);

	valw_bson_init(&b, doc);
	record_put(&w, rw, c, end);
	return valw_bson_done(&b);
}
