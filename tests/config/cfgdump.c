/*
 * cfgdump.c — parses a hooks.conf and prints what config/ understood, for the
 * config test cases.
 *
 *     cfgdump FILE [KEY=VALUE...]
 *
 * The directory of shipped prototype files is $IMPULSE_PROTO_DIR, or ./protos when
 * it exists (a case folder can carry its own). The KEY=VALUE arguments are applied
 * with cfg_set() after the file, as the tracer applies environment overrides; then
 * cfg_resolve() runs. On success prints every setting, the declarations (records
 * with their layout, enums, typedefs), every hook with its types as
 * "name:kind:size:signedness" and what else it carries on indented lines, the
 * prototypes and the patterns, and exits 0; on an error prints the formatted error
 * on stdout (the driver compares stdout) and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "mongo_uri.h"

static const char *kind_name(enum cfg_type_kind kind)
{
	switch (kind) {
	case CT_VOID: return "void";
	case CT_BOOL: return "bool";
	case CT_INT: return "int";
	case CT_ENUM: return "enum";
	case CT_FLOAT: return "float";
	case CT_DOUBLE: return "double";
	case CT_LONG_DOUBLE: return "long_double";
	case CT_POINTER: return "pointer";
	case CT_STRING: return "string";
	case CT_STRUCT: return "struct";
	case CT_ARRAY: return "array";
	}
	return "?";
}

static const char *logger_name(enum cfg_logger logger)
{
	switch (logger) {
	case CFG_LOGGER_FILE: return "file";
	case CFG_LOGGER_MONGO: return "mongo";
	case CFG_LOGGER_BOTH: return "both";
	case CFG_LOGGER_NONE: return "none";
	}
	return "?";
}

static const char *display_name(enum cfg_display d)
{
	switch (d) {
	case CD_DEFAULT: return "default";
	case CD_HEX: return "hex";
	case CD_OCT: return "oct";
	case CD_CHAR: return "char";
	case CD_ENUM: return "enum";
	case CD_FLAGS: return "flags";
	}
	return "?";
}

static const char *cmp_name(enum cfg_cmp c)
{
	static const char *const names[] = { "<", "<=", ">", ">=", "==", "!=" };

	return c <= CMP_NE ? names[c] : "?";
}

static const char *errno_name(enum cfg_errno_source e)
{
	switch (e) {
	case CE_NONE: return "none";
	case CE_ERRNO: return "errno";
	case CE_RETURN: return "ret";
	case CE_NEG_RETURN: return "-ret";
	}
	return "?";
}

static const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

static void dump_type(const struct cfg_type *t)
{
	printf("%s:%u:%s \"%s\"", kind_name(t->kind), t->size,
	       t->is_signed ? "signed" : "unsigned", or_null(t->spelling));
}

static void dump_len(const struct cfg_len *len)
{
	int i;

	printf("len ");
	for (i = 0; i < len->nterms; i++) {
		if (i)
			printf("*");
		switch (len->terms[i].kind) {
		case CL_PARAM: printf("param#%d", len->terms[i].index); break;
		case CL_RETURN: printf("return"); break;
		case CL_CONST: printf("%llu", (unsigned long long)len->terms[i].value); break;
		case CL_FIELD: printf("field#%d", len->terms[i].index); break;
		}
	}
}

/* What a type carries beyond its first line, one indented line each, only when set. */
static void dump_details(const struct cfg_type *t, int indent)
{
	if (t->display != CD_DEFAULT || t->names) {
		printf("%*sdisplay %s", indent, "", display_name(t->display));
		if (t->names)
			printf(" %s", t->names->name);
		printf("\n");
	}
	if (t->record)
		printf("%*srecord %s%s align %u\n", indent, "", t->record->name,
		       t->record->complete ? "" : " (opaque)", t->align);
	if (t->kind == CT_ARRAY)
		printf("%*sarray_len %u align %u\n", indent, "", t->array_len, t->align);
	if (t->len.nterms || t->out || t->deref || t->nullterm) {
		printf("%*sfollow", indent, "");
		if (t->len.nterms) {
			printf(" ");
			dump_len(&t->len);
		}
		/* [out=always]: out, but not "unless failed"; a length naming the return
		 * sets out on its own. */
		bool always = t->out && !t->out_unless_failed &&
			      !(t->len.nterms && (t->len.terms[0].kind == CL_RETURN ||
						  (t->len.nterms > 1 && t->len.terms[1].kind == CL_RETURN)));

		printf("%s%s%s%s\n", t->out ? " out" : "", always ? " always" : "",
		       t->deref ? " deref" : "", t->nullterm ? " nullterm" : "");
	}
	if (t->pointee) {
		printf("%*spointee ", indent, "");
		dump_type(t->pointee);
		printf("\n");
		dump_details(t->pointee, indent + 2);
	}
}

