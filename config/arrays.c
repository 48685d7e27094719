/*
 * arrays.c — array declarators after a name: "char name[16]" in a struct is an
 * array of 16 chars (several sizes make an array of arrays, the last one
 * innermost, as in C); "char *argv[]" or "int fds[2]" as a parameter is a pointer,
 * as C adjusts it. An array's size and alignment are its element's times N and
 * the element's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/* Reads a decimal, hex or octal array size between '[' and ']'. */
static int array_size(struct cfg_parser *p, const struct cfg_token *tok, unsigned *n)
{
	int64_t v;

	if (!(tok->text[0] >= '0' && tok->text[0] <= '9'))
		return cfg_tok_error(p, tok, "array size '%.*s' must be a number (write its value, "
				     "e.g. 'char name[16]')", CFG_SHOW(tok));
	if (cfg_number(tok->text, tok->len, &v) || v < 1 || v > (1 << 24))
		return cfg_tok_error(p, tok, "invalid array size '%.*s' (a number from 1 to 16777216)",
				     CFG_SHOW(tok));
	*n = v;
	return 0;
}

/*
 * Whether the next tokens are "[]" or "[N]", an array declarator, not an attribute.
 * "[NAME]" with a NAME that is no attribute is a size written as a name: an array
 * too, so that its error says what to write.
 */
static bool array_next(struct cfg_parser *p)
{
	struct cfg_lexer saved = p->lex;
	struct cfg_error err = *p->err;
	struct cfg_token open, in, close;
	bool yes = false;

	if (!cfg_lex_next(p, &open) && cfg_tok_is_punct(&open, '[') && !cfg_lex_next(p, &in)) {
		if (cfg_tok_is_punct(&in, ']') ||
		    (in.kind == TOK_WORD && in.text[0] >= '0' && in.text[0] <= '9'))
			yes = true;
		else if (cfg_tok_is_ident(&in) && !cfg_is_display_attr(&in) &&
			 !cfg_tok_is(&in, "len") && !cfg_tok_is(&in, "out") &&
			 !cfg_tok_is(&in, "deref") && !cfg_tok_is(&in, "nullterm") &&
			 !cfg_is_hook_attr(&in) && !cfg_lex_next(p, &close) &&
			 cfg_tok_is_punct(&close, ']'))
			yes = true;
	}
	*p->err = err;
	p->lex = saved;
	return yes;
}

/* Wraps *elem (consumed) into an array of n, spelled base + dims. */
static int wrap_array(struct cfg_type *type, unsigned n, const char *base, const char *dims)
{
	struct cfg_type *elem = malloc(sizeof(*elem));
	char *spelling;

	if (!elem)
		return -ENOMEM;
	if (asprintf(&spelling, "%s%s", base, dims) < 0) {
		free(elem);
		return -ENOMEM;
	}
	*elem = *type;
	memset(type, 0, sizeof(*type));
	type->kind = CT_ARRAY;
	type->pointee = elem;
	type->array_len = n;
	type->size = n * elem->size;
	type->align = elem->align;
	type->spelling = spelling;
	return 0;
}

/*
 * After a declarator's name: "[N]" (a field: an array; several make an array of
 * arrays) or "[]" / "[N]" (a parameter: a pointer, as in C). Does nothing when no
 * '[' with a size or ']' follows.
 */
int cfg_array_suffix(struct cfg_parser *p, struct cfg_type *type, bool is_field)
{
	unsigned dims[8];
	char dimtext[8][16], *base = NULL;
	int ndims = 0, i, ret = 0;
	struct cfg_token open, in, close;

	while (array_next(p)) {
		cfg_lex_next(p, &open);
		cfg_lex_next(p, &in);
		if (ndims == (int)CFG_ARRAY_SIZE(dims))
			return cfg_tok_error(p, &open, "too many array dimensions (at most 8)");
		if (cfg_tok_is_punct(&in, ']')) {
			if (is_field || ndims > 0)
				return cfg_tok_error(p, &open, is_field ?
						     "flexible array members are not supported (give a size: 'T name[N]', or leave the field out)" :
						     "only the first array dimension may be empty");
			dims[ndims] = 0;
		} else {
			ret = array_size(p, &in, &dims[ndims]);
			if (ret)
				return ret;
			ret = cfg_lex_next(p, &close);
			if (ret)
				return ret;
			if (!cfg_tok_is_punct(&close, ']'))
				return cfg_tok_error(p, &close, "missing ']' after the array size");
		}
		snprintf(dimtext[ndims], sizeof(dimtext[ndims]), "[%u]", dims[ndims]);
		ndims++;
	}
	if (!ndims)
		return 0;
	if (type->kind == CT_VOID)
		return cfg_tok_error(p, &open, "an array of 'void' (write 'void *')");
	base = strdup(type->spelling);
	if (!base)
		return -ENOMEM;
	/* the innermost dimension is the last one written */
	for (i = ndims - 1; i >= (is_field ? 0 : 1) && !ret; i--) {
		char all[160] = "";
		int j;

		for (j = i; j < ndims; j++)
			strncat(all, dimtext[j], sizeof(all) - strlen(all) - 1);
		ret = wrap_array(type, dims[i], base, all);
	}
	if (!ret && !is_field) {
		/* a parameter "T x[]" is "T *x": the first dimension becomes a star */
		char *spelling;
		const char *sp = type->spelling;

		if (asprintf(&spelling, "%s%s*", sp, sp[strlen(sp) - 1] == '*' ? "" : " ") < 0)
			ret = -ENOMEM;
		if (!ret)
			ret = cfg_wrap_pointer(type, false);
		if (!ret) {
			free(type->spelling);
			type->spelling = spelling;
		}
	}
	free(base);
	return ret;
}
