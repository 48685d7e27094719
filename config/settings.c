/*
 * settings.c — the [tracer] settings: defaults, "key = value" lines, cfg_set().
 *
 * One table maps each key to its parser, so that a line of hooks.conf and an
 * environment override (cfg_set) go through the same validation. A setting is
 * changed only once its value is known to be good: a bad value leaves the old one.
 * Unknown keys are errors rather than ignored, so that a typo is not silently lost.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"
#include "mongo_uri.h"
#include "redact_pattern.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

/* A value being applied: text[0..len), not NUL-terminated when it comes from a line. */
struct cfg_value {
	const char *key;
	const char *text;
	size_t len;
	int *err_offset;	/* 0-based byte in text the error is about */
	char *msg;
	size_t msgsize;
};

#define SHOWV(v) ((v)->len > 64 ? 64 : (int)(v)->len), (v)->text

/*
 * The default texts are not allocated: cfg_init() cannot fail, and cfg_free() must
 * leave the struct as cfg_init() does without leaking. They live in read-only data,
 * so writing through the pointer faults at once; free_text() never frees them.
 */
static const char default_log_dir[] = ".impulselogs";
static const char default_mongo_uri[] = MONGO_URI_DEFAULT;
static const char default_mongo_database[] = "impulse";
static const char default_mongo_collection[] = "records";

static bool is_default_text(const char *text)
{
	return text == default_log_dir || text == default_mongo_uri ||
	       text == default_mongo_database || text == default_mongo_collection;
}

static void free_text(char *text)
{
	if (!is_default_text(text))
		free(text);
}

void cfg_settings_defaults(struct cfg_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->logger = CFG_LOGGER_FILE;
	s->log_dir = (char *)default_log_dir;
	s->max_string = 256;
	s->buffer_size = MIB;
	s->min_free_space = GIB;	/* 5% of the filesystem or 1G, the smaller (journald's SystemKeepFree) */
	s->min_free_percent = 5;
	s->max_children = 64;
	s->max_buffer = 256;
	s->max_array = 32;
	s->max_depth = 2;
	s->max_capture = 4 * KIB;
	s->binary = CFG_BINARY_BASE64;
	s->mongo_uri = (char *)default_mongo_uri;
	s->mongo_database = (char *)default_mongo_database;
	s->mongo_collection = (char *)default_mongo_collection;
	s->mongo_batch = 1000;
	s->mongo_flush_ms = 200;
	s->trace_exec = true;
}

void cfg_settings_release(struct cfg_settings *s)
{
	free_text(s->log_dir);
	free(s->session_id);
	free(s->session_metadata);
	free(s->tracer_metadata);
	free(s->redact);
	free(s->redact_patterns);
	free_text(s->mongo_uri);
	free_text(s->mongo_database);
	free_text(s->mongo_collection);
	memset(s, 0, sizeof(*s));
}

