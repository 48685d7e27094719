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
	CT_VOID,	/* only as a return type, or behind a pointer (void *) */
	CT_BOOL,	/* bool/_Bool: JSON true/false */
	CT_INT,		/* any C integer type or typedef; see size and is_signed */
	CT_ENUM,	/* enum NAME: an int; shown by name when NAME is declared */
	CT_FLOAT,	/* float: SSE class */
	CT_DOUBLE,	/* double: SSE class */
	CT_LONG_DOUBLE,	/* long double: x87 class, recorded as unsupported */
	CT_POINTER,	/* any other pointer: "0x…", NULL as null; followed per pointee/len/out */
	CT_STRING,	/* char * / const char * (any signedness): copied up to max_string */
	CT_STRUCT,	/* struct or union by value (parameter, return, field): see record */
	CT_ARRAY,	/* T name[N]: only as a struct field; element in pointee, N in array_len */
};

/* How an integer is shown: [hex], [oct], [char], [enum=NAME], [flags=NAME]. */
enum cfg_display {
	CD_DEFAULT,	/* decimal; a plain `char` defaults to CD_CHAR, an `enum NAME` with
			 * a declared body to CD_ENUM */
	CD_HEX,		/* "0x1f" */
	CD_OCT,		/* "0644" */
	CD_CHAR,	/* "A"; non-printable as "\\x01" */
	CD_ENUM,	/* the enumerator's name, or the number when none matches */
	CD_FLAGS,	/* "O_WRONLY|O_CREAT|0x80000" */
};

struct cfg_enumerator {
	char *name;		/* owned */
	int64_t value;
	uint64_t mask;		/* flags only: the bits compared ("O_RDONLY = 0 mask 03"),
				 * 0 meaning the value's own bits */
};

/* enum NAME { A, B = 5 };  or  flags NAME { O_CREAT = 0100, O_RDONLY = 0 mask 03 }; */
struct cfg_enum {
	char *name;		/* owned */
	bool is_flags;
	struct cfg_enumerator *items;	/* nitems, in declaration order, owned */
	int nitems;
	char *file;		/* owned */
	int line, column;
};

/* One term of a length: [len=count], [len=return], [len=16], [len=size*nmemb]. */
enum cfg_len_term_kind {
	CL_PARAM,	/* the value of parameter index (an integer parameter) */
	CL_RETURN,	/* the return value (capture happens after the call) */
	CL_CONST,	/* value */
	CL_FIELD,	/* the value of field index of the same struct (struct fields only) */
};

struct cfg_len {
	int nterms;	/* 0: no length given; 1 or 2 (a product) */
	struct {
		enum cfg_len_term_kind kind;
		int index;
		uint64_t value;
	} terms[2];
};

struct cfg_record;

struct cfg_type {
	enum cfg_type_kind kind;
	unsigned size;		/* sizeof: 1, 2, 4, 8 for scalars; the struct's or array's size */
	unsigned align;		/* alignof */
	bool is_signed;		/* CT_INT only */
	char *spelling;		/* the type as written, normalised ("const char *"), owned */

	enum cfg_display display;
	const struct cfg_enum *names;	/* CD_ENUM/CD_FLAGS: owned by struct cfg */

	/* CT_POINTER and CT_ARRAY: what is pointed to / the element; owned; NULL for
	 * void * and pointers to opaque types. CT_STRING has none. */
	struct cfg_type *pointee;
	unsigned array_len;		/* CT_ARRAY: N */
	const struct cfg_record *record;	/* CT_STRUCT: owned by struct cfg */

	/* How a CT_POINTER (or CT_STRING) is followed, from the attributes after the
	 * parameter or field name. A pointer to a struct with a body is followed by
	 * default (up to max_depth levels); other pointers only when one of these says so. */
	struct cfg_len len;	/* [len=…]: a buffer (void *, char *, unsigned char *: bytes)
				 * or an array of len elements of pointee */
	bool nullterm;		/* [nullterm]: an array ending at a zero element (char **argv) */
	bool out;		/* [out]: the pointee is captured after the call returns;
				 * set too when len names the return value */
	bool out_unless_failed;	/* [out] (not [out=always]): when the hook's [error=…]
				 * rule says the call failed, the pointee was not filled
				 * and is recorded as {"not_filled": "0x…"} */
	bool deref;		/* [deref]: one pointee captured at entry (int *, char **) */
};

struct cfg_field {
	char *name;		/* owned */
	struct cfg_type type;
	unsigned offset;	/* bytes from the start of the record */
	int line, column;
};

/* struct NAME { fields };  union NAME { fields };  struct NAME; (opaque) */
struct cfg_record {
	char *name;		/* the tag; owned */
	bool is_union;
	bool complete;		/* declared with a body; otherwise usable only behind a pointer */
	bool packed;		/* struct NAME [packed] { … }: no padding, alignment 1 */
	unsigned size, align;	/* computed with the x86-64 LP64 rules */
	struct cfg_field *fields;	/* nfields, owned */
	int nfields;
	char *file;		/* owned */
	int line, column;
};

