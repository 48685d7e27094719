/*
 * push.c — `impulse push`: uploads record files (.impulselogs/logs_*.json, or the
 * Mongo logger's spill files: the same JSON Lines) into a MongoDB collection.
 *
 * Each line becomes one document of the shape the Mongo logger writes
 * (record_bson.c). Inserts are unordered bulk writes of mongo_batch documents; the unique
 * index on payload.call_id makes a push idempotent (a duplicate-key error, code
 * 11000, counts as "already present"), so a file may be pushed again after a
 * partial push, or after the logger delivered some of it itself.
 *
 * It must never show the URI's password: every line it prints goes through say(),
 * which shows the URI only as mongo_uri_redact() makes it and masks the password
 * wherever else it might appear (libmongoc's own messages included).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include "base/tool.h"
#include "config.h"
#include "mongo_uri.h"
#include "push/record_bson.h"
#include "reader/binary.h"

/* Exit statuses: all in; some lines not in (malformed, refused, unreadable file);
 * TOOL_EXIT_USAGE (2) for the command line or the configuration; the server. */
#define PUSH_EXIT_OK 0
#define PUSH_EXIT_SOME_LEFT 1
#define PUSH_EXIT_SERVER 3

/* Without these in the URI, libmongoc would wait 30 s (selection) and 10 s (connect)
 * for a server that is not there. */
#define PUSH_SELECTION_TIMEOUT_MS 2000

/* Positions listed in the summary, beyond which "…" says there were more. */
#define PUSH_LIST_MAX 10

struct push_opts {
	const char *uri;	/* --mongo URI, or NULL */
	const char *database;	/* --database NAME, or NULL */
	const char *collection;	/* --collection NAME, or NULL */
	const char *config;	/* -c FILE, or NULL */
	char **files;		/* FILE..., NULL-terminated */
};

/* The first lines left out of one kind, as "file:line", for the summary. */
struct left_out {
	char at[PUSH_LIST_MAX][256];
	int n;
	bool more;		/* there were more than PUSH_LIST_MAX */
};

/* Where a line came from: for messages and for write errors reported by index. */
struct origin {
	const char *file;	/* as given on the command line (or dir/name); not owned */
	long line;		/* 1-based */
};

struct push {
	struct cfg cfg;
	const char *uri_source;		/* "--mongo", "IMPULSE_MONGO_URI", "hooks.conf", … */
	mongoc_client_t *client;
	mongoc_collection_t *collection;
	mongoc_bulk_operation_t *bulk;	/* the batch being filled, or NULL */
	struct origin *origins;		/* cfg.settings.mongo_batch entries: the batch's lines */
	unsigned pending;		/* documents in bulk */
	long read, inserted, present, malformed, refused, unreadable;
	struct left_out malformed_at, refused_at;
};

/* Set once the URI is known: what say() masks. Owned here. */
static char *shown_uri;		/* the URI as mongo_uri_redact() shows it */
static char *password;		/* the password as libmongoc decoded it, or NULL */

static const char usage_text[] =
	"usage: impulse push [--mongo URI] [--database D] [--collection C] [-c hooks.conf] FILE...\n"
	"\n"
	"Uploads record files into MongoDB: the JSON Lines files libimpulse writes in\n"
	".impulselogs/, or the spill files the Mongo logger leaves there when it could not\n"
	"deliver, and binary ones (format = binary: logs_*.impulse, rendered as\n"
	"impulse cat does). A directory stands for the *.json and *.impulse files in\n"
	"it. Each record becomes one\n"
	"document shaped as the Mongo logger writes it (payload.timestamps.start and .end\n"
	"as BSON dates). Records already in the collection (same payload.call_id) are\n"
	"counted and left alone, so pushing a file twice adds nothing.\n"
	"\n"
	"options:\n"
	"      --mongo URI        the server (default: $IMPULSE_MONGO_URI, else mongo_uri of\n"
	"                         hooks.conf, else " MONGO_URI_DEFAULT ")\n"
	"      --database D       the database (default: $IMPULSE_MONGO_DATABASE, else\n"
	"                         mongo_database of hooks.conf, else impulse)\n"
	"      --collection C     the collection (default: $IMPULSE_MONGO_COLLECTION, else\n"
	"                         mongo_collection of hooks.conf, else records)\n"
	"  -c, --config FILE      the hooks.conf to take settings from (default:\n"
	"                         $IMPULSE_CONFIG, else ./hooks.conf when there is one);\n"
	"                         mongo_batch sets the documents per bulk insert\n"
	"  -h, --help             this text\n"
	"\n"
	"It creates the indexes the Mongo logger uses (payload.call_id unique,\n"
	"payload.trace_module.session_id, payload.trace_module.thread_id,\n"
	"payload.timestamps.start). Without serverSelectionTimeoutMS or connectTimeoutMS\n"
	"in the URI, it gives up on an unreachable server after 2 seconds. The URI's\n"
	"password is never shown.\n"
	"\n"
	"Exit status: 0 every record is in the collection (inserted or already there);\n"
	"1 some lines are not (malformed, refused by the server, or a file could not be\n"
	"read; each is named as FILE:LINE); 2 a usage or configuration error; 3 the\n"
	"server could not be reached or failed.\n";