static int dup_field(char **dst, const char *src)
{
	if (!src || is_default_text(src)) {
		*dst = (char *)src;
		return 0;
	}
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/* A deep copy of src into dst (which is overwritten, not released). */
int cfg_settings_copy(struct cfg_settings *dst, const struct cfg_settings *src)
{
	*dst = *src;
	/* nothing in dst may point into src when a failed copy releases it */
	dst->log_dir = dst->session_id = dst->session_metadata = dst->tracer_metadata = NULL;
	dst->redact = dst->mongo_uri = dst->mongo_database = dst->mongo_collection = NULL;
	dst->redact_patterns = NULL;
	if (dup_field(&dst->log_dir, src->log_dir) ||
	    dup_field(&dst->session_id, src->session_id) ||
	    dup_field(&dst->session_metadata, src->session_metadata) ||
	    dup_field(&dst->tracer_metadata, src->tracer_metadata) ||
	    dup_field(&dst->redact, src->redact) ||
	    dup_field(&dst->redact_patterns, src->redact_patterns) ||
	    dup_field(&dst->mongo_uri, src->mongo_uri) ||
	    dup_field(&dst->mongo_database, src->mongo_database) ||
	    dup_field(&dst->mongo_collection, src->mongo_collection)) {
		cfg_settings_release(dst);
		return -ENOMEM;
	}
	return 0;
}

static int value_error(const struct cfg_value *v, int offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int value_error(const struct cfg_value *v, int offset, const char *fmt, ...)
{
	va_list ap;

	*v->err_offset = offset;
	va_start(ap, fmt);
	vsnprintf(v->msg, v->msgsize, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool value_is(const struct cfg_value *v, const char *word)
{
	return strlen(word) == v->len && !memcmp(v->text, word, v->len);
}

/* Replaces *field with a copy of the value, which must not be empty. */
static int set_text(char **field, const struct cfg_value *v)
{
	char *copy;

	if (!v->len)
		return value_error(v, 0, "missing value for '%s'", v->key);
	copy = strndup(v->text, v->len);
	if (!copy)
		return -ENOMEM;
	free_text(*field);
	*field = copy;
	return 0;
}

static int set_json(char **field, const struct cfg_value *v)
{
	char detail[160], *compact;
	int ret;

	if (!v->len)
		return value_error(v, 0, "missing value for '%s'", v->key);
	ret = cfg_json_compact(v->text, v->len, &compact, v->err_offset, detail, sizeof(detail));
	if (ret == -EINVAL)
		return value_error(v, *v->err_offset, "invalid JSON for '%s': %s", v->key, detail);
	if (ret)
		return ret;
	free(*field);
	*field = compact;
	return 0;
}

/*
 * Reads a decimal number, with a K, M or G suffix (powers of 1024, either case) when
 * suffix is true, into *n within [min, max].
 */
static int parse_number(const struct cfg_value *v, bool suffix, size_t min, size_t max,
			const char *range, size_t *n)
{
	size_t value = 0, unit = 1, i;

	if (!v->len)
		return value_error(v, 0, "missing value for '%s'", v->key);
	for (i = 0; i < v->len && v->text[i] >= '0' && v->text[i] <= '9'; i++) {
		if (value > (SIZE_MAX - 9) / 10)
			return value_error(v, 0, "'%s' must be %s, not '%.*s'", v->key, range,
					   SHOWV(v));
		value = value * 10 + (v->text[i] - '0');
	}
	if (i < v->len && suffix && i + 1 == v->len && i > 0) {
		switch (v->text[i]) {
		case 'k': case 'K': unit = KIB; i++; break;
		case 'm': case 'M': unit = MIB; i++; break;
		case 'g': case 'G': unit = GIB; i++; break;
		}
	}
	if (i == 0 || i < v->len)
		return value_error(v, 0, "invalid number '%.*s' for '%s'%s", SHOWV(v), v->key,
				   suffix ? " (digits, optionally followed by K, M or G)" : "");
	if (value > max / unit || value * unit < min)
		return value_error(v, 0, "'%s' must be %s, not '%.*s'", v->key, range, SHOWV(v));
	*n = value * unit;
	return 0;
}

static int set_logger(struct cfg_settings *s, const struct cfg_value *v)
{
	static const struct { const char *name; enum cfg_logger logger; } loggers[] = {
		{ "file", CFG_LOGGER_FILE }, { "mongo", CFG_LOGGER_MONGO },
		{ "both", CFG_LOGGER_BOTH }, { "none", CFG_LOGGER_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(loggers) / sizeof(loggers[0]); i++) {
		if (value_is(v, loggers[i].name)) {
			s->logger = loggers[i].logger;
			return 0;
		}
	}
	return value_error(v, 0, "invalid logger '%.*s' (known: file, mongo, both, none)",
			   SHOWV(v));
}

static int set_log_dir(struct cfg_settings *s, const struct cfg_value *v)
{
	return set_text(&s->log_dir, v);
}

static int set_session_id(struct cfg_settings *s, const struct cfg_value *v)
{
	return set_text(&s->session_id, v);
}

static int set_session_metadata(struct cfg_settings *s, const struct cfg_value *v)
{
	return set_json(&s->session_metadata, v);
}

static int set_tracer_metadata(struct cfg_settings *s, const struct cfg_value *v)
{
	return set_json(&s->tracer_metadata, v);
}

static int set_max_string(struct cfg_settings *s, const struct cfg_value *v)
{
	return parse_number(v, false, 0, GIB, "between 0 and 1073741824", &s->max_string);
}

static int set_buffer_size(struct cfg_settings *s, const struct cfg_value *v)
{
	/* below a page the ring could not hold one record with its strings */
	return parse_number(v, true, 4 * KIB, GIB, "between 4K and 1G", &s->buffer_size);
}

static int set_max_log_size(struct cfg_settings *s, const struct cfg_value *v)
{
	/* 0: no limit; else at least room for a few records */
	size_t n;
	int err = parse_number(v, true, 0, (size_t)1 << 50, "0 (no limit) or between 4K and 1048576G", &n);

	if (err)
		return err;
	if (n && n < 4 * KIB)
		return value_error(v, 0, "'%s' must be 0 (no limit) or between 4K and 1048576G, not '%.*s'",
				   v->key, SHOWV(v));
	s->max_log_size = n;
	return 0;
}

/* N[K|M|G] bytes, or N% of the filesystem (0-99). One message for every bad value:
 * the number parser's would not mention the percentage. */
static int set_min_free_space(struct cfg_settings *s, const struct cfg_value *v)
{
	bool percent = v->len > 1 && v->text[v->len - 1] == '%';
	struct cfg_value digits = *v;
	size_t n;

	if (percent)
		digits.len--;
	if (parse_number(&digits, !percent, 0, percent ? 99 : (size_t)1 << 50, "", &n))
		return value_error(v, 0, "'%s' must be a size (N, NK, NM or NG, up to 1048576G) or a "
				   "percentage of the filesystem (0%% to 99%%), not '%.*s'", v->key, SHOWV(v));
	s->min_free_percent = percent ? (unsigned)n : 0;
	s->min_free_space = percent && n ? SIZE_MAX : percent ? 0 : n;	/* a percentage alone */
	return 0;
}

static int set_max_children(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t n;
	int ret = parse_number(v, false, 0, MIB, "between 0 and 1048576", &n);

	if (!ret)
		s->max_children = n;
	return ret;
}

/* A comma-separated list of parameter names, kept without blanks. */
static int set_redact(struct cfg_settings *s, const struct cfg_value *v)
{
	char *list = malloc(v->len + 1), *out = list;
	size_t i = 0;

	if (!list)
		return -ENOMEM;
	while (i < v->len) {
		size_t start;

		while (i < v->len && (v->text[i] == ' ' || v->text[i] == '\t'))
			i++;
		start = i;
		while (i < v->len && (isalnum((unsigned char)v->text[i]) || v->text[i] == '_'))
			i++;
		if (i == start || isdigit((unsigned char)v->text[start])) {
			free(list);
			return value_error(v, (int)start, "expected a parameter name in 'redact' "
					   "(a list like: password, api_key)");
		}
		if (out != list)
			*out++ = ',';
		memcpy(out, v->text + start, i - start);
		out += i - start;
		while (i < v->len && (v->text[i] == ' ' || v->text[i] == '\t'))
			i++;
		if (i < v->len && v->text[i] != ',') {
			free(list);
			return value_error(v, (int)i, "expected ',' between names in 'redact'");
		}
		i++;
	}
	*out = '\0';
	free(s->redact);
	s->redact = list;
	return 0;
}

/*
 * "PATTERN", "PATTERN"…: added to the patterns already set (by earlier lines or the
 * file, for IMPULSE_REDACT_PATTERN), never replacing them: an override can hide
 * more, never show what the file hides.
 */
static int set_redact_pattern(struct cfg_settings *s, const struct cfg_value *v)
{
	return redact_parse_list(v->text, v->len, &s->redact_patterns, v->err_offset,
				 v->msg, v->msgsize);
}

/* true/false, and the spellings environment variables use: 1/0, yes/no, on/off. */
static int parse_bool(const struct cfg_value *v, bool *b)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (value_is(v, yes[i])) {
			*b = true;
			return 0;
		}
		if (value_is(v, no[i])) {
			*b = false;
			return 0;
		}
	}
	return value_error(v, 0, "invalid value '%.*s' for '%s' (use true or false)",
			   SHOWV(v), v->key);
}

static int set_max_buffer(struct cfg_settings *s, const struct cfg_value *v)
{
	return parse_number(v, true, 0, 64 * MIB, "between 0 and 64M", &s->max_buffer);
}

static int set_max_array(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t n;
	int ret = parse_number(v, false, 0, MIB, "between 0 and 1048576", &n);

	if (!ret)
		s->max_array = n;
	return ret;
}

static int set_max_depth(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t n;
	int ret = parse_number(v, false, 0, 16, "between 0 and 16", &n);

	if (!ret)
		s->max_depth = n;
	return ret;
}

static int set_max_capture(struct cfg_settings *s, const struct cfg_value *v)
{
	/* at least one pointer-sized value per side, at most what a thread buffer could hold */
	return parse_number(v, true, 64, 64 * MIB, "between 64 and 64M", &s->max_capture);
}

static int set_binary(struct cfg_settings *s, const struct cfg_value *v)
{
	if (value_is(v, "base64"))
		s->binary = CFG_BINARY_BASE64;
	else if (value_is(v, "hex"))
		s->binary = CFG_BINARY_HEX;
	else
		return value_error(v, 0, "invalid value '%.*s' for 'binary' (base64 or hex)", SHOWV(v));
	return 0;
}

static int set_on_full(struct cfg_settings *s, const struct cfg_value *v)
{
	if (value_is(v, "wait"))
		s->on_full = CFG_ON_FULL_WAIT;
	else if (value_is(v, "drop"))
		s->on_full = CFG_ON_FULL_DROP;
	else
		return value_error(v, 0, "invalid value '%.*s' for 'on_full' (wait or drop)", SHOWV(v));
	return 0;
}

static int set_format(struct cfg_settings *s, const struct cfg_value *v)
{
	if (value_is(v, "json"))
		s->format = CFG_FORMAT_JSON;
	else if (value_is(v, "binary"))
		s->format = CFG_FORMAT_BINARY;
	else
		return value_error(v, 0, "invalid format '%.*s' (json or binary)", SHOWV(v));
	return 0;
}

static int set_verbose(struct cfg_settings *s, const struct cfg_value *v)
{
	return parse_bool(v, &s->verbose);
}

static int set_strict(struct cfg_settings *s, const struct cfg_value *v)
{
	return parse_bool(v, &s->strict);
}

static int set_trace_exec(struct cfg_settings *s, const struct cfg_value *v)
{
	return parse_bool(v, &s->trace_exec);
}

/* Light: the scheme and a host. libmongoc parses the rest when it connects. */
static int set_mongo_uri(struct cfg_settings *s, const struct cfg_value *v)
{
	const char *why;
	size_t offset;

	if (!v->len)
		return value_error(v, 0, "missing value for 'mongo_uri'");
	why = mongo_uri_check(v->text, v->len, &offset);
	if (why)
		return value_error(v, (int)offset, "invalid 'mongo_uri': %s", why);
	return set_text(&s->mongo_uri, v);
}

/* MongoDB's rules for database names: no '/\. "$*<>:|?', under 64 bytes. */
static int set_mongo_database(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t i;

	if (v->len >= 64)
		return value_error(v, 0, "'mongo_database' must be shorter than 64 bytes");
	for (i = 0; i < v->len; i++)
		if (strchr("/\\. \"$*<>:|?", v->text[i]) || !v->text[i])
			return value_error(v, (int)i, "'%c' is not allowed in 'mongo_database' "
					   "(nor any of /\\. \"$*<>:|?)", v->text[i]);
	return set_text(&s->mongo_database, v);
}

/* MongoDB's rules for collection names: no '$', not system.*. */
static int set_mongo_collection(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (v->text[i] == '$' || !v->text[i])
			return value_error(v, (int)i, "'$' is not allowed in 'mongo_collection'");
	if (v->len >= 7 && !memcmp(v->text, "system.", 7))
		return value_error(v, 0, "'mongo_collection' must not start with 'system.' "
				   "(MongoDB keeps those names)");
	return set_text(&s->mongo_collection, v);
}

static int set_mongo_batch(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t n;
	/* 100000: the largest batch a server takes in one write command (maxWriteBatchSize) */
	int ret = parse_number(v, false, 1, 100000, "between 1 and 100000", &n);

	if (!ret)
		s->mongo_batch = n;
	return ret;
}

static int set_mongo_flush_ms(struct cfg_settings *s, const struct cfg_value *v)
{
	size_t n;
	int ret = parse_number(v, false, 1, 60000, "between 1 and 60000", &n);

	if (!ret)
		s->mongo_flush_ms = n;
	return ret;
}

static const struct {
	const char *key;
	int (*set)(struct cfg_settings *s, const struct cfg_value *v);
} setters[] = {
	{ "logger", set_logger },
	{ "log_dir", set_log_dir },
	{ "session_id", set_session_id },
	{ "session_metadata", set_session_metadata },
	{ "tracer_metadata", set_tracer_metadata },
	{ "max_string", set_max_string },
	{ "buffer_size", set_buffer_size },
	{ "max_log_size", set_max_log_size },
	{ "min_free_space", set_min_free_space },
	{ "max_children", set_max_children },
	{ "redact", set_redact },
	{ "redact_pattern", set_redact_pattern },
	{ "max_buffer", set_max_buffer },
	{ "max_array", set_max_array },
	{ "max_depth", set_max_depth },
	{ "max_capture", set_max_capture },
	{ "binary", set_binary },
	{ "on_full", set_on_full },
	{ "format", set_format },
	{ "verbose", set_verbose },
	{ "strict", set_strict },
	{ "trace_exec", set_trace_exec },
	{ "mongo_uri", set_mongo_uri },
	{ "mongo_database", set_mongo_database },
	{ "mongo_collection", set_mongo_collection },
	{ "mongo_batch", set_mongo_batch },
	{ "mongo_flush_ms", set_mongo_flush_ms },
};

/*
 * Applies key = value[0..len) to *s. Returns 0; -EINVAL with msg set and
 * *err_offset the byte of value at fault, or -1 when the key itself is unknown;
 * -ENOMEM.
 */
/* Edits (insert, delete, replace) turning a into b, or more than 3: "too far". */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t n = strlen(b), m = strlen(a);
	unsigned row[40], prev, tmp;

	if (n >= sizeof(row) / sizeof(row[0]) || (m > n ? m - n : n - m) > 3)
		return 4;
	for (size_t j = 0; j <= n; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= m; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= n; j++) {
			unsigned best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[n];
}

/*
 * The known setting a mistyped key most likely meant: within 2 edits, or one that
 * starts the key or that the key starts ("log_directory" → "log_dir"); else NULL.
 */
static const char *nearest_key(const char *key)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]); i++) {
		const char *k = setters[i].key;
		size_t kl = strlen(k), l = strlen(key);
		unsigned d = edit_distance(key, k);

		if (d >= best_d && kl >= 5 && l >= 5 &&
		    (!strncmp(key, k, kl < l ? kl : l)))
			d = 2;	/* one is the start of the other */
		if (d < best_d) {
			best_d = d;
			best = k;
		}
	}
	return best;
}

