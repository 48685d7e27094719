/*
 * sink_mongo.c — the Mongo logger; see sink_mongo.h.
 *
 * States: NEW (not tried yet), ONLINE (records go to the batch, sent as one
 * unordered bulk insert of mongo_batch documents or after mongo_flush_ms),
 * OFFLINE (records go to the spill file; a fresh client pings at most once a
 * second), REPLAY (the server is back: one batch of the spill file per logger
 * cycle, new records still appended to it so that order holds, until it is
 * empty), SPILL_ONLY (no libmongoc, or a URI libmongoc refuses: never connects).
 *
 * Delivery is at-least-once and the unique index on payload.call_id makes it
 * exactly-once: a batch whose reply does not account for every document (the
 * connection broke, a timeout) is kept whole and sent again later, and
 * duplicate-key errors (11000) then count as delivered.
 *
 * The logger must keep draining the rings: every network step is bounded by the
 * URI's timeouts, shortened here when the URI does not set them. It must never
 * show the URI's password: messages show mongo_uri_redact()'s form, and
 * libmongoc's texts go through mask() first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "base/diag.h"
#include "mongo_uri.h"
#include "logger/mongoc_api.h"
#include "render/record_bson.h"
#include "logger/sink_mongo.h"
#include "logger/spill.h"
#include "render/valw_bson.h"

/* Bounds on one network step, when the URI does not give its own. */
#define MONGO_SELECT_MS 500
#define MONGO_CONNECT_MS 500
#define MONGO_SOCKET_MS 2000
/* Between two probes of a server that is gone. */
#define MONGO_PROBE_NS 1000000000ull
/* What the exit spends delivering, at most (plus one network step). */
#define MONGO_EXIT_NS 2000000000ull

enum mongo_state { M_NEW, M_ONLINE, M_OFFLINE, M_REPLAY, M_SPILL_ONLY };

struct mongo_sink {
	const struct cfg_settings *cfg;	/* tracer.cfg.settings; not owned */
	enum mongo_state state;
	char shown_uri[1024];		/* mongo_uri as mongo_uri_redact() shows it */
	const char *uri_from;		/* "" or " from IMPULSE_MONGO_URI", for messages */
	char *password;			/* as libmongoc decoded it, for mask(); owned */
	mongoc_uri_t *uri;
	mongoc_client_t *client;	/* while ONLINE or REPLAY */
	mongoc_collection_t *coll;
	bool loaded;			/* libmongoc is */
	bool indexes_done;
	bool said_outage;		/* the first outage's message was shown */
	struct jbuf json, docs;		/* the batch: JSON lines and BSON documents */
	unsigned n;			/* documents in the batch */
	uint64_t first_ns;		/* when its first one came (CLOCK_MONOTONIC) */
	struct jbuf replay;		/* documents read back from the spill file */
	struct spill spill;
	uint64_t next_probe_ns;
	uint64_t next_sync_ns;
	uint64_t delivered, refused, incomplete;
	uint64_t send_ns;		/* spent in bulk inserts, for the exit note (bench/mongo) */
	char error[512];		/* the last failure, masked */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* text with the password replaced by "***", into out. */
static void mask(const struct mongo_sink *m, const char *text, char *out, size_t size)
{
	size_t plen = m && m->password ? strlen(m->password) : 0, o = 0;

	while (*text && o + 1 < size) {
		if (plen && !strncmp(text, m->password, plen)) {
			for (int k = 0; k < 3 && o + 1 < size; k++)
				out[o++] = '*';
			text += plen;
		} else {
			out[o++] = *text++;
		}
	}
	out[o] = '\0';
}

static const struct mongo_sink *log_sink;

/* libmongoc's default handler prints to stdout, into the program's output: ours
 * shows its warnings only with IMPULSE_VERBOSE, password masked. */
static void log_handler(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	char shown[1024];

	(void)data;
	if (level > MONGOC_LOG_LEVEL_WARNING || !diag_verbose_enabled)
		return;
	mask(log_sink, message, shown, sizeof(shown));
	diag_note("libmongoc (%s): %s", domain, shown);
}

struct mongo_sink *mongo_sink_new(const struct cfg_settings *s)
{
	struct mongo_sink *m = calloc(1, sizeof(*m));

