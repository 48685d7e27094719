/*
 * mongo_bulk — a plain libmongoc client that inserts documents in unordered bulk
 * batches, as the Mongo logger will, and says what happened. The tests use it to show
 * that the test server (tests/lib/mongo_server.py) works with libmongoc; the benchmark
 * (bench/mongo/) uses it to measure the server's own insert rate.
 *
 *   mongo_bulk URI DB COLL N BATCH [options]
 *
 *   --start K       first sequence number (default 0)
 *   --mod M         sequence numbers modulo M: later documents repeat earlier call_ids
 *   --tag STR       call_id prefix (default "bulk"): payload.call_id is "STR-<seq>"
 *   --index         first create the logger's indexes: payload.call_id (unique),
 *                   payload.trace_module.session_id, payload.trace_module.thread_id,
 *                   payload.timestamps.start
 *   --record FILE   each document is the record in FILE (canonical extended JSON) with
 *                   its payload.call_id replaced; otherwise the fixed test shape below
 *   --threads T     T threads on a mongoc_client_pool_t, thread t inserting sequence
 *                   numbers start + t*N/T … (N a multiple of T)
 *   --stdin         read commands from stdin: "insert COUNT" inserts the next COUNT
 *                   documents and prints a result line; "quit" or end of input ends
 *   --single        one single-threaded mongoc_client_t instead of a pool (one thread)
 *
 * Output (stdout; libmongoc's own warnings go to stderr): "doc_bytes=B" (the first
 * document's BSON size), "ready" with --stdin, a line per failed batch
 *   batch K: error domain=D code=C: MESSAGE
 * and a result line per run (per command with --stdin):
 *   inserted=I write_errors=W dup_errors=X failed_batches=F docs=N seconds=S docs_per_s=R
 * Exit status 0 when every document was inserted, 1 otherwise, 2 on bad usage or setup.
 *
 * The test shape of document seq (in payload; _id is added by the driver):
 *   call_id "TAG-<seq>", seq int64, thread int32, score double seq + 0.25,
 *   name "doc <seq> ✓" (UTF-8), when date (BULK_BASE_MS + seq ms),
 *   nested {depth int32 2, inner {text "deep", big int64 2^40 + seq}},
 *   list [int32 seq % 1000, "two", double 3.5, {k int64 seq * 1000}, bool true],
 *   flag bool (seq even), none null
 * tests/mongo/test_mongo_server.py checks these field by field: keep the two in step.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mongoc/mongoc.h>

#define BULK_BASE_MS INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define BULK_MAX_THREADS 64

struct opts {
	const char *uri;
	const char *db;
	const char *coll;
	int64_t n;		/* documents per run (or the default per command) */
	int64_t batch;		/* documents per bulk operation */
	int64_t start;
	int64_t mod;		/* 0: no wrap */
	const char *tag;
	bool index;
	const char *record;	/* path, or NULL */
	int threads;
	bool from_stdin;
	bool single;
};

/* What one run (or one thread of it) did; summed over threads. */
struct result {
	int64_t inserted;
	int64_t write_errors;
	int64_t dup_errors;	/* write errors with code 11000 */
	int64_t failed_batches;
	int64_t docs;		/* documents offered */
};

struct worker {
	const struct opts *o;
	mongoc_client_pool_t *pool;
	const bson_t *templ;
	int64_t first;		/* first sequence number (before --mod) */
	int64_t count;
	int thread;
	struct result res;
};

/* Batch failures are printed from several threads: one line at a time. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * libmongoc's default log handler writes its INFO, DEBUG and TRACE messages to stdout;
 * Debian's 1.23 logs the pool monitor's every failed check at DEBUG (twice a second
 * while the server is down). Everything goes to stderr here, WARNING and worse only.
 */
static void log_to_stderr(mongoc_log_level_t level, const char *domain, const char *message,
			  void *data)
{
	(void)data;
	if (level > MONGOC_LOG_LEVEL_WARNING)
		return;
	fprintf(stderr, "mongo_bulk: libmongoc %s %s: %s\n", mongoc_log_level_str(level), domain,
		message);
}

