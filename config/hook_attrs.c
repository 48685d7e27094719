/*
 * hook_attrs.c — the attributes written after a prototype's ')':
 *
 *     [id=NAME] [meta={…}]                       how records name and tag the hook
 *     [error=ret < 0] [errno] [errno=ret] [errno=-ret]   when a call failed, and why
 *     [format=fmt]                               printf-style variadic arguments
 *     [vararg=option: 1, 2: const char *; 10..19: void *; default: long]
 *     [from=main, libfoo.so*]                    which callers are traced
 *     [hex] [oct] [char] [enum=NAME] [flags=NAME]   how the return value is shown
 *
 * The parameters are all known by then, so names are checked at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static const char *const hook_attr_names[] = {
	"id", "meta", "error", "errno", "format", "vararg", "from",
	"hex", "oct", "char", "enum", "flags",
};

bool cfg_is_hook_attr(const struct cfg_token *name)
{
	size_t i;

	for (i = 0; i < CFG_ARRAY_SIZE(hook_attr_names); i++)
		if (cfg_tok_is(name, hook_attr_names[i]))
			return true;
	return false;
}

static int expect(struct cfg_parser *p, char c, const char *after)
{
	struct cfg_token tok;
	char what[80];
	int ret = cfg_lex_next(p, &tok);

	if (ret || cfg_tok_is_punct(&tok, c))
		return ret;
	cfg_tok_describe(&tok, what, sizeof(what));
	return cfg_tok_error(p, &tok, "expected '%c' %s, found %s", c, after, what);
}

static int find_param(const struct cfg_hook *hook, const struct cfg_token *name)
{
	int i;

	for (i = 0; i < hook->nparams; i++)
		if ((int)strlen(hook->params[i].name) == name->len &&
		    !memcmp(hook->params[i].name, name->text, name->len))
			return i;
	return -1;
}

static int no_param(struct cfg_parser *p, const struct cfg_hook *hook, const struct cfg_token *tok,
		    const char *attr)
{
	char list[160] = "";
	int i;

	for (i = 0; i < hook->nparams; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", hook->params[i].name);
	return cfg_tok_error(p, tok, "[%s=%.*s] names no parameter (parameters: %s)", attr,
			     CFG_SHOW(tok), hook->nparams ? list : "none");
}

static int need_variadic(struct cfg_parser *p, const struct cfg_hook *hook,
			 const struct cfg_token *name)
{
	if (hook->variadic)
		return 0;
	return cfg_tok_error(p, name, "[%.*s=…] needs a variadic function (end the parameters "
			     "with ', ...')", CFG_SHOW(name));
}

/* [error=ret OP VALUE {&& …} | {|| …}] after the '='. */
static int parse_error_rule(struct cfg_parser *p, struct cfg_hook *hook)
{
	static const struct { const char *op; enum cfg_cmp cmp; } ops[] = {
		{ "<", CMP_LT }, { "<=", CMP_LE }, { ">", CMP_GT }, { ">=", CMP_GE },
		{ "==", CMP_EQ }, { "!=", CMP_NE },
	};
	struct cfg_error_rule *rule = &hook->error;
	struct cfg_token tok, join = { 0 };
	size_t i;
	int ret;

	for (;;) {
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is(&tok, "ret"))
			return cfg_tok_error(p, &tok, "expected 'ret' in [error=…] (e.g. [error=ret < 0])");
		if (rule->nconds == CFG_MAX_CONDS)
			return cfg_tok_error(p, &tok, "at most %d conditions in [error=…]", CFG_MAX_CONDS);
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		for (i = 0; i < CFG_ARRAY_SIZE(ops); i++)
			if (cfg_tok_is_op(&tok, ops[i].op))
				break;
		if (i == CFG_ARRAY_SIZE(ops))
			return cfg_tok_error(p, &tok, "expected a comparison after 'ret' "
					     "(one of < <= > >= == !=)");
		rule->conds[rule->nconds].op = ops[i].cmp;
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (cfg_tok_is(&tok, "NULL")) {
			cfg_lex_next(p, &tok);
			rule->conds[rule->nconds].value = 0;
		} else {
			ret = cfg_parse_int_value(p, &rule->conds[rule->nconds].value, NULL);
			if (ret)
				return ret;
		}
		rule->nconds++;
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_op(&tok, "&&") && !cfg_tok_is_op(&tok, "||"))
			break;
		if (join.len && !cfg_tok_is_op(&tok, join.text[0] == '&' ? "&&" : "||"))
			return cfg_tok_error(p, &tok, "mixed '&&' and '||' in [error=…] (join all "
					     "conditions with one of them)");
		cfg_lex_next(p, &join);
		rule->any = join.text[0] == '|';
	}
	if (hook->ret.kind == CT_VOID)
		return cfg_parser_error_at(p, p->lex.end_line, p->lex.end_column,
					   "[error=…] on a function returning void (it has no 'ret')");
	return 0;
}