	if (!m) {
		diag_error("logger = mongo: out of memory; no records go to MongoDB");
		return NULL;
	}
	m->cfg = s;
	mongo_uri_redact(s->mongo_uri, m->shown_uri, sizeof(m->shown_uri));
	m->uri_from = getenv("IMPULSE_MONGO_URI") ? ", from IMPULSE_MONGO_URI" : "";
	spill_init(&m->spill, s->log_dir);
	if (record_bson_enable())
		m->state = M_SPILL_ONLY;
	return m;
}

static void set_uri_timeout(mongoc_uri_t *uri, const char *option, int32_t ms)
{
	if (!mongoc_api.uri_has_option(uri, option))
		mongoc_api.uri_set_option_as_int32(uri, option, ms);
}

static void save_error(struct mongo_sink *m, const bson_error_t *error)
{
	mask(m, error->message, m->error, sizeof(m->error));
}

static void drop_client(struct mongo_sink *m)
{
	if (m->coll)
		mongoc_api.collection_destroy(m->coll);
	if (m->client)
		mongoc_api.client_destroy(m->client);
	m->coll = NULL;
	m->client = NULL;
}

/* The indexes impulse push creates, under the same names (key_1). A refusal by the
 * server (an index of that name with other options) is said once, not retried. */
static int create_indexes(struct mongo_sink *m)
{
	static const struct {
		const char *key;
		bool unique;
	} indexes[] = {
		{ "payload.call_id", true },
		{ "payload.trace_module.session_id", false },
		{ "payload.trace_module.thread_id", false },
		{ "payload.timestamps.start", false },
	};
	mongoc_database_t *db = mongoc_api.client_get_database(m->client, m->cfg->mongo_database);
	bson_t cmd, list, spec, key;
	bson_error_t error;
	char name[128], idx[16];
	bool ok;

	vwb_api.init(&cmd);
	vwb_api.append_utf8(&cmd, "createIndexes", -1, m->cfg->mongo_collection, -1);
	vwb_api.append_array_begin(&cmd, "indexes", -1, &list);
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		snprintf(name, sizeof(name), "%s_1", indexes[i].key);
		vwb_api.append_document_begin(&list, idx, -1, &spec);
		vwb_api.append_document_begin(&spec, "key", -1, &key);
		mongoc_api.append_int32(&key, indexes[i].key, -1, 1);
		vwb_api.append_document_end(&spec, &key);
		vwb_api.append_utf8(&spec, "name", -1, name, -1);
		if (indexes[i].unique)
			vwb_api.append_bool(&spec, "unique", -1, true);
		vwb_api.append_document_end(&list, &spec);
	}
	vwb_api.append_array_end(&cmd, &list);
	ok = mongoc_api.database_write_command_with_opts(db, &cmd, NULL, NULL, &error);
	vwb_api.destroy(&cmd);
	mongoc_api.database_destroy(db);
	if (ok || error.domain == MONGOC_ERROR_SERVER) {
		if (!ok) {
			save_error(m, &error);
			diag_error("mongo: the server refused the indexes of %s.%s: %s; without the unique one on "
				   "payload.call_id a replay after an outage may insert a record twice",
				   m->cfg->mongo_database, m->cfg->mongo_collection, m->error);
		}
		m->indexes_done = true;
		return 0;
	}
	save_error(m, &error);
	return -EIO;
}

/* A fresh client (no cool-down from an earlier failure), a ping, the indexes. */
static int connect_server(struct mongo_sink *m, bool *auth_failed)
{
	bson_error_t error;
	bson_t ping;
	bool ok;

	*auth_failed = false;
	drop_client(m);
	m->client = mongoc_api.client_new_from_uri_with_error(m->uri, &error);
	if (!m->client) {
		save_error(m, &error);
		return -EINVAL;
	}
	mongoc_api.client_set_error_api(m->client, MONGOC_ERROR_API_VERSION_2);
	vwb_api.init(&ping);
	mongoc_api.append_int32(&ping, "ping", -1, 1);
	ok = mongoc_api.client_command_simple(m->client, "admin", &ping, NULL, NULL, &error);
	vwb_api.destroy(&ping);
	if (!ok) {
		*auth_failed = error.domain == MONGOC_ERROR_CLIENT && error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE;
		save_error(m, &error);
		drop_client(m);
		return -ECONNREFUSED;
	}
	if (!m->indexes_done && create_indexes(m)) {
		drop_client(m);
		return -EIO;
	}
	m->coll = mongoc_api.client_get_collection(m->client, m->cfg->mongo_database, m->cfg->mongo_collection);
	return 0;
}

