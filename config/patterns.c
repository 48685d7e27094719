/*
 * patterns.c — lines that name symbols by glob instead of one prototype:
 *
 *     sqlite3_*  [from=main]         every imported symbol matching
 *     libcurl.so.4: curl_easy_*      only symbols the named library defines
 *     libcurl.so*: *                 everything a library exports that others import
 *     !sqlite3_free                  never hooked through a pattern
 *
 * Globs are fnmatch(3) patterns and not C tokens, so they are read raw here. A line
 * is a pattern when it starts with '!', its name has '*', '?' or '[', or a "LIB:"
 * qualifier comes first — and nothing but attributes follows the name (so that
 * "char*f(void)" stays a prototype).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static bool is_glob_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_.*?+-@", c);
}

/*
 * The length of the glob word at text[at..end): glob characters and bracket
 * expressions ("[a-z]") not at its start; *has_meta says whether it has *, ? or [.
 */
static int glob_len(const char *text, int at, int end, bool *has_meta)
{
	int i = at;

	*has_meta = false;
	while (i < end) {
		char c = text[i];

		if (c == '[' && i > at) {
			const char *close = memchr(text + i + 1, ']', end - i - 1);

			if (!close)
				break;
			*has_meta = true;
			i = close - text + 1;
			continue;
		}
		if (!is_glob_char(c))
			break;
		if (c == '*' || c == '?')
			*has_meta = true;
		i++;
	}
	return i - at;
}

static int skip_blanks(const char *text, int at, int end)
{
	while (at < end && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r'))
		at++;
	return at;
}

/* Whether what follows the name ends a pattern line: nothing, ';', '#' or '['. */
static bool ends_name(const char *text, int at, int end)
{
	at = skip_blanks(text, at, end);
	return at == end || text[at] == ';' || text[at] == '#' || text[at] == '[';
}

bool cfg_line_is_pattern(const struct cfg_parser *p)
{
	const struct cfg_lexer *lex = &p->lex;
	const char *text = lex->text;
	int end = cfg_lex_line_end(lex), at = skip_blanks(text, lex->pos, end), n;
	bool meta, meta2;

	if (at < end && text[at] == '!')
		return true;
	n = glob_len(text, at, end, &meta);
	if (!n)
		return false;
	at = skip_blanks(text, at + n, end);
	if (at < end && text[at] == ':') {
		at = skip_blanks(text, at + 1, end);
		n = glob_len(text, at, end, &meta2);
		return ends_name(text, at + n, end);
	}
	return meta && ends_name(text, at, end);
}

/* Reads one glob word at the lexer's position into a new string. */
static int read_glob(struct cfg_parser *p, char **out, struct cfg_token *tok, const char *what)
{
	struct cfg_lexer *lex = &p->lex;
	int end = cfg_lex_line_end(lex), n;
	bool meta;

	lex->pos = skip_blanks(lex->text, lex->pos, end);
	tok->kind = TOK_WORD;
	tok->text = lex->text + lex->pos;
	tok->line = lex->lineno;
	tok->column = lex->pos - lex->line_start + 1;
	n = glob_len(lex->text, lex->pos, end, &meta);
	tok->len = n;
	if (!n)
		return cfg_tok_error(p, tok, "missing %s (a glob such as sqlite3_*)", what);
	lex->pos += n;
	lex->end_line = tok->line;
	lex->end_column = tok->column + n;
	*out = strndup(tok->text, n);
	return *out ? 0 : -ENOMEM;
}

/* [from=…], the only attribute of a pattern. */
static int parse_attrs(struct cfg_parser *p, struct cfg_pattern *pat)
{
	struct cfg_token tok, name;
	int ret;

	for (;;) {
		ret = cfg_lex_attr_open(p, &name);
		if (ret <= 0)
			return ret;
		if (!cfg_tok_is(&name, "from"))
			return cfg_tok_error(p, &name, "on a pattern the only attribute is [from=…] "
					     "(declare the prototype in [prototypes] for the rest)");
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, '='))
			return cfg_tok_error(p, &tok, "missing '=' after 'from'");
		ret = cfg_parse_callers(p, &pat->callers, &pat->ncallers);
		if (!ret)
			ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
	}
}

int cfg_parse_pattern(struct cfg_parser *p)
{
	struct cfg_pattern pat = { 0 };
	struct cfg_lexer *lex = &p->lex;
	struct cfg_token first, tok;
	char *glob = NULL;
	int end = cfg_lex_line_end(lex), ret;

	lex->pos = skip_blanks(lex->text, lex->pos, end);
	first.line = lex->lineno;
	first.column = lex->pos - lex->line_start + 1;
	pat.line = first.line;
	pat.column = first.column;
	if (p->protos_only || p->section == SEC_PROTOTYPES) {
		ret = cfg_parser_error_at(p, first.line, first.column, "a pattern hooks symbols: "
					  "put it in a [thread NAME] section, not among prototypes");
		goto fail;
	}
	if (lex->text[lex->pos] == '!') {
		pat.exclude = true;
		lex->pos++;
	}
	ret = read_glob(p, &glob, &tok, "symbol glob");
	if (ret)
		goto fail;
	lex->pos = skip_blanks(lex->text, lex->pos, end);
	if (lex->pos < end && lex->text[lex->pos] == ':') {
		lex->pos++;
		pat.library = glob;
		glob = NULL;
		ret = read_glob(p, &glob, &tok, "symbol glob after the library");
		if (ret)
			goto fail;
	}
	pat.symbol = glob;
	glob = NULL;
	ret = parse_attrs(p, &pat);
	if (!ret)
		ret = cfg_expect_end(p, "the pattern");
	if (ret)
		goto fail;
	pat.thread_id = strdup(p->thread ? p->thread : "default");
	pat.file = strdup(p->name);
	if (!pat.thread_id || !pat.file) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = cfg_append(&p->out->patterns, &p->out->npatterns, sizeof(pat), &pat);
	if (!ret)
		return 0;
fail:
	free(glob);
	cfg_pattern_release(&pat);
	return ret;
}
