/*
 * attrs.c — the attributes written after a parameter or a struct field (or after
 * a type alone: unnamed parameters, vararg cases, typedefs):
 *
 *     [len=count] [len=return] [len=16] [len=size*nmemb]   how many bytes/elements
 *     [out] [deref] [nullterm]                             how a pointer is followed
 *     [hex] [oct] [char] [enum=NAME] [flags=NAME]          how an integer is shown
 *
 * A length may name a parameter (or field) written later in the list, so names
 * are collected in a struct cfg_pending and resolved once the list is complete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static const char *const member_attrs = "len, out, deref, nullterm, hex, oct, char, enum, flags";

bool cfg_is_display_attr(const struct cfg_token *name)
{
	return cfg_tok_is(name, "hex") || cfg_tok_is(name, "oct") || cfg_tok_is(name, "char") ||
	       cfg_tok_is(name, "enum") || cfg_tok_is(name, "flags");
}

static bool is_pointer(const struct cfg_type *type)
{
	return type->kind == CT_POINTER || type->kind == CT_STRING;
}

/*
 * [hex] [oct] [char] [enum=NAME] [flags=NAME] (value is the NAME token, or NULL).
 * On a pointer or array of integers the display is the elements'.
 */
int cfg_apply_display(struct cfg_parser *p, struct cfg_type *type, const struct cfg_token *name,
		      const struct cfg_token *value, const char *owner)
{
	struct cfg_type *target = type;
	const struct cfg_enum *en = NULL;

	while ((target->kind == CT_POINTER || target->kind == CT_ARRAY) && target->pointee)
		target = target->pointee;
	if (!cfg_type_is_integer(target))
		return cfg_tok_error(p, name, "[%.*s] applies to integers, not to '%s'%s%s",
				     CFG_SHOW(name), type->spelling, owner ? " " : "", owner ? owner : "");
	/* owner is only given for the return value, which has no name of its own */
	if (value) {
		en = cfg_enum_find(p->out, value->text, value->len);
		if (!en || !en->nitems)
			return cfg_tok_error(p, value, "unknown %.*s '%.*s' (declare it first: "
					     "'%.*s %.*s { A = 1, B = 2 };')", CFG_SHOW(name),
					     CFG_SHOW(value), CFG_SHOW(name), CFG_SHOW(value));
		target->names = en;
		target->display = en->is_flags ? CD_FLAGS : CD_ENUM;
		return 0;
	}
	target->names = NULL;
	target->display = cfg_tok_is(name, "hex") ? CD_HEX : cfg_tok_is(name, "oct") ? CD_OCT : CD_CHAR;
	return 0;
}

static int add_pending(struct cfg_pending *pending, int owner, int term,
		       const struct cfg_token *tok)
{
	struct cfg_pending_len item = { owner, term, cfg_tok_dup(tok), { tok->line, tok->column } };

	if (!item.name || cfg_append(&pending->items, &pending->n, sizeof(item), &item)) {
		free(item.name);
		return -ENOMEM;
	}
	return 0;
}

/* One term of [len=…]: a name (kept pending), 'return' or a number. */
static int parse_len_term(struct cfg_parser *p, struct cfg_type *type, int term, int owner,
			  bool is_field, struct cfg_pending *pending)
{
	struct cfg_token tok;
	int64_t value;
	int ret = cfg_lex_next(p, &tok);

	if (ret)
		return ret;
	if (tok.kind == TOK_WORD && tok.text[0] >= '0' && tok.text[0] <= '9') {
		if (cfg_number(tok.text, tok.len, &value) || value < 0)
			return cfg_tok_error(p, &tok, "invalid length '%.*s'", CFG_SHOW(&tok));
		type->len.terms[term].kind = CL_CONST;
		type->len.terms[term].value = value;
		return 0;
	}
	if (cfg_tok_is(&tok, "return")) {
		if (is_field || owner < 0)
			return cfg_tok_error(p, &tok, "[len=return] is only for parameters (a %s has no "
					     "return value)", is_field ? "field" : "variadic argument");
		type->len.terms[term].kind = CL_RETURN;
		type->out = true;	/* the length is known only after the call */
		return 0;
	}
	if (!cfg_tok_is_ident(&tok))
		return cfg_tok_error(p, &tok, "expected a %s name, 'return' or a number after 'len='",
				     is_field ? "field" : "parameter");
	if (!pending)
		return cfg_tok_error(p, &tok, "[len=%.*s]: a length here must be a number",
				     CFG_SHOW(&tok));
	type->len.terms[term].kind = is_field ? CL_FIELD : CL_PARAM;
	type->len.terms[term].index = -1;
	return add_pending(pending, owner, term, &tok);
}

