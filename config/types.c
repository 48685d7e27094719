/*
 * types.c — turns the type part of a C declaration into a struct cfg_type.
 *
 * A type is a run of specifier words (in any order, as C allows: "long unsigned
 * int"), qualifiers anywhere (kept in the spelling when const or volatile, dropped
 * from the semantics), then stars. Only what the tracer can capture from registers
 * is accepted; everything else is an error naming the offending word's column,
 * with a hint when a known name is close. The ABI facts (sizes, signedness) are
 * those of x86-64 Linux, LP64.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

struct cfg_typedef {
	const char *name;
	enum cfg_type_kind kind;
	unsigned size;
	bool is_signed;
};

/* FILE and DIR: opaque, usable only behind a pointer. size 0 marks them. */
static const struct cfg_typedef typedefs[] = {
	{ "size_t", CT_INT, 8, false },     { "ssize_t", CT_INT, 8, true },
	{ "off_t", CT_INT, 8, true },       { "off64_t", CT_INT, 8, true },
	{ "pid_t", CT_INT, 4, true },       { "mode_t", CT_INT, 4, false },
	{ "uid_t", CT_INT, 4, false },      { "gid_t", CT_INT, 4, false },
	{ "time_t", CT_INT, 8, true },      { "socklen_t", CT_INT, 4, false },
	{ "ptrdiff_t", CT_INT, 8, true },   { "intptr_t", CT_INT, 8, true },
	{ "uintptr_t", CT_INT, 8, false },
	{ "int8_t", CT_INT, 1, true },      { "uint8_t", CT_INT, 1, false },
	{ "int16_t", CT_INT, 2, true },     { "uint16_t", CT_INT, 2, false },
	{ "int32_t", CT_INT, 4, true },     { "uint32_t", CT_INT, 4, false },
	{ "int64_t", CT_INT, 8, true },     { "uint64_t", CT_INT, 8, false },
	/* common glibc x86-64 typedefs of man-page prototypes */
	{ "ino_t", CT_INT, 8, false },      { "dev_t", CT_INT, 8, false },
	{ "nlink_t", CT_INT, 8, false },    { "blksize_t", CT_INT, 8, true },
	{ "blkcnt_t", CT_INT, 8, true },    { "clock_t", CT_INT, 8, true },
	{ "clockid_t", CT_INT, 4, true },   { "nfds_t", CT_INT, 8, false },
	{ "useconds_t", CT_INT, 4, false }, { "suseconds_t", CT_INT, 8, true },
	{ "id_t", CT_INT, 4, false },       { "key_t", CT_INT, 4, true },
	{ "wchar_t", CT_INT, 4, true },     { "sa_family_t", CT_INT, 2, false },
	{ "in_port_t", CT_INT, 2, false },  { "in_addr_t", CT_INT, 4, false },
	{ "FILE", CT_POINTER, 0, false },   { "DIR", CT_POINTER, 0, false },
};

/* Specifier keywords, also the first names offered as hints. */
static const char *const keywords[] = {
	"void", "bool", "_Bool", "char", "short", "int", "long", "signed", "unsigned",
	"float", "double", "enum", "struct", "union",
};