/* ------------------------------------------------------------ messages */

/* "impulse push: " and the message, to out; the one way anything is printed. */
static void __attribute__((format(printf, 2, 3))) say(FILE *out, const char *fmt, ...)
{
	char text[4096], shown[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mongo_text_mask_password(password, text, shown, sizeof(shown));
	fprintf(out, "impulse push: %s\n", shown);
	fflush(out);
}

static void cleanup_globals(void)
{
	free(shown_uri);
	shown_uri = NULL;
	if (password)
		bson_free(password);
	password = NULL;
}

#define fail(status, ...) do { say(stderr, __VA_ARGS__); exit(status); } while (0)

/* libmongoc's own warnings, through the same mask (its default handler prints them raw). */
static void log_handler(mongoc_log_level_t level, const char *domain, const char *message,
			void *data)
{
	(void)data;
	if (level <= MONGOC_LOG_LEVEL_WARNING)
		say(stderr, "libmongoc (%s): %s", domain, message);
}

/* ------------------------------------------------------------ settings */

static void parse_args(int argc, char **argv, struct push_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		static const struct { const char *name; size_t off; } opts[] = {
			{ "--mongo", offsetof(struct push_opts, uri) },
			{ "--database", offsetof(struct push_opts, database) },
			{ "--collection", offsetof(struct push_opts, collection) },
			{ "--config", offsetof(struct push_opts, config) },
			{ "-c", offsetof(struct push_opts, config) },
		};
		const char *arg = argv[i], *value = NULL;
		size_t j, n;

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (arg[0] != '-' || !arg[1])
			break;
		for (j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
			n = strlen(opts[j].name);
			if (!strncmp(arg, opts[j].name, n) && (!arg[n] || (arg[n] == '=' && n > 2)))
				break;
		}
		if (j == sizeof(opts) / sizeof(opts[0]))
			fail(TOOL_EXIT_USAGE, "unknown option '%s'; see 'impulse push --help'", arg);
		if (arg[n] == '=')
			value = arg + n + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		if (!value || !value[0])
			fail(TOOL_EXIT_USAGE, "option '%s' needs a value; see 'impulse push --help'",
			     opts[j].name);
		*(const char **)((char *)o + opts[j].off) = value;
	}
	if (i >= argc)
		fail(TOOL_EXIT_USAGE, "no file to push: impulse push [options] FILE...");
	o->files = argv + i;
}

/* One setting from the environment or the command line; exits 2 on a bad value. */
/*
 * The settings as the Mongo logger would have them, then the environment, then the
 * options: hooks.conf (-c, $IMPULSE_CONFIG, or ./hooks.conf when present) is read for
 * its [tracer] settings only.
 */
static void load_settings(struct push *p, const struct push_opts *o)
{
	const char *path;
	char msg[600];

	if (tool_settings_read(&p->cfg, o->config, &path, msg, sizeof(msg)))
		fail(TOOL_EXIT_USAGE, "%s", msg);
	p->uri_source = path && strcmp(p->cfg.settings.mongo_uri, MONGO_URI_DEFAULT) ? path : "the default";
	if (getenv("IMPULSE_MONGO_URI") && getenv("IMPULSE_MONGO_URI")[0])
		p->uri_source = "IMPULSE_MONGO_URI";
	if (o->uri)
		p->uri_source = "--mongo";
	if (tool_settings_mongo(&p->cfg, o->uri, o->database, o->collection, msg, sizeof(msg)))
		fail(TOOL_EXIT_USAGE, "%s", msg);
	shown_uri = mongo_uri_redact_dup(p->cfg.settings.mongo_uri);
	if (!shown_uri)
		fail(TOOL_EXIT_USAGE, "out of memory");
}

/* ------------------------------------------------------------ the server */

/* "mongo_uri mongodb://app:***@db (from --mongo)": what a server message names. */
#define URI_FMT "%s (mongo_uri, from %s)"
#define URI_ARGS(p) shown_uri, (p)->uri_source