static void usage(void)
{
	fprintf(stderr, "usage: mongo_bulk URI DB COLL N BATCH [--start K] [--mod M] [--tag STR] "
		"[--index] [--record FILE] [--threads T] [--stdin] [--single]\n");
	exit(2);
}

static int64_t parse_count(const char *s, const char *what, int64_t min)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < min) {
		fprintf(stderr, "mongo_bulk: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	if (argc < 6)
		usage();
	memset(o, 0, sizeof(*o));
	o->uri = argv[1];
	o->db = argv[2];
	o->coll = argv[3];
	o->n = parse_count(argv[4], "N", 0);
	o->batch = parse_count(argv[5], "BATCH", 1);
	o->tag = "bulk";
	o->threads = 1;
	for (i = 6; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (!strcmp(a, "--index")) {
			o->index = true;
		} else if (!strcmp(a, "--stdin")) {
			o->from_stdin = true;
		} else if (!strcmp(a, "--single")) {
			o->single = true;
		} else if (!strcmp(a, "--start") && has_value) {
			o->start = parse_count(argv[++i], "--start", 0);
		} else if (!strcmp(a, "--mod") && has_value) {
			o->mod = parse_count(argv[++i], "--mod", 1);
		} else if (!strcmp(a, "--tag") && has_value) {
			o->tag = argv[++i];
		} else if (!strcmp(a, "--record") && has_value) {
			o->record = argv[++i];
		} else if (!strcmp(a, "--threads") && has_value) {
			o->threads = (int)parse_count(argv[++i], "--threads", 1);
		} else {
			usage();
		}
	}
	if (o->threads > BULK_MAX_THREADS || o->n % o->threads) {
		fprintf(stderr, "mongo_bulk: --threads must divide N and be at most %d\n",
			BULK_MAX_THREADS);
		exit(2);
	}
	if ((o->from_stdin || o->single) && o->threads != 1) {
		fprintf(stderr, "mongo_bulk: --stdin and --single run on one thread\n");
		exit(2);
	}
}

/* ------------------------------------------------------------------ documents */

static void build_test_doc(bson_t *doc, const char *call_id, int64_t seq, int thread)
{
	bson_t payload, nested, inner, list, item;
	char name[64];

	snprintf(name, sizeof(name), "doc %" PRId64 " \xe2\x9c\x93", seq);
	BSON_APPEND_DOCUMENT_BEGIN(doc, "payload", &payload);
	BSON_APPEND_UTF8(&payload, "call_id", call_id);
	BSON_APPEND_INT64(&payload, "seq", seq);
	BSON_APPEND_INT32(&payload, "thread", thread);
	BSON_APPEND_DOUBLE(&payload, "score", (double)seq + 0.25);
	BSON_APPEND_UTF8(&payload, "name", name);
	BSON_APPEND_DATE_TIME(&payload, "when", BULK_BASE_MS + seq);
	BSON_APPEND_DOCUMENT_BEGIN(&payload, "nested", &nested);
	BSON_APPEND_INT32(&nested, "depth", 2);
	BSON_APPEND_DOCUMENT_BEGIN(&nested, "inner", &inner);
	BSON_APPEND_UTF8(&inner, "text", "deep");
	BSON_APPEND_INT64(&inner, "big", (INT64_C(1) << 40) + seq);
	bson_append_document_end(&nested, &inner);
	bson_append_document_end(&payload, &nested);
	BSON_APPEND_ARRAY_BEGIN(&payload, "list", &list);
	BSON_APPEND_INT32(&list, "0", (int32_t)(seq % 1000));
	BSON_APPEND_UTF8(&list, "1", "two");
	BSON_APPEND_DOUBLE(&list, "2", 3.5);
	BSON_APPEND_DOCUMENT_BEGIN(&list, "3", &item);
	BSON_APPEND_INT64(&item, "k", seq * 1000);
	bson_append_document_end(&list, &item);
	BSON_APPEND_BOOL(&list, "4", true);
	bson_append_array_end(&payload, &list);
	BSON_APPEND_BOOL(&payload, "flag", seq % 2 == 0);
	BSON_APPEND_NULL(&payload, "none");
	bson_append_document_end(doc, &payload);
}

/* Copies src into dst with the field at the dotted path replaced by the string value
 * (the path must lead through documents to an existing field). */
static void copy_replacing(bson_t *dst, const bson_t *src, const char *path, const char *value)
{
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	bson_iter_t it;

	bson_iter_init(&it, src);
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);
		bool match = strlen(key) == len && !memcmp(key, path, len);

		if (match && !dot) {
			bson_append_utf8(dst, key, -1, value, -1);
		} else if (match && BSON_ITER_HOLDS_DOCUMENT(&it)) {
			const uint8_t *data;
			uint32_t size;
			bson_t sub_src, sub_dst;

			bson_iter_document(&it, &size, &data);
			bson_init_static(&sub_src, data, size);
			bson_append_document_begin(dst, key, -1, &sub_dst);
			copy_replacing(&sub_dst, &sub_src, dot + 1, value);
			bson_append_document_end(dst, &sub_dst);
		} else {
			bson_append_iter(dst, key, -1, &it);
		}
	}
}

