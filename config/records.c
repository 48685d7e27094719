/*
 * records.c — struct and union declarations and their memory layout.
 *
 *     struct timespec { long tv_sec; long tv_nsec; };
 *     struct iovec { void *iov_base [len=iov_len]; size_t iov_len; };
 *     struct packed_one [packed] { char c; int i; };
 *     union num { long l; double d; };
 *     struct sqlite3;                  (opaque: only behind a pointer)
 *
 * The layout is what gcc gives on x86-64 (LP64, System V): each field at the next
 * multiple of its alignment, the size rounded up to the largest alignment; a union
 * puts every field at 0; [packed] removes all padding and makes the alignment 1.
 * The tracer reads struct memory with these offsets, so they must be exact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static unsigned align_up(unsigned n, unsigned align)
{
	return (n + align - 1) / align * align;
}

/* Computes every field's offset and the record's size and alignment. */
int cfg_record_layout(struct cfg_parser *p, struct cfg_record *rec)
{
	unsigned size = 0, align = 1, a;
	int i;

	for (i = 0; i < rec->nfields; i++) {
		struct cfg_field *f = &rec->fields[i];

		a = rec->packed || !f->type.align ? 1 : f->type.align;
		if (a > align)
			align = a;
		if (rec->is_union) {
			f->offset = 0;
			if (f->type.size > size)
				size = f->type.size;
		} else {
			f->offset = align_up(size, a);
			if (f->type.size > (1u << 30) - f->offset)
				return cfg_parser_error_at(p, f->line, f->column,
							   "struct '%s' larger than 1 GiB", rec->name);
			size = f->offset + f->type.size;
		}
	}
	rec->align = rec->packed ? 1 : align;
	rec->size = align_up(size, rec->align);
	return 0;
}

/* "[packed]" between the tag and the body. */
static int parse_record_attrs(struct cfg_parser *p, bool *packed)
{
	struct cfg_token tok, name;
	int ret;

	for (;;) {
		ret = cfg_lex_attr_open(p, &name);
		if (ret <= 0)
			return ret;
		if (!cfg_tok_is(&name, "packed"))
			return cfg_tok_error(p, &name, "unknown attribute '%.*s' (known here: packed)",
					     CFG_SHOW(&name));
		*packed = true;
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (!cfg_tok_is_punct(&tok, ']'))
			return cfg_tok_error(p, &tok, "missing ']' after 'packed'");
	}
}

/* One "TYPE NAME [N] [attrs];" of a body, appended to fields. */
static int parse_field(struct cfg_parser *p, struct cfg_record *body, struct cfg_pending *pending)
{
	struct cfg_field field = { 0 };
	struct cfg_token start, name, tok;
	char what[80];
	int ret, i;

	cfg_lex_peek(p, &start);
	field.line = start.line;
	field.column = start.column;
	ret = cfg_parse_type(p, &field.type, USE_FIELD);
	if (ret)
		return ret;
	ret = cfg_lex_next(p, &name);
	if (ret)
		goto fail;
	if (!cfg_tok_is_ident(&name)) {
		cfg_tok_describe(&name, what, sizeof(what));
		ret = cfg_tok_error(p, &name, "missing field name before %s", what);
		goto fail;
	}
	for (i = 0; i < body->nfields; i++) {
		if ((int)strlen(body->fields[i].name) == name.len &&
		    !memcmp(body->fields[i].name, name.text, name.len)) {
			ret = cfg_tok_error(p, &name, "duplicate field '%.*s'", CFG_SHOW(&name));
			goto fail;
		}
	}
	ret = cfg_array_suffix(p, &field.type, true);
	if (!ret)
		ret = cfg_parse_member_attrs(p, &field.type, body->nfields, true, pending);
	if (!ret)
		ret = cfg_lex_next(p, &tok);
	if (ret)
		goto fail;
	if (cfg_tok_is_punct(&tok, ':')) {
		ret = cfg_tok_error(p, &tok, "bit-fields are not supported (write the whole integer "
				    "as one field, e.g. 'unsigned flags;')");
		goto fail;
	}
	if (cfg_tok_is_punct(&tok, ',')) {
		ret = cfg_tok_error(p, &tok, "one field per declaration (write '%s %s; TYPE NEXT;')",
				    field.type.spelling, "NAME");
		goto fail;
	}
	if (!cfg_tok_is_punct(&tok, ';')) {
		cfg_tok_describe(&tok, what, sizeof(what));
		ret = cfg_tok_error(p, &tok, "missing ';' after field '%.*s' (found %s)",
				    CFG_SHOW(&name), what);
		goto fail;
	}
	field.name = cfg_tok_dup(&name);
	if (!field.name) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = cfg_append(&body->fields, &body->nfields, sizeof(field), &field);
	if (!ret)
		return 0;
	free(field.name);
fail:
	cfg_type_release(&field.type);
	return ret;
}