static void connect_server(struct push *p)
{
	const struct cfg_settings *s = &p->cfg.settings;
	mongoc_uri_t *uri;
	bson_error_t error;
	bson_t ping = BSON_INITIALIZER;
	bool ok;

	tool_mongoc_init();
	mongoc_log_set_handler(log_handler, NULL);
	uri = mongoc_uri_new_with_error(s->mongo_uri, &error);
	if (!uri)
		fail(PUSH_EXIT_SERVER, "invalid URI " URI_FMT ": %s", URI_ARGS(p), error.message);
	if (mongoc_uri_get_password(uri))
		password = bson_strdup(mongoc_uri_get_password(uri));
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
					       PUSH_SELECTION_TIMEOUT_MS);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS,
					       PUSH_SELECTION_TIMEOUT_MS);
	if (!mongoc_uri_get_appname(uri))
		mongoc_uri_set_appname(uri, "impulse push");
	p->client = mongoc_client_new_from_uri_with_error(uri, &error);
	mongoc_uri_destroy(uri);
	if (!p->client)
		fail(PUSH_EXIT_SERVER, "cannot use " URI_FMT ": %s", URI_ARGS(p), error.message);
	mongoc_client_set_error_api(p->client, MONGOC_ERROR_API_VERSION_2);

	/* ping: server selection, connection and authentication, before any file is read */
	BSON_APPEND_INT32(&ping, "ping", 1);
	ok = mongoc_client_command_simple(p->client, "admin", &ping, NULL, NULL, &error);
	bson_destroy(&ping);
	if (!ok && error.domain == MONGOC_ERROR_CLIENT && error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE)
		fail(PUSH_EXIT_SERVER, "authentication failed at " URI_FMT ": %s", URI_ARGS(p),
		     error.message);
	if (!ok)
		fail(PUSH_EXIT_SERVER, "cannot reach MongoDB at " URI_FMT ": %s", URI_ARGS(p),
		     error.message);
	p->collection = mongoc_client_get_collection(p->client, s->mongo_database,
						     s->mongo_collection);
}

/* The Mongo logger's indexes, under MongoDB's default names (key_1). */
static const struct {
	const char *key;
	bool unique;
} indexes[] = {
	{ "payload.call_id", true },
	{ "payload.trace_module.session_id", false },
	{ "payload.trace_module.thread_id", false },
	{ "payload.timestamps.start", false },
};

static void create_indexes(struct push *p)
{
	const struct cfg_settings *s = &p->cfg.settings;
	mongoc_database_t *db = mongoc_client_get_database(p->client, s->mongo_database);
	bson_t cmd = BSON_INITIALIZER, list, spec, key;
	bson_error_t error;
	char name[128], idx[16];
	bool ok;

	BSON_APPEND_UTF8(&cmd, "createIndexes", s->mongo_collection);
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &list);
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		snprintf(name, sizeof(name), "%s_1", indexes[i].key);
		BSON_APPEND_DOCUMENT_BEGIN(&list, idx, &spec);
		BSON_APPEND_DOCUMENT_BEGIN(&spec, "key", &key);
		BSON_APPEND_INT32(&key, indexes[i].key, 1);
		bson_append_document_end(&spec, &key);
		BSON_APPEND_UTF8(&spec, "name", name);
		if (indexes[i].unique)
			BSON_APPEND_BOOL(&spec, "unique", true);
		bson_append_document_end(&list, &spec);
	}
	bson_append_array_end(&cmd, &list);
	ok = mongoc_database_write_command_with_opts(db, &cmd, NULL, NULL, &error);
	bson_destroy(&cmd);
	mongoc_database_destroy(db);
	if (!ok)
		fail(PUSH_EXIT_SERVER, "cannot create the indexes of %s.%s at " URI_FMT ": %s",
		     s->mongo_database, s->mongo_collection, URI_ARGS(p), error.message);
}

/* ------------------------------------------------------------ records */

static void list_left_out(struct left_out *l, const struct origin *o)
{
	if (l->n == PUSH_LIST_MAX)
		l->more = true;
	else
		snprintf(l->at[l->n++], sizeof(l->at[0]), "%s:%ld", o->file, o->line);
}

/* ------------------------------------------------------------ batches */