static void build_doc(const struct opts *o, const bson_t *templ, bson_t *doc, int64_t seq,
		      int thread)
{
	char call_id[256];

	snprintf(call_id, sizeof(call_id), "%s-%" PRId64, o->tag, seq);
	if (templ)
		copy_replacing(doc, templ, "payload.call_id", call_id);
	else
		build_test_doc(doc, call_id, seq, thread);
}

static bson_t *load_record(const char *path)
{
	bson_error_t error;
	bson_json_reader_t *reader;
	bson_t *doc = bson_new();
	int rc;

	reader = bson_json_reader_new_from_file(path, &error);
	if (!reader) {
		fprintf(stderr, "mongo_bulk: %s: %s\n", path, error.message);
		exit(2);
	}
	rc = bson_json_reader_read(reader, doc, &error);
	bson_json_reader_destroy(reader);
	if (rc != 1) {
		fprintf(stderr, "mongo_bulk: %s: %s\n", path,
			rc < 0 ? error.message : "no document");
		exit(2);
	}
	if (!bson_has_field(doc, "payload.call_id")) {
		fprintf(stderr, "mongo_bulk: %s: no payload.call_id\n", path);
		exit(2);
	}
	return doc;
}

/* ------------------------------------------------------------------ inserting */

static void note_reply(const bson_t *reply, struct result *res)
{
	bson_iter_t it, errs;

	if (bson_iter_init_find(&it, reply, "nInserted"))
		res->inserted += bson_iter_as_int64(&it);
	if (!bson_iter_init_find(&it, reply, "writeErrors") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &errs))
		return;
	while (bson_iter_next(&errs)) {
		bson_iter_t code;

		res->write_errors++;
		if (BSON_ITER_HOLDS_DOCUMENT(&errs) && bson_iter_recurse(&errs, &code) &&
		    bson_iter_find(&code, "code") && bson_iter_as_int64(&code) == 11000)
			res->dup_errors++;
	}
}

