/*
 * resolve.c — cfg_resolve(): what needs the whole configuration.
 *
 * After the user's files are parsed: the shipped prototype files are loaded when
 * a bare name or a pattern needs them (the user's declarations win), bare names
 * get a copy of their known prototype, and types written before a declaration
 * they depend on are brought up to date (a struct's size once it has a body, an
 * enum's names, pointers to structs that never got a body become opaque). Struct
 * by value with no body anywhere is reported here, where it is known to be final.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg_internal.h"

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses one shipped file: its declarations only add what the user did not declare. */
static int load_one(struct cfg *cfg, const char *path, struct cfg_error *err)
{
	struct stat st;
	size_t len;
	char *text;
	int ret = cfg_read_file(path, &text, &len, err);

	if (ret)
		return ret;
	ret = cfg_parse_root(cfg, text, len, path, stat(path, &st) ? NULL : &st, true, err);
	free(text);
	return ret;
}

/* Loads every *.conf of cfg->proto_dir in name order; a missing directory has none. */
int cfg_load_shipped(struct cfg *cfg, struct cfg_error *err)
{
	char **names = NULL, *name, *path;
	struct dirent *de;
	int n = 0, i, ret = 0;
	size_t len;
	DIR *dir;

	if (!cfg->proto_dir || !(dir = opendir(cfg->proto_dir)))
		return 0;
	while ((de = readdir(dir))) {
		len = strlen(de->d_name);
		if (len <= 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		name = strdup(de->d_name);
		if (!name || cfg_append(&names, &n, sizeof(name), &name)) {
			free(name);
			ret = -ENOMEM;
			break;
		}
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n && !ret; i++) {
		if (asprintf(&path, "%s/%s", cfg->proto_dir, names[i]) < 0)
			return cfg_strings_free(names, n), -ENOMEM;
		ret = load_one(cfg, path, err);
		free(path);
	}
	cfg_strings_free(names, n);
	return ret;
}

/*
 * Brings a type up to date with declarations made after it was written: a struct's
 * size and alignment once it has a body, an enum's display once it is declared.
 * A pointer to a struct that never got a body loses its pointee (opaque).
 */
static void settle_type(struct cfg_type *type)
{
	if (type->pointee)
		settle_type(type->pointee);
	if (type->kind == CT_STRUCT && type->record) {
		type->size = type->record->size;
		type->align = type->record->align;
	}
	if (type->kind == CT_ARRAY && type->pointee) {
		type->size = type->array_len * type->pointee->size;
		type->align = type->pointee->align;
	}
	if (type->kind == CT_POINTER && type->pointee && type->pointee->kind == CT_STRUCT &&
	    !type->pointee->record->complete) {
		cfg_type_release(type->pointee);
		free(type->pointee);
		type->pointee = NULL;
	}
	if ((type->display == CD_ENUM || type->display == CD_FLAGS) && type->names) {
		if (type->names->nitems) {
			type->display = type->names->is_flags ? CD_FLAGS : CD_ENUM;
		} else {
			type->display = CD_DEFAULT;
			type->names = NULL;
		}
	}
}

static bool needs_shipped(const struct cfg *cfg)
{
	int i;

	if (cfg->npatterns)
		return true;
	for (i = 0; i < cfg->nhooks; i++)
		if (!cfg->hooks[i].has_prototype && !cfg_find_prototype(cfg, cfg->hooks[i].symbol))
			return true;
	return false;
}

static int give_prototypes(struct cfg *cfg)
{
	const struct cfg_hook *proto;
	int i;

	for (i = 0; i < cfg->nhooks; i++) {
		struct cfg_hook *h = &cfg->hooks[i];

		if (h->has_prototype || !(proto = cfg_find_prototype(cfg, h->symbol)))
			continue;
		cfg_type_release(&h->ret);
		memset(&h->ret, 0, sizeof(h->ret));
		if (cfg_hook_copy_prototype(h, proto))
			return -ENOMEM;
	}
	return 0;
}

/* What a type must have by now: a body for structs used by value or followed. */
static int check_type(const struct cfg_type *t, const struct cfg_hook *h, int line, int column,
		      struct cfg_error *err)
{
	const struct cfg_type *pt = t->pointee;
	const struct cfg_record *rec;

	if (t->kind == CT_STRUCT && t->record && !t->record->complete) {
		rec = t->record;
		return cfg_error_set(err, h->file, line, column, "%s '%s' passed by value has no "
				     "body (declare it with its fields: '%s %s { … };')",
				     rec->is_union ? "union" : "struct", rec->name,
				     rec->is_union ? "union" : "struct", rec->name);
	}
	if (t->kind == CT_POINTER && pt && pt->kind == CT_STRUCT && !pt->record->complete &&
	    (t->out || t->deref || t->nullterm || t->len.nterms)) {
		rec = pt->record;
		return cfg_error_set(err, h->file, line, column, "%s '%s' has no body, so there is "
				     "nothing to capture behind '%s' (declare it with its fields: "
				     "'%s %s { … };')", rec->is_union ? "union" : "struct", rec->name,
				     t->spelling, rec->is_union ? "union" : "struct", rec->name);
	}
	return 0;
}

static int check_hook(const struct cfg_hook *h, struct cfg_error *err)
{
	int i, ret = check_type(&h->ret, h, h->line, h->column, err);

	for (i = 0; i < h->nparams && !ret; i++)
		ret = check_type(&h->params[i].type, h, h->params[i].line, h->params[i].column, err);
	return ret;
}

static void settle_hook(struct cfg_hook *h)
{
	int i;

	settle_type(&h->ret);
	for (i = 0; i < h->nparams; i++)
		settle_type(&h->params[i].type);
	for (i = 0; i < h->nvararg_cases; i++)
		settle_type(&h->vararg_cases[i].type);
	settle_type(&h->vararg_default);
}

/* Forward enum names never declared: the types no longer point at them. */
static void drop_undeclared_enums(struct cfg *cfg)
{
	int i, kept = 0;

	for (i = 0; i < cfg->nenums; i++) {
		if (cfg->enums[i]->nitems)
			cfg->enums[kept++] = cfg->enums[i];
		else
			cfg_enum_free(cfg->enums[i]);
	}
	cfg->nenums = kept;
}

int cfg_resolve(struct cfg *cfg, struct cfg_error *err)
{
	int i, j, ret = 0;

	memset(err, 0, sizeof(*err));
	if (needs_shipped(cfg))
		ret = cfg_load_shipped(cfg, err);
	if (!ret)
		ret = give_prototypes(cfg);
	for (i = 0; i < cfg->nhooks && !ret; i++)
		ret = check_hook(&cfg->hooks[i], err);
	for (i = 0; i < cfg->nprotos && !ret; i++)
		ret = check_hook(&cfg->protos[i], err);
	if (ret) {
		if (ret == -ENOMEM)
			cfg_error_set(err, NULL, 0, 0, "out of memory");
		return ret;
	}
	for (i = 0; i < cfg->nhooks; i++)
		settle_hook(&cfg->hooks[i]);
	for (i = 0; i < cfg->nprotos; i++)
		settle_hook(&cfg->protos[i]);
	for (i = 0; i < cfg->ntypedefs; i++)
		settle_type(&cfg->typedefs[i]->type);
	for (i = 0; i < cfg->nrecords; i++)
		for (j = 0; j < cfg->records[i]->nfields; j++)
			settle_type(&cfg->records[i]->fields[j].type);
	drop_undeclared_enums(cfg);
	return 0;
}
