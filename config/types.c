/*
 * types.c — turns the type part of a C declaration into a struct cfg_type.
 *
 * A type is a run of specifier words (in any order, as C allows: "long unsigned
 * int"), qualifiers anywhere (kept in the spelling when const or volatile, dropped
 * from the semantics), then stars. The base is a keyword type, a built-in typedef,
 * a declared typedef, "struct/union TAG" or "enum TAG". Each star wraps the type so
 * far as the pointee of a new pointer, so "struct stat *" knows what it points to.
 * Errors name the offending word's column, with a hint when a known name is close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/* Everything the specifier words said, gathered before deciding the type. */
struct cfg_spec {
	int n_signed, n_unsigned, n_short, n_long, n_int;
	int n_char, n_bool, n_float, n_double, n_void;
	const struct cfg_builtin *builtin;
	const struct cfg_typedef *tdef;
	const char *tag_kw;		/* "struct", "union", "enum" or NULL */
	struct cfg_token tag;		/* the NAME after tag_kw */
	struct cfg_token first;		/* the first specifier word */
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

	for (i = 0; i < CFG_ARRAY_SIZE(consts); i++)
		if (cfg_tok_is(tok, consts[i]))
			return *is_const = true;
	for (i = 0; i < CFG_ARRAY_SIZE(volatiles); i++)
		if (cfg_tok_is(tok, volatiles[i]))
			return *is_volatile = true;
	for (i = 0; i < CFG_ARRAY_SIZE(dropped); i++)
		if (cfg_tok_is(tok, dropped[i]))
			return true;
	return false;
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

	for (i = 0; i < CFG_ARRAY_SIZE(table); i++) {
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

static void spec_note_word(struct cfg_spec *s, const struct cfg_token *tok)
{
	size_t used = strlen(s->written);

	if (s->nwords == 0)
		s->first = *tok;
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
	if (!cfg_tok_is_ident(&name) || cfg_is_type_keyword(&name))
		return cfg_tok_error(p, &name, "missing name after '%s'", s->tag_kw);
	s->tag = name;
	return 0;
}

static bool has_base(const struct cfg_spec *s)
{
	return s->builtin || s->tdef || s->tag_kw;
}

/*
 * Reads the specifier words and qualifiers before the stars into *s. Stops, without
 * consuming it, at the first token that cannot continue the type: the declarator
 * name, a star, a punctuation.
 */
static int parse_specifiers(struct cfg_parser *p, struct cfg_spec *s, enum cfg_type_use use)
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
				return cfg_tok_error(p, &tok, "invalid type '%s'", s->written);
			ret = parse_tag(p, s, &tok);
			if (ret)
				return ret;
			continue;
		}
		if (cfg_is_type_keyword(&tok)) {
			cfg_lex_next(p, &tok);
			spec_note_word(s, &tok);
			if (has_base(s) || (count_keyword(s, &tok) && !spec_is_valid(s)))
				return cfg_tok_error(p, &tok, "invalid type '%s'", s->written);
			continue;
		}
		/*
		 * any other word after a type is the declarator's name, except a
		 * typedef name: "unsigned size_t n" is a wrong type, not a name 'size_t'
		 */
		if (s->nwords && cfg_builtin_find(&tok) && use != USE_TYPEDEF) {
			spec_note_word(s, &tok);
			return cfg_tok_error(p, &tok, "invalid type '%s'", s->written);
		}
		if (s->nwords)
			break;
		s->builtin = cfg_builtin_find(&tok);
		if (!s->builtin)
			s->tdef = cfg_typedef_find(p->out, tok.text, tok.len);
		cfg_lex_next(p, &tok);
		if (has_base(s)) {
			spec_note_word(s, &tok);
			continue;
		}
		ret = cfg_lex_peek(p, &next);
		if (ret)
			return ret;
		if (use == USE_RETURN && cfg_tok_is_punct(&next, '('))
			return cfg_tok_error(p, &tok, "missing return type before '%.*s'",
					     CFG_SHOW(&tok));
		return cfg_unknown_type(p, &tok);
	}
	if (!s->nwords) {
		if (tok.kind == TOK_EOL)
			return cfg_tok_error(p, &tok, "missing type");
		return cfg_tok_error(p, &tok, "missing type before '%.*s'", CFG_SHOW(&tok));
	}
	return 0;
}

