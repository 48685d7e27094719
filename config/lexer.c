/*
 * lexer.c — cuts the text of hooks.conf into tokens.
 *
 * A newline ends a statement (TOK_EOL) unless a '(', '[' or '{' is open, so that
 * structs and long prototypes can span lines while one-line declarations need no
 * terminator. '#' starts a comment except inside a JSON object or a quoted value.
 * JSON objects are cut only on request (cfg_lex_json), because '{' otherwise opens a
 * struct body. Columns are 1-based byte offsets: a tab counts as one column, as in
 * most compilers' byte mode.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cfg_internal.h"

void cfg_lex_start(struct cfg_lexer *lex, const char *text, int len)
{
	memset(lex, 0, sizeof(*lex));
	lex->text = text;
	lex->len = len;
	lex->lineno = 1;
	lex->end_line = 1;
	lex->end_column = 1;
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
	/* '.' and '-' so that thread names, ids, file names and ranges (1..5) are one word */
	return is_word_start(c) || c == '.' || c == '-';
}

/*
 * Whether the text after the newline at pos, past blank and comment lines, starts
 * with '{': "struct request\n{" goes on as one statement, as C's brace styles allow.
 */
static bool brace_follows(struct cfg_lexer *lex, int pos)
{
	int from = pos;
	bool found = false;

	if (lex->bf_to > 0 && pos >= lex->bf_from && pos <= lex->bf_to)
		return lex->bf_result;
	while (pos < lex->len) {
		char c = lex->text[pos];

		if (c == '#') {
			const char *nl = memchr(lex->text + pos, '\n', lex->len - pos);

			if (!nl) {
				pos = lex->len;
				break;
			}
			pos = nl - lex->text;
		} else if (c == '{') {
			found = true;
			break;
		} else if (!is_space(c) && c != '\n') {
			break;
		}
		pos++;
	}
	lex->bf_from = from;
	lex->bf_to = pos;
	lex->bf_result = found;
	return found;
}

static void new_line(struct cfg_lexer *lex)
{
	lex->pos++;
	lex->lineno++;
	lex->line_start = lex->pos;
}

/* Offset of the '\n' ending the current line, or the text's length. */
int cfg_lex_line_end(const struct cfg_lexer *lex)
{
	const char *nl = memchr(lex->text + lex->pos, '\n', lex->len - lex->pos);

	return nl ? (int)(nl - lex->text) : lex->len;
}

/* Skips blanks and comments on the current line; stops at its newline. */
void cfg_lex_skip_blanks(struct cfg_lexer *lex)
{
	while (lex->pos < lex->len && is_space(lex->text[lex->pos]))
		lex->pos++;
	if (lex->pos < lex->len && lex->text[lex->pos] == '#')
		lex->pos = cfg_lex_line_end(lex);
}

static void start_token(struct cfg_lexer *lex, struct cfg_token *tok)
{
	tok->text = lex->text + lex->pos;
	tok->line = lex->lineno;
	tok->column = lex->pos - lex->line_start + 1;
	tok->len = 0;
}

static void end_token(struct cfg_lexer *lex, struct cfg_token *tok)
{
	lex->end_line = tok->line;
	lex->end_column = tok->column + tok->len;
}

/*
 * Cuts a JSON object starting at the '{' at lex->pos: braces and brackets are
 * counted outside strings, and a string's backslash escapes are skipped so that an
 * escaped quote does not end it. Validation is Jansson's job, not this one's.
 */
int cfg_lex_json(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	int depth = 0, i, end;
	bool in_string = false;

	cfg_lex_skip_blanks(lex);
	start_token(lex, tok);
	tok->kind = TOK_JSON;
	end = cfg_lex_line_end(lex);
	for (i = lex->pos; i < end; i++) {
		char c = lex->text[i];

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
				end_token(lex, tok);
				return 0;
			}
		}
	}
	return cfg_parser_error_at(p, tok->line, tok->column,
				   "unterminated JSON object (a value must fit on its line)");
}

