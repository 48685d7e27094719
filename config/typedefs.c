/*
 * typedefs.c — "typedef TYPE NAME;": a new name for a type, so that prototype files
 * can use a library's own type names (sqlite3, CURLcode, CURLoption).
 *
 *     typedef struct sqlite3 sqlite3;
 *     typedef long CURLcode;
 *     typedef unsigned mode_bits [oct];     (display attributes travel with the name)
 *
 * A typedef may be repeated with the same type (a file included twice, or a
 * built-in name declared as what it is); a different type is an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

/* A built-in name may be "declared" again only as the type it already is. */
static int check_builtin(struct cfg_parser *p, const struct cfg_token *name,
			 const struct cfg_type *type)
{
	const struct cfg_builtin *b = cfg_builtin_find(name);

	if (!b)
		return 1;
	if (b->size && type->kind == b->kind && type->size == b->size &&
	    type->is_signed == b->is_signed)
		return 0;
	return cfg_tok_error(p, name, "'%.*s' is a built-in type and cannot be redefined as '%s'",
			     CFG_SHOW(name), type->spelling);
}

int cfg_parse_typedef(struct cfg_parser *p)
{
	struct cfg_typedef *td = NULL;
	const struct cfg_typedef *old;
	struct cfg_type type;
	struct cfg_token kw, name;
	int ret;

	cfg_lex_next(p, &kw);
	ret = cfg_parse_type(p, &type, USE_TYPEDEF);
	if (ret)
		return ret;
	ret = cfg_lex_next(p, &name);
	if (ret)
		goto fail;
	if (!cfg_tok_is_ident(&name) || cfg_is_type_keyword(&name)) {
		ret = cfg_tok_error(p, &name, "missing the new name after the type "
				    "(write 'typedef %s NAME;')", type.spelling);
		goto fail;
	}
	ret = cfg_array_suffix(p, &type, true);
	if (!ret)
		ret = cfg_parse_member_attrs(p, &type, -1, false, NULL);
	if (!ret)
		ret = cfg_expect_end(p, "the typedef");
	if (ret)
		goto fail;
	ret = check_builtin(p, &name, &type);
	if (ret <= 0)
		goto fail;
	old = cfg_typedef_find(p->out, name.text, name.len);
	if (old) {
		ret = 0;
		if (strcmp(old->type.spelling, type.spelling) && !p->shipped)
			ret = cfg_tok_error(p, &name, "typedef '%.*s' redeclared as '%s' (first at "
					    "%s:%d:%d as '%s')", CFG_SHOW(&name), type.spelling,
					    old->file, old->line, old->column, old->type.spelling);
		goto fail;
	}
	td = calloc(1, sizeof(*td));
	if (!td || !(td->name = cfg_tok_dup(&name)) || !(td->file = strdup(p->name))) {
		ret = -ENOMEM;
		goto fail;
	}
	td->type = type;
	td->line = kw.line;
	td->column = kw.column;
	ret = cfg_append(&p->out->typedefs, &p->out->ntypedefs, sizeof(td), &td);
	if (!ret)
		return 0;
	memset(&td->type, 0, sizeof(td->type));
	cfg_typedef_free(td);
	td = NULL;
fail:
	cfg_typedef_free(td);
	cfg_type_release(&type);
	return ret;
}
