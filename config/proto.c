/*
 * proto.c — turns one prototype line into a struct cfg_hook appended to the config.
 *
 *     ssize_t read(int fd, void *buf, size_t count) [id=read_fd] [meta={"a": 1}];
 *
 * A prototype is a return type, a C identifier, a parameter list, then attributes
 * and an optional ';', all on one line. Symbols and hook ids are unique across the
 * whole configuration, because the tracer installs one hook per symbol and records
 * are told apart by hook id. On any error nothing is appended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

#define SHOW(tok) ((tok)->len > 64 ? 64 : (tok)->len), (tok)->text

/* The name a token gives in error messages: its text, or "end of line". */
static int describe(const struct cfg_token *tok, char *buf, size_t size)
{
	if (tok->kind == TOK_EOL)
		return snprintf(buf, size, "end of line");
	return snprintf(buf, size, "'%.*s'", SHOW(tok));
}

/*
 * A declarator name must be a C identifier. Keywords never get here as names: the
 * type parser took them as specifiers.
 */
static int check_ident(struct cfg_parser *p, const struct cfg_token *tok, const char *what)
{
	if (!cfg_tok_is_ident(tok))
		return cfg_parser_error(p, tok->column, "invalid %s '%.*s' (must be a C identifier)",
					what, SHOW(tok));
	return 0;
}

static int missing_paren(struct cfg_parser *p, const struct cfg_token *tok, int open_column)
{
	char what[80];

	if (tok->kind == TOK_EOL || cfg_tok_is_punct(tok, ';') || cfg_tok_is_punct(tok, '['))
		return cfg_parser_error(p, tok->column,
					"missing ')' (the '(' at column %d is not closed)", open_column);
	describe(tok, what, sizeof(what));
	return cfg_parser_error(p, tok->column, "expected ',' or ')' before %s", what);
}

/* Appends params[n] to hook, taking ownership of name and type. */
static int add_param(struct cfg_hook *hook, char *name, struct cfg_type *type,
		     int line, int column)
{
	struct cfg_param *bigger;

	/* one realloc per parameter: prototypes have a handful */
	bigger = realloc(hook->params, (hook->nparams + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	hook->params = bigger;
	bigger[hook->nparams].name = name;
	bigger[hook->nparams].type = *type;
	bigger[hook->nparams].line = line;
	bigger[hook->nparams].column = column;
	hook->nparams++;
	return 0;
}

/* Reads one parameter (type and optional name) and appends it to hook. */
static int parse_param(struct cfg_parser *p, struct cfg_hook *hook)
{
	struct cfg_type type;
	struct cfg_token start, tok;
	char *name;
	int ret, i, name_column;

	cfg_lex_peek(p, &start);
	ret = cfg_parse_type(p, &type, false);
	if (ret)
		return ret;
	ret = cfg_lex_peek(p, &tok);
	if (ret)
		goto fail;
	name_column = start.column;
	if (tok.kind == TOK_WORD) {
		cfg_lex_next(p, &tok);
		ret = check_ident(p, &tok, "parameter name");
		if (ret)
			goto fail;
		name = cfg_tok_dup(&tok);
		name_column = tok.column;
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			goto fail_name;
	} else {
		/* unnamed: named by position, as the records need a key */
		if (asprintf(&name, "arg%d", hook->nparams) < 0)
			name = NULL;
	}
	if (!name) {
		ret = -ENOMEM;
		goto fail;
	}
	if (cfg_tok_is_punct(&tok, '(')) {
		ret = cfg_parser_error(p, tok.column,
				       "function pointer parameters are not supported (write 'void *NAME')");
		goto fail_name;
	}
	if (cfg_tok_is_punct(&tok, '[')) {
		ret = cfg_parser_error(p, tok.column,
				       "array parameters are not supported (write a pointer: 'TYPE *NAME')");
		goto fail_name;
	}
	for (i = 0; i < hook->nparams; i++) {
		if (!strcmp(hook->params[i].name, name)) {
			ret = cfg_parser_error(p, name_column, "duplicate parameter name '%s'", name);
			goto fail_name;
		}
	}
	ret = add_param(hook, name, &type, p->lex.lineno, start.column);
	if (ret)
		goto fail_name;
	return 0;

fail_name:
	free(name);
fail:
	cfg_type_release(&type);
	return ret;
}

/* Reads "( params )" after the function name, the '(' being next. */
static int parse_params(struct cfg_parser *p, struct cfg_hook *hook)
{
	struct cfg_token open, tok;
	int ret, saved;

	cfg_lex_next(p, &open);
	ret = cfg_lex_peek(p, &tok);
	if (ret)
		return ret;
	if (cfg_tok_is_punct(&tok, ')')) {
		cfg_lex_next(p, &tok);
		return 0;
	}
	if (cfg_tok_is(&tok, "void")) {
		/* "(void)" means no parameters; "(void *p)" is a parameter */
		saved = p->lex.pos;
		cfg_lex_next(p, &tok);
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_punct(&tok, ')'))
			return 0;
		p->lex.pos = saved;
	}
	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (tok.kind == TOK_ELLIPSIS) {
			int dots_column = tok.column;

			cfg_lex_next(p, &tok);
			hook->variadic = true;
			ret = cfg_lex_next(p, &tok);
			if (ret)
				return ret;
			if (cfg_tok_is_punct(&tok, ')'))
				return 0;
			if (cfg_tok_is_punct(&tok, ','))
				return cfg_parser_error(p, dots_column,
							"'...' must be the last parameter");
			return missing_paren(p, &tok, open.column);
		}
		ret = parse_param(p, hook);
		if (ret)
			return ret;
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_punct(&tok, ')'))
			return 0;
		if (!cfg_tok_is_punct(&tok, ','))
			return missing_paren(p, &tok, open.column);
	}
}