static int lex_quoted(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	int end = cfg_lex_line_end(lex);
	const char *close = memchr(lex->text + lex->pos + 1, '"', end - lex->pos - 1);

	if (!close)
		return cfg_parser_error_at(p, tok->line, tok->column, "unterminated quoted value");
	tok->text = lex->text + lex->pos + 1;
	tok->len = close - tok->text;
	lex->pos = close + 1 - lex->text;
	lex->end_line = tok->line;
	lex->end_column = tok->column + tok->len + 2;
	return 0;
}

/*
 * Reads raw text up to (not including) the byte stop on the current line, blanks
 * around it removed, into *tok (kind TOK_WORD). For values that are not made of
 * tokens: globs in [from=…] (globs: skip bracket expressions), the name in
 * include <…>. The stop byte is left next.
 */
int cfg_lex_until(struct cfg_parser *p, char stop, struct cfg_token *tok, bool globs)
{
	struct cfg_lexer *lex = &p->lex;
	int end = cfg_lex_line_end(lex), at;
	const char *close;

	while (lex->pos < end && is_space(lex->text[lex->pos]))
		lex->pos++;
	start_token(lex, tok);
	tok->kind = TOK_WORD;
	for (at = lex->pos; at < end && lex->text[at] != stop; at++) {
		/* a glob's bracket expression ("lib[a-c]*") may hold the stop byte */
		if (globs && lex->text[at] == '[' &&
		    (close = memchr(lex->text + at + 1, ']', end - at - 1)))
			at = close - lex->text;
	}
	if (at == end)
		return cfg_parser_error_at(p, tok->line, tok->column, "missing '%c'", stop);
	lex->pos = at;
	while (at > tok->text - lex->text && is_space(lex->text[at - 1]))
		at--;
	tok->len = at - (tok->text - lex->text);
	if (tok->len)
		end_token(lex, tok);
	return 0;
}

static bool two_char_op(const char *s, int avail)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "&&", "||", "<<" };
	size_t i;

	if (avail < 2)
		return false;
	for (i = 0; i < CFG_ARRAY_SIZE(ops); i++)
		if (s[0] == ops[i][0] && s[1] == ops[i][1])
			return true;
	return false;
}

/*
 * Reads the next token into *tok. Returns 0, or -EINVAL on a character that starts
 * no token or an unterminated quoted value.
 */