int cfg_settings_apply(struct cfg_settings *s, const char *key, const char *value,
		       size_t len, int *err_offset, char *msg, size_t msgsize)
{
	struct cfg_value v = { key, value, len, err_offset, msg, msgsize };
	const char *near;
	size_t i;

	*err_offset = 0;
	for (i = 0; i < sizeof(setters) / sizeof(setters[0]); i++)
		if (!strcmp(setters[i].key, key))
			return setters[i].set(s, &v);
	*err_offset = -1;
	near = nearest_key(key);
	if (near)
		snprintf(msg, msgsize, "unknown setting '%.64s' (did you mean '%s'?)", key, near);
	/* the mongo_ keys apart, to keep the list short */
	else if (!strncmp(key, "mongo", 5))
		snprintf(msg, msgsize, "unknown setting '%.64s' (known: mongo_uri, mongo_database, "
			 "mongo_collection, mongo_batch, mongo_flush_ms)", key);
	else
		snprintf(msg, msgsize, "unknown setting '%.64s' (known: logger, log_dir, session_id, "
			 "session_metadata, tracer_metadata, max_string, buffer_size, max_children, "
			 "redact, redact_pattern, max_buffer, max_array, max_depth, max_capture, "
			 "binary, on_full, format, verbose, strict, trace_exec, mongo_*)", key);
	return -EINVAL;
}

