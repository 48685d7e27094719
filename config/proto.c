/*
 * proto.c — turns a prototype or a bare name into a struct cfg_hook.
 *
 *     ssize_t read(int fd, void *buf [len=return], size_t count) [error=ret < 0] [errno];
 *     fopen                                  (a bare name: the prototype comes later)
 *
 * A prototype is a return type, a C identifier, a parameter list, then attributes
 * and an optional ';'; it may span lines while a bracket is open, and its
 * attributes may go on the following lines. In a [thread] section it becomes a hook:
 * symbols and hook ids are unique across the whole configuration, because the
 * tracer installs one hook per symbol and records are told apart by hook id. In
 * [prototypes] and in prototype files it only declares (out->protos), and a later
 * declaration of a name wins. On any error nothing is appended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/*
 * A declarator name must be a C identifier. Keywords never get here as names: the
 * type parser took them as specifiers.
 */
static int check_ident(struct cfg_parser *p, const struct cfg_token *tok, const char *what)
{
	if (!cfg_tok_is_ident(tok))
		return cfg_tok_error(p, tok, "invalid %s '%.*s' (must be a C identifier)",
				     what, CFG_SHOW(tok));
	return 0;
}

static int missing_paren(struct cfg_parser *p, const struct cfg_token *tok,
			 const struct cfg_token *open)
{
	char what[80];

	if (tok->kind == TOK_EOL || cfg_tok_is_punct(tok, ';') ||
	    (cfg_tok_is_punct(tok, '[') && tok->line == open->line))
		return cfg_tok_error(p, tok, "missing ')' (the '(' at column %d is not closed)",
				     open->column);
	cfg_tok_describe(tok, what, sizeof(what));
	if (tok->line != open->line)
		return cfg_tok_error(p, tok, "expected ',' or ')' before %s (the '(' at %d:%d is "
				     "not closed)", what, open->line, open->column);
	return cfg_tok_error(p, tok, "expected ',' or ')' before %s", what);
}

/* Reads one parameter (type, optional name, array suffix, attributes). */
static int parse_param(struct cfg_parser *p, struct cfg_hook *hook, struct cfg_pending *pending)
{
	struct cfg_param param = { 0 };
	struct cfg_token start, tok;
	int ret, i, name_column;

	cfg_lex_peek(p, &start);
	param.line = start.line;
	param.column = start.column;
	ret = cfg_parse_type(p, &param.type, USE_PARAM);
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
		param.name = cfg_tok_dup(&tok);
		name_column = tok.column;
	} else if (asprintf(&param.name, "arg%d", hook->nparams) < 0) {
		/* unnamed: named by position, as the records need a key */
		param.name = NULL;
	}
	if (!param.name) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = cfg_lex_peek(p, &tok);
	if (!ret && cfg_tok_is_punct(&tok, '('))
		ret = cfg_tok_error(p, &tok, "function pointer parameters are not supported (write 'void *NAME')");
	if (!ret)
		ret = cfg_array_suffix(p, &param.type, false);
	if (!ret)
		ret = cfg_parse_member_attrs(p, &param.type, hook->nparams, false, pending);
	if (ret)
		goto fail;
	for (i = 0; i < hook->nparams; i++) {
		if (!strcmp(hook->params[i].name, param.name)) {
			ret = cfg_parser_error_at(p, start.line, name_column,
						  "duplicate parameter name '%s'", param.name);
			goto fail;
		}
	}
	ret = cfg_append(&hook->params, &hook->nparams, sizeof(param), &param);
	if (!ret)
		return 0;
fail:
	free(param.name);
	cfg_type_release(&param.type);
	return ret;
}

/* Reads "( params )" after the function name, the '(' being next. */
static int parse_params(struct cfg_parser *p, struct cfg_hook *hook, struct cfg_pending *pending)
{
	struct cfg_token open, tok, next;
	int ret;

	cfg_lex_next(p, &open);
	ret = cfg_lex_peek2(p, &tok, &next);
	if (ret)
		return ret;
	if (cfg_tok_is_punct(&tok, ')')) {
		cfg_lex_next(p, &tok);
		return 0;
	}
	/* "(void)" means no parameters; "(void *p)" is a parameter */
	if (cfg_tok_is(&tok, "void") && cfg_tok_is_punct(&next, ')')) {
		cfg_lex_next(p, &tok);
		cfg_lex_next(p, &tok);
		return 0;
	}
	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (tok.kind == TOK_ELLIPSIS) {
			struct cfg_token dots = tok;

			cfg_lex_next(p, &tok);
			hook->variadic = true;
			ret = cfg_lex_next(p, &tok);
			if (ret)
				return ret;
			if (cfg_tok_is_punct(&tok, ')'))
				return 0;
			if (cfg_tok_is_punct(&tok, ','))
				return cfg_tok_error(p, &dots, "'...' must be the last parameter");
			return missing_paren(p, &tok, &open);
		}
		ret = parse_param(p, hook, pending);
		if (ret)
			return ret;
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is_punct(&tok, ')'))
			return 0;
		if (!cfg_tok_is_punct(&tok, ','))
			return missing_paren(p, &tok, &open);
	}
}

