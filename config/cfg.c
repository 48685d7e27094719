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

void cfg_type_release(struct cfg_type *type)
{
	free(type->spelling);
	type->spelling = NULL;
}

void cfg_hook_release(struct cfg_hook *hook)
{
	int i;

	free(hook->symbol);
	free(hook->hook_id);
	free(hook->thread_id);
	free(hook->metadata_json);
	free(hook->file);
	cfg_type_release(&hook->ret);
	for (i = 0; i < hook->nparams; i++) {
		free(hook->params[i].name);
		cfg_type_release(&hook->params[i].type);
	}
	free(hook->params);
	memset(hook, 0, sizeof(*hook));
}

void cfg_free(struct cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->nhooks; i++)
		cfg_hook_release(&cfg->hooks[i]);
	free(cfg->hooks);
	cfg_settings_release(&cfg->settings);
	cfg_init(cfg);
}

/*
 * Fills *err unless it already holds an error (first error wins). Returns -EINVAL so
 * that callers can write "return cfg_error_set(...)".
 */
int cfg_error_set(struct cfg_error *err, const char *file, int line, int column,
		  const char *fmt, ...)
{
	va_list ap;

	if (!err || err->text[0])
		return -EINVAL;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An error at a column of the line being parsed. */
int cfg_parser_error(struct cfg_parser *p, int column, const char *fmt, ...)
{
	struct cfg_error *err = p->err;
	va_list ap;

	if (err->text[0])
		return -EINVAL;
	snprintf(err->file, sizeof(err->file), "%s", p->name);
	err->line = p->lex.lineno;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -EINVAL;
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
