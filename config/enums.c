/*
 * enums.c — enum and flags declarations, and the integer constants they are made of.
 *
 *     enum whence { SEEK_SET, SEEK_CUR, SEEK_END };
 *     flags open_flags { O_RDONLY = 0 mask 03, O_CREAT = 0100, O_CLOEXEC = 02000000 };
 *
 * An enumerator's value is a constant expression kept deliberately small: numbers
 * (decimal, 0x hex, 0 octal, negative), earlier enumerator names, '<<' and '|'.
 * An enum counts on from the previous value as C does; a flags set has no order,
 * so each of its values must be written. The same enum may be declared twice with
 * the same values (a file included twice); different values are an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/*
 * Reads text[0..len) as a C integer constant: decimal, 0x hex or 0 octal, with
 * optional u/l suffixes. Returns 0, or -EINVAL when it is no number or overflows.
 */
int cfg_number(const char *text, int len, int64_t *value)
{
	uint64_t v = 0, base = 10, digit;
	int i = 0;

	while (len > 1 && strchr("uUlL", text[len - 1]))
		len--;
	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 1 && text[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i >= len)
		return -EINVAL;
	for (; i < len; i++) {
		char c = text[i];

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return -EINVAL;
		if (digit >= base || v > (UINT64_MAX - digit) / base)
			return -EINVAL;
		v = v * base + digit;
	}
	*value = (int64_t)v;
	return 0;
}

static const struct cfg_enumerator *find_in(const struct cfg_enum *en, const char *name, int len)
{
	int i;

	for (i = 0; en && i < en->nitems; i++)
		if ((int)strlen(en->items[i].name) == len && !memcmp(en->items[i].name, name, len))
			return &en->items[i];
	return NULL;
}

/* ['-'] (NUMBER | ENUMERATOR): the enum being declared is searched first. */
static int parse_term(struct cfg_parser *p, const struct cfg_enum *current, int64_t *value,
		      struct cfg_token *first)
{
	const struct cfg_enumerator *e;
	struct cfg_token tok;
	bool negative = false;
	int ret = cfg_lex_next(p, &tok);

	if (ret)
		return ret;
	if (first)
		*first = tok;
	if (cfg_tok_is_punct(&tok, '-')) {
		negative = true;
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
	}
	if (tok.kind == TOK_WORD && tok.text[0] >= '0' && tok.text[0] <= '9') {
		if (cfg_number(tok.text, tok.len, value))
			return cfg_tok_error(p, &tok, "invalid number '%.*s' (decimal, 0x hex or 0 octal, "
					     "at most 64 bits)", CFG_SHOW(&tok));
	} else if (cfg_tok_is_ident(&tok)) {
		e = find_in(current, tok.text, tok.len);
		if (!e)
			e = cfg_enumerator_find(p->out, tok.text, tok.len);
		if (!e)
			return cfg_tok_error(p, &tok, "unknown name '%.*s' (a number, or an enumerator "
					     "declared before)", CFG_SHOW(&tok));
		*value = e->value;
	} else {
		char what[80];

		cfg_tok_describe(&tok, what, sizeof(what));
		return cfg_tok_error(p, &tok, "expected a number before %s", what);
	}
	if (negative)
		*value = (int64_t)(0 - (uint64_t)*value);
	return 0;
}

/* A number or an enumerator name, optionally negative: the values of [error=…]. */
int cfg_parse_int_value(struct cfg_parser *p, int64_t *value, struct cfg_token *first)
{
	return parse_term(p, NULL, value, first);
}

/* term [ '<<' term ] { '|' term [ '<<' term ] } */
int cfg_parse_int_expr(struct cfg_parser *p, const struct cfg_enum *current, int64_t *value,
		       struct cfg_token *first)
{
	struct cfg_token tok;
	int64_t result = 0, term, shift;
	bool is_first = true;
	int ret;

	for (;;) {
		ret = parse_term(p, current, &term, is_first ? first : NULL);
		is_first = false;
		if (ret)
			return ret;
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_op(&tok, "<<")) {
			cfg_lex_next(p, &tok);
			ret = parse_term(p, current, &shift, NULL);
			if (ret)
				return ret;
			if (shift < 0 || shift > 63)
				return cfg_tok_error(p, &tok, "shift by %lld (0 to 63)", (long long)shift);
			term = (int64_t)((uint64_t)term << shift);
			ret = cfg_lex_peek(p, &tok);
			if (ret)
				return ret;
		}
		result |= term;
		if (!cfg_tok_is_punct(&tok, '|'))
			break;
		cfg_lex_next(p, &tok);
	}
	*value = result;
	return 0;
}

