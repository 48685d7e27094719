/*
 * display.c — one scalar value as a record shows it, per its type and display
 * attribute, through the value writer (JSON or BSON).
 *
 * The logger's only way to show an integer, a float, a bool or an address, so that
 * arguments, outputs, fields, array elements and variadic values all look alike.
 */
#include <string.h>

#include "render/display.h"

static uint64_t unsigned_of(uint64_t raw, unsigned size)
{
	return size >= 8 ? raw : raw & ((UINT64_C(1) << (size * 8)) - 1);
}

static int64_t signed_of(uint64_t raw, unsigned size)
{
	switch (size) {
	case 1: return (int8_t)raw;
	case 2: return (int16_t)raw;
	case 4: return (int32_t)raw;
	default: return (int64_t)raw;
	}
}

static unsigned size_of(const struct cfg_type *t)
{
	if (t->kind == CT_ENUM)
		return t->size ? t->size : 4;
	return t->size && t->size <= 8 ? t->size : 8;
}

static bool is_signed(const struct cfg_type *t)
{
	return t->kind == CT_ENUM || t->is_signed;
}

static void put_number(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	if (is_signed(t))
		vw_i64(w, signed_of(raw, size_of(t)));
	else
		vw_u64(w, unsigned_of(raw, size_of(t)));
}

/* "0x1f", "0644": prefix (at most 2 characters) and the digits. */
static void put_radix(struct valw *w, uint64_t v, unsigned shift, const char *prefix)
{
	char tmp[32];
	int i = (int)sizeof(tmp);
	size_t np = strlen(prefix);

	do {
		tmp[--i] = "0123456789abcdef"[v & ((1u << shift) - 1)];
		v >>= shift;
	} while (v);
	i -= (int)np;
	memcpy(tmp + i, prefix, np);
	vw_ascii(w, tmp + i, sizeof(tmp) - (size_t)i);
}

/* "A"; "\\n", "\\x01" for what is not printable ASCII. */
static void put_char(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	int64_t v = is_signed(t) ? signed_of(raw, size_of(t)) : (int64_t)unsigned_of(raw, size_of(t));
	char text[5];
	size_t n = 0;
	uint8_t c;

	/* A char's negative values are its high bytes; wider values are not chars. */
	if (v < -128 || v > 255) {
		put_number(w, t, raw);
		return;
	}
	c = (uint8_t)v;
	switch (c) {
	case '\n': memcpy(text, "\\n", 2); n = 2; break;
	case '\t': memcpy(text, "\\t", 2); n = 2; break;
	case '\r': memcpy(text, "\\r", 2); n = 2; break;
	case '\0': memcpy(text, "\\0", 2); n = 2; break;
	default:
		if (c >= 0x20 && c < 0x7f) {
			text[n++] = (char)c;
		} else {
			text[n++] = '\\';
			text[n++] = 'x';
			text[n++] = "0123456789abcdef"[c >> 4];
			text[n++] = "0123456789abcdef"[c & 15];
		}
	}
	vw_string(w, text, n);
}

static void put_enum(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	const struct cfg_enum *e = t->names;
	int64_t v = is_signed(t) ? signed_of(raw, size_of(t)) : (int64_t)unsigned_of(raw, size_of(t));

	for (int i = 0; e && i < e->nitems; i++) {
		if (e->items[i].value == v) {
			vw_cstr(w, e->items[i].name);
			return;
		}
	}
	put_number(w, t, raw);
}

/* "O_WRONLY|O_CREAT|0x80000": masked fields, then single bits, then what is left. */
static void put_flags(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	static struct jbuf text;	/* logger thread only; kept for the next value */
	struct jbuf *b = &text;
	const struct cfg_enum *e = t->names;
	uint64_t v = unsigned_of(raw, size_of(t)), left = v;
	bool any = false;

	b->len = 0;
	for (int i = 0; e && i < e->nitems; i++) {
		const struct cfg_enumerator *it = &e->items[i];
		uint64_t val = (uint64_t)it->value, mask = it->mask;
		bool match;

		if (mask)
			match = (v & mask) == (val & mask);
		else if (val)
			match = (v & val) == val;
		else
			match = v == 0;	/* a zero entry names only zero */
		if (!match)
			continue;
		if (any)
			jb_putc(b, '|');
		jb_puts(b, it->name);
		any = true;
		left &= ~(mask ? mask : val);
	}
	if (left || !any) {
		char tmp[20];
		int i = (int)sizeof(tmp);

		if (any)
			jb_putc(b, '|');
		if (!left) {
			jb_putc(b, '0');
		} else {
			do {
				tmp[--i] = "0123456789abcdef"[left & 15];
				left >>= 4;
			} while (left);
			jb_lit(b, "0x");
			jb_put(b, tmp + i, sizeof(tmp) - (size_t)i);
		}
	}
	vw_string(w, b->p, b->len);
}

void display_unsupported(struct valw *w, const char *what)
{
	vw_begin_object(w);
	vw_klit(w, "unsupported");
	vw_cstr(w, what);
	vw_end_object(w);
}

static void put_integer(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	enum cfg_display d = t->display;

	if (d == CD_DEFAULT && t->kind == CT_ENUM && t->names)
		d = t->names->is_flags ? CD_FLAGS : CD_ENUM;
	switch (d) {
	case CD_HEX:
		put_radix(w, unsigned_of(raw, size_of(t)), 4, "0x");
		break;
	case CD_OCT: {
		uint64_t v = unsigned_of(raw, size_of(t));

		put_radix(w, v, 3, v ? "0" : "");
		break;
	}
	case CD_CHAR:
		put_char(w, t, raw);
		break;
	case CD_ENUM:
		put_enum(w, t, raw);
		break;
	case CD_FLAGS:
		put_flags(w, t, raw);
		break;
	default:
		put_number(w, t, raw);
		break;
	}
}

void display_put(struct valw *w, const struct cfg_type *t, uint64_t raw)
{
	/* Plain integers are most of the values a record shows: straight to the writer. */
	if (t->kind == CT_INT && t->display == CD_DEFAULT) {
		put_number(w, t, raw);
		return;
	}
	switch (t->kind) {
	case CT_BOOL:
		vw_bool(w, (uint8_t)raw);
		break;
	case CT_INT:
	case CT_ENUM:
		put_integer(w, t, raw);
		break;
	case CT_FLOAT: {
		uint32_t bits = (uint32_t)raw;
		float f;

		memcpy(&f, &bits, sizeof(f));
		vw_double(w, f);
		break;
	}
	case CT_DOUBLE: {
		double d;

		memcpy(&d, &raw, sizeof(d));
		vw_double(w, d);
		break;
	}
	case CT_LONG_DOUBLE:
		display_unsupported(w, "long double");
		break;
	case CT_POINTER:
	case CT_STRING:
		if (raw)
			vw_hex(w, raw);
		else
			vw_null(w);
		break;
	default:
		vw_null(w);
		break;
	}
}
