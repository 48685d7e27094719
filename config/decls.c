/*
 * decls.c — the global names of a configuration: struct/union tags, enums and
 * flags, enumerators, typedefs. Names are global to the whole configuration (every
 * file parsed into it), as tags are in a C translation unit.
 *
 * A tag used before its body ("struct big *next" inside struct big, or a pointer to
 * a struct declared further down) creates the record at once, incomplete; the body
 * fills the same object in later, so every type that points at it sees the body.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static bool name_is(const char *have, const char *name, int len)
{
	return (int)strlen(have) == len && !memcmp(have, name, len);
}

/*
 * Appends one element of elem_size bytes to the array *array_ptr of *count
 * elements. One realloc per element keeps struct cfg free of capacity fields; the
 * lists are short (tens to a few thousand entries).
 */
int cfg_append(void *array_ptr, int *count, size_t elem_size, const void *elem)
{
	char **array = array_ptr;
	char *bigger = realloc(*array, (*count + 1) * elem_size);

	if (!bigger)
		return -ENOMEM;
	memcpy(bigger + *count * elem_size, elem, elem_size);
	*array = bigger;
	(*count)++;
	return 0;
}

struct cfg_record *cfg_record_find(const struct cfg *cfg, const char *name, int len)
{
	int i;

	for (i = 0; i < cfg->nrecords; i++)
		if (name_is(cfg->records[i]->name, name, len))
			return cfg->records[i];
	return NULL;
}

/* The record of that tag, created incomplete when it is new; NULL when out of memory. */
struct cfg_record *cfg_record_get(struct cfg *cfg, const char *name, int len, bool is_union)
{
	struct cfg_record *rec = cfg_record_find(cfg, name, len);

	if (rec)
		return rec;
	rec = calloc(1, sizeof(*rec));
	if (!rec || !(rec->name = strndup(name, len)))
		goto fail;
	rec->is_union = is_union;
	if (cfg_append(&cfg->records, &cfg->nrecords, sizeof(rec), &rec))
		goto fail;
	return rec;
fail:
	cfg_record_free(rec);
	return NULL;
}

struct cfg_enum *cfg_enum_find(const struct cfg *cfg, const char *name, int len)
{
	int i;

	for (i = 0; i < cfg->nenums; i++)
		if (name_is(cfg->enums[i]->name, name, len))
			return cfg->enums[i];
	return NULL;
}

/* The enum of that name, created without items (undeclared) when new. */
struct cfg_enum *cfg_enum_get(struct cfg *cfg, const char *name, int len)
{
	struct cfg_enum *en = cfg_enum_find(cfg, name, len);

	if (en)
		return en;
	en = calloc(1, sizeof(*en));
	if (!en || !(en->name = strndup(name, len)))
		goto fail;
	if (cfg_append(&cfg->enums, &cfg->nenums, sizeof(en), &en))
		goto fail;
	return en;
fail:
	cfg_enum_free(en);
	return NULL;
}

/* An enumerator of any declared enum or flags, the latest declared first. */
const struct cfg_enumerator *cfg_enumerator_find(const struct cfg *cfg, const char *name,
						  int len)
{
	int i, j;

	for (i = cfg->nenums - 1; i >= 0; i--)
		for (j = 0; j < cfg->enums[i]->nitems; j++)
			if (name_is(cfg->enums[i]->items[j].name, name, len))
				return &cfg->enums[i]->items[j];
	return NULL;
}

const struct cfg_typedef *cfg_typedef_find(const struct cfg *cfg, const char *name, int len)
{
	int i;

	for (i = 0; i < cfg->ntypedefs; i++)
		if (name_is(cfg->typedefs[i]->name, name, len))
			return cfg->typedefs[i];
	return NULL;
}

int cfg_undo_note_record(struct cfg_undo *undo, struct cfg_record *rec)
{
	return cfg_append(&undo->records, &undo->nrecords, sizeof(rec), &rec);
}

int cfg_undo_note_enum(struct cfg_undo *undo, struct cfg_enum *en)
{
	return cfg_append(&undo->enums, &undo->nenums, sizeof(en), &en);
}

const struct cfg_hook *cfg_find_prototype(const struct cfg *cfg, const char *symbol)
{
	int i;

	for (i = 0; i < cfg->nhooks; i++)
		if (cfg->hooks[i].has_prototype && !strcmp(cfg->hooks[i].symbol, symbol))
			return &cfg->hooks[i];
	/* the latest declaration wins, so search backwards */
	for (i = cfg->nprotos - 1; i >= 0; i--)
		if (!strcmp(cfg->protos[i].symbol, symbol))
			return &cfg->protos[i];
	return NULL;
}

/* See config.h. */
struct cfg_hook *cfg_pattern_hook(const struct cfg *cfg, const struct cfg_pattern *p,
				  const char *symbol)
{
	const struct cfg_hook *proto = cfg_find_prototype(cfg, symbol);
	struct cfg_hook *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (proto) {
		*c = *proto;
	} else {
		/* Nothing is known of its arguments: the real call must get every
		 * stack argument the caller may have pushed, as for a variadic one. */
		c->variadic = true;
		c->ret.kind = CT_VOID;
		c->format_param = -1;
		c->vararg_param = -1;
		c->vararg_default.kind = CT_VOID;
		c->file = p->file;
		c->line = p->line;
		c->column = p->column;
	}
	c->symbol = strdup(symbol);
	if (!c->symbol) {
		free(c);
		return NULL;
	}
	if (!proto || !proto->hook_id || !strcmp(proto->hook_id, proto->symbol))
		c->hook_id = c->symbol;
	c->has_prototype = proto && proto->has_prototype;
	c->thread_id = p->thread_id;
	c->callers = p->callers;
	c->ncallers = p->ncallers;
	return c;
}
