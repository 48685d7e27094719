/*
 * lexer.c — cuts one line of hooks.conf into tokens.
 *
 * The language is line-based (a prototype may not span lines), so the lexer never
 * looks past the end of its line. '#' starts a comment except inside a JSON object
 * or a quoted value, which is why JSON objects are cut here as single tokens with
 * their strings respected; Jansson validates them later. Columns are 1-based byte
 * offsets: a tab counts as one column, as in most compilers' byte mode.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

void cfg_lex_start(struct cfg_lexer *lex, const char *line, int len, int lineno)
{
	lex->line = line;
	lex->len = len;
	lex->pos = 0;
	lex->lineno = lineno;
}

static bool is_space(char c)
{
	/* '\r' so that files written on Windows read the same */
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool is_word_char(char c)
{
	/* '.' and '-' so that thread names, ids and numbers like 1.5 read as one word */
	return is_word_start(c) || c == '.' || c == '-';
}

/*
 * Cuts a JSON object starting at the '{' at lex->pos: braces and brackets are
 * counted outside strings, and a string's backslash escapes are skipped so that an
 * escaped quote does not end it. Validation is Jansson's job, not this one's.
 */
static int lex_json(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	int depth = 0, i;
	bool in_string = false;

	for (i = lex->pos; i < lex->len; i++) {
		char c = lex->line[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0) {
				tok->len = i + 1 - lex->pos;
				lex->pos = i + 1;
				return 0;
			}
		}
	}
	return cfg_parser_error(p, tok->column,
				"unterminated JSON object (a value must fit on its line)");
}

static int lex_quoted(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	const char *end = memchr(lex->line + lex->pos + 1, '"', lex->len - lex->pos - 1);

	if (!end)
		return cfg_parser_error(p, tok->column, "unterminated quoted value");
	tok->text = lex->line + lex->pos + 1;
	tok->len = end - tok->text;
	lex->pos = end + 1 - lex->line;
	return 0;
}

/*
 * Reads the next token of the line into *tok. Returns 0, or -EINVAL on a character
 * that starts no token, an unterminated JSON object or quoted value.
 */
int cfg_lex_next(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	int before = lex->pos;
	char c;

	while (lex->pos < lex->len && is_space(lex->line[lex->pos]))
		lex->pos++;
	tok->text = lex->line + lex->pos;
	tok->column = lex->pos + 1;
	tok->len = 0;
	if (lex->pos >= lex->len || lex->line[lex->pos] == '#') {
		tok->kind = TOK_EOL;
		/*
		 * An EOL's column is just after the previous token, where errors
		 * about something missing at the end of a line should point.
		 */
		tok->column = before + 1;
		lex->pos = before;
		return 0;
	}
	c = lex->line[lex->pos];
	if (is_word_start(c)) {
		tok->kind = TOK_WORD;
		while (lex->pos < lex->len && is_word_char(lex->line[lex->pos]))
			lex->pos++;
		tok->len = lex->pos - (tok->column - 1);
		return 0;
	}
	if (c == '.' && lex->len - lex->pos >= 3 && !strncmp(tok->text, "...", 3)) {
		tok->kind = TOK_ELLIPSIS;
		tok->len = 3;
		lex->pos += 3;
		return 0;
	}
	if (strchr("(),;*[]=", c)) {
		tok->kind = TOK_PUNCT;
		tok->len = 1;
		lex->pos++;
		return 0;
	}
	if (c == '{') {
		tok->kind = TOK_JSON;
		return lex_json(p, tok);
	}
	if (c == '"') {
		tok->kind = TOK_STRING;
		return lex_quoted(p, tok);
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return cfg_parser_error(p, tok->column, "unexpected byte 0x%02x",
					(unsigned char)c);
	return cfg_parser_error(p, tok->column, "unexpected character '%c'", c);
}

/* As cfg_lex_next() without consuming the token. */
int cfg_lex_peek(struct cfg_parser *p, struct cfg_token *tok)
{
	int saved = p->lex.pos;
	int ret = cfg_lex_next(p, tok);

	p->lex.pos = saved;
	return ret;
}

bool cfg_tok_is(const struct cfg_token *tok, const char *text)
{
	return tok->kind == TOK_WORD && (int)strlen(text) == tok->len &&
	       !memcmp(tok->text, text, tok->len);
}

bool cfg_tok_is_punct(const struct cfg_token *tok, char c)
{
	return tok->kind == TOK_PUNCT && tok->text[0] == c;
}

/* A C identifier: a word without '.', '-' and not starting with a digit. */
bool cfg_tok_is_ident(const struct cfg_token *tok)
{
	int i;

	if (tok->kind != TOK_WORD || (tok->text[0] >= '0' && tok->text[0] <= '9'))
		return false;
	for (i = 0; i < tok->len; i++)
		if (tok->text[i] == '.' || tok->text[i] == '-')
			return false;
	return true;
}

/* The token's text as a new NUL-terminated string, or NULL when out of memory. */
char *cfg_tok_dup(const struct cfg_token *tok)
{
	return strndup(tok->text, tok->len);
}