/* Makes a tag's record or enum exist and points the type at it. */
static int tag_type(struct cfg_parser *p, struct cfg_type *type, const struct cfg_spec *s)
{
	bool is_union = !strcmp(s->tag_kw, "union");
	struct cfg_record *rec;
	struct cfg_enum *en;

	if (!strcmp(s->tag_kw, "enum")) {
		en = cfg_enum_get(p->out, s->tag.text, s->tag.len);
		if (!en)
			return -ENOMEM;
		type->kind = CT_ENUM;
		type->size = type->align = 4;
		type->is_signed = true;
		type->names = en;
		/* an enum declared later gets its display in cfg_resolve() */
		type->display = en->is_flags ? CD_FLAGS : CD_ENUM;
		return 0;
	}
	rec = cfg_record_find(p->out, s->tag.text, s->tag.len);
	if (rec && rec->is_union != is_union)
		return cfg_tok_error(p, &s->first, "'%.*s' is a %s, not a %s (write '%s %.*s')",
				     CFG_SHOW(&s->tag), rec->is_union ? "union" : "struct", s->tag_kw,
				     rec->is_union ? "union" : "struct", CFG_SHOW(&s->tag));
	if (!rec)
		rec = cfg_record_get(p->out, s->tag.text, s->tag.len, is_union);
	if (!rec)
		return -ENOMEM;
	type->kind = CT_STRUCT;
	type->record = rec;
	type->size = rec->size;
	type->align = rec->align;
	return 0;
}

/* Fills the type from the specifier words; its spelling is the base as written. */
static int spec_resolve(struct cfg_parser *p, struct cfg_type *type, const struct cfg_spec *s,
			char *base, size_t size)
{
	int ret;

	if (s->tdef) {
		ret = cfg_type_copy(type, &s->tdef->type);
		free(type->spelling);
		type->spelling = NULL;
		if (ret)
			return ret;
		snprintf(base, size, "%s", s->tdef->name);
		return 0;
	}
	if (s->builtin) {
		type->kind = s->builtin->kind;
		type->size = type->align = s->builtin->size;
		type->is_signed = s->builtin->is_signed;
		snprintf(base, size, "%s", s->builtin->name);
		return 0;
	}
	if (s->tag_kw) {
		snprintf(base, size, "%s %.*s", s->tag_kw, s->tag.len, s->tag.text);
		return tag_type(p, type, s);
	}
	if (s->n_void) {
		type->kind = CT_VOID;
		snprintf(base, size, "void");
		return 0;
	}
	if (s->n_bool) {
		type->kind = CT_BOOL;
		type->size = type->align = 1;
		snprintf(base, size, "bool");
		return 0;
	}
	if (s->n_float) {
		type->kind = CT_FLOAT;
		type->size = type->align = 4;
		snprintf(base, size, "float");
		return 0;
	}
	if (s->n_double) {
		type->kind = s->n_long ? CT_LONG_DOUBLE : CT_DOUBLE;
		type->size = type->align = s->n_long ? 16 : 8;
		snprintf(base, size, s->n_long ? "long double" : "double");
		return 0;
	}
	type->kind = CT_INT;
	type->is_signed = !s->n_unsigned;
	if (s->n_char) {
		/* plain char is signed on x86-64, and shown as a character */
		type->size = type->align = 1;
		if (!s->n_signed && !s->n_unsigned)
			type->display = CD_CHAR;
		snprintf(base, size, "%schar",
			 s->n_unsigned ? "unsigned " : s->n_signed ? "signed " : "");
		return 0;
	}
	type->size = type->align = s->n_short ? 2 : s->n_long ? 8 : 4;
	snprintf(base, size, "%s%s", s->n_unsigned ? "unsigned " : "",
		 s->n_short ? "short" : s->n_long == 2 ? "long long" : s->n_long ? "long" : "int");
	return 0;
}

/* Whether a type is the plain keyword char type (not a typedef of it). */
static bool is_keyword_char(const struct cfg_spec *s)
{
	return s->n_char && !s->builtin && !s->tdef && !s->tag_kw;
}

/*
 * Wraps *type as the pointee of a new pointer. The pointee is dropped where there
 * is nothing to follow: void and the opaque built-ins (FILE, DIR). One star on a
 * keyword char is a string.
 */
int cfg_wrap_pointer(struct cfg_type *type, bool string_ok)
{
	struct cfg_type *pointee = NULL;
	bool opaque = type->kind == CT_POINTER && type->size == 0;

	if (string_ok) {
		cfg_type_release(type);
		memset(type, 0, sizeof(*type));
		type->kind = CT_STRING;
		type->size = type->align = 8;
		return 0;
	}
	if (type->kind == CT_VOID || opaque) {
		cfg_type_release(type);
	} else {
		pointee = malloc(sizeof(*pointee));
		if (!pointee)
			return -ENOMEM;
		*pointee = *type;
	}
	memset(type, 0, sizeof(*type));
	type->kind = CT_POINTER;
	type->size = type->align = 8;
	type->pointee = pointee;
	return 0;
}

/* Appends text to the spelling being built in *buf (capacity *cap). */
static int spell_add(char **buf, size_t *cap, const char *text)
{
	size_t used = strlen(*buf), n = strlen(text);
	char *bigger;

	if (used + n + 1 > *cap) {
		bigger = realloc(*buf, (used + n + 1) * 2);
		if (!bigger)
			return -ENOMEM;
		*buf = bigger;
		*cap = (used + n + 1) * 2;
	}
	memcpy(*buf + used, text, n + 1);
	return 0;
}

