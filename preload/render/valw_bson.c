/*
 * valw_bson.c — the value writer's BSON back end: libbson, opened with dlopen at
 * first use; see valw_bson.h.
 *
 * Logger thread only (the logger is busy for its whole life, so libbson's own
 * malloc or write calls are never recorded). Never aborts: a failed append marks
 * the document failed and the writer carries on, keeping its containers balanced.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "render/valw_bson.h"

#define LIBBSON "libbson-1.0.so.0"

struct vwb_api vwb_api;

/* valw.h's redaction hook; here because every user of valw.h links this file. */
const char *(*valw_redact)(const char *s, size_t n, bool cut, size_t *out_n, char **owned);

static const struct {
	const char *name;
	size_t offset;
} functions[] = {
#define FN(field, sym) { #sym, offsetof(struct vwb_api, field) }
	FN(init, bson_init),
	FN(destroy, bson_destroy),
	FN(reinit, bson_reinit),
	FN(init_static, bson_init_static),
	FN(get_data, bson_get_data),
	FN(init_from_json, bson_init_from_json),
	FN(iter_init_find, bson_iter_init_find),
	FN(append_iter, bson_append_iter),
	FN(append_document_begin, bson_append_document_begin),
	FN(append_document_end, bson_append_document_end),
	FN(append_array_begin, bson_append_array_begin),
	FN(append_array_end, bson_append_array_end),
	FN(append_document, bson_append_document),
	FN(append_null, bson_append_null),
	FN(append_bool, bson_append_bool),
	FN(append_int64, bson_append_int64),
	FN(append_double, bson_append_double),
	FN(append_utf8, bson_append_utf8),
	FN(append_date_time, bson_append_date_time),
	FN(append_binary, bson_append_binary),
	FN(append_decimal128, bson_append_decimal128),
	FN(decimal128_from_string, bson_decimal128_from_string),
#undef FN
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result;

static void load(void)
{
	struct vwb_api api;
	void *h = dlopen(LIBBSON, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		diag_error("cannot load %s (Debian package libbson-1.0-0): %s", LIBBSON, dlerror());
		load_result = -ENOENT;
		return;
	}
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		void *f = dlsym(h, functions[i].name);

		if (!f) {
			diag_error("%s has no %s: a libbson older than 1.17?", LIBBSON, functions[i].name);
			dlclose(h);
			load_result = -ENOENT;
			return;
		}
		memcpy((char *)&api + functions[i].offset, &f, sizeof(f));
	}
	vwb_api = api;	/* the handle stays open for the process's life */
}

int valw_bson_load(void)
{
	pthread_once(&load_once, load);
	return load_result;
}

void valw_bson_init(struct valw_bson *b, bson_t *root)
{
	b->root = root;
	b->depth = 0;
	b->skipped = 0;
	b->failed = false;
	b->key = NULL;
	b->key_len = 0;
	b->scratch = (struct jbuf){ 0 };
}

int valw_bson_done(struct valw_bson *b)
{
	/* Containers left open (a renderer's bug): close them so root is whole. */
	while (b->depth > 1)
		vwb_end(b);
	jb_free(&b->scratch);
	return b->failed || b->depth || b->skipped ? -EIO : 0;
}

static bson_t *container(struct valw_bson *b, unsigned i)
{
	return i ? &b->child[i] : b->root;
}

/* The parent and key of the next value; false when it has no place (it is dropped). */
static bool place(struct valw_bson *b, bson_t **parent, const char **key, int *key_len)
{
	unsigned top;

	if (b->skipped)
		return false;
	if (!b->depth) {
		b->failed = true;	/* a value outside any document */
		return false;
	}
	top = b->depth - 1;
	*parent = container(b, top);
	if (b->is_array[top]) {
		int n = snprintf(b->index_key, sizeof(b->index_key), "%u", b->index[top]++);

		*key = b->index_key;
		*key_len = n;
		return true;
	}
	if (!b->key) {
		b->failed = true;	/* a member without a key */
		return false;
	}
	*key = b->key;
	*key_len = (int)b->key_len;
	b->key = NULL;
	return true;
}

static void check(struct valw_bson *b, bool ok)
{
	if (!ok)
		b->failed = true;
}

void vwb_key(struct valw_bson *b, const char *k, size_t n)
{
	b->key = k;
	b->key_len = n;
}

void vwb_begin(struct valw_bson *b, bool array)
{
	bson_t *parent;
	const char *key;
	int key_len;

	if (!b->depth && !b->skipped) {
		/* The document itself. */
		b->depth = 1;
		b->is_array[0] = array;
		b->index[0] = 0;
		return;
	}
	if (b->depth >= VWB_MAX_DEPTH && !b->skipped) {
		/* Too deep: a null in its place, and nothing inside it. */
		vwb_null(b);
		b->skipped = 1;
		return;
	}
	if (b->skipped) {
		b->skipped++;
		return;
	}
	if (!place(b, &parent, &key, &key_len)) {
		b->skipped = 1;	/* keep begin/end balanced: its contents go nowhere */
		return;
	}
	if (array)
		check(b, vwb_api.append_array_begin(parent, key, key_len, &b->child[b->depth]));
	else
		check(b, vwb_api.append_document_begin(parent, key, key_len, &b->child[b->depth]));
	b->is_array[b->depth] = array;
	b->index[b->depth] = 0;
	b->depth++;
}

