/*
 * parser.c — reads hooks.conf statement by statement and decides what each is:
 * a section header, a setting, an include, a struct/union/enum/flags/typedef
 * declaration, a pattern, a bare name or a prototype.
 *
 * A parse either succeeds completely or leaves the caller's struct cfg exactly as
 * it was: settings are applied to a working copy, and everything appended by a
 * failed parse (hooks, prototypes, patterns, declarations, bodies given to earlier
 * forward declarations) is removed again, so a half-read configuration never
 * reaches the tracer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg_internal.h"

/* "[tracer]", "[thread NAME]" or "[prototypes]", the '[' being next. */
static int parse_section(struct cfg_parser *p)
{
	struct cfg_token open, name, tok;
	enum cfg_section section = SEC_TRACER;
	char *thread = NULL;
	int ret;

	cfg_lex_next(p, &open);
	ret = cfg_lex_next(p, &name);
	if (ret)
		return ret;
	if (cfg_tok_is(&name, "thread")) {
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (tok.kind != TOK_WORD)
			return cfg_tok_error(p, &tok, "missing thread name (letters, digits, '_', '-', '.')");
		thread = cfg_tok_dup(&tok);
		if (!thread)
			return -ENOMEM;
		section = SEC_THREAD;
	} else if (cfg_tok_is(&name, "prototypes")) {
		section = SEC_PROTOTYPES;
	} else if (!cfg_tok_is(&name, "tracer")) {
		if (name.kind != TOK_WORD)
			return cfg_tok_error(p, &name, "missing section name");
		return cfg_tok_error(p, &name, "unknown section '[%.*s]' (known: [tracer], "
				     "[thread NAME], [prototypes])", CFG_SHOW(&name));
	}
	ret = cfg_lex_next(p, &tok);
	if (!ret && !cfg_tok_is_punct(&tok, ']'))
		ret = cfg_tok_error(p, &tok, "missing ']'");
	if (!ret)
		ret = cfg_lex_next(p, &tok);
	if (!ret && tok.kind != TOK_EOL)
		ret = cfg_tok_error(p, &tok, "unexpected '%.*s' after the section header",
				    CFG_SHOW(&tok));
	if (ret) {
		free(thread);
		return ret;
	}
	free(p->thread);
	p->thread = thread;
	p->section = section;
	return 0;
}

/*
 * Whether the statement starts with "WORD =", the shape of a setting. Only the word
 * is lexed: a setting's value is raw text, and lexing further could report an
 * error about a line that is a prototype.
 */
static bool line_is_setting(struct cfg_parser *p, struct cfg_token *key)
{
	struct cfg_lexer saved = p->lex;
	struct cfg_error err = *p->err;
	int at;
	bool yes;

	if (cfg_lex_next(p, key) || key->kind != TOK_WORD) {
		p->lex = saved;
		*p->err = err;
		return false;
	}
	at = p->lex.pos;
	p->lex = saved;
	while (at < p->lex.len && (p->lex.text[at] == ' ' || p->lex.text[at] == '\t' ||
				   p->lex.text[at] == '\r'))
		at++;
	yes = at + 1 < p->lex.len ? p->lex.text[at] == '=' && p->lex.text[at + 1] != '=' :
		at < p->lex.len && p->lex.text[at] == '=';
	return yes;
}

/* Up to n tokens ahead, without consuming them; missing ones read as TOK_EOL. */
static void peek_n(struct cfg_parser *p, struct cfg_token *toks, int n)
{
	struct cfg_lexer saved = p->lex;
	struct cfg_error err = *p->err;
	int i;

	for (i = 0; i < n; i++) {
		if (i && toks[i - 1].kind == TOK_EOL) {
			toks[i] = toks[i - 1];
			continue;
		}
		if (cfg_lex_next(p, &toks[i])) {
			*p->err = err;
			for (; i < n; i++)
				toks[i].kind = TOK_EOL;
			break;
		}
	}
	p->lex = saved;
}