/* Inserts count documents from sequence number first in batches; adds to res. */
static void insert_range(const struct opts *o, mongoc_client_t *client, const bson_t *templ,
			 int64_t first, int64_t count, int thread, struct result *res)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, o->db, o->coll);
	bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
	int64_t done = 0, batch_no = 0;

	while (done < count) {
		int64_t k, this_batch = count - done < o->batch ? count - done : o->batch;
		mongoc_bulk_operation_t *bulk;
		bson_error_t error;
		bson_t reply;

		bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bulk_opts);
		for (k = 0; k < this_batch; k++) {
			int64_t seq = first + done + k;
			bson_t doc = BSON_INITIALIZER;

			if (o->mod)
				seq %= o->mod;
			build_doc(o, templ, &doc, seq, thread);
			mongoc_bulk_operation_insert(bulk, &doc);
			bson_destroy(&doc);
		}
		if (!mongoc_bulk_operation_execute(bulk, &reply, &error)) {
			res->failed_batches++;
			pthread_mutex_lock(&out_lock);
			printf("batch %" PRId64 ": error domain=%" PRIu32 " code=%" PRIu32 ": %s\n",
			       batch_no, error.domain, error.code, error.message);
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
		}
		note_reply(&reply, res);
		bson_destroy(&reply);
		mongoc_bulk_operation_destroy(bulk);
		res->docs += this_batch;
		done += this_batch;
		batch_no++;
	}
	bson_destroy(bulk_opts);
	mongoc_collection_destroy(coll);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	mongoc_client_t *client = mongoc_client_pool_pop(w->pool);

	insert_range(w->o, client, w->templ, w->first, w->count, w->thread, &w->res);
	mongoc_client_pool_push(w->pool, client);
	return NULL;
}

static void print_result(const struct result *r, double seconds)
{
	printf("inserted=%" PRId64 " write_errors=%" PRId64 " dup_errors=%" PRId64
	       " failed_batches=%" PRId64 " docs=%" PRId64 " seconds=%.3f docs_per_s=%.0f\n",
	       r->inserted, r->write_errors, r->dup_errors, r->failed_batches, r->docs, seconds,
	       seconds > 0 ? r->inserted / seconds : 0.0);
	fflush(stdout);
}

/* The logger's indexes, with createIndexes (libmongoc 1.23 has no helper for it). */
static int create_indexes(const struct opts *o, mongoc_client_t *client)
{
	mongoc_database_t *db = mongoc_client_get_database(client, o->db);
	bson_error_t error;
	bson_t *cmd;
	bool ok;

	cmd = BCON_NEW("createIndexes", BCON_UTF8(o->coll), "indexes", "[",
		       "{", "key", "{", "payload.call_id", BCON_INT32(1), "}",
		       "name", BCON_UTF8("call_id_unique"), "unique", BCON_BOOL(true), "}",
		       "{", "key", "{", "payload.trace_module.session_id", BCON_INT32(1), "}",
		       "name", BCON_UTF8("session_id"), "}",
		       "{", "key", "{", "payload.trace_module.thread_id", BCON_INT32(1), "}",
		       "name", BCON_UTF8("thread_id"), "}",
		       "{", "key", "{", "payload.timestamps.start", BCON_INT32(1), "}",
		       "name", BCON_UTF8("start"), "}",
		       "]");
	ok = mongoc_database_write_command_with_opts(db, cmd, NULL, NULL, &error);
	if (!ok)
		printf("createIndexes: error domain=%" PRIu32 " code=%" PRIu32 ": %s\n",
		       error.domain, error.code, error.message);
	bson_destroy(cmd);
	mongoc_database_destroy(db);
	return ok ? 0 : -1;
}

static void ping(mongoc_client_t *client)
{
	bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
	bson_error_t error;

	if (!mongoc_client_command_simple(client, "admin", cmd, NULL, NULL, &error))
		printf("ping: error domain=%" PRIu32 " code=%" PRIu32 ": %s\n",
		       error.domain, error.code, error.message);
	bson_destroy(cmd);
}

/* --stdin: "insert COUNT" lines, each continuing the sequence. */
static int run_commands(const struct opts *o, mongoc_client_t *client, const bson_t *templ)
{
	int64_t next = o->start;
	char line[256];
	int status = 0;

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		long long count;
		struct result res = {0};
		double t0;

		if (!strncmp(line, "quit", 4))
			break;
		if (sscanf(line, "insert %lld", &count) != 1 || count < 0) {
			printf("unknown command: %s", line);
			fflush(stdout);
			continue;
		}
		t0 = now_s();
		insert_range(o, client, templ, next, count, 0, &res);
		print_result(&res, now_s() - t0);
		if (res.inserted != res.docs)
			status = 1;
		next += count;
	}
	return status;
}