/* Reads "{ fields }" into body, the '{' being next. */
static int parse_body(struct cfg_parser *p, struct cfg_record *body)
{
	struct cfg_pending pending = { 0 };
	struct cfg_members members;
	struct cfg_token open, tok;
	char owner[96];
	int ret;

	cfg_lex_next(p, &open);
	for (;;) {
		ret = cfg_lex_peek(p, &tok);
		if (ret)
			goto out;
		if (cfg_tok_is_punct(&tok, '}'))
			break;
		if (tok.kind == TOK_EOL) {
			ret = cfg_tok_error(p, &tok, "missing '}' (the '{' at %d:%d is not closed)",
					    open.line, open.column);
			goto out;
		}
		ret = parse_field(p, body, &pending);
		if (ret)
			goto out;
	}
	cfg_lex_next(p, &tok);
	if (!body->nfields) {
		ret = cfg_tok_error(p, &open, "empty %s (declare it without a body for an opaque "
				    "type: '%s %s;')", body->is_union ? "union" : "struct",
				    body->is_union ? "union" : "struct", body->name);
		goto out;
	}
	snprintf(owner, sizeof(owner), "%s %s", body->is_union ? "union" : "struct", body->name);
	members = (struct cfg_members){ .is_field = true, .count = body->nfields,
					.fields = body->fields, .owner = owner };
	ret = cfg_resolve_lens(p, &members, &pending);
	if (!ret)
		ret = cfg_record_layout(p, body);
out:
	cfg_pending_release(&pending);
	return ret;
}

static bool same_body(const struct cfg_record *a, const struct cfg_record *b)
{
	int i;

	if (a->is_union != b->is_union || a->packed != b->packed || a->nfields != b->nfields ||
	    a->size != b->size)
		return false;
	for (i = 0; i < a->nfields; i++)
		if (strcmp(a->fields[i].name, b->fields[i].name) ||
		    strcmp(a->fields[i].type.spelling, b->fields[i].type.spelling) ||
		    a->fields[i].offset != b->fields[i].offset)
			return false;
	return true;
}

/* Gives the forward (or new) record rec the body parsed into fresh. */
static int install(struct cfg_parser *p, struct cfg_record *rec, struct cfg_record *fresh)
{
	int ret = cfg_undo_note_record(p->undo, rec);

	if (ret)
		return ret;
	rec->complete = true;
	rec->packed = fresh->packed;
	rec->size = fresh->size;
	rec->align = fresh->align;
	rec->fields = fresh->fields;
	rec->nfields = fresh->nfields;
	free(rec->file);
	rec->file = fresh->file;
	rec->line = fresh->line;
	rec->column = fresh->column;
	fresh->fields = NULL;
	fresh->nfields = 0;
	fresh->file = NULL;
	return 0;
}

/*
 * Parses "struct NAME [packed] { … };", "union NAME { … };" or "struct NAME;", the
 * keyword being next. The record exists from the tag on, so a field can point to
 * its own struct ("struct big *next").
 */
int cfg_parse_record(struct cfg_parser *p)
{
	struct cfg_record fresh = { 0 }, *rec;
	struct cfg_token kw, name, tok;
	const char *kind;
	int ret;

	cfg_lex_next(p, &kw);
	fresh.is_union = cfg_tok_is(&kw, "union");
	kind = fresh.is_union ? "union" : "struct";
	ret = cfg_lex_next(p, &name);
	if (ret)
		return ret;
	if (!cfg_tok_is_ident(&name))
		return cfg_tok_error(p, &name, "missing name after '%s'", kind);
	rec = cfg_record_find(p->out, name.text, name.len);
	if (rec && rec->is_union != fresh.is_union)
		return cfg_tok_error(p, &kw, "'%.*s' is already a %s (first at %s:%d:%d)",
				     CFG_SHOW(&name), rec->is_union ? "union" : "struct",
				     rec->file ? rec->file : p->name, rec->line, rec->column);
	if (!rec)
		rec = cfg_record_get(p->out, name.text, name.len, fresh.is_union);
	if (!rec)
		return -ENOMEM;
	ret = parse_record_attrs(p, &fresh.packed);
	if (!ret)
		ret = cfg_lex_peek(p, &tok);
	if (ret)
		return ret;
	if (!cfg_tok_is_punct(&tok, '{')) {
		/* "struct NAME;": an opaque type, declared for pointers only */
		if (fresh.packed)
			return cfg_tok_error(p, &tok, "[packed] needs a body ('{ … }')");
		if (!rec->file && !(rec->file = strdup(p->name)))
			return -ENOMEM;
		if (!rec->line) {
			rec->line = kw.line;
			rec->column = kw.column;
		}
		return cfg_expect_end(p, "the declaration");
	}
	fresh.name = rec->name;
	fresh.file = strdup(p->name);
	fresh.line = kw.line;
	fresh.column = kw.column;
	if (!fresh.file)
		return -ENOMEM;
	ret = parse_body(p, &fresh);
	if (!ret)
		ret = cfg_expect_end(p, "the declaration");
	if (ret)
		goto out;
	if (rec->complete) {
		/* declared twice: fine when identical (a file included twice) */
		if (!same_body(rec, &fresh) && !p->shipped)
			ret = cfg_tok_error(p, &name, "%s '%s' redeclared with a different body "
					    "(first at %s:%d:%d; declare it once)", kind, rec->name,
					    rec->file, rec->line, rec->column);
		goto out;
	}
	ret = install(p, rec, &fresh);
out:
	fresh.name = NULL;
	cfg_record_clear_fields(&fresh);
	free(fresh.file);
	return ret;
}