/*
 * Reads the attributes after ')': "[id=NAME]" and "[meta={...}]", each at most once.
 * *id_column is set to the column of the id's value, for later error messages.
 */
static int parse_attributes(struct cfg_parser *p, struct cfg_hook *hook, int *id_column)
{
	struct cfg_token tok, name, value;
	char msg[160], what[80];
	int ret, offset;

	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret || !cfg_tok_is_punct(&tok, '['))
			return ret;
		cfg_lex_next(p, &tok);
		ret = cfg_lex_next(p, &name);
		if (ret)
			return ret;
		if (!cfg_tok_is(&name, "id") && !cfg_tok_is(&name, "meta")) {
			describe(&name, what, sizeof(what));
			return cfg_parser_error(p, name.column,
						"unknown attribute %s (known: id, meta)", what);
		}
		if ((cfg_tok_is(&name, "id") && *id_column) ||
		    (cfg_tok_is(&name, "meta") && hook->metadata_json))
			return cfg_parser_error(p, name.column, "duplicate attribute '%.*s'",
						SHOW(&name));
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, '='))
			return cfg_parser_error(p, tok.column, "missing '=' after '%.*s'", SHOW(&name));
		ret = cfg_lex_next(p, &value);
		if (ret)
			return ret;
		if (cfg_tok_is(&name, "id")) {
			if (value.kind != TOK_WORD)
				return cfg_parser_error(p, value.column,
							"missing name after 'id=' (letters, digits, '_', '-', '.')");
			hook->hook_id = cfg_tok_dup(&value);
			if (!hook->hook_id)
				return -ENOMEM;
			*id_column = value.column;
		} else {
			if (value.kind != TOK_JSON)
				return cfg_parser_error(p, value.column,
							"[meta=...] needs a JSON object");
			ret = cfg_json_compact(value.text, value.len, &hook->metadata_json,
					       &offset, msg, sizeof(msg));
			if (ret == -EINVAL)
				return cfg_parser_error(p, value.column + offset,
							"invalid JSON in [meta=...]: %s", msg);
			if (ret)
				return ret;
		}
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, ']')) {
			describe(&tok, what, sizeof(what));
			return cfg_parser_error(p, tok.column, "missing ']' before %s", what);
		}
	}
}