static void go_offline(struct mongo_sink *m, bool at_start, bool auth_failed)
{
	drop_client(m);
	m->state = M_OFFLINE;
	m->next_probe_ns = now_ns() + MONGO_PROBE_NS;
	if (at_start)
		diag_error("mongo_uri%s: %s at %s: %s; records go to a spill file in '%s' and are sent "
			   "when the server answers", m->uri_from,
			   auth_failed ? "authentication failed" : "cannot reach MongoDB", m->shown_uri, m->error,
			   m->cfg->log_dir);
	else if (!m->said_outage)
		diag_error("mongo: MongoDB at %s stopped answering: %s; records go to a spill file in '%s' "
			   "until it is back", m->shown_uri, m->error, m->cfg->log_dir);
	else
		diag_note("mongo: MongoDB at %s stopped answering again: %s", m->shown_uri, m->error);
	m->said_outage = true;
}

static void spill_batch(struct mongo_sink *m);

static void try_connect(struct mongo_sink *m)
{
	bool at_start = m->state == M_NEW, auth_failed;

	if (connect_server(m, &auth_failed)) {
		go_offline(m, at_start, auth_failed);
		spill_batch(m);	/* what waited for the first contact */
		return;
	}
	if (!at_start)
		diag_note("mongo: MongoDB at %s answers again: replaying %llu spilled records", m->shown_uri,
			  (unsigned long long)m->spill.held);
	m->state = m->spill.held ? M_REPLAY : M_ONLINE;
}

static uint32_t doc_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* Counts the write errors of a bulk reply: duplicates (already there) and others. */
static void count_write_errors(const bson_t *reply, int64_t *dups, int64_t *others)
{
	bson_iter_t it, errs, e;

	if (!vwb_api.iter_init_find(&it, reply, "writeErrors") || mongoc_api.iter_type(&it) != BSON_TYPE_ARRAY ||
	    !mongoc_api.iter_recurse(&it, &errs))
		return;
	while (mongoc_api.iter_next(&errs)) {
		if (mongoc_api.iter_type(&errs) == BSON_TYPE_DOCUMENT && mongoc_api.iter_recurse(&errs, &e) &&
		    mongoc_api.iter_find(&e, "code") && mongoc_api.iter_as_int64(&e) == 11000)
			(*dups)++;
		else
			(*others)++;
	}
}

/*
 * One unordered bulk insert of the n documents at p (len bytes). 0 when the reply
 * accounts for each (inserted, already present, or refused for good), else -EIO
 * (the server is gone or too slow: send them all again later).
 */
static int send_docs(struct mongo_sink *m, const char *p, size_t len, unsigned n)
{
	mongoc_bulk_operation_t *bulk;
	bson_t opts, doc, reply;
	bson_error_t error;
	bson_iter_t it;
	int64_t inserted = 0, dups = 0, others = 0;
	uint64_t t0 = now_ns();
	bool ok;

	vwb_api.init(&opts);
	vwb_api.append_bool(&opts, "ordered", -1, false);
	bulk = mongoc_api.collection_create_bulk_operation_with_opts(m->coll, &opts);
	vwb_api.destroy(&opts);
	for (size_t off = 0; off + 5 <= len;) {
		uint32_t dl = doc_len(p + off);

		if (dl < 5 || dl > len - off || !vwb_api.init_static(&doc, (const uint8_t *)p + off, dl))
			break;
		mongoc_api.bulk_operation_insert(bulk, &doc);
		off += dl;
	}
	ok = mongoc_api.bulk_operation_execute(bulk, &reply, &error) != 0;
	mongoc_api.bulk_operation_destroy(bulk);
	if (vwb_api.iter_init_find(&it, &reply, "nInserted") && (mongoc_api.iter_type(&it) == BSON_TYPE_INT32 || mongoc_api.iter_type(&it) == BSON_TYPE_INT64))
		inserted = mongoc_api.iter_as_int64(&it);
	count_write_errors(&reply, &dups, &others);
	vwb_api.destroy(&reply);
	m->send_ns += now_ns() - t0;
	if (!ok && inserted + dups + others < (int64_t)n) {
		save_error(m, &error);
		return -EIO;
	}
	m->delivered += ok ? n : (uint64_t)(inserted + dups);
	m->refused += ok ? 0 : (uint64_t)others;
	return 0;
}