/* Spellings from other languages that are not close to their C name. */
static const struct {
	const char *word, *hint;
} aliases[] = {
	{ "uint", "unsigned int" },   { "ulong", "unsigned long" },
	{ "ushort", "unsigned short" }, { "uchar", "unsigned char" },
	{ "string", "const char *" }, { "u8", "uint8_t" },  { "u16", "uint16_t" },
	{ "u32", "uint32_t" },  { "u64", "uint64_t" },  { "i8", "int8_t" },
	{ "i16", "int16_t" },   { "i32", "int32_t" },   { "i64", "int64_t" },
	{ "s8", "int8_t" },     { "s16", "int16_t" },   { "s32", "int32_t" },
	{ "s64", "int64_t" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define HINT_MAX 32	/* longest word a hint is searched for */

/* Everything the specifier words said, gathered before deciding the type. */
struct cfg_spec {
	int n_signed, n_unsigned, n_short, n_long, n_int;
	int n_char, n_bool, n_float, n_double, n_void;
	const struct cfg_typedef *tdef;
	const char *tag_kw;		/* "struct", "union", "enum" or NULL */
	struct cfg_token tag;		/* the NAME after tag_kw */
	int base_column;		/* column of the first specifier word */
	int nwords;			/* specifier words, qualifiers excluded */
	bool is_const, is_volatile;
	char written[64];		/* the specifier words as written, for errors */
};

static bool is_qualifier(const struct cfg_token *tok, bool *is_const, bool *is_volatile)
{
	static const char *const consts[] = { "const", "__const" };
	static const char *const volatiles[] = { "volatile", "__volatile__" };
	static const char *const dropped[] = { "restrict", "__restrict", "__restrict__" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(consts); i++)
		if (cfg_tok_is(tok, consts[i]))
			return *is_const = true;
	for (i = 0; i < ARRAY_SIZE(volatiles); i++)
		if (cfg_tok_is(tok, volatiles[i]))
			return *is_volatile = true;
	for (i = 0; i < ARRAY_SIZE(dropped); i++)
		if (cfg_tok_is(tok, dropped[i]))
			return true;
	return false;
}

static const struct cfg_typedef *find_typedef(const struct cfg_token *tok)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(typedefs); i++)
		if (cfg_tok_is(tok, typedefs[i].name))
			return &typedefs[i];
	return NULL;
}

/* Counts a specifier keyword into *s; false when the word is no such keyword. */
static bool count_keyword(struct cfg_spec *s, const struct cfg_token *tok)
{
	struct { const char *word; int *counter; } table[] = {
		{ "signed", &s->n_signed }, { "unsigned", &s->n_unsigned },
		{ "short", &s->n_short },   { "long", &s->n_long },
		{ "int", &s->n_int },       { "char", &s->n_char },
		{ "bool", &s->n_bool },     { "_Bool", &s->n_bool },
		{ "float", &s->n_float },   { "double", &s->n_double },
		{ "void", &s->n_void },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		if (cfg_tok_is(tok, table[i].word)) {
			(*table[i].counter)++;
			return true;
		}
	}
	return false;
}

/* Whether the keywords counted so far can form one C type together. */
static bool spec_is_valid(const struct cfg_spec *s)
{
	int others = s->n_void + s->n_bool + s->n_float + s->n_double + s->n_char;
	int sign = s->n_signed + s->n_unsigned;

	if (others > 1 || sign > 1 || s->n_int > 1 || s->n_short > 1 || s->n_long > 2)
		return false;
	if (s->n_short && s->n_long)
		return false;
	if ((s->n_void || s->n_bool || s->n_float) && (sign || s->n_short || s->n_long || s->n_int))
		return false;
	if (s->n_double && (sign || s->n_short || s->n_int || s->n_long > 1))
		return false;
	if (s->n_char && (s->n_short || s->n_long || s->n_int))
		return false;
	return true;
}

static bool is_type_keyword(const struct cfg_token *tok)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (cfg_tok_is(tok, keywords[i]))
			return true;
	return false;
}

/* Levenshtein distance between a[0..la) and the NUL-terminated b, capped at HINT_MAX. */
static int distance(const char *a, int la, const char *b)
{
	int lb = strlen(b), i, j;
	int row[HINT_MAX + 1], prev, diag;

	if (la > HINT_MAX || lb > HINT_MAX)
		return HINT_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			prev = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (prev + 1 < row[j])
				row[j] = prev + 1;
			diag = prev;
		}
	}
	return row[lb];
}

/*
 * The distance from a word to a known name, where a typedef's "_t" may be left out
 * ("int33" is one edit from "int32_t", not three): people forget the suffix.
 */