/* Threads on the pool, each with its share of the sequence numbers; sums into total. */
static void run_threads(const struct opts *o, mongoc_client_pool_t *pool, const bson_t *templ,
			struct result *total)
{
	struct worker workers[BULK_MAX_THREADS];
	pthread_t tids[BULK_MAX_THREADS];
	int t;

	for (t = 0; t < o->threads; t++) {
		struct worker *w = &workers[t];

		memset(w, 0, sizeof(*w));
		w->o = o;
		w->pool = pool;
		w->templ = templ;
		w->count = o->n / o->threads;
		w->first = o->start + t * w->count;
		w->thread = t;
		if (pthread_create(&tids[t], NULL, worker_main, w)) {
			fprintf(stderr, "mongo_bulk: pthread_create failed\n");
			exit(2);
		}
	}
	for (t = 0; t < o->threads; t++) {
		pthread_join(tids[t], NULL);
		total->inserted += workers[t].res.inserted;
		total->write_errors += workers[t].res.write_errors;
		total->dup_errors += workers[t].res.dup_errors;
		total->failed_batches += workers[t].res.failed_batches;
		total->docs += workers[t].res.docs;
	}
}

static void print_doc_size(const struct opts *o, const bson_t *templ)
{
	bson_t first = BSON_INITIALIZER;

	build_doc(o, templ, &first, o->start, 0);
	printf("doc_bytes=%" PRIu32 "\n", first.len);
	bson_destroy(&first);
}

int main(int argc, char **argv)
{
	struct result total = {0};
	mongoc_client_pool_t *pool = NULL;
	mongoc_client_t *single = NULL;
	mongoc_client_t *client;
	bson_error_t error;
	bson_t *templ = NULL;
	mongoc_uri_t *uri;
	struct opts o;
	int status = 2;
	double t0;

	parse_args(argc, argv, &o);
	mongoc_log_set_handler(log_to_stderr, NULL);
	mongoc_init();
	if (o.record)
		templ = load_record(o.record);

	uri = mongoc_uri_new_with_error(o.uri, &error);
	if (!uri) {
		fprintf(stderr, "mongo_bulk: bad URI: %s\n", error.message);
		goto out_cleanup;
	}
	/* Error API 2 (server errors in MONGOC_ERROR_SERVER), as the logger will use. */
	if (o.single) {
		single = mongoc_client_new_from_uri(uri);
		mongoc_client_set_error_api(single, MONGOC_ERROR_API_VERSION_2);
		mongoc_client_set_appname(single, "mongo_bulk");
	} else {
		pool = mongoc_client_pool_new(uri);
		mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
		mongoc_client_pool_set_appname(pool, "mongo_bulk");
	}
	print_doc_size(&o, templ);

	/* Connected and indexed before the clock starts. */
	client = single ? single : mongoc_client_pool_pop(pool);
	ping(client);
	if (o.index && create_indexes(&o, client) < 0)
		goto out_client;
	if (o.from_stdin) {
		status = run_commands(&o, client, templ);
		goto out_client;
	}
	t0 = now_s();
	if (single) {
		insert_range(&o, single, templ, o.start, o.n, 0, &total);
	} else {
		mongoc_client_pool_push(pool, client);
		client = NULL;
		run_threads(&o, pool, templ, &total);
	}
	print_result(&total, now_s() - t0);
	status = total.inserted == total.docs ? 0 : 1;

out_client:
	if (single)
		mongoc_client_destroy(single);
	else if (client)
		mongoc_client_pool_push(pool, client);
	if (pool)
		mongoc_client_pool_destroy(pool);
	mongoc_uri_destroy(uri);
out_cleanup:
	if (templ)
		bson_destroy(templ);
	mongoc_cleanup();
	return status;
}
