/*
 * valw.c — the value writer's out-of-line parts; see valw.h. The BSON back end is
 * valw_bson.c.
 */
#include "render/bufrender.h"
#include "render/valw.h"

static void put_hex_digits(struct jbuf *b, const unsigned char *u, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	if (!jb_reserve(b, 2 * n))
		return;
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = digits[u[i] >> 4];
		b->p[b->len++] = digits[u[i] & 15];
	}
}

void vw_binary_member(struct valw *w, const void *data, size_t n, bool hex, bool cut)
{
	char *owned = NULL;

	/* A secret is one whether the buffer was shown as text or not. */
	if (valw_redact)
		data = valw_redact((const char *)data, n, cut, &n, &owned);
	if (w->kind != VALW_JSON) {
		vw_klit(w, "binary");
		vwb_binary(w->b, data, n);
		free(owned);
		return;
	}
	if (hex)
		vw_klit(w, "hex");
	else
		vw_klit(w, "base64");
	jb_putc(w->j, '"');
	if (hex)
		put_hex_digits(w->j, data, n);
	else
		bufrender_base64(w->j, data, n);
	jb_putc(w->j, '"');
	free(owned);
}