/* Symbols and hook ids are unique across all hooks parsed into the config so far. */
static int check_unique(struct cfg_parser *p, const struct cfg_hook *hook,
			const struct cfg_token *name, int id_column)
{
	const struct cfg_hook *other;
	int i;

	for (i = 0; i < p->out->nhooks; i++) {
		other = &p->out->hooks[i];
		if (!strcmp(other->symbol, hook->symbol))
			return cfg_tok_error(p, name, "duplicate hook '%s' (first at %s:%d:%d)",
					     hook->symbol, other->file, other->line, other->column);
	}
	for (i = 0; i < p->out->nhooks; i++) {
		other = &p->out->hooks[i];
		if (!strcmp(other->hook_id, hook->hook_id))
			return cfg_parser_error_at(p, name->line, id_column ? id_column : name->column,
						   "duplicate hook id '%s' (first at %s:%d:%d)",
						   hook->hook_id, other->file, other->line, other->column);
	}
	return 0;
}

static bool to_protos(const struct cfg_parser *p)
{
	return p->protos_only || p->section == SEC_PROTOTYPES;
}

/* Fills the names of hook and appends it to the hooks or the prototypes. */
static int finish(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *name,
		  int id_column)
{
	int ret;

	hook->symbol = cfg_tok_dup(name);
	if (!hook->hook_id && hook->symbol)
		hook->hook_id = strdup(hook->symbol);
	hook->thread_id = strdup(p->thread ? p->thread : "default");
	hook->file = strdup(p->name);
	if (!hook->symbol || !hook->hook_id || !hook->thread_id || !hook->file)
		return -ENOMEM;
	if (to_protos(p)) {
		/* a shipped file never replaces what the user declared */
		if (p->shipped && cfg_find_prototype(p->out, hook->symbol))
			return 1;
		return cfg_append(&p->out->protos, &p->out->nprotos, sizeof(*hook), hook);
	}
	ret = check_unique(p, hook, name, id_column);
	if (!ret)
		ret = cfg_append(&p->out->hooks, &p->out->nhooks, sizeof(*hook), hook);
	return ret;
}

/* The parameter list is complete: lengths can name any parameter. */
static int resolve_params(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *name,
			  struct cfg_pending *pending)
{
	struct cfg_members members = { .is_field = false, .count = hook->nparams,
				       .params = hook->params };
	char owner[96];

	snprintf(owner, sizeof(owner), "'%.*s'", CFG_SHOW(name));
	members.owner = owner;
	return cfg_resolve_lens(p, &members, pending);
}

/*
 * Parses the current statement as a prototype and appends its hook. Returns 0,
 * -EINVAL with the error set, or -ENOMEM.
 */
int cfg_parse_prototype(struct cfg_parser *p)
{
	struct cfg_hook hook = { .format_param = -1, .vararg_param = -1, .has_prototype = true };
	struct cfg_pending pending = { 0 };
	struct cfg_token tok, name;
	char what[80];
	int ret, id_column = 0;

	cfg_lex_peek(p, &tok);
	hook.line = tok.line;
	hook.column = tok.column;
	ret = cfg_parse_type(p, &hook.ret, USE_RETURN);
	if (ret)
		goto fail;
	ret = cfg_lex_next(p, &name);
	if (ret)
		goto fail;
	if (name.kind != TOK_WORD) {
		ret = cfg_tok_error(p, &name, "missing function name");
		goto fail;
	}
	ret = check_ident(p, &name, "function name");
	if (!ret)
		ret = cfg_lex_peek(p, &tok);
	if (ret)
		goto fail;
	if (!cfg_tok_is_punct(&tok, '(')) {
		cfg_tok_describe(&tok, what, sizeof(what));
		ret = cfg_tok_error(p, &tok, "expected '(' after '%.*s', found %s", CFG_SHOW(&name), what);
		goto fail;
	}
	ret = parse_params(p, &hook, &pending);
	if (!ret)
		ret = resolve_params(p, &hook, &name, &pending);
	if (!ret)
		ret = cfg_parse_hook_attrs(p, &hook, &id_column, false);
	if (!ret)
		ret = cfg_expect_end(p, "the prototype");
	if (!ret)
		ret = finish(p, &hook, &name, id_column);
	if (ret == 0) {
		cfg_pending_release(&pending);
		return 0;
	}
	if (ret > 0)
		ret = 0;
fail:
	cfg_pending_release(&pending);
	cfg_hook_release(&hook);
	return ret;
}

/*
 * A symbol alone ("fopen", optionally with [id], [meta], [from]): hooked with the
 * prototype cfg_resolve() finds for it, or for timing and the tree only.
 */
int cfg_parse_bare_name(struct cfg_parser *p)
{
	struct cfg_hook hook = { .format_param = -1, .vararg_param = -1 };
	struct cfg_token name;
	int ret, id_column = 0;

	cfg_lex_next(p, &name);
	hook.line = name.line;
	hook.column = name.column;
	if (to_protos(p)) {
		ret = cfg_tok_error(p, &name, p->protos_only ?
				    "a bare name declares nothing: a prototype file needs the full prototype of '%.*s'" :
				    "a bare name declares nothing: write the full prototype in [prototypes] "
				    "(or put '%.*s' in a [thread NAME] section)", CFG_SHOW(&name));
		goto fail;
	}
	/* the return type is unknown until resolved: void keeps the record's output null */
	hook.ret.kind = CT_VOID;
	hook.ret.spelling = strdup("void");
	ret = hook.ret.spelling ? 0 : -ENOMEM;
	if (!ret)
		ret = cfg_parse_hook_attrs(p, &hook, &id_column, true);
	if (!ret)
		ret = cfg_expect_end(p, "the name");
	if (!ret)
		ret = finish(p, &hook, &name, id_column);
	if (!ret)
		return 0;
fail:
	cfg_hook_release(&hook);
	return ret;
}
