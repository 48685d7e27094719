/*
 * config.h — the hooks.conf language: settings, threads, hooks and their C prototypes.
 *
 * One library shared by preload/ (parsed once at start-up, before main) and tools/.
 * It never prints and never exits: every error comes back in a caller-owned
 * struct cfg_error carrying file, line and column, the first error winning.
 * Everything a struct cfg holds is owned by it and released by cfg_free().
 */
#ifndef IMPULSE_CONFIG_H
#define IMPULSE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a value of a declared type is captured and shown. */
enum cfg_type_kind {
	CT_VOID,	/* only as a return type: no output */
	CT_BOOL,	/* bool/_Bool: JSON true/false */
	CT_INT,		/* any C integer type or typedef; see size and is_signed */
	CT_ENUM,	/* enum NAME: captured as int */
	CT_FLOAT,	/* float: SSE class */
	CT_DOUBLE,	/* double: SSE class */
	CT_LONG_DOUBLE,	/* long double: x87 class, recorded as unsupported */
	CT_POINTER,	/* any other pointer: "0x…", NULL as null */
	CT_STRING,	/* char * / const char * (any signedness): copied up to max_string */
};

struct cfg_type {
	enum cfg_type_kind kind;
	unsigned size;		/* bytes: 1, 2, 4, 8 for CT_INT/CT_ENUM/CT_BOOL; 4/8 for floats */
	bool is_signed;		/* CT_INT only */
	char *spelling;		/* the type as written, normalised ("const char *"), owned */
};

struct cfg_param {
	char *name;		/* as written, or "argN" (N from 0) when unnamed; owned */
	struct cfg_type type;
	int line, column;	/* where the parameter starts in its file */
};

struct cfg_hook {
	char *symbol;		/* the C function name to interpose; owned */
	char *hook_id;		/* [id=...] or the symbol; owned */
	char *thread_id;	/* the [thread NAME] section, "default" outside one; owned */
	char *metadata_json;	/* [meta={...}] as compact JSON text, or NULL; owned */
	struct cfg_type ret;
	struct cfg_param *params;	/* nparams entries, owned */
	int nparams;
	bool variadic;		/* prototype ends with "..." */
	char *file;		/* file the prototype came from; owned */
	int line, column;	/* where the prototype starts */
};

enum cfg_logger { CFG_LOGGER_FILE, CFG_LOGGER_MONGO, CFG_LOGGER_BOTH, CFG_LOGGER_NONE };

struct cfg_settings {
	enum cfg_logger logger;		/* logger = file|mongo|both|none; default file */
	char *log_dir;			/* log_dir = PATH; default ".impulselogs"; owned */
	char *session_id;		/* session_id = TEXT; default NULL (tracer makes one); owned */
	char *session_metadata;		/* session_metadata = {JSON}; compact text or NULL; owned */
	char *tracer_metadata;		/* tracer_metadata = {JSON}; compact text or NULL; owned */
	size_t max_string;		/* max_string = N; bytes copied per string; default 256 */
	size_t buffer_size;		/* buffer_size = N[K|M]; bytes per thread buffer; default 1M */
	unsigned max_children;		/* max_children = N; children listed per record; default 64 */
	char *redact;			/* redact = NAME, NAME…: parameters recorded as "[redacted]",
					 * stored comma-separated without blanks; default NULL; owned */
	bool verbose;			/* verbose = true|false; default false */
	bool strict;			/* strict = true|false; default false */
};

struct cfg {
	struct cfg_settings settings;
	struct cfg_hook *hooks;		/* nhooks entries in file order, owned */
	int nhooks;
};

struct cfg_error {
	char file[256];
	int line, column;		/* 1-based; 0 when the error has no position */
	char text[256];			/* "unknown type 'int33'", without the position */
};

/* Fills *out with the defaults of every setting and no hooks. */
void cfg_init(struct cfg *out);

/*
 * Parses the file at path into *out (which cfg_init() must have prepared; hooks are
 * appended, settings overwritten). Returns 0, -ENOENT when the file does not exist,
 * -EIO when it cannot be read, or -EINVAL on a syntax or type error with *err filled.
 */
int cfg_parse_file(struct cfg *out, const char *path, struct cfg_error *err);

/* As cfg_parse_file() on text held in memory; name is used in error positions. */
int cfg_parse_string(struct cfg *out, const char *text, const char *name, struct cfg_error *err);

/*
 * Applies one setting by key, as "key = value" would in [tracer]. Used for
 * environment overrides. Returns 0, or -EINVAL with err->text set (no position).
 */
int cfg_set(struct cfg *out, const char *key, const char *value, struct cfg_error *err);

/* Formats "file:line:col: text" into buf (always NUL-terminated). */
void cfg_error_format(const struct cfg_error *err, char *buf, size_t size);

/* Releases everything *cfg owns; *cfg is left as after cfg_init(). */
void cfg_free(struct cfg *cfg);

#endif