static int parse_len(struct cfg_parser *p, struct cfg_type *type, const struct cfg_token *name,
		     int owner, bool is_field, struct cfg_pending *pending)
{
	struct cfg_token tok;
	int ret;

	if (!is_pointer(type))
		return cfg_tok_error(p, name, "[len=…] on '%s': only pointers have a length (put it "
				     "on the pointer, e.g. 'void *buf [len=n]')", type->spelling);
	ret = parse_len_term(p, type, 0, owner, is_field, pending);
	if (ret)
		return ret;
	type->len.nterms = 1;
	ret = cfg_lex_peek(p, &tok);
	if (ret || !cfg_tok_is_punct(&tok, '*'))
		return ret;
	cfg_lex_next(p, &tok);
	type->len.nterms = 2;
	return parse_len_term(p, type, 1, owner, is_field, pending);
}

/* [out] [deref] [nullterm]: what they need of the pointer. */
static int check_follow(struct cfg_parser *p, struct cfg_type *type, const struct cfg_token *name,
			bool is_field)
{
	const struct cfg_type *pt = type->pointee;

	if (!is_pointer(type))
		return cfg_tok_error(p, name, "[%.*s] on '%s': only pointers can be followed",
				     CFG_SHOW(name), type->spelling);
	if (cfg_tok_is(name, "out")) {
		struct cfg_token tok;
		int ret;

		if (is_field)
			return cfg_tok_error(p, name, "[out] is for parameters (a field is captured "
					     "with its struct)");
		type->out = true;
		/* [out=always]: the function fills it even when it fails (sqlite3_open's
		 * handle, nanosleep's remaining time); plain [out] only on success. */
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, '=')) {
			type->out_unless_failed = true;
			return 0;
		}
		cfg_lex_next(p, &tok);
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is(&tok, "always"))
			return cfg_tok_error(p, &tok, "[out=%.*s]: the only value is 'always' (filled "
					     "even when the call fails)", CFG_SHOW(&tok));
		return 0;
	}
	if (type->kind == CT_STRING)
		return cfg_tok_error(p, name, "[%.*s] on '%s': a string is already followed "
				     "(drop the attribute)", CFG_SHOW(name), type->spelling);
	if (cfg_tok_is(name, "deref")) {
		if (!pt)
			return cfg_tok_error(p, name, "[deref] on '%s': nothing to dereference "
					     "(use [len=N] for bytes)", type->spelling);
		type->deref = true;
		return 0;
	}
	if (!pt || !(pt->kind == CT_POINTER || pt->kind == CT_STRING || pt->kind == CT_INT ||
		     pt->kind == CT_ENUM || pt->kind == CT_BOOL))
		return cfg_tok_error(p, name, "[nullterm] on '%s': only for pointers to pointers or "
				     "integers (e.g. 'char **argv [nullterm]')", type->spelling);
	type->nullterm = true;
	return 0;
}

static bool seen_before(const char *seen, const struct cfg_token *name)
{
	char key[24];

	snprintf(key, sizeof(key), ",%.*s,", name->len > 16 ? 16 : name->len, name->text);
	return strstr(seen, key) != NULL;
}

static void note_seen(char *seen, size_t size, const struct cfg_token *name)
{
	size_t used = strlen(seen);

	snprintf(seen + used, size - used, "%.*s,", name->len > 16 ? 16 : name->len, name->text);
}