int cfg_lex_next(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer *lex = &p->lex;
	char c;

	for (;;) {
		cfg_lex_skip_blanks(lex);
		if (lex->pos >= lex->len || (lex->text[lex->pos] == '\n' && lex->depth == 0 &&
					     !brace_follows(lex, lex->pos + 1))) {
			/*
			 * An EOL sits just after the previous token, where errors about
			 * something missing at the end of a statement should point.
			 */
			tok->kind = TOK_EOL;
			tok->text = lex->text + lex->pos;
			tok->len = 0;
			tok->line = lex->end_line;
			tok->column = lex->end_column;
			if (lex->pos < lex->len)
				new_line(lex);
			lex->end_line = lex->lineno;
			lex->end_column = 1;
			return 0;
		}
		if (lex->text[lex->pos] != '\n')
			break;
		new_line(lex);	/* inside an open bracket: the statement goes on */
	}
	start_token(lex, tok);
	c = lex->text[lex->pos];
	if (is_word_start(c)) {
		tok->kind = TOK_WORD;
		while (lex->pos < lex->len && is_word_char(lex->text[lex->pos]))
			lex->pos++;
		tok->len = lex->text + lex->pos - tok->text;
		end_token(lex, tok);
		return 0;
	}
	if (c == '.' && lex->len - lex->pos >= 3 && !strncmp(tok->text, "...", 3)) {
		tok->kind = TOK_ELLIPSIS;
		tok->len = 3;
		lex->pos += 3;
		end_token(lex, tok);
		return 0;
	}
	if (c && strchr("(),;*[]={}<>!&|:-", c)) {
		tok->kind = TOK_PUNCT;
		tok->len = two_char_op(tok->text, lex->len - lex->pos) ? 2 : 1;
		lex->pos += tok->len;
		if (c == '(' || c == '[' || c == '{')
			lex->depth++;
		else if ((c == ')' || c == ']' || c == '}') && lex->depth > 0)
			lex->depth--;
		end_token(lex, tok);
		return 0;
	}
	if (c == '"') {
		tok->kind = TOK_STRING;
		return lex_quoted(p, tok);
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return cfg_parser_error_at(p, tok->line, tok->column, "unexpected byte 0x%02x",
					   (unsigned char)c);
	return cfg_parser_error_at(p, tok->line, tok->column, "unexpected character '%c'", c);
}

/* As cfg_lex_next() without consuming the token. */
int cfg_lex_peek(struct cfg_parser *p, struct cfg_token *tok)
{
	struct cfg_lexer saved = p->lex;
	int ret = cfg_lex_next(p, tok);

	p->lex = saved;
	return ret;
}

/* The next two tokens, without consuming them. */
int cfg_lex_peek2(struct cfg_parser *p, struct cfg_token *first, struct cfg_token *second)
{
	struct cfg_lexer saved = p->lex;
	struct cfg_error err = *p->err;
	int ret = cfg_lex_next(p, first);

	if (!ret)
		ret = cfg_lex_next(p, second);
	if (ret) {
		first->kind = second->kind = TOK_EOL;
		*p->err = err;
	}
	p->lex = saved;
	return 0;
}

/*
 * After a prototype's ')' and the end of its line: whether the statement goes on
 * with hook attributes on the following lines ("    [vararg=option: …];"), which
 * a section header never looks like. The lexer is left on the attribute's '['.
 */
bool cfg_lex_continues_with_attribute(struct cfg_parser *p)
{
	struct cfg_lexer saved = p->lex;
	struct cfg_error err = *p->err;
	struct cfg_token tok, name;
	bool yes = false;

	while (!cfg_lex_next(p, &tok) && tok.kind == TOK_EOL && p->lex.pos < p->lex.len)
		;
	if (cfg_tok_is_punct(&tok, '[') && !cfg_lex_next(p, &name) && cfg_is_hook_attr(&name))
		yes = true;
	*p->err = err;
	if (yes) {
		/* back to the '[' with the depth it had before it */
		p->lex.pos = tok.text - p->lex.text;
		p->lex.lineno = tok.line;
		p->lex.line_start = p->lex.pos - (tok.column - 1);
		p->lex.depth = saved.depth;
		return true;
	}
	p->lex = saved;
	return false;
}

bool cfg_tok_is(const struct cfg_token *tok, const char *text)
{
	return tok->kind == TOK_WORD && (int)strlen(text) == tok->len &&
	       !memcmp(tok->text, text, tok->len);
}

bool cfg_tok_is_punct(const struct cfg_token *tok, char c)
{
	return tok->kind == TOK_PUNCT && tok->len == 1 && tok->text[0] == c;
}

bool cfg_tok_is_op(const struct cfg_token *tok, const char *op)
{
	return tok->kind == TOK_PUNCT && (int)strlen(op) == tok->len &&
	       !memcmp(tok->text, op, tok->len);
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

/* The name a token gives in error messages: its text, or "end of line". */
int cfg_tok_describe(const struct cfg_token *tok, char *buf, size_t size)
{
	if (tok->kind == TOK_EOL)
		return snprintf(buf, size, "end of line");
	return snprintf(buf, size, "'%.*s'", CFG_SHOW(tok));
}

int cfg_lex_attr_open(struct cfg_parser *p, struct cfg_token *name)
{
	struct cfg_token tok;
	int ret = cfg_lex_peek(p, &tok);

	if (ret || !cfg_tok_is_punct(&tok, '['))
		return ret;
	cfg_lex_next(p, &tok);
	ret = cfg_lex_next(p, name);
	return ret ? ret : 1;
}