/* "struct NAME {", "struct NAME;", "struct NAME [packed]": a declaration, not a return type. */
static bool is_record_decl(const struct cfg_token *t)
{
	return (cfg_tok_is(&t[0], "struct") || cfg_tok_is(&t[0], "union")) &&
	       cfg_tok_is_ident(&t[1]) &&
	       (cfg_tok_is_punct(&t[2], '{') || cfg_tok_is_punct(&t[2], ';') ||
		cfg_tok_is_punct(&t[2], '[') || t[2].kind == TOK_EOL);
}

static bool is_enum_decl(const struct cfg_token *t)
{
	return (cfg_tok_is(&t[0], "enum") || cfg_tok_is(&t[0], "flags")) &&
	       cfg_tok_is_ident(&t[1]) && cfg_tok_is_punct(&t[2], '{');
}

/* A bare name: an identifier that is no type, alone or with attributes. */
static bool is_bare_name(struct cfg_parser *p, const struct cfg_token *t)
{
	return cfg_tok_is_ident(&t[0]) && !cfg_is_type_keyword(&t[0]) &&
	       !cfg_builtin_find(&t[0]) && !cfg_typedef_find(p->out, t[0].text, t[0].len) &&
	       (t[1].kind == TOK_EOL || cfg_tok_is_punct(&t[1], ';') || cfg_tok_is_punct(&t[1], '['));
}

static int parse_statement(struct cfg_parser *p)
{
	struct cfg_token t[3];

	peek_n(p, t, 3);
	if (cfg_tok_is_punct(&t[0], '['))
		return parse_section(p);
	if (line_is_setting(p, &t[0])) {
		if (p->protos_only)
			return cfg_tok_error(p, &t[0], "setting '%.*s' in a prototype file (settings "
					     "belong in hooks.conf)", CFG_SHOW(&t[0]));
		if (p->section != SEC_TRACER)
			return cfg_tok_error(p, &t[0], "setting '%.*s' outside [tracer]", CFG_SHOW(&t[0]));
		return cfg_parse_setting(p);
	}
	if (cfg_tok_is(&t[0], "include") && (t[1].kind == TOK_STRING || cfg_tok_is_punct(&t[1], '<')))
		return cfg_parse_include(p);
	if (cfg_tok_is(&t[0], "typedef"))
		return cfg_parse_typedef(p);
	if (is_record_decl(t))
		return cfg_parse_record(p);
	if (is_enum_decl(t))
		return cfg_parse_enum(p);
	if (p->section == SEC_TRACER && !p->protos_only)
		return cfg_tok_error(p, &t[0], "expected 'key = value' in [tracer] "
				     "(prototypes go in a [thread NAME] section)");
	if (cfg_line_is_pattern(p))
		return cfg_parse_pattern(p);
	if (is_bare_name(p, t))
		return cfg_parse_bare_name(p);
	return cfg_parse_prototype(p);
}

/*
 * The end of a declaration: an optional ';' and the end of the line. Returns 0, or
 * -EINVAL with the error set when something else follows.
 */
int cfg_expect_end(struct cfg_parser *p, const char *what)
{
	struct cfg_token tok;
	char found[80];
	int ret = cfg_lex_next(p, &tok);

	if (!ret && cfg_tok_is_punct(&tok, ';'))
		ret = cfg_lex_next(p, &tok);
	if (ret || tok.kind == TOK_EOL)
		return ret;
	cfg_tok_describe(&tok, found, sizeof(found));
	return cfg_tok_error(p, &tok, "unexpected %s after %s (one %s per line)", found, what,
			     strcmp(what, "the prototype") ? "declaration" : "prototype");
}

int cfg_parse_statements(struct cfg_parser *p)
{
	struct cfg_token tok;
	int ret;

	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (tok.kind == TOK_EOL) {
			if (p->lex.pos >= p->lex.len)
				return 0;
			cfg_lex_next(p, &tok);
			continue;
		}
		ret = parse_statement(p);
		if (ret)
			return ret;
	}
}

/* Counts of what a parse appends, to remove it again when the parse fails. */
struct cfg_mark {
	int nhooks, nprotos, npatterns, nrecords, nenums, ntypedefs;
};

