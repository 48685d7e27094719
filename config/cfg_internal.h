/*
 * cfg_internal.h — what the files of config/ share and nobody else may use.
 *
 * The parser reads a whole file as a sequence of statements. lexer.c cuts the text
 * into tokens (a newline ends a statement unless a '(', '[' or '{' is open);
 * parser.c decides what each statement is (section, setting, include, declaration,
 * prototype, bare name, pattern) and hands it to the file that knows it:
 *
 *     settings.c   "key = value" in [tracer], and cfg_set()
 *     include.c    include "file" / include <name>, with cycle detection
 *     records.c    struct/union declarations and their x86-64 layout
 *     enums.c      enum/flags declarations and integer constant expressions
 *     typedefs.c   typedef declarations
 *     types.c      a type as written ("const struct stat *") into a struct cfg_type
 *     arrays.c     array declarators: "char name[16]" fields, "char *argv[]" parameters
 *     builtins.c   the built-in type names and the hints for unknown ones
 *     attrs.c      attributes of a parameter or field ([len=…] [out] [hex] …)
 *     hook_attrs.c attributes after ')' ([error=…] [errno] [vararg=…] [from=…] …)
 *     proto.c      a prototype or a bare name into a struct cfg_hook
 *     patterns.c   glob lines ("sqlite3_*", "libc.so.6: *", "!free")
 *     decls.c      the global tables of struct cfg (records, enums, typedefs, protos)
 *     resolve.c    cfg_resolve(): shipped prototypes, bare names, forward references
 *     types_mem.c  copying and releasing types and hooks
 *     json.c       JSON validation with Jansson
 *
 * Nothing here prints, exits or keeps global state: all per-parse state lives in
 * struct cfg_parser on the caller's stack.
 */
#ifndef IMPULSE_CFG_INTERNAL_H
#define IMPULSE_CFG_INTERNAL_H

#include <sys/types.h>

#include "config.h"

enum cfg_tok_kind {
	TOK_EOL,	/* end of a statement: a newline with nothing open, or end of text */
	TOK_WORD,	/* [A-Za-z0-9_][A-Za-z0-9_.-]*: identifiers, names, numbers */
	TOK_PUNCT,	/* one of ( ) , ; * [ ] = { } < > ! & | : - or == != <= >= && || << */
	TOK_ELLIPSIS,	/* ... */
	TOK_JSON,	/* a balanced {...} object, strings respected; only from cfg_lex_json() */
	TOK_STRING,	/* "...", no escapes; text excludes the quotes */
};

struct cfg_token {
	enum cfg_tok_kind kind;
	const char *text;	/* points into the file's text; not NUL-terminated */
	int len;		/* bytes of text */
	int line;		/* 1-based line of the token's first byte */
	int column;		/* 1-based byte column of the token's first byte */
};

/* A cursor over one file's text. Copying the struct saves the position (peeking). */
struct cfg_lexer {
	const char *text;	/* the whole file; not owned */
	int len;
	int pos;		/* next byte to look at */
	int lineno;		/* 1-based line of pos */
	int line_start;		/* offset of that line's first byte */
	int depth;		/* '(', '[' and '{' open: newlines inside do not end a statement */
	int end_line, end_column;	/* just after the last token read: where "missing"
					 * errors point, and the position of an EOL token */
	/* brace_follows()'s last scan: every start in [bf_from, bf_to] ends at the
	 * same significant byte, so a run of blank lines is scanned once, not once
	 * per line (which made a 16 MiB file of them take hours). */
	int bf_from, bf_to;
	bool bf_result;
};

enum cfg_section {
	SEC_NONE,	/* before any section header: hooks go to thread "default" */
	SEC_TRACER,
	SEC_THREAD,
	SEC_PROTOTYPES,
};

/* One file of the include chain, innermost first: for cycle detection and messages. */
struct cfg_include {
	const struct cfg_include *up;
	dev_t dev;
	ino_t ino;
	const char *name;
};

/*
 * What a parse changed in declarations that existed before it: a failed parse puts
 * them back, so that *out is exactly as it was (see parser.c).
 */
struct cfg_undo {
	struct cfg_record **records;	/* forward records completed by this parse */
	int nrecords;
	struct cfg_enum **enums;	/* forward enums completed by this parse */
	int nenums;
};