/* [errno] or [errno=ret] / [errno=-ret], after the name. */
static int parse_errno(struct cfg_parser *p, struct cfg_hook *hook)
{
	struct cfg_token tok;
	bool negative = false;
	int ret = cfg_lex_peek(p, &tok);

	if (ret)
		return ret;
	if (!cfg_tok_is_punct(&tok, '=')) {
		hook->error.errno_source = CE_ERRNO;
		return 0;
	}
	cfg_lex_next(p, &tok);
	ret = cfg_lex_next(p, &tok);
	if (!ret && cfg_tok_is_punct(&tok, '-')) {
		negative = true;
		ret = cfg_lex_next(p, &tok);
	}
	if (ret)
		return ret;
	if (!cfg_tok_is(&tok, "ret"))
		return cfg_tok_error(p, &tok, "expected [errno], [errno=ret] or [errno=-ret]");
	hook->error.errno_source = negative ? CE_NEG_RETURN : CE_RETURN;
	return 0;
}

static int parse_format(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *attr)
{
	struct cfg_token name;
	int ret = cfg_lex_next(p, &name), i;

	if (ret)
		return ret;
	i = find_param(hook, &name);
	if (i < 0)
		return no_param(p, hook, &name, "format");
	if (hook->params[i].type.kind != CT_STRING)
		return cfg_tok_error(p, &name, "[format=%.*s]: '%.*s' is '%s', not a string (name the "
				     "'const char *' format parameter)", CFG_SHOW(&name),
				     CFG_SHOW(&name), hook->params[i].type.spelling);
	ret = need_variadic(p, hook, attr);
	if (!ret)
		hook->format_param = i;
	return ret;
}

/* A vararg selector value: a number or an enumerator name, from text[0..len). */
static int selector_value(struct cfg_parser *p, const struct cfg_token *at, const char *text,
			  int len, int64_t *value)
{
	const struct cfg_enumerator *e;
	bool negative = len > 0 && text[0] == '-';

	if (negative) {
		text++;
		len--;
	}
	if (len > 0 && text[0] >= '0' && text[0] <= '9') {
		if (cfg_number(text, len, value))
			return cfg_tok_error(p, at, "invalid number '%.*s'", len, text);
	} else {
		e = cfg_enumerator_find(p->out, text, len);
		if (!e)
			return cfg_tok_error(p, at, "unknown name '%.*s' (a number, or an enumerator "
					     "declared before)", len, text);
		*value = e->value;
	}
	if (negative)
		*value = (int64_t)(0 - (uint64_t)*value);
	return 0;
}

/* VALUE or LO..HI (one word, e.g. 10000..19999), optionally negative. */
static int parse_selector(struct cfg_parser *p, int64_t *lo, int64_t *hi)
{
	struct cfg_token tok, minus = { 0 };
	const char *dots;
	char buf[80];
	int ret = cfg_lex_next(p, &tok), n;

	if (!ret && cfg_tok_is_punct(&tok, '-')) {
		minus = tok;
		ret = cfg_lex_next(p, &tok);
	}
	if (ret)
		return ret;
	if (tok.kind != TOK_WORD) {
		cfg_tok_describe(&tok, buf, sizeof(buf));
		return cfg_tok_error(p, &tok, "expected a value, a range LO..HI or 'default' before %s",
				     buf);
	}
	n = snprintf(buf, sizeof(buf), "%s%.*s", minus.len ? "-" : "", CFG_SHOW(&tok));
	dots = strstr(buf, "..");
	ret = selector_value(p, minus.len ? &minus : &tok, buf, dots ? (int)(dots - buf) : n, lo);
	if (ret)
		return ret;
	if (!dots) {
		*hi = *lo;
		return 0;
	}
	ret = selector_value(p, &tok, dots + 2, strlen(dots + 2), hi);
	if (!ret && *hi < *lo)
		return cfg_tok_error(p, &tok, "empty range '%s' (write LO..HI with LO <= HI)", buf);
	return ret;
}