int cfg_set(struct cfg *out, const char *key, const char *value, struct cfg_error *err)
{
	char msg[sizeof(err->text)];
	int offset, ret;

	memset(err, 0, sizeof(*err));
	ret = cfg_settings_apply(&out->settings, key, value, strlen(value), &offset,
				 msg, sizeof(msg));
	if (ret == -ENOMEM)
		return cfg_error_set(err, NULL, 0, 0, "out of memory"), -ENOMEM;
	if (ret)
		return cfg_error_set(err, NULL, 0, 0, "%s", msg);
	return 0;
}

/*
 * Parses the current statement, known to start with "KEY =", as a setting. The
 * value is a JSON object, a "quoted" text, or the rest of the line up to a '#' with
 * the blanks around it removed.
 */
int cfg_parse_setting(struct cfg_parser *p)
{
	struct cfg_lexer *lex = &p->lex;
	struct cfg_token key, tok;
	char keybuf[64], msg[sizeof(p->err->text)];
	const char *value;
	int ret, offset, column, len, line_end;

	cfg_lex_next(p, &key);
	cfg_lex_next(p, &tok);	/* the '=' */
	snprintf(keybuf, sizeof(keybuf), "%.*s", key.len, key.text);

	/* look at the raw byte: a raw value ("/tmp/x") need not be made of tokens */
	line_end = cfg_lex_line_end(lex);
	while (lex->pos < line_end && strchr(" \t\r\f\v", lex->text[lex->pos]))
		lex->pos++;
	if (!strcmp(keybuf, "redact_pattern")) {
		/* a list of quoted patterns, which may hold '#': the whole line, the list
		 * parser (redact_pattern.c) takes a '#' outside the quotes as the comment */
		value = lex->text + lex->pos;
		column = lex->pos - lex->line_start + 1;
		len = line_end - lex->pos;
		while (len > 0 && strchr(" \t\r", value[len - 1]))
			len--;
		lex->pos = line_end;
	} else if (lex->pos < line_end && (lex->text[lex->pos] == '{' || lex->text[lex->pos] == '"')) {
		ret = lex->text[lex->pos] == '{' ? cfg_lex_json(p, &tok) : cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		value = tok.text;
		len = tok.len;
		column = tok.column + (tok.kind == TOK_STRING);
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (tok.kind != TOK_EOL)
			return cfg_tok_error(p, &tok, "unexpected '%.*s' after the value of '%s'",
					     CFG_SHOW(&tok), keybuf);
	} else {
		/* the raw rest of the line: paths and ids need no quoting */
		const char *hash;

		value = lex->text + lex->pos;
		column = lex->pos - lex->line_start + 1;
		hash = memchr(value, '#', lex->text + line_end - value);
		len = (hash ? hash : lex->text + line_end) - value;
		while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' ||
				   value[len - 1] == '\r'))
			len--;
		for (offset = 0; offset < len; offset++)
			if ((unsigned char)value[offset] < 0x20 && value[offset] != '\t')
				return cfg_parser_error_at(p, key.line, column + offset,
							   "unexpected byte 0x%02x",
							(unsigned char)value[offset]);
		lex->pos = line_end;
	}
	ret = cfg_settings_apply(p->settings, keybuf, value, len, &offset, msg, sizeof(msg));
	if (ret == -EINVAL)
		return cfg_parser_error_at(p, key.line, offset < 0 ? key.column : column + offset,
					   "%s", msg);
	return ret;
}