static void dump_settings(const struct cfg_settings *s)
{
	printf("logger = %s\n", logger_name(s->logger));
	printf("log_dir = %s\n", or_null(s->log_dir));
	printf("session_id = %s\n", or_null(s->session_id));
	printf("session_metadata = %s\n", or_null(s->session_metadata));
	printf("tracer_metadata = %s\n", or_null(s->tracer_metadata));
	printf("max_string = %zu\n", s->max_string);
	printf("buffer_size = %zu\n", s->buffer_size);
	printf("max_children = %u\n", s->max_children);
	if (s->redact)
		printf("redact = %s\n", s->redact);
	for (const char *p = s->redact_patterns; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("redact_pattern = \"%.*s\"\n", n, p);
		p = nl ? nl + 1 : p + n;
	}
	printf("max_buffer = %zu\n", s->max_buffer);
	printf("max_array = %u\n", s->max_array);
	printf("max_depth = %u\n", s->max_depth);
	printf("max_capture = %zu\n", s->max_capture);
	printf("binary = %s\n", s->binary == CFG_BINARY_HEX ? "hex" : "base64");
	printf("verbose = %s\n", s->verbose ? "true" : "false");
	printf("strict = %s\n", s->strict ? "true" : "false");
	/* only when not the default, so that the other cases' dumps need not list it */
	if (s->on_full != CFG_ON_FULL_WAIT)
		printf("on_full = drop\n");
	if (s->format != CFG_FORMAT_JSON)
		printf("format = binary\n");
	if (!s->trace_exec)	/* only when not the default: other cases' dumps need not list it */
		printf("trace_exec = false\n");
	/* only where they matter, so that the other cases' dumps need not list them */
	if (s->logger == CFG_LOGGER_MONGO || s->logger == CFG_LOGGER_BOTH ||
	    strcmp(s->mongo_uri, MONGO_URI_DEFAULT) || strcmp(s->mongo_database, "impulse") ||
	    strcmp(s->mongo_collection, "records") || s->mongo_batch != 1000 ||
	    s->mongo_flush_ms != 200) {
		printf("mongo_uri = %s\n", s->mongo_uri);
		printf("mongo_database = %s\n", s->mongo_database);
		printf("mongo_collection = %s\n", s->mongo_collection);
		printf("mongo_batch = %u\n", s->mongo_batch);
		printf("mongo_flush_ms = %u\n", s->mongo_flush_ms);
	}
}

static void dump_records(const struct cfg *cfg)
{
	int i, j;

	for (i = 0; i < cfg->nrecords; i++) {
		const struct cfg_record *r = cfg->records[i];

		printf("%s %s", r->is_union ? "union" : "struct", r->name);
		if (!r->complete) {
			printf(" opaque\n");
			continue;
		}
		printf(" size %u align %u%s @%s:%d:%d\n", r->size, r->align,
		       r->packed ? " packed" : "", r->file, r->line, r->column);
		for (j = 0; j < r->nfields; j++) {
			const struct cfg_field *f = &r->fields[j];

			printf("  field %s +%u ", f->name, f->offset);
			dump_type(&f->type);
			printf(" @%d:%d\n", f->line, f->column);
			dump_details(&f->type, 4);
		}
	}
}

static void dump_enums(const struct cfg *cfg)
{
	int i, j;

	for (i = 0; i < cfg->nenums; i++) {
		const struct cfg_enum *e = cfg->enums[i];

		printf("%s %s @%s:%d:%d\n", e->is_flags ? "flags" : "enum", e->name,
		       or_null(e->file), e->line, e->column);
		for (j = 0; j < e->nitems; j++) {
			printf("  %s = %lld", e->items[j].name, (long long)e->items[j].value);
			if (e->items[j].mask)
				printf(" mask %#llx", (unsigned long long)e->items[j].mask);
			printf("\n");
		}
	}
}

static void dump_typedefs(const struct cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->ntypedefs; i++) {
		const struct cfg_typedef *t = cfg->typedefs[i];

		printf("typedef %s ", t->name);
		dump_type(&t->type);
		printf(" @%s:%d:%d\n", t->file, t->line, t->column);
		dump_details(&t->type, 2);
	}
}

static void dump_callers(char **callers, int n)
{
	int i;

	if (!n)
		return;
	printf("  from");
	for (i = 0; i < n; i++)
		printf("%s %s", i ? "," : "", callers[i]);
	printf("\n");
}