static void rollback(struct cfg *out, const struct cfg_mark *m, struct cfg_undo *undo)
{
	int i;

	for (i = 0; i < undo->nrecords; i++)
		cfg_record_clear_fields(undo->records[i]);
	for (i = 0; i < undo->nenums; i++) {
		cfg_enum_clear_items(undo->enums[i]);
		undo->enums[i]->is_flags = false;
	}
	while (out->nhooks > m->nhooks)
		cfg_hook_release(&out->hooks[--out->nhooks]);
	while (out->nprotos > m->nprotos)
		cfg_hook_release(&out->protos[--out->nprotos]);
	while (out->npatterns > m->npatterns)
		cfg_pattern_release(&out->patterns[--out->npatterns]);
	while (out->ntypedefs > m->ntypedefs)
		cfg_typedef_free(out->typedefs[--out->ntypedefs]);
	while (out->nrecords > m->nrecords)
		cfg_record_free(out->records[--out->nrecords]);
	while (out->nenums > m->nenums)
		cfg_enum_free(out->enums[--out->nenums]);
}

/* A prototype declared again replaces the earlier one: the earlier one goes. */
static void drop_replaced_protos(struct cfg *out, int first_new)
{
	int i, j, kept = 0;

	for (i = 0; i < out->nprotos; i++) {
		bool replaced = false;

		for (j = i + 1 > first_new ? i + 1 : first_new; j < out->nprotos && !replaced; j++)
			replaced = !strcmp(out->protos[i].symbol, out->protos[j].symbol);
		if (replaced)
			cfg_hook_release(&out->protos[i]);
		else
			out->protos[kept++] = out->protos[i];
	}
	out->nprotos = kept;
}

/*
 * Parses text[0..len) named name into out as one top-level file: the root of its
 * includes. st identifies the file for include-cycle detection (NULL: none).
 */
int cfg_parse_root(struct cfg *out, const char *text, size_t len, const char *name,
		   const struct stat *st, bool shipped, struct cfg_error *err)
{
	struct cfg_include self = { NULL, st ? st->st_dev : 0, st ? st->st_ino : 0, name };
	struct cfg_undo undo = { 0 };
	struct cfg_settings settings;
	struct cfg_parser p = {
		.out = out, .settings = &settings, .undo = &undo, .name = name, .err = err,
		.protos_only = shipped, .shipped = shipped, .chain = st ? &self : NULL,
	};
	struct cfg_mark mark = { out->nhooks, out->nprotos, out->npatterns, out->nrecords,
				 out->nenums, out->ntypedefs };
	int ret;

	ret = cfg_settings_copy(&settings, &out->settings);
	if (ret)
		goto out;
	ret = cfg_parse_text(&p, text, len);
	if (!ret) {
		cfg_settings_release(&out->settings);
		out->settings = settings;
		if (!shipped)
			drop_replaced_protos(out, mark.nprotos);
	} else {
		cfg_settings_release(&settings);
		rollback(out, &mark, &undo);
	}
out:
	free(undo.records);
	free(undo.enums);
	free(p.thread);
	if (ret == -ENOMEM)
		cfg_error_set(err, name, 0, 0, "out of memory");
	return ret;
}

/*
 * Parses the text as hooks.conf. Returns 0, -EINVAL with *err filled on a syntax,
 * type or value error, -ENOMEM when out of memory. On error *out is unchanged.
 */
int cfg_parse_string(struct cfg *out, const char *text, const char *name, struct cfg_error *err)
{
	memset(err, 0, sizeof(*err));
	return cfg_parse_root(out, text, strlen(text), name, NULL, false, err);
}

/*
 * Reads and parses the file at path. Returns 0; -ENOENT when it does not exist and
 * -EIO when it cannot be read (both with err->text saying why, without a line);
 * -EINVAL on an error in the text; -ENOMEM. On error *out is unchanged.
 */
int cfg_parse_file(struct cfg *out, const char *path, struct cfg_error *err)
{
	struct stat st;
	size_t len;
	char *text;
	int ret;

	memset(err, 0, sizeof(*err));
	ret = cfg_read_file(path, &text, &len, err);
	if (ret == -ENOMEM)
		cfg_error_set(err, path, 0, 0, "out of memory");
	if (ret)
		return ret;
	ret = cfg_parse_root(out, text, len, path, stat(path, &st) ? NULL : &st, false, err);
	free(text);
	return ret;
}