/* "SEL {, SEL} : TYPE [attrs]" or "default: TYPE [attrs]". */
static int parse_vararg_case(struct cfg_parser *p, struct cfg_hook *hook)
{
	struct cfg_vararg_case cases[16];
	struct cfg_type type;
	struct cfg_token tok;
	int n = 0, ret, i;
	bool is_default;

	ret = cfg_lex_peek(p, &tok);
	if (ret)
		return ret;
	is_default = cfg_tok_is(&tok, "default");
	if (is_default) {
		cfg_lex_next(p, &tok);
		if (hook->vararg_default.spelling)
			return cfg_tok_error(p, &tok, "two 'default' cases in [vararg=…]");
	} else {
		for (;;) {
			if (n == (int)CFG_ARRAY_SIZE(cases))
				return cfg_tok_error(p, &tok, "at most 16 values before one ':'");
			ret = parse_selector(p, &cases[n].lo, &cases[n].hi);
			if (ret)
				return ret;
			n++;
			ret = cfg_lex_peek(p, &tok);
			if (ret || !cfg_tok_is_punct(&tok, ','))
				break;
			cfg_lex_next(p, &tok);
		}
		if (ret)
			return ret;
	}
	ret = expect(p, ':', "before the argument's type");
	if (!ret)
		ret = cfg_parse_type(p, &type, USE_VARARG);
	if (ret)
		return ret;
	ret = cfg_parse_member_attrs(p, &type, -1, false, NULL);
	if (ret)
		goto fail;
	if (is_default) {
		hook->vararg_default = type;
		return 0;
	}
	for (i = 0; i < n; i++) {
		ret = cfg_type_copy(&cases[i].type, &type);
		if (!ret)
			ret = cfg_append(&hook->vararg_cases, &hook->nvararg_cases,
					 sizeof(cases[i]), &cases[i]);
		if (ret) {
			cfg_type_release(&cases[i].type);
			break;
		}
	}
fail:
	cfg_type_release(&type);
	return ret;
}

/* [vararg=NAME: cases], after the '='; stops before the closing ']'. */
static int parse_vararg(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *attr)
{
	struct cfg_token name, tok;
	int ret = cfg_lex_next(p, &name), i;

	if (ret)
		return ret;
	i = find_param(hook, &name);
	if (i < 0)
		return no_param(p, hook, &name, "vararg");
	ret = need_variadic(p, hook, attr);
	if (!ret)
		ret = expect(p, ':', "after the parameter's name (e.g. [vararg=option: 1: long])");
	if (ret)
		return ret;
	hook->vararg_param = i;
	for (;;) {
		ret = parse_vararg_case(p, hook);
		if (ret)
			return ret;
		ret = cfg_lex_peek(p, &tok);
		if (ret || !cfg_tok_is_punct(&tok, ';'))
			return ret;
		cfg_lex_next(p, &tok);
		ret = cfg_lex_peek(p, &tok);
		if (ret || cfg_tok_is_punct(&tok, ']'))
			return ret;	/* a ';' after the last case */
	}
}

/*
 * [from=main, libfoo.so*] after the '=': globs on the calling module's file name,
 * read raw up to the ']' because globs are not tokens.
 */
int cfg_parse_callers(struct cfg_parser *p, char ***callers, int *ncallers)
{
	struct cfg_token all;
	const char *at, *end, *comma;
	char *glob;
	int ret = cfg_lex_until(p, ']', &all, true);

	if (ret)
		return ret;
	if (*ncallers)
		return cfg_tok_error(p, &all, "duplicate attribute 'from'");
	for (at = all.text, end = all.text + all.len; at <= end; at = comma + 1) {
		const char *s = at, *e;

		comma = memchr(at, ',', end - at);
		if (!comma)
			comma = end;
		e = comma;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (s == e)
			return cfg_parser_error_at(p, all.line, all.column + (int)(s - all.text),
						   "empty name in [from=…] (a list like: main, libfoo.so*)");
		glob = strndup(s, e - s);
		if (!glob || cfg_append(callers, ncallers, sizeof(glob), &glob)) {
			free(glob);
			return -ENOMEM;
		}
	}
	return 0;
}

static int parse_meta(struct cfg_parser *p, struct cfg_hook *hook)
{
	struct cfg_token value;
	char msg[160];
	int ret, offset;

	cfg_lex_skip_blanks(&p->lex);
	if (p->lex.pos < p->lex.len && p->lex.text[p->lex.pos] == '{')
		ret = cfg_lex_json(p, &value);
	else
		ret = cfg_lex_next(p, &value);
	if (ret)
		return ret;
	if (value.kind != TOK_JSON)
		return cfg_tok_error(p, &value, "[meta=...] needs a JSON object");
	ret = cfg_json_compact(value.text, value.len, &hook->metadata_json, &offset, msg, sizeof(msg));
	if (ret == -EINVAL)
		return cfg_parser_error_at(p, value.line, value.column + offset,
					   "invalid JSON in [meta=...]: %s", msg);
	return ret;
}

