/*
 * cfgdump.c — parses a hooks.conf and prints what config/ understood, for the
 * config test cases.
 *
 *     cfgdump FILE [KEY=VALUE...]
 *
 * The KEY=VALUE arguments are applied with cfg_set() after the file, as the tracer
 * applies environment overrides. On success prints every setting, then every hook
 * with its types as "name:kind:size:signedness", and exits 0; on an error prints
 * the formatted error on stdout (the driver compares stdout) and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

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

static const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

static void dump_type(const struct cfg_type *t)
{
	printf("%s:%u:%s \"%s\"", kind_name(t->kind), t->size,
	       t->is_signed ? "signed" : "unsigned", t->spelling);
}

static void dump(const struct cfg *cfg)
{
	const struct cfg_settings *s = &cfg->settings;
	int i, j;

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
	printf("verbose = %s\n", s->verbose ? "true" : "false");
	printf("strict = %s\n", s->strict ? "true" : "false");
	for (i = 0; i < cfg->nhooks; i++) {
		const struct cfg_hook *h = &cfg->hooks[i];

		printf("hook %s @%s:%d:%d\n", h->symbol, h->file, h->line, h->column);
		printf("  thread %s\n", h->thread_id);
		printf("  hook_id %s\n", h->hook_id);
		printf("  return ");
		dump_type(&h->ret);
		printf("\n");
		for (j = 0; j < h->nparams; j++) {
			printf("  param %s ", h->params[j].name);
			dump_type(&h->params[j].type);
			printf(" @%d:%d\n", h->params[j].line, h->params[j].column);
		}
		printf("  variadic %s\n", h->variadic ? "true" : "false");
		printf("  meta %s\n", or_null(h->metadata_json));
	}
}

int main(int argc, char **argv)
{
	struct cfg_error err;
	struct cfg cfg;
	char buf[600];
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: cfgdump FILE [KEY=VALUE...]\n");
		return 2;
	}
	cfg_init(&cfg);
	if (cfg_parse_file(&cfg, argv[1], &err)) {
		cfg_error_format(&err, buf, sizeof(buf));
		printf("%s\n", buf);
		cfg_free(&cfg);
		return 1;
	}
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
	dump(&cfg);
	cfg_free(&cfg);
	return 0;
}