/* Moves the batch to the spill file, in order. */
static void spill_batch(struct mongo_sink *m)
{
	const char *j = m->json.p, *d = m->docs.p;
	const char *jend = j + m->json.len, *dend = d + m->docs.len;

	while (m->n && j < jend && d + 5 <= dend) {
		const char *nl = memchr(j, '\n', (size_t)(jend - j));
		uint32_t dl = doc_len(d);
		size_t jl = nl ? (size_t)(nl + 1 - j) : (size_t)(jend - j);

		spill_append(&m->spill, j, jl, (const uint8_t *)d, dl);
		j += jl;
		d += dl;
		m->n--;
	}
	m->json.len = m->docs.len = 0;
	m->n = 0;
}

static void flush_batch(struct mongo_sink *m)
{
	if (!m->n)
		return;
	if (send_docs(m, m->docs.p, m->docs.len, m->n)) {
		go_offline(m, false, false);
		spill_batch(m);	/* kept whole: the unique index absorbs what did arrive */
		return;
	}
	m->json.len = m->docs.len = 0;
	m->n = 0;
}

static void replay_batch(struct mongo_sink *m)
{
	unsigned n;

	if (spill_read(&m->spill, &m->replay, m->cfg->mongo_batch, &n)) {
		m->state = M_SPILL_ONLY;	/* said by spill.c; nothing more can be replayed */
		return;
	}
	if (!n) {
		/* Nothing readable although records are counted: they were lost
		 * when the spill file failed (said then). */
		m->spill.held = 0;
		m->state = M_ONLINE;
		return;
	}
	if (send_docs(m, m->replay.p, m->replay.len, n)) {
		go_offline(m, false, false);
		return;
	}
	spill_delivered(&m->spill, n);
	if (!m->spill.held)
		m->state = M_ONLINE;
}

void mongo_sink_start(struct mongo_sink *m)
{
	bson_error_t error;
	char shown[512];

	if (m->state == M_SPILL_ONLY || mongoc_api_load()) {
		diag_error("logger = mongo: the MongoDB driver cannot be loaded; records go to a spill file in '%s' "
			   "('impulse push FILE' uploads it)", m->cfg->log_dir);
		m->state = M_SPILL_ONLY;
		return;
	}
	m->loaded = true;
	log_sink = m;
	mongoc_api.log_set_handler(log_handler, NULL);
	m->uri = mongoc_api.uri_new_with_error(m->cfg->mongo_uri, &error);
	if (!m->uri) {
		mask(m, error.message, shown, sizeof(shown));
		diag_error("mongo_uri%s: %s is not a URI libmongoc accepts: %s; records go to a spill file in '%s' "
			   "('impulse push FILE' uploads it)", m->uri_from, m->shown_uri, shown, m->cfg->log_dir);
		m->state = M_SPILL_ONLY;
		return;
	}
	if (mongoc_api.uri_get_password(m->uri))
		m->password = strdup(mongoc_api.uri_get_password(m->uri));
	set_uri_timeout(m->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, MONGO_SELECT_MS);
	set_uri_timeout(m->uri, MONGOC_URI_CONNECTTIMEOUTMS, MONGO_CONNECT_MS);
	set_uri_timeout(m->uri, MONGOC_URI_SOCKETTIMEOUTMS, MONGO_SOCKET_MS);
	if (!mongoc_api.uri_get_appname(m->uri))
		mongoc_api.uri_set_appname(m->uri, "libimpulse");
	/* The first mongo_sink_tick() connects; records wait in the batch until then. */
}

