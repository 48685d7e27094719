/*
 * bufrender.c — a captured byte buffer as a record shows it; see bufrender.h.
 *
 * Text when every byte is printable UTF-8 (tab, newline and CR allowed), so that
 * read(2) of a text file reads as text; otherwise base64 or hex, never a lossy
 * string. Logger side only. In BSON, bytes that are not text are BSON binary
 * (subtype 0) under the key "binary" instead of base64 or hex text (valw.h).
 */
#include "render/bufrender.h"

/* Length of a UTF-8 sequence from its lead byte, 0 for a byte that cannot lead. */
static size_t utf8_lead_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * A buffer cut at max_buffer may end inside a character: the bytes of that last,
 * incomplete sequence are left out of the text (the full length is shown beside
 * it), instead of turning a whole text buffer into base64.
 */
static size_t without_cut_char(const unsigned char *u, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = u[n - back];
		size_t need;

		if ((c & 0xc0) == 0x80)
			continue;	/* a continuation byte: look further back */
		need = utf8_lead_len(c);
		return need > back ? n - back : n;
	}
	return n;
}

/* True when u[0..n) is valid UTF-8 with no control characters but \t \n \r. */
static bool is_printable_text(const unsigned char *u, size_t n)
{
	if (!utf8_is_valid((const char *)u, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
		/* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0x9f. */
		if (c == 0xc2 && i + 1 < n && u[i + 1] < 0xa0)
			return false;
	}
	return true;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The two characters of each 12-bit value: 3 bytes become 4 characters in two
 * look-ups instead of four (8 KiB, filled before main: nothing to race on). */
static char b64_pairs[4096][2];

static __attribute__((constructor)) void b64_pairs_fill(void)
{
	for (unsigned v = 0; v < 4096; v++) {
		b64_pairs[v][0] = b64_alphabet[v >> 6];
		b64_pairs[v][1] = b64_alphabet[v & 63];
	}
}

void bufrender_base64(struct jbuf *b, const void *data, size_t n)
{
	const unsigned char *u = data;
	size_t i = 0;
	char *o;

	if (!jb_reserve(b, (n + 2) / 3 * 4))
		return;
	o = b->p + b->len;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2];
		/* Made apart and stored at once: stores through o one by one may alias
		 * u and the table, which makes the compiler reload them after each. */
		char q[4];

		memcpy(q, b64_pairs[v >> 12], 2);
		memcpy(q + 2, b64_pairs[v & 4095], 2);
		memcpy(o, q, 4);
		o += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)u[i] << 16;

		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8;

		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = b64_alphabet[(v >> 6) & 63];
		*o++ = '=';
	}
	b->len = (size_t)(o - b->p);
}

void bufrender_put(struct valw *w, const void *data, size_t n, uint64_t full,
		   enum cfg_binary mode)
{
	const unsigned char *u = data;
	bool truncated = n < full;
	size_t text_n = truncated ? without_cut_char(u, n) : n;

	if (is_printable_text(u, text_n)) {
		if (!truncated) {
			vw_string(w, (const char *)u, text_n);
			return;
		}
		vw_begin_object(w);
		vw_klit(w, "value");
		vw_string_cut(w, (const char *)u, text_n, true);
	} else {
		vw_begin_object(w);
		vw_binary_member(w, u, n, mode == CFG_BINARY_HEX, truncated);
	}
	if (truncated) {
		vw_klit(w, "length");
		vw_u64(w, full);
		vw_klit(w, "truncated");
		vw_bool(w, true);
	}
	vw_end_object(w);
}
