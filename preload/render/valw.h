/*
 * valw.h — the value writer: how every renderer of the logger (decode, display,
 * bufrender, status, fmtscan, record) writes objects, arrays, keys and scalars, with
 * two back ends: JSON text (jsonw.h, the file logger's) and a BSON document (libbson,
 * for the Mongo logger, loaded at first use; valw_bson.c).
 *
 * The renderers decide what a value looks like (a string, or {"value":…,"truncated":
 * true}; a number, or "0x1f"); the back end decides only how that value is encoded
 * (a JSON number or a BSON int64; a quoted RFC 3339 text or a BSON UTC datetime).
 * So there is one place per decision, and records have the same shape either way.
 *
 * The JSON case is inlined and keeps one bit of state, for the commas: a member
 * or an element precedes at this level. Scalars do not touch it: a key writes the
 * comma before it, and an array element is announced by vw_elem() (BSON numbers
 * elements itself and ignores it). So a value costs the file logger one
 * predictable branch on the kind. The BSON calls are out of line.
 *
 * Use: vw_begin_object, then per member vw_key (or vw_klit) and its value, then
 * vw_end_object; vw_begin_array, then per element vw_elem and the value, then
 * vw_end_array. Logger thread only; never on the hot path.
 */
#ifndef IMPULSE_VALW_H
#define IMPULSE_VALW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "render/jsonw.h"

#pragma GCC visibility push(hidden)

enum valw_kind {
	VALW_JSON,
	VALW_BSON,
};

struct valw_bson;

struct valw {
	enum valw_kind kind;
	bool comma;			/* JSON: a member or an element precedes at this level */
	struct jbuf *j;			/* JSON: where the text goes; not owned */
	struct valw_bson *b;		/* BSON: the document being built; not owned */
};

/* A JSON writer appending to j, at the start of a value (no comma pending). */
static inline struct valw valw_json(struct jbuf *j)
{
	return (struct valw){ .kind = VALW_JSON, .j = j };
}

/* The same as a pointer to a temporary, for one-value calls: f(VALW_JSON_TMP(&b), …). */
#define VALW_JSON_TMP(jb) (&(struct valw){ .kind = VALW_JSON, .j = (jb) })

static inline bool valw_is_json(const struct valw *w)
{
	return w->kind == VALW_JSON;
}

/* ---- the BSON back end's entry points (valw_bson.c); through the inline calls ---- */

void vwb_key(struct valw_bson *b, const char *k, size_t n);
void vwb_begin(struct valw_bson *b, bool array);
void vwb_end(struct valw_bson *b);
void vwb_null(struct valw_bson *b);
void vwb_bool(struct valw_bson *b, bool v);
void vwb_i64(struct valw_bson *b, int64_t v);
void vwb_u64(struct valw_bson *b, uint64_t v);
void vwb_double(struct valw_bson *b, double v);
void vwb_string(struct valw_bson *b, const char *s, size_t n);
void vwb_date(struct valw_bson *b, uint64_t ns);
void vwb_binary(struct valw_bson *b, const void *data, size_t n);
void vwb_raw_json(struct valw_bson *b, const char *json, size_t n);

/* The next value is an element of the array being written: JSON's comma. */
static inline void vw_elem(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		if (w->comma)
			jb_putc(w->j, ',');
		w->comma = true;
	}
}

/* ---- containers and keys ---- */

static inline void vw_begin_object(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		jb_putc(w->j, '{');
		w->comma = false;
	} else {
		vwb_begin(w->b, false);
	}
}

static inline void vw_end_object(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		jb_putc(w->j, '}');
		w->comma = true;
	} else {
		vwb_end(w->b);
	}
}

static inline void vw_begin_array(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		jb_putc(w->j, '[');
		w->comma = false;
	} else {
		vwb_begin(w->b, true);
	}
}

static inline void vw_end_array(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		jb_putc(w->j, ']');
		w->comma = true;
	} else {
		vwb_end(w->b);
	}
}

/*
 * The key of the next member of an object (any bytes: escaped for JSON; BSON keys
 * are our names and C identifiers). BSON keeps the pointer until the value is
 * written: k must live until then.
 */
static inline void vw_key(struct valw *w, const char *k, size_t n)
{
	if (w->kind == VALW_JSON) {
		if (w->comma)
			jb_putc(w->j, ',');
		jb_string(w->j, k, n);
		jb_putc(w->j, ':');
		w->comma = true;
	} else {
		vwb_key(w->b, k, n);
	}
}