struct cfg_param {
	char *name;		/* as written, or "argN" (N from 0) when unnamed; owned */
	struct cfg_type type;	/* with the parameter's attributes applied */
	int line, column;	/* where the parameter starts in its file */
};

enum cfg_cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

/* Where the error number of a failed call comes from. */
enum cfg_errno_source {
	CE_NONE,	/* the exception names the return value ("SQLITE_BUSY (5)", "returned -1") */
	CE_ERRNO,	/* [errno]: errno as the real function left it */
	CE_RETURN,	/* [errno=ret]: the return value is the error number (pthread_*) */
	CE_NEG_RETURN,	/* [errno=-ret]: minus the return value (-ENOENT style) */
};

#define CFG_MAX_CONDS 4

/* [error=ret < 0], [error=ret == NULL], [error=ret != 0 && ret != 100]: when a call failed. */
struct cfg_error_rule {
	int nconds;		/* 0: no rule, every call is "success" */
	bool any;		/* conditions joined by || (true) or && (false); not mixed */
	struct {
		enum cfg_cmp op;
		int64_t value;	/* NULL is 0; enumerator names are resolved to their value */
	} conds[CFG_MAX_CONDS];
	enum cfg_errno_source errno_source;
};

/* [vararg=option: CURLOPT_URL: const char *; 10000..19999: void *; default: long]:
 * the one variadic argument's type, chosen by the value of an earlier parameter. */
struct cfg_vararg_case {
	int64_t lo, hi;		/* the selecting value in [lo, hi] (a single value: lo == hi) */
	struct cfg_type type;
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
	bool has_prototype;	/* false: a bare name with no known prototype (timing and
				 * tree only, no arguments, output null) */
	int format_param;	/* [format=NAME]: index of a printf-style format, or -1 */
	int vararg_param;	/* [vararg=NAME: …]: index of the selecting parameter, or -1 */
	struct cfg_vararg_case *vararg_cases;	/* nvararg_cases, owned, in order; first match wins */
	int nvararg_cases;
	struct cfg_type vararg_default;	/* "default: TYPE"; kind CT_VOID when absent */
	struct cfg_error_rule error;	/* [error=…] [errno…] */
	char **callers;		/* [from=main, libfoo.so*]: globs on the calling module's
				 * file name ("main" = the program); owned; none = every caller */
	int ncallers;
	char *file;		/* file the prototype came from; owned */
	int line, column;	/* where the prototype (or bare name) starts */
};

/*
 * A line that names symbols by glob instead of one prototype: "sqlite3_*",
 * "libcurl.so.4: *", "!sqlite3_free". Each matching imported symbol becomes a hook
 * with its known prototype (cfg_find_prototype), or timing only when none is known.
 */
struct cfg_pattern {
	char *library;		/* glob on the defining module's file name, or NULL: any; owned */
	char *symbol;		/* glob on the symbol name; owned */
	bool exclude;		/* "!…": never hooked through a pattern (explicit hooks still are) */
	char *thread_id;	/* owned */
	char **callers;		/* as in struct cfg_hook; owned */
	int ncallers;
	char *file;		/* owned */
	int line, column;
};

/* typedef TYPE NAME; — a new name for a type, usable wherever a type is written. */
struct cfg_typedef {
	char *name;		/* owned */
	struct cfg_type type;	/* what the name stands for (spelling: the type as written) */
	char *file;		/* owned */
	int line, column;
};

enum cfg_logger { CFG_LOGGER_FILE, CFG_LOGGER_MONGO, CFG_LOGGER_BOTH, CFG_LOGGER_NONE };
enum cfg_binary { CFG_BINARY_BASE64, CFG_BINARY_HEX };
enum cfg_on_full { CFG_ON_FULL_WAIT, CFG_ON_FULL_DROP };
enum cfg_format { CFG_FORMAT_JSON, CFG_FORMAT_BINARY };