static int set_spelling(struct cfg_type *type, const char *text)
{
	free(type->spelling);
	type->spelling = strdup(text);
	return type->spelling ? 0 : -ENOMEM;
}

/* What a type may not be by value, said with what to write instead. */
static int check_by_value(struct cfg_parser *p, const struct cfg_type *type,
			  const struct cfg_spec *s, enum cfg_type_use use)
{
	const struct cfg_token *at = &s->first;

	if (type->kind == CT_POINTER && type->size == 0)
		return cfg_tok_error(p, at, "'%s' can only be used behind a pointer ('%s *')",
				     type->spelling, type->spelling);
	if (type->kind == CT_VOID && use != USE_RETURN && use != USE_TYPEDEF)
		return cfg_tok_error(p, at, use == USE_FIELD ?
				     "a field cannot have type 'void' (write 'void *')" :
				     use == USE_VARARG ?
				     "a variadic argument cannot have type 'void' (write 'void *')" :
				     "a parameter cannot have type 'void' (write '(void)' for no parameters, or 'void *')");
	if (type->kind == CT_STRUCT && use == USE_FIELD && !type->record->complete)
		return cfg_tok_error(p, at, "%s '%s' has no body here (declare it with its fields "
				     "before this one, or use a pointer: '%s *')",
				     type->record->is_union ? "union" : "struct", type->record->name,
				     type->spelling);
	return 0;
}

/*
 * Reads one type (specifiers, qualifiers, stars) into *type, leaving the lexer on
 * the token after it. use says where the type stands: only a return or a typedef
 * may be plain 'void'; a field's struct must have its body already. Returns 0,
 * -EINVAL with the parser's error set, or -ENOMEM.
 */
int cfg_parse_type(struct cfg_parser *p, struct cfg_type *type, enum cfg_type_use use)
{
	struct cfg_spec s = { 0 };
	struct cfg_token tok;
	char base[160], *spelling = NULL;
	size_t cap = 0;
	int ret, nstars = 0;

	memset(type, 0, sizeof(*type));
	ret = parse_specifiers(p, &s, use);
	if (ret)
		return ret;
	ret = spec_resolve(p, type, &s, base, sizeof(base));
	if (ret)
		goto fail;
	cap = strlen(base) + 32;
	spelling = malloc(cap);
	if (!spelling) {
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(spelling, cap, "%s%s%s", s.is_const ? "const " : "",
		 s.is_volatile ? "volatile " : "", base);
	ret = set_spelling(type, spelling);
	if (ret)
		goto fail;

	/* the spelling: "const volatile BASE *const *", one level per star */
	for (;;) {
		bool is_const = false, is_volatile = false;
		char star[24];

		ret = cfg_lex_peek(p, &tok);
		if (ret)
			goto fail;
		if (!cfg_tok_is_punct(&tok, '*'))
			break;
		cfg_lex_next(p, &tok);
		while (!(ret = cfg_lex_peek(p, &tok)) && tok.kind == TOK_WORD &&
		       is_qualifier(&tok, &is_const, &is_volatile))
			cfg_lex_next(p, &tok);
		if (ret)
			goto fail;
		/* "*const *": a qualified star is followed by a space before the next */
		snprintf(star, sizeof(star), "%s*%s%s%s",
			 spelling[strlen(spelling) - 1] != '*' ? " " : "",
			 is_const ? "const" : "", is_const && is_volatile ? " " : "",
			 is_volatile ? "volatile" : "");
		ret = spell_add(&spelling, &cap, star);
		if (!ret)
			ret = cfg_wrap_pointer(type, nstars == 0 && is_keyword_char(&s));
		if (!ret)
			ret = set_spelling(type, spelling);
		if (ret)
			goto fail;
		nstars++;
	}
	free(spelling);
	spelling = NULL;

	/* "void (*fn)(int)" or "int fn(int)": the '(' shows a function type */
	if (use != USE_RETURN && !cfg_lex_peek(p, &tok) && cfg_tok_is_punct(&tok, '(')) {
		ret = cfg_tok_error(p, &tok, use == USE_FIELD ?
				    "function pointer fields are not supported (write 'void *NAME' for a function pointer)" :
				    "function pointer parameters are not supported (write 'void *NAME')");
		goto fail;
	}
	if (!nstars)
		ret = check_by_value(p, type, &s, use);
	if (ret)
		goto fail;
	return 0;
fail:
	free(spelling);
	cfg_type_release(type);
	return ret;
}

bool cfg_type_is_integer(const struct cfg_type *type)
{
	return type->kind == CT_INT || type->kind == CT_ENUM;
}