static int name_distance(const struct cfg_token *tok, const char *name)
{
	char stem[HINT_MAX + 1];
	int d = distance(tok->text, tok->len, name);
	size_t n = strlen(name);

	if (n > 2 && n <= HINT_MAX && !strcmp(name + n - 2, "_t")) {
		memcpy(stem, name, n - 2);
		stem[n - 2] = '\0';
		if (distance(tok->text, tok->len, stem) < d)
			d = distance(tok->text, tok->len, stem);
	}
	return d;
}

/* A hint for an unknown type name: the closest known name, or NULL. */
static const char *closest_name(const struct cfg_token *tok)
{
	const char *best = NULL;
	int best_d = tok->len <= 5 ? 2 : 3;	/* only hint what is likely a typo: d < best_d */
	size_t i;
	int d;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (cfg_tok_is(tok, aliases[i].word))
			return aliases[i].hint;
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		d = name_distance(tok, keywords[i]);
		if (d < best_d) {
			best = keywords[i];
			best_d = d;
		}
	}
	for (i = 0; i < ARRAY_SIZE(typedefs); i++) {
		d = name_distance(tok, typedefs[i].name);
		if (d < best_d) {
			best = typedefs[i].name;
			best_d = d;
		}
	}
	return best;
}

static int unknown_type(struct cfg_parser *p, const struct cfg_token *tok)
{
	const char *hint = closest_name(tok);

	if (hint)
		return cfg_parser_error(p, tok->column, "unknown type '%.*s' (did you mean '%s'?)",
					tok->len > 64 ? 64 : tok->len, tok->text, hint);
	if (tok->len > 2 && !memcmp(tok->text + tok->len - 2, "_t", 2))
		return cfg_parser_error(p, tok->column,
					"unknown type '%.*s' (not a built-in typedef: write the C type it stands for)",
					tok->len > 64 ? 64 : tok->len, tok->text);
	return cfg_parser_error(p, tok->column, "unknown type '%.*s'",
				tok->len > 64 ? 64 : tok->len, tok->text);
}

static void spec_note_word(struct cfg_spec *s, const struct cfg_token *tok)
{
	size_t used = strlen(s->written);

	if (s->nwords == 0)
		s->base_column = tok->column;
	s->nwords++;
	/* silently stop recording past the buffer: it only feeds error messages */
	if (used + tok->len + 2 < sizeof(s->written)) {
		if (used)
			s->written[used++] = ' ';
		memcpy(s->written + used, tok->text, tok->len);
		s->written[used + tok->len] = '\0';
	}
}

/* Reads "struct NAME", "union NAME" or "enum NAME" after the keyword. */
static int parse_tag(struct cfg_parser *p, struct cfg_spec *s, const struct cfg_token *kw)
{
	struct cfg_token name;
	int ret;

	s->tag_kw = cfg_tok_is(kw, "struct") ? "struct" : cfg_tok_is(kw, "union") ? "union" : "enum";
	ret = cfg_lex_next(p, &name);
	if (ret)
		return ret;
	if (!cfg_tok_is_ident(&name) || is_type_keyword(&name))
		return cfg_parser_error(p, name.column, "missing name after '%s'", s->tag_kw);
	s->tag = name;
	return 0;
}

/*
 * Reads the specifier words and qualifiers before the stars into *s. Stops, without
 * consuming it, at the first token that cannot continue the type: the declarator
 * name, a star, a punctuation.
 */