/* One "NAME [= expr [mask expr]]" of the body into *item; *next_value counts on. */
static int parse_item(struct cfg_parser *p, struct cfg_enum *en, struct cfg_enumerator *item,
		      int64_t *next_value)
{
	struct cfg_token name, tok;
	int64_t mask;
	int ret = cfg_lex_next(p, &name);

	if (ret)
		return ret;
	if (!cfg_tok_is_ident(&name))
		return cfg_tok_error(p, &name, "expected an enumerator name (a C identifier)");
	if (find_in(en, name.text, name.len))
		return cfg_tok_error(p, &name, "duplicate enumerator '%.*s'", CFG_SHOW(&name));
	memset(item, 0, sizeof(*item));
	ret = cfg_lex_peek(p, &tok);
	if (ret)
		return ret;
	if (cfg_tok_is_punct(&tok, '=')) {
		cfg_lex_next(p, &tok);
		ret = cfg_parse_int_expr(p, en, &item->value, NULL);
		if (ret)
			return ret;
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is(&tok, "mask")) {
			if (!en->is_flags)
				return cfg_tok_error(p, &tok, "'mask' is for flags (declare 'flags %s { … }')",
						     en->name);
			cfg_lex_next(p, &tok);
			ret = cfg_parse_int_expr(p, en, &mask, NULL);
			if (ret)
				return ret;
			item->mask = (uint64_t)mask;
		}
	} else if (en->is_flags) {
		return cfg_tok_error(p, &name, "flags enumerator '%.*s' needs a value (write '%.*s = 0x1')",
				     CFG_SHOW(&name), CFG_SHOW(&name));
	} else {
		item->value = *next_value;
	}
	*next_value = (int64_t)((uint64_t)item->value + 1);
	item->name = cfg_tok_dup(&name);
	return item->name ? 0 : -ENOMEM;
}

/* Reads "{ items }" into en, the '{' being next. */
static int parse_body(struct cfg_parser *p, struct cfg_enum *en)
{
	struct cfg_enumerator item;
	struct cfg_token open, tok;
	int64_t next_value = 0;
	int ret;

	cfg_lex_next(p, &open);
	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_punct(&tok, '}'))
			break;
		ret = parse_item(p, en, &item, &next_value);
		if (ret)
			return ret;
		ret = cfg_append(&en->items, &en->nitems, sizeof(item), &item);
		if (ret) {
			free(item.name);
			return ret;
		}
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_punct(&tok, ','))
			cfg_lex_next(p, &tok);
		else if (!cfg_tok_is_punct(&tok, '}'))
			return cfg_tok_error(p, &tok, tok.kind == TOK_EOL ?
					     "missing '}' (the '{' at %d:%d is not closed)" :
					     "expected ',' or '}' in the enum (the '{' is at %d:%d)",
					     open.line, open.column);
	}
	cfg_lex_next(p, &tok);
	if (!en->nitems)
		return cfg_tok_error(p, &open, "empty %s (write at least one name)",
				     en->is_flags ? "flags" : "enum");
	return 0;
}

static bool same_items(const struct cfg_enum *a, const struct cfg_enum *b)
{
	int i;

	if (a->is_flags != b->is_flags || a->nitems != b->nitems)
		return false;
	for (i = 0; i < a->nitems; i++)
		if (strcmp(a->items[i].name, b->items[i].name) ||
		    a->items[i].value != b->items[i].value || a->items[i].mask != b->items[i].mask)
			return false;
	return true;
}

/*
 * Parses "enum NAME { … };" or "flags NAME { … };", the keyword being next. A name
 * used before ("enum whence" in a prototype) is completed in place, so the types
 * that mention it see the names.
 */
int cfg_parse_enum(struct cfg_parser *p)
{
	struct cfg_enum fresh = { 0 }, *en;
	struct cfg_token kw, name;
	int ret;

	cfg_lex_next(p, &kw);
	ret = cfg_lex_next(p, &name);
	if (ret)
		return ret;
	if (!cfg_tok_is_ident(&name))
		return cfg_tok_error(p, &name, "missing name after '%.*s'", CFG_SHOW(&kw));
	fresh.is_flags = cfg_tok_is(&kw, "flags");
	fresh.name = cfg_tok_dup(&name);
	fresh.file = strdup(p->name);
	fresh.line = kw.line;
	fresh.column = kw.column;
	if (!fresh.name || !fresh.file) {
		ret = -ENOMEM;
		goto out;
	}
	ret = parse_body(p, &fresh);
	if (!ret)
		ret = cfg_expect_end(p, "the declaration");
	if (ret)
		goto out;
	en = cfg_enum_find(p->out, name.text, name.len);
	if (en && en->nitems) {
		if (!same_items(en, &fresh) && !p->shipped)
			ret = cfg_tok_error(p, &name, "%s '%s' redeclared with different values "
					    "(first at %s:%d:%d; declare it once)",
					    fresh.is_flags ? "flags" : "enum", fresh.name,
					    en->file, en->line, en->column);
		goto out;
	}
	if (!en)
		en = cfg_enum_get(p->out, name.text, name.len);
	if (!en || cfg_undo_note_enum(p->undo, en)) {
		ret = -ENOMEM;
		goto out;
	}
	/* the forward entry takes the body; its name stays */
	en->is_flags = fresh.is_flags;
	en->items = fresh.items;
	en->nitems = fresh.nitems;
	free(en->file);
	en->file = fresh.file;
	en->line = fresh.line;
	en->column = fresh.column;
	free(fresh.name);
	return 0;
out:
	cfg_enum_clear_items(&fresh);
	free(fresh.name);
	free(fresh.file);
	return ret;
}
