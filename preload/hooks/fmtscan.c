/*
 * fmtscan.c — walks a printf-style format, conversion by conversion; see fmtscan.h.
 *
 * fmt_next runs on the hot path, inside a hooked printf, over the captured copy of
 * the format: it calls nothing (not even strlen), allocates nothing, reads no byte
 * at or past len and stops at a NUL as printf does. The logger runs it again over
 * the same bytes, so whatever it makes of a strange format, both sides agree.
 * Showing the values it fetched is the renderer's (render/fmt_value.c).
 *
 * The only state between calls is *pos. After a '*' width or precision it points
 * just past that '*', which no other result can do (a conversion never ends with
 * '*'), so the next call knows it is resuming inside a conversion.
 */
#include <string.h>

#include "hooks/fmtscan.h"

/* Where fmt_next resumes a conversion. */
enum conv_stage {
	STAGE_FLAGS,		/* just after the '%' */
	STAGE_PRECISION,	/* after the width */
	STAGE_LENGTH,		/* after the precision */
};

/* Length modifiers, as the number of bytes of the converted integer type. */
enum { LEN_NONE = 0, LEN_LONG_DOUBLE = 16 };

static bool is_flag(char c)
{
	/* '-' '+' ' ' '#' '0' '\'' (thousands) 'I' (glibc: locale digits) */
	return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0' || c == '\'' ||
	       c == 'I';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void set_star(struct fmt_conv *conv)
{
	conv->arg = FA_STAR;
	conv->size = 4;
	conv->is_signed = true;
	conv->spec = '*';
	conv->precision = -1;
}

/*
 * Fills conv for conversion letter c with length modifier len (bytes, LEN_NONE or
 * LEN_LONG_DOUBLE) and wide ('l' given once). False when c consumes nothing.
 */
static bool classify(char c, unsigned len, bool wide, struct fmt_conv *conv)
{
	conv->spec = c;
	conv->is_signed = false;
	conv->size = 8;
	switch (c) {
	case 'd': case 'i':
		conv->is_signed = true;
		/* fall through */
	case 'o': case 'u': case 'x': case 'X':
		conv->arg = FA_INT;
		/* glibc reads %Ld as %lld. */
		conv->size = (uint8_t)(len == LEN_NONE ? 4 : len == LEN_LONG_DOUBLE ? 8 : len);
		return true;
	case 'c':
		if (wide) {
			conv->arg = FA_WIDE;	/* a wint_t */
			conv->size = 4;
			return true;
		}
		conv->arg = FA_INT;		/* an int, shown as the unsigned char */
		conv->size = 1;
		return true;
	case 'C':
		conv->arg = FA_WIDE;
		conv->size = 4;
		return true;
	case 's':
		conv->arg = wide ? FA_WIDE : FA_STRING;
		return true;
	case 'S':
		conv->arg = FA_WIDE;
		return true;
	case 'p':
		conv->arg = FA_POINTER;
		return true;
	case 'n':
		conv->arg = FA_COUNT;
		return true;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		if (len == LEN_LONG_DOUBLE) {
			conv->arg = FA_LONG_DOUBLE;
			conv->size = 16;
		} else {
			conv->arg = FA_DOUBLE;
		}
		return true;
	default:
		/* '%', 'm' (strerror(errno)) and letters printf does not know. */
		return false;
	}
}

/* Skips a run of digits; false when it ends the format (an incomplete conversion). */
static bool skip_digits(const char *fmt, size_t len, size_t *i)
{
	while (*i < len && is_digit(fmt[*i]))
		(*i)++;
	return *i < len && fmt[*i] != '\0';
}

/* Reads ".N" digits into *precision, saturating rather than overflowing. */
static void read_precision(const char *fmt, size_t len, size_t *i, int32_t *precision)
{
	int32_t p = 0;

	while (*i < len && is_digit(fmt[*i])) {
		int d = fmt[*i] - '0';

		p = p > (INT32_MAX - d) / 10 ? INT32_MAX : p * 10 + d;
		(*i)++;
	}
	*precision = p;
}

/*
 * Reads a length modifier at *i into *len / *wide. hh h l ll q L j z Z t; the
 * integer sizes are those of x86-64 LP64.
 */
static void read_length(const char *fmt, size_t len, size_t *i, unsigned *lenmod, bool *wide)
{
	char c = *i < len ? fmt[*i] : '\0';

	*lenmod = LEN_NONE;
	*wide = false;
	switch (c) {
	case 'h':
		(*i)++;
		if (*i < len && fmt[*i] == 'h') {
			(*i)++;
			*lenmod = 1;
		} else {
			*lenmod = 2;
		}
		return;
	case 'l':
		(*i)++;
		if (*i < len && fmt[*i] == 'l')
			(*i)++;
		else
			*wide = true;
		*lenmod = 8;
		return;
	case 'q': case 'j': case 'z': case 'Z': case 't':
		(*i)++;
		*lenmod = 8;
		return;
	case 'L':
		(*i)++;
		*lenmod = LEN_LONG_DOUBLE;
		return;
	default:
		return;
	}
}

/*
 * Parses the conversion at fmt[*i] from stage on. Returns 1 with conv filled and *i
 * past what it consumed (past a '*', or past the letter), 0 when the conversion
 * consumes nothing (*i past its letter), -1 when the format ends inside it.
 */
static int parse_conversion(const char *fmt, size_t len, size_t *i, enum conv_stage stage,
			    struct fmt_conv *conv)
{
	int32_t precision = stage == STAGE_LENGTH ? -2 : -1;
	unsigned lenmod;
	bool wide;

	if (stage == STAGE_FLAGS) {
		while (*i < len && is_flag(fmt[*i]))
			(*i)++;
		if (*i < len && fmt[*i] == '*') {
			(*i)++;
			set_star(conv);
			return 1;
		}
		if (!skip_digits(fmt, len, i))
			return -1;
		/* "%1$d": positional arguments cannot be fetched in order; stop here. */
		if (fmt[*i] == '$')
			return -1;
		stage = STAGE_PRECISION;
	}
	if (stage == STAGE_PRECISION && *i < len && fmt[*i] == '.') {
		(*i)++;
		if (*i < len && fmt[*i] == '*') {
			(*i)++;
			set_star(conv);
			return 1;
		}
		read_precision(fmt, len, i, &precision);
	}
	read_length(fmt, len, i, &lenmod, &wide);
	if (*i >= len || fmt[*i] == '\0')
		return -1;
	if (!classify(fmt[(*i)++], lenmod, wide, conv))
		return 0;
	conv->precision = conv->arg == FA_STRING ? precision : -1;
	return 1;
}

bool fmt_next(const char *fmt, size_t len, size_t *pos, struct fmt_conv *conv)
{
	size_t i = *pos;
	enum conv_stage stage = STAGE_FLAGS;
	bool resuming = false;

	if (i > len)
		return false;
	/* Just past a '*' that fmt_next returned: resume that conversion. */
	if (i > 0 && fmt[i - 1] == '*') {
		resuming = true;
		stage = (i > 1 && fmt[i - 2] == '.') ? STAGE_LENGTH : STAGE_PRECISION;
	}
	for (;;) {
		int r;

		if (!resuming) {
			while (i < len && fmt[i] != '%' && fmt[i] != '\0')
				i++;
			if (i >= len || fmt[i] == '\0')
				break;
			i++;	/* the '%' */
			stage = STAGE_FLAGS;
		}
		resuming = false;
		r = parse_conversion(fmt, len, &i, stage, conv);
		if (r < 0)
			break;
		if (r > 0) {
			*pos = i;
			return true;
		}
	}
	*pos = len;
	return false;
}