/* Sends the batch; exits 3 when the server did not account for every document. */
static void flush_batch(struct push *p)
{
	bson_t reply;
	bson_error_t error;
	bson_iter_t it, errs;
	uint32_t ok;
	long inserted = 0, accounted = 0;

	if (!p->bulk)
		return;
	ok = mongoc_bulk_operation_execute(p->bulk, &reply, &error);
	if (bson_iter_init_find(&it, &reply, "nInserted") && BSON_ITER_HOLDS_INT(&it))
		inserted = bson_iter_as_int64(&it);
	accounted = inserted;
	if (bson_iter_init_find(&it, &reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &errs)) {
		while (bson_iter_next(&errs)) {
			bson_iter_t e;
			int64_t index = -1, code = 0;
			const char *msg = "";

			if (!BSON_ITER_HOLDS_DOCUMENT(&errs) || !bson_iter_recurse(&errs, &e))
				continue;
			while (bson_iter_next(&e)) {
				if (!strcmp(bson_iter_key(&e), "index") && BSON_ITER_HOLDS_INT(&e))
					index = bson_iter_as_int64(&e);
				else if (!strcmp(bson_iter_key(&e), "code") && BSON_ITER_HOLDS_INT(&e))
					code = bson_iter_as_int64(&e);
				else if (!strcmp(bson_iter_key(&e), "errmsg") && BSON_ITER_HOLDS_UTF8(&e))
					msg = bson_iter_utf8(&e, NULL);
			}
			if (index < 0 || index >= p->pending)
				continue;
			accounted++;
			if (code == 11000) {	/* DuplicateKey: this call_id is there already */
				p->present++;
				continue;
			}
			p->refused++;
			list_left_out(&p->refused_at, &p->origins[index]);
			say(stderr, "%s:%ld: refused by the server: %s (code %lld)",
			    p->origins[index].file, p->origins[index].line, msg, (long long)code);
		}
	}
	if (bson_iter_init_find(&it, &reply, "writeConcernErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &errs) && bson_iter_next(&errs))
		say(stderr, "the server reports a write concern error for a batch (its %u "
		    "documents may not be durable)", p->pending);
	p->inserted += inserted;
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(p->bulk);
	p->bulk = NULL;
	if (!ok && accounted < p->pending)
		fail(PUSH_EXIT_SERVER, "lost the server at " URI_FMT " after %ld inserted: %s", URI_ARGS(p),
		     p->inserted, error.message);
	p->pending = 0;
}

/* libmongoc's checks on an inserted document (mongoc-write-command's defaults). */
#define INSERT_VALIDATION (BSON_VALIDATE_UTF8 | BSON_VALIDATE_UTF8_ALLOW_NULL | \
			   BSON_VALIDATE_EMPTY_KEYS | BSON_VALIDATE_DOT_KEYS | BSON_VALIDATE_DOLLAR_KEYS)

static void add_record(struct push *p, bson_t *doc, const struct origin *o)
{
	bson_error_t error;
	bson_t opts = BSON_INITIALIZER;

	/* checked here so that a bad key is one line's problem, not the batch's */
	if (!bson_validate_with_error(doc, INSERT_VALIDATION, &error)) {
		p->refused++;
		list_left_out(&p->refused_at, o);
		say(stderr, "%s:%ld: cannot be stored: %s", o->file, o->line, error.message);
		return;
	}
	if (!p->bulk) {
		BSON_APPEND_BOOL(&opts, "ordered", false);
		p->bulk = mongoc_collection_create_bulk_operation_with_opts(p->collection, &opts);
		bson_destroy(&opts);
	}
	if (!mongoc_bulk_operation_insert_with_opts(p->bulk, doc, NULL, &error))
		fail(PUSH_EXIT_SERVER, "%s:%ld: %s", o->file, o->line, error.message);
	p->origins[p->pending++] = *o;
	if (p->pending == p->cfg.settings.mongo_batch)
		flush_batch(p);
}

/* One line of a record file (without its newline): a record to send. */
static void push_line(struct push *p, const char *line, size_t len, struct origin *o)
{
	char why[600];
	bson_t *doc;
	size_t i;

	o->line++;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
		;
	if (i == len)
		return;	/* blank lines are not records */
	p->read++;
	doc = record_bson_from_json(line, len, why, sizeof(why));
	if (!doc) {
		p->malformed++;
		list_left_out(&p->malformed_at, o);
		say(stderr, "%s:%ld: malformed record: %s", o->file, o->line, why);
		return;
	}
	add_record(p, doc, o);
	bson_destroy(doc);
}

struct binary_push {
	struct push *p;
	struct origin o;	/* line: the rendered record's number */
};

static int push_rendered(void *arg, const char *text, size_t len)
{
	struct binary_push *b = arg;

	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) + 1 : len;

		push_line(b->p, text, n, &b->o);
		text += n;
		len -= n;
	}
	return 0;
}

static void rendering_said(void *arg, const char *text)
{
	struct binary_push *b = arg;

	b->p->unreadable++;
	say(stderr, "%s: %s", b->o.file, text);
}