static int parse_id(struct cfg_parser *p, struct cfg_hook *hook, int *id_column)
{
	struct cfg_token value;
	int ret = cfg_lex_next(p, &value);

	if (ret)
		return ret;
	if (value.kind != TOK_WORD)
		return cfg_tok_error(p, &value, "missing name after 'id=' (letters, digits, '_', '-', '.')");
	hook->hook_id = cfg_tok_dup(&value);
	if (!hook->hook_id)
		return -ENOMEM;
	*id_column = value.column;
	return 0;
}

/* The value of one attribute, the name (and '=' when it takes one) read. */
static int parse_value(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *name,
		       int *id_column)
{
	struct cfg_token value;
	int ret;

	if (cfg_tok_is(name, "id"))
		return parse_id(p, hook, id_column);
	if (cfg_tok_is(name, "meta"))
		return parse_meta(p, hook);
	if (cfg_tok_is(name, "error"))
		return parse_error_rule(p, hook);
	if (cfg_tok_is(name, "format"))
		return parse_format(p, hook, name);
	if (cfg_tok_is(name, "vararg"))
		return parse_vararg(p, hook, name);
	if (cfg_tok_is(name, "from"))
		return cfg_parse_callers(p, &hook->callers, &hook->ncallers);
	/* enum / flags on the return value */
	ret = cfg_lex_next(p, &value);
	if (ret)
		return ret;
	if (!cfg_tok_is_ident(&value))
		return cfg_tok_error(p, &value, "missing name after '%.*s='", CFG_SHOW(name));
	return cfg_apply_display(p, &hook->ret, name, &value, "(the return value)");
}

/* Whether an attribute takes "=VALUE" (errno may, the display words never but enum/flags). */
static bool takes_value(const struct cfg_token *name)
{
	return !(cfg_tok_is(name, "hex") || cfg_tok_is(name, "oct") || cfg_tok_is(name, "char") ||
		 cfg_tok_is(name, "errno"));
}

static int parse_one(struct cfg_parser *p, struct cfg_hook *hook, const struct cfg_token *name,
		     int *id_column, bool bare)
{
	struct cfg_token tok;
	int ret;

	if (bare && !cfg_tok_is(name, "id") && !cfg_tok_is(name, "meta") && !cfg_tok_is(name, "from"))
		return cfg_tok_error(p, name, "[%.*s] needs the prototype: write the full declaration "
				     "instead of the bare name (a bare name takes [id], [meta], [from])",
				     CFG_SHOW(name));
	if (cfg_tok_is(name, "errno"))
		return parse_errno(p, hook);
	if (!takes_value(name))
		return cfg_apply_display(p, &hook->ret, name, NULL, "(the return value)");
	ret = cfg_lex_next(p, &tok);
	if (ret)
		return ret;
	if (!cfg_tok_is_punct(&tok, '='))
		return cfg_tok_error(p, &tok, "missing '=' after '%.*s'", CFG_SHOW(name));
	return parse_value(p, hook, name, id_column);
}

/*
 * Reads the attributes after ')' (or after a bare name), each at most once, across
 * lines when the next line starts with one. *id_column is set to the column of the
 * id's value, for later error messages.
 */
int cfg_parse_hook_attrs(struct cfg_parser *p, struct cfg_hook *hook, int *id_column, bool bare)
{
	struct cfg_token tok, name, display = { 0 };
	char seen[160] = ",", key[24], what[80];
	int ret;

	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			return ret;
		if (tok.kind == TOK_EOL && !bare && cfg_lex_continues_with_attribute(p))
			continue;
		ret = cfg_lex_attr_open(p, &name);
		if (ret <= 0)
			return ret;
		if (!cfg_is_hook_attr(&name)) {
			cfg_tok_describe(&name, what, sizeof(what));
			return cfg_tok_error(p, &name, "unknown attribute %s (known: id, meta, error, "
					     "errno, format, vararg, from, hex, oct, char, enum, flags)",
					     what);
		}
		snprintf(key, sizeof(key), ",%.*s,", CFG_SHOW(&name));
		if (strstr(seen, key))
			return cfg_tok_error(p, &name, "duplicate attribute '%.*s'", CFG_SHOW(&name));
		if (cfg_is_display_attr(&name) && display.len)
			return cfg_tok_error(p, &name, "[%.*s] after [%.*s]: a value has one display "
					     "(keep one)", CFG_SHOW(&name), CFG_SHOW(&display));
		if (cfg_is_display_attr(&name))
			display = name;
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%.*s,", CFG_SHOW(&name));
		ret = parse_one(p, hook, &name, id_column, bare);
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
}