struct cfg_settings {
	enum cfg_logger logger;		/* logger = file|mongo|both|none; default file */
	char *log_dir;			/* log_dir = PATH; default ".impulselogs"; owned */
	char *session_id;		/* session_id = TEXT; default NULL (tracer makes one); owned */
	char *session_metadata;		/* session_metadata = {JSON}; compact text or NULL; owned */
	char *tracer_metadata;		/* tracer_metadata = {JSON}; compact text or NULL; owned */
	size_t max_string;		/* max_string = N; bytes copied per string; default 256 */
	size_t buffer_size;		/* buffer_size = N[K|M]; bytes per thread buffer; default 1M */
	size_t max_log_size;		/* max_log_size = N[K|M|G]; bytes of call records per log
					 * file (the root record goes past it); 0: no limit (default) */
	size_t min_free_space;		/* min_free_space = N[K|M|G] or N%: free space kept on the
					 * log filesystem; with min_free_percent, the smaller of
					 * the two; default 1G and 5% */
	unsigned min_free_percent;	/* its percentage of the filesystem's size, 0: none */
	unsigned max_children;		/* max_children = N; children listed per record; default 64 */
	char *redact;			/* redact = NAME, NAME…: parameters recorded as "[redacted]",
					 * stored comma-separated without blanks; default NULL; owned */
	char *redact_patterns;		/* redact_pattern = "GLOB", "GLOB"… (config/redact_pattern.h): every
					 * line adds; stored newline-separated as written between
					 * the quotes; default NULL; owned */
	size_t max_buffer;		/* max_buffer = N; bytes copied per buffer ([len=…]); default 256 */
	unsigned max_array;		/* max_array = N; elements copied per array; default 32 */
	unsigned max_depth;		/* max_depth = N; struct pointers followed this deep; default 2 */
	size_t max_capture;		/* max_capture = N[K]; bytes of captured data per call and
					 * per side (entry, exit), beyond which values are truncated;
					 * default 4096 */
	enum cfg_binary binary;		/* binary = base64|hex; how non-text buffers are shown */
	bool verbose;			/* verbose = true|false; default false */
	bool strict;			/* strict = true|false; default false */
	enum cfg_on_full on_full;	/* on_full = wait|drop; what a traced thread does when
					 * its buffer is full: wait for the logger (lossless,
					 * the default) or drop the call and count it */
	enum cfg_format format;		/* format = json|binary; what logger = file writes:
					 * JSON Lines records (the default) or the compact event
					 * stream of doc/binary-format.md (`impulse cat` renders it) */
	bool trace_exec;		/* trace_exec = true|false; programs this one starts (exec,
					 * posix_spawn, system, popen) are traced too; default true */
	/* The Mongo logger (logger = mongo|both) and `impulse push`. */
	char *mongo_uri;		/* mongo_uri = mongodb://…; default MONGO_URI_DEFAULT
					 * (mongo_uri.h); checked for the scheme and a host
					 * only; may hold a password: show it only through
					 * mongo_uri_redact(); owned */
	char *mongo_database;		/* mongo_database = NAME; default "impulse"; owned */
	char *mongo_collection;		/* mongo_collection = NAME; default "records"; owned */
	unsigned mongo_batch;		/* mongo_batch = N; documents per bulk insert, 1..100000;
					 * default 1000 */
	unsigned mongo_flush_ms;	/* mongo_flush_ms = N; ms a partial batch may wait before
					 * it is sent, 1..60000; default 200 */
};

struct cfg {
	struct cfg_settings settings;
	struct cfg_hook *hooks;		/* nhooks entries in file order, owned */
	int nhooks;
	struct cfg_pattern *patterns;	/* npatterns, in file order, owned */
	int npatterns;
	/* Prototypes known but not hooked: [prototypes] sections, included files and,
	 * after cfg_resolve(), the shipped files. A later declaration of a name
	 * replaces an earlier one (user files override shipped ones). */
	struct cfg_hook *protos;	/* nprotos, owned */
	int nprotos;
	struct cfg_record **records;	/* every struct/union named, each owned */
	int nrecords;
	struct cfg_enum **enums;	/* every enum/flags declared, each owned */
	int nenums;
	struct cfg_typedef **typedefs;	/* every typedef declared, each owned */
	int ntypedefs;
	char *proto_dir;		/* directory of the shipped prototype files; owned */
};

struct cfg_error {
	char file[256];
	int line, column;		/* 1-based; 0 when the error has no position */
	char text[512];			/* "unknown type 'int33'", without the position */
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

/*
 * Sets the directory of the shipped prototype files (config/protos/ in the source,
 * protos/ next to libimpulse.so when built): where "include <libc>" looks and what
 * cfg_resolve() loads. Call before parsing. 0 or -ENOMEM.
 */
int cfg_set_proto_dir(struct cfg *cfg, const char *dir);

/*
 * After the user's file is parsed: loads the shipped prototype files when a bare
 * name or a pattern needs them (user declarations win), gives each bare-name hook
 * its known prototype (has_prototype stays false when none is known), and checks
 * what needs the whole configuration. 0, or -EINVAL with *err filled.
 */
int cfg_resolve(struct cfg *cfg, struct cfg_error *err);

/* The known prototype of symbol (hooks first, then protos), or NULL. */
const struct cfg_hook *cfg_find_prototype(const struct cfg *cfg, const char *symbol);

/*
 * The hook pattern p makes for symbol: its known prototype (cfg_find_prototype)
 * or, when none is known, a variadic one that reads no argument; with the
 * pattern's thread and callers. Allocated (malloc), or NULL when out of memory;
 * shares the prototype's parts with cfg. libimpulse makes pattern hooks with it
 * (preload/intercept/select.c), and impulse render-events makes the same again.
 */
struct cfg_hook *cfg_pattern_hook(const struct cfg *cfg, const struct cfg_pattern *p,
				  const char *symbol);

/* Formats "file:line:col: text" into buf (always NUL-terminated). */
void cfg_error_format(const struct cfg_error *err, char *buf, size_t size);

/* Releases everything *cfg owns; *cfg is left as after cfg_init(). */
void cfg_free(struct cfg *cfg);

#endif
