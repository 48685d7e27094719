/*
 * cfg.c — the life of a struct cfg (init, free) and of a struct cfg_error.
 *
 * Errors are formatted into the caller's struct with snprintf only: this code runs
 * inside a preloaded library before main, so it must never print, exit or keep
 * state between calls. The first error wins: later ones are ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

void cfg_init(struct cfg *out)
{
	memset(out, 0, sizeof(*out));
	cfg_settings_defaults(&out->settings);
}

void cfg_free(struct cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->nhooks; i++)
		cfg_hook_release(&cfg->hooks[i]);
	free(cfg->hooks);
	for (i = 0; i < cfg->nprotos; i++)
		cfg_hook_release(&cfg->protos[i]);
	free(cfg->protos);
	for (i = 0; i < cfg->npatterns; i++)
		cfg_pattern_release(&cfg->patterns[i]);
	free(cfg->patterns);
	for (i = 0; i < cfg->ntypedefs; i++)
		cfg_typedef_free(cfg->typedefs[i]);
	free(cfg->typedefs);
	/* records and enums last: the types above point at them */
	for (i = 0; i < cfg->nrecords; i++)
		cfg_record_free(cfg->records[i]);
	free(cfg->records);
	for (i = 0; i < cfg->nenums; i++)
		cfg_enum_free(cfg->enums[i]);
	free(cfg->enums);
	free(cfg->proto_dir);
	cfg_settings_release(&cfg->settings);
	cfg_init(cfg);
}

int cfg_set_proto_dir(struct cfg *cfg, const char *dir)
{
	char *copy = dir ? strdup(dir) : NULL;

	if (dir && !copy)
		return -ENOMEM;
	free(cfg->proto_dir);
	cfg->proto_dir = copy;
	return 0;
}

static int error_va(struct cfg_error *err, const char *file, int line, int column,
		    const char *fmt, va_list ap)
{
	if (!err || err->text[0])
		return -EINVAL;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = column;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	return -EINVAL;
}

/*
 * Fills *err unless it already holds an error (first error wins). Returns -EINVAL so
 * that callers can write "return cfg_error_set(...)".
 */
int cfg_error_set(struct cfg_error *err, const char *file, int line, int column,
		  const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_va(err, file, line, column, fmt, ap);
	va_end(ap);
	return ret;
}

/* An error at a column of the line the lexer is on. */
int cfg_parser_error(struct cfg_parser *p, int column, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_va(p->err, p->name, p->lex.lineno, column, fmt, ap);
	va_end(ap);
	return ret;
}

/* An error at a line and column of the file being parsed. */
int cfg_parser_error_at(struct cfg_parser *p, int line, int column, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_va(p->err, p->name, line, column, fmt, ap);
	va_end(ap);
	return ret;
}

/* An error at a token's position. */
int cfg_tok_error(struct cfg_parser *p, const struct cfg_token *tok, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_va(p->err, p->name, tok->line, tok->column, fmt, ap);
	va_end(ap);
	return ret;
}

void cfg_error_format(const struct cfg_error *err, char *buf, size_t size)
{
	if (!size)
		return;
	if (err->line > 0 && err->column > 0)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, err->text);
	else if (err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->text);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->text);
	else
		snprintf(buf, size, "%s", err->text);
}
