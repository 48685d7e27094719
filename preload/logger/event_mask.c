/*
 * event_mask.c — the events of format = binary with what redact_pattern names
 * overwritten before they are written (event_mask.h).
 *
 * Where the strings are in an event is the capture plan's business: rather than a
 * second walk of it, the record's values are decoded once into a scratch buffer
 * with valw_redact pointed here, and every string decode hands over that lies in
 * the copy is filled in place (render/redact.h: redact_fill()). A JSON note is
 * walked token by token: jansson would decode it, and the file must keep its text.
 * Logger side only, and only when redact_pattern is set: the cost of a decode per
 * event never reaches the program.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hooks/event.h"
#include "hooks/hooks.h"
#include "logger/event_mask.h"
#include "render/calls.h"
#include "render/decode.h"
#include "render/redact.h"
#include "render/valw.h"

static char *copy_lo, *copy_hi;		/* the copy decode's strings are filled in */
static size_t nfilled;

static const char *fill_in_copy(const char *s, size_t n, bool cut, size_t *out_n, char **owned)
{
	(void)cut;	/* a pattern ending in '*' never needs the cut rule */
	*owned = NULL;
	*out_n = n;
	/* Text decode made (a number, a formatted value) holds no captured byte. */
	if (s >= copy_lo && s + n <= copy_hi && n)
		nfilled += redact_fill((char *)s, n);
	return s;
}

/* Every value decode writes for this event, for its strings' sake. */
static void decode_all(const struct render_input *in, const struct ev_head *ev)
{
	static struct jbuf scratch;
	const char *(*saved)(const char *, size_t, bool, size_t *, char **) = valw_redact;
	struct valw w = valw_json(&scratch);

	valw_redact = fill_in_copy;
	if (in->kind == RI_ENTER && in->slot && in->slot->hook) {
		decode_args(&w, in->slot->hook, (const struct ev_enter *)ev, NULL);
	} else if (in->kind == RI_EXIT) {
		const struct ev_exit *x = (const struct ev_exit *)ev;
		const struct call *c = calls_find(x->call_id);

		if (c && c->slot && c->slot->hook) {
			decode_output(&w, c->slot->hook, x);
			/* [out] parameters: their bytes come with the exit */
			if (decode_needs_exit(c->slot->hook) && c->enter)
				decode_args(&w, c->slot->hook, c->enter, x);
		}
	}
	valw_redact = saved;
	scratch.len = 0;
	scratch.failed = false;
}

/*
 * The strings (keys too) of JSON text p[0..n), filled as redact_json() would mask
 * their values. A string with escapes is decoded with each byte's source, and a
 * filled byte fills all its source: the text stays valid JSON, and what follows a
 * pattern's text to the end of the line is '*' whatever its length.
 */
static void fill_json_text(char *p, size_t n)
{
	char *dec = NULL;
	size_t *src = NULL, *srcn = NULL, cap = 0;

	for (size_t i = 0; i < n; i++) {
		size_t from, m = 0;
		bool escaped = false;

		if (p[i] != '"')
			continue;
		from = ++i;
		while (i < n && p[i] != '"') {
			if (p[i] == '\\') {
				escaped = true;
				i++;
			}
			i++;
		}
		if (i > n)
			i = n;
		if (!escaped) {
			nfilled += redact_fill(p + from, i - from);
			continue;
		}
		if (cap < i - from) {
			cap = i - from;
			free(dec);
			free(src);
			free(srcn);
			dec = malloc(cap * 4);
			src = malloc(cap * 4 * sizeof(*src));
			srcn = malloc(cap * 4 * sizeof(*srcn));
			if (!dec || !src || !srcn) {
				/* never let a secret out for want of memory: all of it goes */
				memset(p + from, REDACT_FILL, i - from);
				nfilled++;
				cap = 0;
				continue;
			}
		}
		for (size_t k = from; k < i;) {
			size_t len = 1;
			unsigned long cp;
			char c = p[k];

			if (c == '\\' && k + 1 < i) {
				len = 2;
				switch (p[k + 1]) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case 'b': c = '\b'; break;
				case 'f': c = '\f'; break;
				case 'u':
					if (k + 6 > i) {
						c = 'u';
						break;
					}
					/* Its UTF-8 bytes: only their count and their source matter
					 * here (no pattern text is a control or escape byte but
					 * these); a surrogate pair comes out as two sequences. */
					len = 6;
					cp = strtoul((char[5]){ p[k + 2], p[k + 3], p[k + 4], p[k + 5], 0 }, NULL, 16);
					if (cp >= 0x80) {
						size_t bytes = cp < 0x800 ? 2 : 3;

						for (size_t b = 0; b < bytes; b++) {
							dec[m] = (char)(b ? 0x80 | ((cp >> (6 * (bytes - 1 - b))) & 0x3f)
									  : (bytes == 2 ? 0xc0 | (cp >> 6) : 0xe0 | (cp >> 12)));
							src[m] = k;
							srcn[m++] = len;
						}
						k += len;
						continue;
					}
					c = (char)cp;
					break;
				default: c = p[k + 1]; break;
				}
			}
			dec[m] = c;
			src[m] = k;
			srcn[m++] = len;
			k += len;
		}
		{
			char *before = malloc(m ? m : 1);

			if (!before) {
				memset(p + from, REDACT_FILL, i - from);
				nfilled++;
				continue;
			}
			memcpy(before, dec, m);
			if (redact_fill(dec, m)) {
				nfilled++;
				for (size_t d = 0; d < m; d++)
					if (dec[d] == REDACT_FILL && before[d] != REDACT_FILL)
						memset(p + src[d], REDACT_FILL, srcn[d]);
			}
			free(before);
		}
	}
	free(dec);
	free(src);
	free(srcn);
}

static void fill_log(struct ev_log *ev)
{
	size_t n = ev->len;
	json_error_t err;
	json_t *v;

	if ((ev->h.flags & ~EV_LOG_CUT) != EV_LOG_JSON) {
		nfilled += redact_fill(ev->data, n);
		return;
	}
	/* Rendered as JSON only when it parses (record.c); else as text. */
	v = json_loadb(ev->data, n, JSON_DECODE_ANY, &err);
	if (!v) {
		nfilled += redact_fill(ev->data, n);
		return;
	}
	json_decref(v);
	fill_json_text(ev->data, n);
}

const struct ev_head *evm_masked(const struct render_input *in, struct jbuf *copy)
{
	const struct ev_head *ev = in->ev;
	struct ev_head *mine;

	if (!ev || (in->kind != RI_ENTER && in->kind != RI_EXIT && in->kind != RI_LOG))
		return ev;
	copy->len = 0;
	jb_put(copy, ev, ev->size);
	if (jb_failed(copy)) {
		copy->failed = false;
		return NULL;
	}
	mine = (struct ev_head *)copy->p;
	copy_lo = copy->p;
	copy_hi = copy->p + ev->size;
	nfilled = 0;
	if (in->kind == RI_LOG) {
		if (ev->size >= sizeof(struct ev_log) &&
		    ((struct ev_log *)mine)->len <= ev->size - sizeof(struct ev_log))
			fill_log((struct ev_log *)mine);
	} else {
		decode_all(in, mine);
	}
	copy_lo = copy_hi = NULL;
	return nfilled ? mine : ev;
}