/* Per-file parse state; a child is made for each included file. */
struct cfg_parser {
	struct cfg *out;		/* declarations and hooks are appended here directly */
	struct cfg_settings *settings;	/* the root parse's working copy, moved into out on success */
	struct cfg_undo *undo;		/* the root parse's */
	const char *name;		/* file name for positions */
	struct cfg_error *err;		/* first error wins */
	char *thread;			/* current [thread NAME]; owned */
	enum cfg_section section;
	bool protos_only;		/* a prototype file (include <name>, or shipped): every
					 * prototype goes to out->protos, no settings or hooks */
	bool shipped;			/* loaded by cfg_resolve(): declarations the user made
					 * win over this file's silently */
	const struct cfg_include *chain;	/* this file and its includers */
	int include_depth;
	struct cfg_lexer lex;
};

/* Where a pending name was written, for errors found after the list that holds it. */
struct cfg_pos {
	int line, column;
};

/*
 * Lengths name parameters or fields that may come later in the list ([len=count]
 * before count), so the names are kept here and resolved when the list is complete.
 */
struct cfg_pending_len {
	int owner;		/* index of the parameter or field that carries the [len] */
	int term;		/* 0 or 1 */
	char *name;		/* owned */
	struct cfg_pos pos;
};

struct cfg_pending {
	struct cfg_pending_len *items;
	int n;
};

/* The list [len=NAME] names are looked up in: parameters or fields. */
struct cfg_members {
	bool is_field;		/* struct fields: no [out], no 'return', len names fields */
	int count;
	struct cfg_param *params;	/* when !is_field */
	struct cfg_field *fields;	/* when is_field */
	const char *owner;	/* "function open", "struct iovec": for messages */
};