static inline void vw_key_cstr(struct valw *w, const char *k)
{
	vw_key(w, k, strlen(k));
}

/* A key k (NUL-terminated) whose JSON form ("k": with the quotes and colon) was
 * made beforehand. */
static inline void vw_key_pre(struct valw *w, const char *k, const char *json, size_t jn)
{
	if (w->kind == VALW_JSON) {
		if (w->comma)
			jb_putc(w->j, ',');
		jb_put(w->j, json, jn);
		w->comma = true;
	} else {
		vwb_key(w->b, k, strlen(k));
	}
}

/* A key k whose JSON form with a comma before it (,"k":) was made beforehand. */
static inline void vw_key_pre_comma(struct valw *w, const char *k, const char *json, size_t jn)
{
	if (w->kind == VALW_JSON) {
		/* One copy with or without the comma: where the comma state is known at
		 * compile time (record.c's shape) this is one constant-size store. */
		if (w->comma)
			jb_put(w->j, json, jn);
		else
			jb_put(w->j, json + 1, jn - 1);
		w->comma = true;
	} else {
		vwb_key(w->b, k, strlen(k));
	}
}

/* A literal key that needs no escaping: vw_klit(w, "status"). */
#define vw_klit(w, k) vw_key_pre_comma((w), k, ",\"" k "\":", sizeof(k) + 3)

/* A literal key whose value is an object or an array, opened: one copy for JSON. */
static inline void vw_key_open_pre(struct valw *w, const char *k, const char *json, size_t jn,
				   bool array)
{
	if (w->kind == VALW_JSON) {
		if (w->comma)
			jb_put(w->j, json, jn);
		else
			jb_put(w->j, json + 1, jn - 1);
		w->comma = false;
	} else {
		vwb_key(w->b, k, strlen(k));
		vwb_begin(w->b, array);
	}
}

#define vw_klit_object(w, k) vw_key_open_pre((w), k, ",\"" k "\":{", sizeof(k) + 4, false)
#define vw_klit_array(w, k) vw_key_open_pre((w), k, ",\"" k "\":[", sizeof(k) + 4, true)

/* ---- scalars ---- */

static inline void vw_null(struct valw *w)
{
	if (w->kind == VALW_JSON) {
		jb_lit(w->j, "null");
	} else {
		vwb_null(w->b);
	}
}

static inline void vw_bool(struct valw *w, bool v)
{
	if (w->kind == VALW_JSON) {
		if (v)
			jb_lit(w->j, "true");
		else
			jb_lit(w->j, "false");
	} else {
		vwb_bool(w->b, v);
	}
}

static inline void vw_i64(struct valw *w, int64_t v)
{
	if (w->kind == VALW_JSON) {
		jb_i64(w->j, v);
	} else {
		vwb_i64(w->b, v);
	}
}

/* BSON has no unsigned type: up to INT64_MAX an int64, above it a Decimal128 (exact). */
static inline void vw_u64(struct valw *w, uint64_t v)
{
	if (w->kind == VALW_JSON) {
		jb_u64(w->j, v);
	} else {
		vwb_u64(w->b, v);
	}
}

/* JSON: a number, or "nan" / "inf" / "-inf" as strings. BSON: a double, those included. */
static inline void vw_double(struct valw *w, double v)
{
	if (w->kind == VALW_JSON) {
		jb_double(w->j, v);
	} else {
		vwb_double(w->b, v);
	}
}

/*
 * redact_pattern (preload/redact.c): when set, every string value and binary member is
 * passed through it first. It returns s itself when nothing is to be masked, else
 * the masked text, which the caller frees through *owned. NULL: nothing to mask.
 * Defined in valw_bson.c, which every user of this header links.
 */
extern const char *(*valw_redact)(const char *s, size_t n, bool cut, size_t *out_n, char **owned);

static inline void vw_string_plain(struct valw *w, const char *s, size_t n)
{
	if (w->kind == VALW_JSON) {
		jb_string(w->j, s, n);
	} else {
		vwb_string(w->b, s, n);
	}
}

/*
 * Text of n bytes, any bytes: valid UTF-8 is kept, each byte that is not becomes the
 * four characters \xHH. JSON escapes what it must; BSON keeps control characters
 * and NUL as they are (a JSON reader of the file gets the same string).
 */