/* Symbols and hook ids are unique across everything parsed into the config so far. */
static int check_unique(struct cfg_parser *p, const struct cfg_hook *hook, int symbol_column,
			int id_column)
{
	const struct cfg_hook *other;
	int i;

	for (i = 0; i < p->out->nhooks; i++) {
		other = &p->out->hooks[i];
		if (!strcmp(other->symbol, hook->symbol))
			return cfg_parser_error(p, symbol_column, "duplicate hook '%s' (first at %s:%d:%d)",
						hook->symbol, other->file, other->line, other->column);
	}
	for (i = 0; i < p->out->nhooks; i++) {
		other = &p->out->hooks[i];
		if (!strcmp(other->hook_id, hook->hook_id))
			return cfg_parser_error(p, id_column ? id_column : symbol_column,
						"duplicate hook id '%s' (first at %s:%d:%d)",
						hook->hook_id, other->file, other->line, other->column);
	}
	return 0;
}

static int append_hook(struct cfg *out, struct cfg_hook *hook)
{
	struct cfg_hook *bigger;

	/* one realloc per hook keeps struct cfg free of a capacity field */
	bigger = realloc(out->hooks, (out->nhooks + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	out->hooks = bigger;
	out->hooks[out->nhooks++] = *hook;
	return 0;
}

/*
 * Parses the current line as a prototype and appends its hook to p->out. Returns 0,
 * -EINVAL with the error set, or -ENOMEM.
 */
int cfg_parse_prototype(struct cfg_parser *p)
{
	struct cfg_hook hook = { 0 };
	struct cfg_token tok, name;
	char what[80];
	int ret, id_column = 0;

	cfg_lex_peek(p, &tok);
	hook.line = p->lex.lineno;
	hook.column = tok.column;
	ret = cfg_parse_type(p, &hook.ret, true);
	if (ret)
		goto fail;
	ret = cfg_lex_next(p, &name);
	if (ret)
		goto fail;
	if (name.kind != TOK_WORD) {
		ret = cfg_parser_error(p, name.column, "missing function name");
		goto fail;
	}
	ret = check_ident(p, &name, "function name");
	if (ret)
		goto fail;
	ret = cfg_lex_peek(p, &tok);
	if (ret)
		goto fail;
	if (!cfg_tok_is_punct(&tok, '(')) {
		describe(&tok, what, sizeof(what));
		ret = cfg_parser_error(p, tok.column, "expected '(' after '%.*s', found %s",
				       SHOW(&name), what);
		goto fail;
	}
	ret = parse_params(p, &hook);
	if (ret)
		goto fail;
	ret = parse_attributes(p, &hook, &id_column);
	if (ret)
		goto fail;
	ret = cfg_lex_next(p, &tok);
	if (!ret && cfg_tok_is_punct(&tok, ';'))
		ret = cfg_lex_next(p, &tok);
	if (ret)
		goto fail;
	if (tok.kind != TOK_EOL) {
		describe(&tok, what, sizeof(what));
		ret = cfg_parser_error(p, tok.column, "unexpected %s after the prototype "
				       "(one prototype per line)", what);
		goto fail;
	}

	hook.symbol = cfg_tok_dup(&name);
	if (!hook.hook_id && hook.symbol)
		hook.hook_id = strdup(hook.symbol);
	hook.thread_id = strdup(p->thread ? p->thread : "default");
	hook.file = strdup(p->name);
	if (!hook.symbol || !hook.hook_id || !hook.thread_id || !hook.file) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = check_unique(p, &hook, name.column, id_column);
	if (!ret)
		ret = append_hook(p->out, &hook);
	if (!ret)
		return 0;
fail:
	cfg_hook_release(&hook);
	return ret;
}