static void dump_hook(const char *what, const struct cfg_hook *h)
{
	int j;

	printf("%s %s @%s:%d:%d\n", what, h->symbol, h->file, h->line, h->column);
	printf("  thread %s\n", h->thread_id);
	printf("  hook_id %s\n", h->hook_id);
	if (!h->has_prototype)
		printf("  no prototype\n");
	printf("  return ");
	dump_type(&h->ret);
	printf("\n");
	dump_details(&h->ret, 4);
	for (j = 0; j < h->nparams; j++) {
		printf("  param %s ", h->params[j].name);
		dump_type(&h->params[j].type);
		printf(" @%d:%d\n", h->params[j].line, h->params[j].column);
		dump_details(&h->params[j].type, 4);
	}
	printf("  variadic %s\n", h->variadic ? "true" : "false");
	printf("  meta %s\n", or_null(h->metadata_json));
	if (h->format_param >= 0)
		printf("  format %s\n", h->params[h->format_param].name);
	if (h->vararg_param >= 0) {
		printf("  vararg %s\n", h->params[h->vararg_param].name);
		for (j = 0; j < h->nvararg_cases; j++) {
			const struct cfg_vararg_case *c = &h->vararg_cases[j];

			if (c->lo == c->hi)
				printf("    case %lld ", (long long)c->lo);
			else
				printf("    case %lld..%lld ", (long long)c->lo, (long long)c->hi);
			dump_type(&c->type);
			printf("\n");
			dump_details(&c->type, 6);
		}
		if (h->vararg_default.spelling) {
			printf("    default ");
			dump_type(&h->vararg_default);
			printf("\n");
			dump_details(&h->vararg_default, 6);
		}
	}
	if (h->error.nconds || h->error.errno_source != CE_NONE) {
		printf("  error");
		for (j = 0; j < h->error.nconds; j++)
			printf("%s ret %s %lld", j ? (h->error.any ? " ||" : " &&") : "",
			       cmp_name(h->error.conds[j].op), (long long)h->error.conds[j].value);
		printf(" errno=%s\n", errno_name(h->error.errno_source));
	}
	dump_callers(h->callers, h->ncallers);
}

static void dump(const struct cfg *cfg)
{
	int i;

	dump_settings(&cfg->settings);
	dump_records(cfg);
	dump_enums(cfg);
	dump_typedefs(cfg);
	for (i = 0; i < cfg->nhooks; i++)
		dump_hook("hook", &cfg->hooks[i]);
	for (i = 0; i < cfg->nprotos; i++)
		dump_hook("proto", &cfg->protos[i]);
	for (i = 0; i < cfg->npatterns; i++) {
		const struct cfg_pattern *p = &cfg->patterns[i];

		printf("pattern %s%s%s%s @%s:%d:%d\n", p->exclude ? "!" : "",
		       p->library ? p->library : "", p->library ? ": " : "", p->symbol,
		       p->file, p->line, p->column);
		printf("  thread %s\n", p->thread_id);
		dump_callers(p->callers, p->ncallers);
	}
}

/* $IMPULSE_PROTO_DIR, or ./protos when the case folder has one. */
static int set_proto_dir(struct cfg *cfg)
{
	const char *dir = getenv("IMPULSE_PROTO_DIR");
	struct stat st;

	if (!dir && !stat("protos", &st) && S_ISDIR(st.st_mode))
		dir = "protos";
	return dir ? cfg_set_proto_dir(cfg, dir) : 0;
}

static int fail(struct cfg *cfg, const struct cfg_error *err)
{
	char buf[600];

	cfg_error_format(err, buf, sizeof(buf));
	printf("%s\n", buf);
	cfg_free(cfg);
	return 1;
}

int main(int argc, char **argv)
{
	struct cfg_error err;
	struct cfg cfg;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: cfgdump FILE [KEY=VALUE...]\n");
		return 2;
	}
	cfg_init(&cfg);
	if (set_proto_dir(&cfg)) {
		fprintf(stderr, "cfgdump: out of memory\n");
		return 2;
	}
	if (cfg_parse_file(&cfg, argv[1], &err))
		return fail(&cfg, &err);
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *key;

		if (!eq) {
			fprintf(stderr, "cfgdump: '%s' is not KEY=VALUE\n", argv[i]);
			cfg_free(&cfg);
			return 2;
		}
		key = strndup(argv[i], eq - argv[i]);
		if (!key || cfg_set(&cfg, key, eq + 1, &err)) {
			printf("%s: %s\n", argv[i], key ? err.text : "out of memory");
			free(key);
			cfg_free(&cfg);
			return 1;
		}
		free(key);
	}
	if (cfg_resolve(&cfg, &err))
		return fail(&cfg, &err);
	dump(&cfg);
	cfg_free(&cfg);
	return 0;
}