static int parse_specifiers(struct cfg_parser *p, struct cfg_spec *s, bool is_return)
{
	struct cfg_token tok, next;
	int ret;

	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (tok.kind != TOK_WORD)
			break;
		if (is_qualifier(&tok, &s->is_const, &s->is_volatile)) {
			cfg_lex_next(p, &tok);
			continue;
		}
		if (cfg_tok_is(&tok, "struct") || cfg_tok_is(&tok, "union") ||
		    cfg_tok_is(&tok, "enum")) {
			cfg_lex_next(p, &tok);
			spec_note_word(s, &tok);
			if (s->nwords > 1)
				return cfg_parser_error(p, tok.column, "invalid type '%s'", s->written);
			ret = parse_tag(p, s, &tok);
			if (ret)
				return ret;
			continue;
		}
		if (is_type_keyword(&tok)) {
			cfg_lex_next(p, &tok);
			spec_note_word(s, &tok);
			if (s->tdef || s->tag_kw || (count_keyword(s, &tok) && !spec_is_valid(s)))
				return cfg_parser_error(p, tok.column, "invalid type '%s'", s->written);
			continue;
		}
		/*
		 * any other word after a type is the declarator's name, except a
		 * typedef name: "unsigned size_t n" is a wrong type, not a name 'size_t'
		 */
		if (s->nwords && find_typedef(&tok)) {
			spec_note_word(s, &tok);
			return cfg_parser_error(p, tok.column, "invalid type '%s'", s->written);
		}
		if (s->nwords)
			break;
		s->tdef = find_typedef(&tok);
		cfg_lex_next(p, &tok);
		if (s->tdef) {
			spec_note_word(s, &tok);
			continue;
		}
		ret = cfg_lex_peek(p, &next);
		if (ret)
			return ret;
		if (is_return && cfg_tok_is_punct(&next, '('))
			return cfg_parser_error(p, tok.column, "missing return type before '%.*s'",
						tok.len > 64 ? 64 : tok.len, tok.text);
		return unknown_type(p, &tok);
	}
	if (!s->nwords) {
		if (tok.kind == TOK_EOL)
			return cfg_parser_error(p, tok.column, "missing type");
		return cfg_parser_error(p, tok.column, "missing type before '%.*s'",
					tok.len > 64 ? 64 : tok.len, tok.text);
	}
	return 0;
}

/* Fills kind, size, signedness and the base spelling from the specifier words. */
static int spec_resolve(struct cfg_type *type, const struct cfg_spec *s, char *base, size_t size)
{
	type->is_signed = false;
	if (s->tdef) {
		type->kind = s->tdef->kind;
		type->size = s->tdef->size;
		type->is_signed = s->tdef->is_signed;
		return snprintf(base, size, "%s", s->tdef->name);
	}
	if (s->tag_kw) {
		/* struct and union are settled by the caller: only their pointers exist */
		type->kind = CT_ENUM;
		type->size = 4;
		type->is_signed = true;
		return snprintf(base, size, "%s %.*s", s->tag_kw, s->tag.len, s->tag.text);
	}
	if (s->n_void) {
		type->kind = CT_VOID;
		type->size = 0;
		return snprintf(base, size, "void");
	}
	if (s->n_bool) {
		type->kind = CT_BOOL;
		type->size = 1;
		return snprintf(base, size, "bool");
	}
	if (s->n_float) {
		type->kind = CT_FLOAT;
		type->size = 4;
		return snprintf(base, size, "float");
	}
	if (s->n_double) {
		type->kind = s->n_long ? CT_LONG_DOUBLE : CT_DOUBLE;
		type->size = s->n_long ? 16 : 8;
		return snprintf(base, size, s->n_long ? "long double" : "double");
	}
	type->kind = CT_INT;
	type->is_signed = !s->n_unsigned;
	if (s->n_char) {
		/* plain char is signed on x86-64 */
		type->size = 1;
		return snprintf(base, size, "%schar",
				s->n_unsigned ? "unsigned " : s->n_signed ? "signed " : "");
	}
	type->size = s->n_short ? 2 : s->n_long ? 8 : 4;
	return snprintf(base, size, "%s%s", s->n_unsigned ? "unsigned " : "",
			s->n_short ? "short" : s->n_long == 2 ? "long long" :
			s->n_long ? "long" : "int");
}

/*
 * Reads one type (specifiers, qualifiers, stars) from the current line into *type,
 * leaving the lexer on the token after it. is_return allows plain 'void'. Returns 0,
 * -EINVAL with the parser's error set, or -ENOMEM.
 */