static inline void vw_string_cut(struct valw *w, const char *s, size_t n, bool cut)
{
	if (__builtin_expect(valw_redact != NULL, 0)) {
		char *owned;

		s = valw_redact(s, n, cut, &n, &owned);
		vw_string_plain(w, s, n);
		free(owned);
		return;
	}
	vw_string_plain(w, s, n);
}

static inline void vw_string(struct valw *w, const char *s, size_t n)
{
	vw_string_cut(w, s, n, false);
}

static inline void vw_cstr(struct valw *w, const char *s)
{
	vw_string(w, s, strlen(s));
}

/* Text the caller knows is printable ASCII without '"' or '\\' (ids, hex digits,
 * names we made): copied without a look at each byte. */
static inline void vw_ascii(struct valw *w, const char *s, size_t n)
{
	if (w->kind == VALW_JSON) {
		if (w->j->cap - w->j->len < n + 2 && !jb_reserve(w->j, n + 2))
			return;
		w->j->p[w->j->len++] = '"';
		memcpy(w->j->p + w->j->len, s, n);
		w->j->len += n;
		w->j->p[w->j->len++] = '"';
	} else {
		vwb_string(w->b, s, n);
	}
}

#define vw_alit(w, s) vw_ascii((w), s, sizeof(s) - 1)

/* An address: the string "0x…" (lower-case hex), both ways. */
static inline void vw_hex(struct valw *w, uint64_t v)
{
	if (w->kind == VALW_JSON) {
		jb_hex(w->j, v);
	} else {
		char tmp[18];
		int n = 0;

		do {
			tmp[17 - n++] = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
		tmp[17 - n++] = 'x';
		tmp[17 - n++] = '0';
		vwb_string(w->b, tmp + 18 - n, (size_t)n);
	}
}

/* A point in time, ns since the epoch. JSON: RFC 3339 UTC with microseconds, quoted.
 * BSON: a UTC datetime (milliseconds; the _ns fields beside it keep the rest). */
static inline void vw_date(struct valw *w, uint64_t ns)
{
	if (w->kind == VALW_JSON) {
		jb_time(w->j, ns);
	} else {
		vwb_date(w->b, ns);
	}
}

/* A clock value in ns since the epoch: an integer (JSON: faster than vw_u64 for it). */
static inline void vw_ns(struct valw *w, uint64_t ns)
{
	if (w->kind == VALW_JSON) {
		jb_ns(w->j, ns);
	} else {
		vwb_u64(w->b, ns);
	}
}

/* A duration given in ns, as seconds. JSON: exact, nine decimals. BSON: a double. */
static inline void vw_seconds(struct valw *w, uint64_t ns)
{
	if (w->kind == VALW_JSON) {
		jb_seconds(w->j, ns);
	} else {
		vwb_double(w->b, (double)ns / 1e9);
	}
}

/*
 * The member holding binary data in an object: JSON "base64": "…" (or "hex": "…" when
 * hex is set); BSON "binary": BinData subtype 0 (the bytes themselves).
 */
void vw_binary_member(struct valw *w, const void *data, size_t n, bool hex, bool cut);

/*
 * A JSON value someone else wrote (hooks.conf metadata, impulse_log_json payloads),
 * already validated. JSON: copied. BSON: parsed by libbson (bson_init_from_json);
 * text it cannot parse (extended-JSON keys such as "$date" with a bad value) is
 * stored as a string.
 */
static inline void vw_raw_json(struct valw *w, const char *json, size_t n)
{
	if (w->kind == VALW_JSON) {
		jb_put(w->j, json, n);
	} else {
		vwb_raw_json(w->b, json, n);
	}
}

/*
 * JSON only: appends text that a JSON writer rendered earlier from the state w is
 * in now (a comma pending or not) and that left it in state comma_after: a cache
 * of a part of a shape that does not change.
 */
static inline void vw_json_raw(struct valw *w, const char *text, size_t n, bool comma_after)
{
	jb_put(w->j, text, n);
	w->comma = comma_after;
}

/*
 * JSON only: appends text that a JSON writer rendered earlier as one value (after a
 * key or vw_elem), or as elements joined by commas right after vw_begin_array.
 */
static inline void vw_json_splice(struct valw *w, const char *text, size_t n)
{
	jb_put(w->j, text, n);
}

#pragma GCC visibility pop

#endif
