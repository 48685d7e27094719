/*
 * types_mem.c — copying and releasing what struct cfg owns: types (which own their
 * pointee chain), hooks, patterns, records, enums and typedefs.
 *
 * A struct cfg_type owns its spelling and its pointee, never its record or enum
 * names (those belong to struct cfg), so a deep copy duplicates the chain and
 * shares the rest. Bare-name hooks get their prototype this way (resolve.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

void cfg_type_release(struct cfg_type *type)
{
	free(type->spelling);
	type->spelling = NULL;
	if (type->pointee) {
		cfg_type_release(type->pointee);
		free(type->pointee);
		type->pointee = NULL;
	}
}

int cfg_type_copy(struct cfg_type *dst, const struct cfg_type *src)
{
	*dst = *src;
	dst->spelling = NULL;
	dst->pointee = NULL;
	if (src->spelling && !(dst->spelling = strdup(src->spelling)))
		return -ENOMEM;
	if (src->pointee) {
		dst->pointee = calloc(1, sizeof(*dst->pointee));
		if (!dst->pointee || cfg_type_copy(dst->pointee, src->pointee)) {
			cfg_type_release(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

void cfg_strings_free(char **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void release_prototype(struct cfg_hook *hook)
{
	int i;

	cfg_type_release(&hook->ret);
	for (i = 0; i < hook->nparams; i++) {
		free(hook->params[i].name);
		cfg_type_release(&hook->params[i].type);
	}
	free(hook->params);
	for (i = 0; i < hook->nvararg_cases; i++)
		cfg_type_release(&hook->vararg_cases[i].type);
	free(hook->vararg_cases);
	cfg_type_release(&hook->vararg_default);
}

void cfg_hook_release(struct cfg_hook *hook)
{
	free(hook->symbol);
	free(hook->hook_id);
	free(hook->thread_id);
	free(hook->metadata_json);
	free(hook->file);
	release_prototype(hook);
	cfg_strings_free(hook->callers, hook->ncallers);
	memset(hook, 0, sizeof(*hook));
	hook->format_param = -1;
	hook->vararg_param = -1;
}

/*
 * Copies what a prototype says (return, parameters, variadic, format, vararg cases,
 * error rule unless dst has its own) from src into dst, whose own prototype parts
 * must be empty. On failure dst's prototype parts are released again.
 */
int cfg_hook_copy_prototype(struct cfg_hook *dst, const struct cfg_hook *src)
{
	int i;

	if (cfg_type_copy(&dst->ret, &src->ret))
		goto fail;
	if (src->nparams) {
		dst->params = calloc(src->nparams, sizeof(*dst->params));
		if (!dst->params)
			goto fail;
	}
	for (i = 0; i < src->nparams; i++) {
		dst->params[i] = src->params[i];
		dst->params[i].name = NULL;
		memset(&dst->params[i].type, 0, sizeof(dst->params[i].type));
		dst->nparams = i + 1;
		dst->params[i].name = strdup(src->params[i].name);
		if (!dst->params[i].name ||
		    cfg_type_copy(&dst->params[i].type, &src->params[i].type))
			goto fail;
	}
	if (src->nvararg_cases) {
		dst->vararg_cases = calloc(src->nvararg_cases, sizeof(*dst->vararg_cases));
		if (!dst->vararg_cases)
			goto fail;
	}
	for (i = 0; i < src->nvararg_cases; i++) {
		dst->vararg_cases[i] = src->vararg_cases[i];
		dst->nvararg_cases = i + 1;
		if (cfg_type_copy(&dst->vararg_cases[i].type, &src->vararg_cases[i].type))
			goto fail;
	}
	if (cfg_type_copy(&dst->vararg_default, &src->vararg_default))
		goto fail;
	dst->variadic = src->variadic;
	dst->format_param = src->format_param;
	dst->vararg_param = src->vararg_param;
	if (!dst->error.nconds && dst->error.errno_source == CE_NONE)
		dst->error = src->error;
	dst->has_prototype = true;
	return 0;
fail:
	release_prototype(dst);
	dst->params = NULL;
	dst->nparams = 0;
	dst->vararg_cases = NULL;
	dst->nvararg_cases = 0;
	memset(&dst->ret, 0, sizeof(dst->ret));
	memset(&dst->vararg_default, 0, sizeof(dst->vararg_default));
	return -ENOMEM;
}

void cfg_pattern_release(struct cfg_pattern *pat)
{
	free(pat->library);
	free(pat->symbol);
	free(pat->thread_id);
	free(pat->file);
	cfg_strings_free(pat->callers, pat->ncallers);
	memset(pat, 0, sizeof(*pat));
}

void cfg_record_clear_fields(struct cfg_record *rec)
{
	int i;

	for (i = 0; i < rec->nfields; i++) {
		free(rec->fields[i].name);
		cfg_type_release(&rec->fields[i].type);
	}
	free(rec->fields);
	rec->fields = NULL;
	rec->nfields = 0;
	rec->complete = false;
	rec->packed = false;
	rec->size = rec->align = 0;
}

void cfg_record_free(struct cfg_record *rec)
{
	if (!rec)
		return;
	cfg_record_clear_fields(rec);
	free(rec->name);
	free(rec->file);
	free(rec);
}

void cfg_enum_clear_items(struct cfg_enum *en)
{
	int i;

	for (i = 0; i < en->nitems; i++)
		free(en->items[i].name);
	free(en->items);
	en->items = NULL;
	en->nitems = 0;
}

void cfg_enum_free(struct cfg_enum *en)
{
	if (!en)
		return;
	cfg_enum_clear_items(en);
	free(en->name);
	free(en->file);
	free(en);
}

void cfg_typedef_free(struct cfg_typedef *td)
{
	if (!td)
		return;
	free(td->name);
	cfg_type_release(&td->type);
	free(td->file);
	free(td);
}