int cfg_parse_type(struct cfg_parser *p, struct cfg_type *type, bool is_return)
{
	struct cfg_spec s = { 0 };
	struct cfg_token tok;
	char *base, *out;
	size_t cap = 64, used = 0;
	int nstars = 0, ret;

	memset(type, 0, sizeof(*type));
	ret = parse_specifiers(p, &s, is_return);
	if (ret)
		return ret;
	/* measured first: a tag name can be as long as the line */
	base = malloc(spec_resolve(type, &s, NULL, 0) + 1);
	out = malloc(cap);
	if (!base || !out) {
		ret = -ENOMEM;
		goto fail;
	}
	spec_resolve(type, &s, base, spec_resolve(type, &s, NULL, 0) + 1);

	/* the spelling: "const volatile BASE *const *", built as the stars are read */
	for (;;) {
		bool is_const = false, is_volatile = false;

		ret = cfg_lex_peek(p, &tok);
		if (ret)
			goto fail;
		if (!cfg_tok_is_punct(&tok, '*'))
			break;
		cfg_lex_next(p, &tok);
		nstars++;
		while (!(ret = cfg_lex_peek(p, &tok)) && tok.kind == TOK_WORD &&
		       is_qualifier(&tok, &is_const, &is_volatile))
			cfg_lex_next(p, &tok);
		if (ret)
			goto fail;
		if (used + 20 >= cap) {
			char *bigger = realloc(out, cap * 2);

			if (!bigger) {
				ret = -ENOMEM;
				goto fail;
			}
			out = bigger;
			cap *= 2;
		}
		/* "*const *": a qualified star is followed by a space before the next */
		used += snprintf(out + used, cap - used, "%s*%s%s%s",
				 used && out[used - 1] != '*' ? " " : "",
				 is_const ? "const" : "", is_const && is_volatile ? " " : "",
				 is_volatile ? "volatile" : "");
	}
	/* "const volatile " + base + " " + stars + NUL */
	cap = strlen(base) + used + 20;
	type->spelling = malloc(cap);
	if (!type->spelling) {
		ret = -ENOMEM;
		goto fail;
	}
	out[used] = '\0';
	stpcpy(stpcpy(stpcpy(stpcpy(stpcpy(type->spelling, s.is_const ? "const " : ""),
					s.is_volatile ? "volatile " : ""),
				base),
			nstars ? " " : ""),
		out);
	free(base);
	free(out);

	/* "void (*fn)(int)" or "int fn(int)": the '(' shows a function type */
	if (!is_return && !cfg_lex_peek(p, &tok) && cfg_tok_is_punct(&tok, '(')) {
		cfg_type_release(type);
		return cfg_parser_error(p, tok.column,
					"function pointer parameters are not supported (write 'void *NAME')");
	}
	if (nstars) {
		bool is_char = s.n_char && !s.tdef && !s.tag_kw;

		type->kind = nstars == 1 && is_char ? CT_STRING : CT_POINTER;
		type->size = 8;
		type->is_signed = false;
		return 0;
	}
	if (s.tag_kw && strcmp(s.tag_kw, "enum"))
		ret = cfg_parser_error(p, s.base_column,
				       "%s '%.*s' passed by value needs a %s declaration (not supported yet)",
				       s.tag_kw, s.tag.len > 64 ? 64 : s.tag.len, s.tag.text, s.tag_kw);
	else if (s.tdef && !s.tdef->size)
		ret = cfg_parser_error(p, s.base_column,
				       "'%s' can only be used behind a pointer ('%s *')",
				       s.tdef->name, s.tdef->name);
	else if (type->kind == CT_VOID && !is_return)
		ret = cfg_parser_error(p, s.base_column,
				       "a parameter cannot have type 'void' (write '(void)' for no parameters, or 'void *')");
	if (ret)
		cfg_type_release(type);
	return ret;

fail:
	free(base);
	free(out);
	return ret;
}
