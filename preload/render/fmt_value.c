/*
 * fmt_value.c — a value a printf-style conversion fetched (hooks/fmtscan.h), shown
 * as the record does; see fmt_value.h. The walk itself runs on the hot path and
 * stays in hooks/; this half renders, may call libc and never runs there.
 */
#include <string.h>

#include "render/fmt_value.h"
#include "render/valw.h"

void fmt_put_char(struct valw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char out[4];
	size_t n = 0;

	/* The escapes are part of the value ("\\x01" is four characters), the way
	 * jb_string shows bytes that are not UTF-8. */
	switch (c) {
	case '\n': memcpy(out, "\\n", 2); n = 2; break;
	case '\t': memcpy(out, "\\t", 2); n = 2; break;
	case '\r': memcpy(out, "\\r", 2); n = 2; break;
	default:
		if (c >= 0x20 && c < 0x7f) {
			out[n++] = (char)c;
		} else {
			memcpy(out, "\\x", 2);
			n = 2;
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
		break;
	}
	vw_string(w, out, n);
}

static void put_integer(struct valw *w, unsigned size, bool is_signed, uint64_t raw)
{
	unsigned bits = size >= 1 && size < 8 ? size * 8 : 64;

	if (bits < 64)
		raw &= (UINT64_C(1) << bits) - 1;
	if (is_signed) {
		/* Move the type's sign bit to bit 63 and back: sign extension. */
		vw_i64(w, (int64_t)(raw << (64 - bits)) >> (64 - bits));
	} else {
		vw_u64(w, raw);
	}
}

static void put_address(struct valw *w, uint64_t raw)
{
	if (raw)
		vw_hex(w, raw);
	else
		vw_null(w);
}

void fmt_put_value(struct valw *w, const struct fmt_conv *conv, uint64_t raw)
{
	double d;

	switch ((enum fmt_arg)conv->arg) {
	case FA_STAR:
	case FA_INT:
		if (conv->spec == 'c')
			fmt_put_char(w, (unsigned char)raw);
		else
			put_integer(w, conv->size, conv->is_signed, raw);
		return;
	case FA_DOUBLE:
		memcpy(&d, &raw, sizeof(d));
		vw_double(w, d);
		return;
	case FA_LONG_DOUBLE:
		vw_begin_object(w);
		vw_klit(w, "unsupported");
		vw_alit(w, "long double");
		vw_end_object(w);
		return;
	case FA_WIDE:
		/* %lc/%C: the wint_t; %ls/%S: the address of the wide text. */
		if (conv->size == 4)
			put_integer(w, 4, false, raw);
		else
			put_address(w, raw);
		return;
	case FA_STRING:		/* the caller shows the text; here only its address */
	case FA_POINTER:
		put_address(w, raw);
		return;
	case FA_COUNT:		/* never shown: the pointer is the program's business */
		break;
	}
	vw_null(w);
}
