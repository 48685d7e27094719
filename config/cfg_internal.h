/*
 * cfg_internal.h — what the files of config/ share and nobody else may use.
 *
 * The parser works one line at a time: lexer.c cuts a line into tokens, parser.c
 * decides what the line is (section, setting, prototype), proto.c and types.c turn
 * a prototype into a struct cfg_hook, settings.c applies "key = value", json.c
 * validates JSON with Jansson. Nothing here prints, exits or keeps global state:
 * all per-parse state lives in struct cfg_parser on the caller's stack.
 */
#ifndef IMPULSE_CFG_INTERNAL_H
#define IMPULSE_CFG_INTERNAL_H

#include "config.h"

enum cfg_tok_kind {
	TOK_EOL,	/* end of line or start of a '#' comment */
	TOK_WORD,	/* [A-Za-z0-9_][A-Za-z0-9_.-]*: identifiers, names, numbers */
	TOK_PUNCT,	/* one of ( ) , ; * [ ] = */
	TOK_ELLIPSIS,	/* ... */
	TOK_JSON,	/* a balanced {...} object, strings respected; validated later */
	TOK_STRING,	/* "...", no escapes; text excludes the quotes */
};

struct cfg_token {
	enum cfg_tok_kind kind;
	const char *text;	/* points into the line; not NUL-terminated */
	int len;		/* bytes of text */
	int column;		/* 1-based byte column of the token's first byte */
};

/* A cursor over one line of input. */
struct cfg_lexer {
	const char *line;	/* first byte of the line; not owned */
	int len;		/* bytes up to, not including, the '\n' */
	int pos;		/* next byte to look at */
	int lineno;		/* 1-based */
};

/* Per-parse state; lives on the stack of cfg_parse_string()/cfg_parse_file(). */
struct cfg_parser {
	struct cfg *out;		/* hooks are appended here directly */
	struct cfg_settings settings;	/* working copy, moved into out on success */
	const char *name;		/* file name for positions */
	struct cfg_error *err;		/* first error wins */
	char *thread;			/* current [thread NAME]; owned; NULL in [tracer] */
	bool in_tracer;			/* inside [tracer] */
	struct cfg_lexer lex;		/* the current line */
};

/* cfg.c */
int cfg_error_set(struct cfg_error *err, const char *file, int line, int column,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int cfg_parser_error(struct cfg_parser *p, int column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfg_type_release(struct cfg_type *type);
void cfg_hook_release(struct cfg_hook *hook);

/* lexer.c */
void cfg_lex_start(struct cfg_lexer *lex, const char *line, int len, int lineno);
int cfg_lex_next(struct cfg_parser *p, struct cfg_token *tok);
int cfg_lex_peek(struct cfg_parser *p, struct cfg_token *tok);
bool cfg_tok_is(const struct cfg_token *tok, const char *text);
bool cfg_tok_is_punct(const struct cfg_token *tok, char c);
bool cfg_tok_is_ident(const struct cfg_token *tok);
char *cfg_tok_dup(const struct cfg_token *tok);

/* json.c */
int cfg_json_compact(const char *text, size_t len, char **out, int *err_offset,
		     char *msg, size_t msgsize);

/* types.c */
int cfg_parse_type(struct cfg_parser *p, struct cfg_type *type, bool is_return);

/* proto.c */
int cfg_parse_prototype(struct cfg_parser *p);

/* settings.c */
void cfg_settings_defaults(struct cfg_settings *s);
int cfg_settings_copy(struct cfg_settings *dst, const struct cfg_settings *src);
void cfg_settings_release(struct cfg_settings *s);
int cfg_settings_apply(struct cfg_settings *s, const char *key, const char *value,
		       size_t len, int *err_offset, char *msg, size_t msgsize);
int cfg_parse_setting(struct cfg_parser *p);

#endif