struct record_src {
	const struct render_world *rw;
	struct call *c;
	const struct record_end *end;
};

static void put_whole(struct valw *w, const void *arg)
{
	const struct record_src *r = arg;

	record_put(w, r->rw, r->c, r->end);	/* what record_bson() does */
}

void mongo_sink_record(struct mongo_sink *m, const struct render_world *rw, struct call *c,
		       const struct record_end *end, const char *json, size_t len)
{
	struct record_src r = { rw, c, end };
	size_t at = m->docs.len;

	if (!(record_forms & RECORD_BSON) || record_bson_render(&m->docs, put_whole, &r)) {
		if (!m->incomplete++)
			diag_error("mongo: a record could not be built as BSON and is left out of MongoDB");
		m->docs.len = at;
		return;
	}
	jb_put(&m->json, json, len);
	if (!m->n++)
		m->first_ns = now_ns();
	if (m->state != M_ONLINE && m->state != M_NEW)
		spill_batch(m);
	else if (m->n >= m->cfg->mongo_batch)
		flush_batch(m);
}

void mongo_sink_tick(struct mongo_sink *m, bool flush)
{
	uint64_t now = now_ns();

	switch (m->state) {
	case M_NEW:
		try_connect(m);
		break;
	case M_ONLINE:
		if (m->n && (flush || now - m->first_ns >= m->cfg->mongo_flush_ms * 1000000ull))
			flush_batch(m);
		break;
	case M_REPLAY:
		replay_batch(m);
		break;
	case M_OFFLINE:
		if (now >= m->next_probe_ns)
			try_connect(m);
		break;
	case M_SPILL_ONLY:
		break;
	}
	if (m->state != M_ONLINE && m->state != M_REPLAY && (flush || now >= m->next_sync_ns)) {
		spill_sync(&m->spill);
		m->next_sync_ns = now + m->cfg->mongo_flush_ms * 1000000ull;
	}
}

void mongo_sink_close(struct mongo_sink *m)
{
	uint64_t deadline = now_ns() + MONGO_EXIT_NS, held;
	bool probed = false;

	if (!m)
		return;
	/* Until all is in, the time is up, or the server failed once more. */
	while (m->loaded && now_ns() < deadline) {
		if (m->state == M_ONLINE) {
			flush_batch(m);
			if (m->state == M_ONLINE)
				break;
		} else if (m->state == M_REPLAY) {
			replay_batch(m);
		} else if ((m->state == M_NEW || m->state == M_OFFLINE) && !probed) {
			probed = true;
			try_connect(m);
		} else {
			break;
		}
	}
	spill_batch(m);
	held = spill_close(&m->spill);
	if (held)
		diag_error("mongo: %llu record%s went to MongoDB at %s (%s.%s); %llu record%s %s in the spill file "
			   "%s: 'impulse push %s' uploads %s", (unsigned long long)m->delivered,
			   diag_s(m->delivered), m->shown_uri, m->cfg->mongo_database,
			   m->cfg->mongo_collection, (unsigned long long)held, diag_s(held),
			   held == 1 ? "is" : "are", m->spill.path, m->spill.path, held == 1 ? "it" : "them");
	else
		diag_note("mongo: %llu record%s went to MongoDB at %s (%s.%s) in %.6f s of bulk inserts",
			  (unsigned long long)m->delivered, diag_s(m->delivered), m->shown_uri, m->cfg->mongo_database,
			  m->cfg->mongo_collection, (double)m->send_ns / 1e9);
	if (m->refused)
		diag_error("mongo: the server refused %llu record%s (not duplicates); %s not in MongoDB",
			   (unsigned long long)m->refused, diag_s(m->refused),
			   m->refused == 1 ? "it is" : "they are");
	drop_client(m);
	if (m->uri)
		mongoc_api.uri_destroy(m->uri);
	jb_free(&m->json);
	jb_free(&m->docs);
	jb_free(&m->replay);
	free(m->spill.path);
	free(m->password);
	free(m);
}
