/*
 * jsonw.h — a JSON writer made for the record's shape, used by the logger thread.
 *
 * Appends to a growable buffer; no allocation per value, no printf for integers,
 * strings validated as UTF-8 while escaped. (sprintf-based formatting measured
 * 5-7x slower for this job.) Not for the hot path.
 */
#ifndef IMPULSE_JSONW_H
#define IMPULSE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jbuf {
	char *p;	/* owned; not NUL-terminated */
	size_t len;
	size_t cap;
	bool failed;	/* an allocation failed: some bytes were dropped */
};

/* Makes room for n more bytes. Aborts nothing: on allocation failure the buffer
 * keeps its old capacity and jb_failed() turns true; writers then drop bytes. */
bool jb_reserve(struct jbuf *b, size_t n);
bool jb_failed(const struct jbuf *b);
void jb_free(struct jbuf *b);

static inline void jb_put(struct jbuf *b, const void *s, size_t n)
{
	if (b->cap - b->len < n && !jb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void jb_putc(struct jbuf *b, char c)
{
	if (b->cap == b->len && !jb_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

#define jb_lit(b, s) jb_put((b), (s), sizeof(s) - 1)

static inline void jb_puts(struct jbuf *b, const char *s)
{
	jb_put(b, s, strlen(s));
}

void jb_u64(struct jbuf *b, uint64_t v);
void jb_i64(struct jbuf *b, int64_t v);
void jb_double(struct jbuf *b, double v);
/* "0x…" */
void jb_hex(struct jbuf *b, uint64_t v);
/* v as exactly 16 lower-case hex digits at dst (not a jbuf: ids are assembled). */
void jb_hex16_at(char *dst, uint64_t v);
/* Nanoseconds since the epoch as RFC 3339 UTC with microseconds, quoted. */
void jb_time(struct jbuf *b, uint64_t ns);
/* Nanoseconds since the epoch as an integer (faster than jb_u64 for clock values). */
void jb_ns(struct jbuf *b, uint64_t ns);
/* Nanoseconds as seconds with nine decimals, a JSON number. */
void jb_seconds(struct jbuf *b, uint64_t ns);
/*
 * The members of a record's "timestamps" (start, end, start_to_end_seconds,
 * start_ns, end_ns), without braces or a leading comma: the same text as jb_time,
 * jb_seconds and jb_ns give for them, made in one pass (each fraction of a second
 * converted once, each second's text once per second). end_ns >= start_ns.
 */
void jb_timestamps(struct jbuf *b, uint64_t start_ns, uint64_t end_ns);

/* True when s[0..n) is valid UTF-8 without NUL bytes. */
bool utf8_is_valid(const char *s, size_t n);

/* Length of the longest prefix of s[0..n) that is valid UTF-8 (NUL bytes allowed). */
size_t utf8_valid_prefix(const char *s, size_t n);

/*
 * Appends s[0..n) as UTF-8 text, unquoted and unescaped: valid sequences (NUL and
 * control characters included) as they are, each other byte as the four
 * characters \xHH. This is the text a JSON reader gets from jb_string's output.
 */
void jb_utf8_repair(struct jbuf *b, const char *s, size_t n);

/* A quoted, escaped JSON string; bytes that are not valid UTF-8 become the text \xHH. */
void jb_string(struct jbuf *b, const char *s, size_t n);

static inline void jb_cstr(struct jbuf *b, const char *s)
{
	jb_string(b, s, strlen(s));
}

#endif