/* One "[NAME…]" after its '['. */
static int parse_one(struct cfg_parser *p, struct cfg_type *type, const struct cfg_token *name,
		     int owner, bool is_field, struct cfg_pending *pending)
{
	struct cfg_token tok, value;
	int ret;

	if (cfg_tok_is(name, "len") || cfg_tok_is(name, "enum") || cfg_tok_is(name, "flags")) {
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, '='))
			return cfg_tok_error(p, &tok, "missing '=' after '%.*s'", CFG_SHOW(name));
		if (cfg_tok_is(name, "len"))
			return parse_len(p, type, name, owner, is_field, pending);
		ret = cfg_lex_next(p, &value);
		if (ret)
			return ret;
		if (!cfg_tok_is_ident(&value))
			return cfg_tok_error(p, &value, "missing name after '%.*s='", CFG_SHOW(name));
		return cfg_apply_display(p, type, name, &value, NULL);
	}
	if (cfg_tok_is(name, "out") || cfg_tok_is(name, "deref") || cfg_tok_is(name, "nullterm"))
		return check_follow(p, type, name, is_field);
	if (cfg_is_display_attr(name))
		return cfg_apply_display(p, type, name, NULL, NULL);
	if (cfg_is_hook_attr(name))
		return cfg_tok_error(p, name, "[%.*s] is a function attribute: write it after the ')'",
				     CFG_SHOW(name));
	return cfg_tok_error(p, name, "unknown attribute '%.*s' (known here: %s)",
			     CFG_SHOW(name), member_attrs);
}

/*
 * Reads the "[…]" attributes after a parameter, field or type into *type. owner is
 * the index of the parameter or field (-1 for a vararg case or typedef, where names
 * cannot be lengths); pending collects the names lengths refer to (NULL: numbers
 * only). Stops at the first token that is not a '['.
 */
int cfg_parse_member_attrs(struct cfg_parser *p, struct cfg_type *type, int owner,
			   bool is_field, struct cfg_pending *pending)
{
	struct cfg_token tok, name, out_name = { 0 }, display = { 0 };
	char seen[128] = ",", what[80];
	int ret;

	for (;;) {
		ret = cfg_lex_attr_open(p, &name);
		if (ret <= 0)
			break;
		if (name.kind != TOK_WORD)
			return cfg_tok_error(p, &name, "missing attribute name after '['");
		if (seen_before(seen, &name))
			return cfg_tok_error(p, &name, "duplicate attribute '%.*s'", CFG_SHOW(&name));
		if (cfg_is_display_attr(&name) && display.len)
			return cfg_tok_error(p, &name, "[%.*s] after [%.*s]: a value has one display "
					     "(keep one)", CFG_SHOW(&name), CFG_SHOW(&display));
		if (cfg_is_display_attr(&name))
			display = name;
		note_seen(seen, sizeof(seen), &name);
		if (cfg_tok_is(&name, "out"))
			out_name = name;
		ret = parse_one(p, type, &name, owner, is_field, pending);
		if (ret)
			return ret;
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, ']')) {
			cfg_tok_describe(&tok, what, sizeof(what));
			return cfg_tok_error(p, &tok, "missing ']' before %s", what);
		}
	}
	if (ret)
		return ret;
	if (type->out && type->kind == CT_POINTER && !type->pointee && !type->len.nterms)
		return cfg_tok_error(p, &out_name, "[out] on '%s' needs a length: add [len=…]",
				     type->spelling);
	return 0;
}

static const char *member_name(const struct cfg_members *m, int i)
{
	return m->is_field ? m->fields[i].name : m->params[i].name;
}

static struct cfg_type *member_type(const struct cfg_members *m, int i)
{
	return m->is_field ? &m->fields[i].type : &m->params[i].type;
}

/* Gives every pending [len=NAME] the index of its parameter or field. */
int cfg_resolve_lens(struct cfg_parser *p, const struct cfg_members *members,
		     struct cfg_pending *pending)
{
	const char *what = members->is_field ? "field" : "parameter";
	int i, j;

	for (i = 0; i < pending->n; i++) {
		const struct cfg_pending_len *pl = &pending->items[i];
		struct cfg_type *type;

		for (j = 0; j < members->count; j++)
			if (!strcmp(member_name(members, j), pl->name))
				break;
		if (j == members->count)
			return cfg_parser_error_at(p, pl->pos.line, pl->pos.column,
						   "[len=%s] names no %s of %s (write a %s name, %sor a number)",
						   pl->name, what, members->owner, what,
						   members->is_field ? "" : "'return' ");
		type = member_type(members, j);
		if (!cfg_type_is_integer(type))
			return cfg_parser_error_at(p, pl->pos.line, pl->pos.column,
						   "[len=%s]: '%s' is '%s', not an integer %s",
						   pl->name, pl->name, type->spelling, what);
		member_type(members, pl->owner)->len.terms[pl->term].index = j;
	}
	return 0;
}

void cfg_pending_release(struct cfg_pending *pending)
{
	int i;

	for (i = 0; i < pending->n; i++)
		free(pending->items[i].name);
	free(pending->items);
	pending->items = NULL;
	pending->n = 0;
}