/* A binary record file (format = binary): its records as format = json would have
 * written them (reader/binary.h); "line" N in messages is the Nth record. */
static void push_binary(struct push *p, const char *path)
{
	struct binary_push b = { p, { path, 0 } };
	struct binary_out out = { push_rendered, rendering_said, &b };
	long n = binary_render_file(path, &out, NULL);

	if (n < 0) {
		p->unreadable++;
		say(stderr, "%s: %s", path, strerror((int)-n));
	}
}

static void push_file(struct push *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, head[BINARY_MAGIC_LEN];
	size_t cap = 0;
	ssize_t len;
	struct origin o = { path, 0 };

	if (!f) {
		p->unreadable++;
		say(stderr, "%s: %s", path, strerror(errno));
		return;
	}
	if (fread(head, 1, sizeof(head), f) == sizeof(head) && binary_is_magic(head, sizeof(head))) {
		fclose(f);
		push_binary(p, path);
		return;
	}
	rewind(f);
	while ((len = getline(&line, &cap, f)) >= 0)
		push_line(p, line, (size_t)len, &o);
	if (ferror(f)) {
		p->unreadable++;
		say(stderr, "%s: %s (after line %ld)", path, strerror(errno), o.line);
	}
	free(line);
	fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".json")) ||
					(n > 8 && !strcmp(d->d_name + n - 8, ".impulse")));
}

/* A directory: its *.json files, by name (creation time, for libimpulse's names). */
static void push_path(struct push *p, const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		push_file(p, path);
		return;
	}
	n = scandir(path, &names, is_json_name, by_name);
	if (n < 0) {
		p->unreadable++;
		say(stderr, "%s: %s", path, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		/* the origins of a batch point at these names until it is flushed: keep them */
		char *file = malloc(strlen(path) + strlen(names[i]->d_name) + 2);

		if (!file)
			fail(PUSH_EXIT_SOME_LEFT, "out of memory");
		sprintf(file, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			names[i]->d_name);
		push_file(p, file);
		free(names[i]);
		flush_batch(p);
		free(file);
	}
	free(names);
}

/* " (a.json:7, b.json:3, …)" */
static void format_left_out(const struct left_out *l, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < l->n && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s", i ? ", " : " (", l->at[i]);
	if (l->n && used < size)
		snprintf(buf + used, size - used, "%s)", l->more ? ", …" : "");
}

/* "42 records read, 40 inserted, 1 already present, 1 malformed (a.json:7)" */
static void summary(const struct push *p)
{
	char malformed[PUSH_LIST_MAX * 260 + 16], refused[PUSH_LIST_MAX * 260 + 64] = "";
	char unreadable[64] = "";

	format_left_out(&p->malformed_at, malformed, sizeof(malformed));
	if (p->refused) {
		snprintf(refused, sizeof(refused), ", %ld refused", p->refused);
		format_left_out(&p->refused_at, refused + strlen(refused),
				sizeof(refused) - strlen(refused));
	}
	if (p->unreadable)
		snprintf(unreadable, sizeof(unreadable), ", %ld file%s unreadable", p->unreadable,
			 tool_s(p->unreadable));
	say(stdout, "%ld record%s read, %ld inserted, %ld already present, %ld malformed%s%s%s "
	    "(into %s.%s at %s)", p->read, tool_s(p->read), p->inserted, p->present, p->malformed, malformed,
	    refused, unreadable, p->cfg.settings.mongo_database, p->cfg.settings.mongo_collection,
	    shown_uri);
}

int cmd_push(int argc, char **argv)
{
	struct push_opts opts = { 0 };
	struct push *p = calloc(1, sizeof(*p));
	int status;

	if (!p)
		fail(PUSH_EXIT_SERVER, "out of memory");
	parse_args(argc, argv, &opts);
	load_settings(p, &opts);
	p->origins = calloc(p->cfg.settings.mongo_batch, sizeof(*p->origins));
	if (!p->origins)
		fail(PUSH_EXIT_SERVER, "out of memory");
	connect_server(p);
	create_indexes(p);
	for (char **f = opts.files; *f; f++) {
		push_path(p, *f);
		flush_batch(p);	/* a batch never outlives the file its origins name */
	}
	summary(p);
	status = p->malformed || p->refused || p->unreadable ? PUSH_EXIT_SOME_LEFT : PUSH_EXIT_OK;
	mongoc_collection_destroy(p->collection);
	mongoc_client_destroy(p->client);
	mongoc_cleanup();
	cfg_free(&p->cfg);
	free(p->origins);
	free(p);
	cleanup_globals();
	return status;
}