void vwb_end(struct valw_bson *b)
{
	unsigned top;

	if (b->skipped) {
		b->skipped--;
		return;
	}
	if (!b->depth) {
		b->failed = true;
		return;
	}
	top = --b->depth;
	if (!top)
		return;	/* root is complete */
	if (b->is_array[top])
		check(b, vwb_api.append_array_end(container(b, top - 1), &b->child[top]));
	else
		check(b, vwb_api.append_document_end(container(b, top - 1), &b->child[top]));
}

void vwb_null(struct valw_bson *b)
{
	bson_t *p;
	const char *k;
	int n;

	if (place(b, &p, &k, &n))
		check(b, vwb_api.append_null(p, k, n));
}

void vwb_bool(struct valw_bson *b, bool v)
{
	bson_t *p;
	const char *k;
	int n;

	if (place(b, &p, &k, &n))
		check(b, vwb_api.append_bool(p, k, n, v));
}

void vwb_i64(struct valw_bson *b, int64_t v)
{
	bson_t *p;
	const char *k;
	int n;

	if (place(b, &p, &k, &n))
		check(b, vwb_api.append_int64(p, k, n, v));
}

void vwb_u64(struct valw_bson *b, uint64_t v)
{
	bson_t *p;
	const char *k;
	int n;
	bson_decimal128_t dec;
	char text[24];

	if (v <= INT64_MAX) {
		vwb_i64(b, (int64_t)v);
		return;
	}
	if (!place(b, &p, &k, &n))
		return;
	/* No unsigned type in BSON: a Decimal128 holds the exact value and compares
	 * as a number with int64 and double in MongoDB queries. */
	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	if (vwb_api.decimal128_from_string(text, &dec))
		check(b, vwb_api.append_decimal128(p, k, n, &dec));
	else
		check(b, vwb_api.append_utf8(p, k, n, text, (int)strlen(text)));
}

void vwb_double(struct valw_bson *b, double v)
{
	bson_t *p;
	const char *k;
	int n;

	if (place(b, &p, &k, &n))
		check(b, vwb_api.append_double(p, k, n, v));
}

void vwb_string(struct valw_bson *b, const char *s, size_t len)
{
	bson_t *p;
	const char *k;
	int n;

	if (!place(b, &p, &k, &n))
		return;
	if (utf8_valid_prefix(s, len) != len) {
		b->scratch.len = 0;
		jb_utf8_repair(&b->scratch, s, len);
		s = b->scratch.p;
		len = b->scratch.len;
		if (jb_failed(&b->scratch) || !s) {
			b->failed = true;
			s = "";
			len = 0;
		}
	}
	if (len > INT32_MAX - 64) {
		b->failed = true;
		len = 0;
	}
	check(b, vwb_api.append_utf8(p, k, n, s, (int)len));
}

void vwb_date(struct valw_bson *b, uint64_t ns)
{
	bson_t *p;
	const char *k;
	int n;

	if (place(b, &p, &k, &n))
		check(b, vwb_api.append_date_time(p, k, n, (int64_t)(ns / 1000000u)));
}

void vwb_binary(struct valw_bson *b, const void *data, size_t len)
{
	bson_t *p;
	const char *k;
	int n;

	if (!place(b, &p, &k, &n))
		return;
	if (len > INT32_MAX - 64) {
		b->failed = true;
		len = 0;
	}
	check(b, vwb_api.append_binary(p, k, n, BSON_SUBTYPE_BINARY, data, (uint32_t)len));
}

void vwb_raw_json(struct valw_bson *b, const char *json, size_t len)
{
	bson_t *p, tmp;
	bson_iter_t it;
	bson_error_t err;
	const char *k;
	int n;

	if (!place(b, &p, &k, &n))
		return;
	/* bson_init_from_json reads documents only: wrap the value as {"v": …}. */
	b->scratch.len = 0;
	jb_lit(&b->scratch, "{\"v\":");
	jb_put(&b->scratch, json, len);
	jb_putc(&b->scratch, '}');
	if (!jb_failed(&b->scratch) &&
	    vwb_api.init_from_json(&tmp, b->scratch.p, (ssize_t)b->scratch.len, &err)) {
		if (vwb_api.iter_init_find(&it, &tmp, "v"))
			check(b, vwb_api.append_iter(p, k, n, &it));
		else
			b->failed = true;
		vwb_api.destroy(&tmp);
		return;
	}
	/* Valid JSON libbson will not take (e.g. {"$date": "soon"} is extended JSON to
	 * it): keep the text. The key was consumed: put it back for vwb_string. */
	if (b->is_array[b->depth - 1]) {
		b->index[b->depth - 1]--;
	} else {
		b->key = k;
		b->key_len = (size_t)n;
	}
	vwb_string(b, json, len);
}

void vwb_document(struct valw_bson *b, const uint8_t *data, size_t len)
{
	bson_t *p, tmp;
	const char *k;
	int n;

	if (!place(b, &p, &k, &n))
		return;
	if (!vwb_api.init_static(&tmp, data, len)) {
		b->failed = true;
		check(b, vwb_api.append_null(p, k, n));
		return;
	}
	check(b, vwb_api.append_document(p, k, n, &tmp));
}