/* cfg.c */
int cfg_error_set(struct cfg_error *err, const char *file, int line, int column,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int cfg_parser_error(struct cfg_parser *p, int column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_parser_error_at(struct cfg_parser *p, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cfg_tok_error(struct cfg_parser *p, const struct cfg_token *tok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* types_mem.c */
void cfg_type_release(struct cfg_type *type);
int cfg_type_copy(struct cfg_type *dst, const struct cfg_type *src);
void cfg_hook_release(struct cfg_hook *hook);
int cfg_hook_copy_prototype(struct cfg_hook *dst, const struct cfg_hook *src);
void cfg_pattern_release(struct cfg_pattern *pat);
void cfg_record_free(struct cfg_record *rec);
void cfg_record_clear_fields(struct cfg_record *rec);
void cfg_enum_free(struct cfg_enum *en);
void cfg_enum_clear_items(struct cfg_enum *en);
void cfg_typedef_free(struct cfg_typedef *td);
void cfg_strings_free(char **list, int n);

/* lexer.c */
void cfg_lex_start(struct cfg_lexer *lex, const char *text, int len);
int cfg_lex_next(struct cfg_parser *p, struct cfg_token *tok);
int cfg_lex_peek(struct cfg_parser *p, struct cfg_token *tok);
/* An attribute's opening: when the next token is '[', consumes it and reads the
 * attribute's name into *name and returns 1; returns 0 when it is not; <0 on error. */
int cfg_lex_attr_open(struct cfg_parser *p, struct cfg_token *name);
int cfg_lex_peek2(struct cfg_parser *p, struct cfg_token *first, struct cfg_token *second);
int cfg_lex_json(struct cfg_parser *p, struct cfg_token *tok);
int cfg_lex_until(struct cfg_parser *p, char stop, struct cfg_token *tok, bool globs);
int cfg_lex_line_end(const struct cfg_lexer *lex);
void cfg_lex_skip_blanks(struct cfg_lexer *lex);
bool cfg_lex_continues_with_attribute(struct cfg_parser *p);
bool cfg_tok_is(const struct cfg_token *tok, const char *text);
bool cfg_tok_is_punct(const struct cfg_token *tok, char c);
bool cfg_tok_is_op(const struct cfg_token *tok, const char *op);
bool cfg_tok_is_ident(const struct cfg_token *tok);
char *cfg_tok_dup(const struct cfg_token *tok);
int cfg_tok_describe(const struct cfg_token *tok, char *buf, size_t size);

#define CFG_SHOW(tok) ((tok)->len > 64 ? 64 : (tok)->len), (tok)->text

/* json.c */
int cfg_json_compact(const char *text, size_t len, char **out, int *err_offset,
		     char *msg, size_t msgsize);

/* builtins.c */
struct cfg_builtin {
	const char *name;
	enum cfg_type_kind kind;
	unsigned size;		/* 0: opaque (FILE, DIR), only behind a pointer */
	bool is_signed;
};
const struct cfg_builtin *cfg_builtin_find(const struct cfg_token *tok);
bool cfg_is_type_keyword(const struct cfg_token *tok);
int cfg_unknown_type(struct cfg_parser *p, const struct cfg_token *tok);

/* types.c */
enum cfg_type_use { USE_PARAM, USE_RETURN, USE_FIELD, USE_TYPEDEF, USE_VARARG };
int cfg_parse_type(struct cfg_parser *p, struct cfg_type *type, enum cfg_type_use use);
int cfg_wrap_pointer(struct cfg_type *type, bool string_ok);
bool cfg_type_is_integer(const struct cfg_type *type);

/* arrays.c */
int cfg_array_suffix(struct cfg_parser *p, struct cfg_type *type, bool is_field);

/* decls.c */
struct cfg_record *cfg_record_find(const struct cfg *cfg, const char *name, int len);
struct cfg_record *cfg_record_get(struct cfg *cfg, const char *name, int len, bool is_union);
struct cfg_enum *cfg_enum_find(const struct cfg *cfg, const char *name, int len);
struct cfg_enum *cfg_enum_get(struct cfg *cfg, const char *name, int len);
const struct cfg_enumerator *cfg_enumerator_find(const struct cfg *cfg, const char *name,
						  int len);
const struct cfg_typedef *cfg_typedef_find(const struct cfg *cfg, const char *name, int len);
int cfg_append(void *array_ptr, int *count, size_t elem_size, const void *elem);
int cfg_undo_note_record(struct cfg_undo *undo, struct cfg_record *rec);
int cfg_undo_note_enum(struct cfg_undo *undo, struct cfg_enum *en);

/* records.c */
int cfg_parse_record(struct cfg_parser *p);
int cfg_record_layout(struct cfg_parser *p, struct cfg_record *rec);

/* enums.c */
int cfg_parse_enum(struct cfg_parser *p);
int cfg_parse_int_expr(struct cfg_parser *p, const struct cfg_enum *current, int64_t *value,
		       struct cfg_token *first);
int cfg_parse_int_value(struct cfg_parser *p, int64_t *value, struct cfg_token *first);
int cfg_number(const char *text, int len, int64_t *value);

/* typedefs.c */
int cfg_parse_typedef(struct cfg_parser *p);

/* attrs.c */
int cfg_parse_member_attrs(struct cfg_parser *p, struct cfg_type *type, int owner,
			   bool is_field, struct cfg_pending *pending);
int cfg_resolve_lens(struct cfg_parser *p, const struct cfg_members *members,
		     struct cfg_pending *pending);
void cfg_pending_release(struct cfg_pending *pending);
int cfg_apply_display(struct cfg_parser *p, struct cfg_type *type, const struct cfg_token *name,
		      const struct cfg_token *value, const char *owner);
bool cfg_is_display_attr(const struct cfg_token *name);

/* hook_attrs.c */
int cfg_parse_hook_attrs(struct cfg_parser *p, struct cfg_hook *hook, int *id_column,
			 bool bare);
int cfg_parse_callers(struct cfg_parser *p, char ***callers, int *ncallers);
bool cfg_is_hook_attr(const struct cfg_token *name);

/* proto.c */
int cfg_parse_prototype(struct cfg_parser *p);
int cfg_parse_bare_name(struct cfg_parser *p);

/* patterns.c */
bool cfg_line_is_pattern(const struct cfg_parser *p);
int cfg_parse_pattern(struct cfg_parser *p);

/* include.c */
int cfg_parse_include(struct cfg_parser *p);
int cfg_parse_text(struct cfg_parser *p, const char *text, size_t len);
int cfg_read_file(const char *path, char **text, size_t *len, struct cfg_error *err);

/* parser.c */
struct stat;
int cfg_parse_root(struct cfg *out, const char *text, size_t len, const char *name,
		   const struct stat *st, bool shipped, struct cfg_error *err);
int cfg_parse_statements(struct cfg_parser *p);
int cfg_expect_end(struct cfg_parser *p, const char *what);

/* settings.c */
void cfg_settings_defaults(struct cfg_settings *s);
int cfg_settings_copy(struct cfg_settings *dst, const struct cfg_settings *src);
void cfg_settings_release(struct cfg_settings *s);
int cfg_settings_apply(struct cfg_settings *s, const char *key, const char *value,
		       size_t len, int *err_offset, char *msg, size_t msgsize);
int cfg_parse_setting(struct cfg_parser *p);

/* resolve.c */
int cfg_load_shipped(struct cfg *cfg, struct cfg_error *err);

#define CFG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
