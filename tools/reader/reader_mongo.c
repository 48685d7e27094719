/*
 * reader_mongo.c — a MongoDB collection as a source of lines: the documents of a
 * find() (optionally one session's), each rendered as relaxed extended JSON by
 * libbson and handed to the same scanner as a file's lines.
 *
 * So a document reads exactly as the line it was pushed from, but for what BSON
 * changed: payload.timestamps.start/end are dates ({"$date": …}; the view takes
 * start_ns/end_ns, int64 there), integers past int64 are {"$numberDecimal": …}, and
 * _id is an extra key the scanner skips. It must never show the URI's password: the
 * source's name is the redacted URI, and libmongoc's messages are masked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include "base/tool.h"
#include "mongo_uri.h"
#include "reader/reader_source.h"

/* As impulse push: without it in the URI, libmongoc waits 30 s for a missing server. */
#define MONGO_SELECTION_TIMEOUT_MS 2000

struct mongo_source {
	struct reader_source base;
	mongoc_client_t *client;
	mongoc_collection_t *collection;
	mongoc_cursor_t *cursor;
	char *json;		/* the current document as JSON (bson_free) */
	char *password;		/* to mask in messages, or NULL (bson_free) */
	long n;			/* documents read */
};

static int mongo_next_line(struct reader_source *src, const char **line, size_t *len,
			   long *lineno, struct reader_error *err)
{
	struct mongo_source *m = (struct mongo_source *)src;
	const bson_t *doc;
	bson_error_t error;
	size_t n;

	bson_free(m->json);
	m->json = NULL;
	if (!mongoc_cursor_next(m->cursor, &doc)) {
		if (!mongoc_cursor_error(m->cursor, &error))
			return 0;
		mongo_text_mask_password(m->password, error.message, err->text, sizeof(err->text));
		return -EIO;
	}
	m->json = bson_as_relaxed_extended_json(doc, &n);
	if (!m->json) {
		snprintf(err->text, sizeof(err->text), "document %ld cannot be rendered as JSON",
			 m->n + 1);
		return -EIO;
	}
	*line = m->json;
	*len = n;
	*lineno = ++m->n;
	return 1;
}

static void mongo_close(struct reader_source *src)
{
	struct mongo_source *m = (struct mongo_source *)src;

	bson_free(m->json);
	if (m->cursor)
		mongoc_cursor_destroy(m->cursor);
	if (m->collection)
		mongoc_collection_destroy(m->collection);
	if (m->client)
		mongoc_client_destroy(m->client);
	bson_free(m->password);
	free(m);
}

static const struct reader_source_ops mongo_ops = {
	.next_line = mongo_next_line,
	.close = mongo_close,
};

int reader_mongo_check(struct reader_mongo_spec *spec)
{
	mongoc_uri_t *uri;
	bson_error_t error;
	char *shown;

	tool_mongoc_init();	/* once per process (libmongoc guards it); never cleaned up here */
	uri = mongoc_uri_new_with_error(spec->uri, &error);
	if (!uri)
		return -EINVAL;
	mongoc_uri_destroy(uri);
	shown = mongo_uri_redact_dup(spec->uri);
	if (!shown || asprintf(&spec->name, "%s %s.%s", shown, spec->database,
			       spec->collection) < 0) {
		spec->name = NULL;
		free(shown);
		return -ENOMEM;
	}
	free(shown);
	return 0;
}

int reader_mongo_open(const struct reader_mongo_spec *spec, struct reader_source **out,
		      struct reader_error *err)
{
	struct mongo_source *m = calloc(1, sizeof(*m));
	bson_t filter = BSON_INITIALIZER;
	bson_error_t error;
	mongoc_uri_t *uri;

	if (!m)
		return -ENOMEM;
	m->base.ops = &mongo_ops;
	m->base.name = spec->name;
	uri = mongoc_uri_new_with_error(spec->uri, &error);
	if (!uri) {
		snprintf(err->text, sizeof(err->text), "invalid URI");
		mongo_close(&m->base);
		return -EINVAL;
	}
	if (mongoc_uri_get_password(uri))
		m->password = bson_strdup(mongoc_uri_get_password(uri));
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
					       MONGO_SELECTION_TIMEOUT_MS);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS,
					       MONGO_SELECTION_TIMEOUT_MS);
	if (!mongoc_uri_get_appname(uri))
		mongoc_uri_set_appname(uri, "impulse");
	m->client = mongoc_client_new_from_uri_with_error(uri, &error);
	mongoc_uri_destroy(uri);
	if (!m->client) {
		mongo_text_mask_password(m->password, error.message, err->text, sizeof(err->text));
		mongo_close(&m->base);
		return -EINVAL;
	}
	mongoc_client_set_error_api(m->client, MONGOC_ERROR_API_VERSION_2);
	m->collection = mongoc_client_get_collection(m->client, spec->database, spec->collection);
	if (spec->session)
		BSON_APPEND_UTF8(&filter, "payload.trace_module.session_id", spec->session);
	/* Errors (no server, refused credentials) come with the first mongoc_cursor_next(). */
	m->cursor = mongoc_collection_find_with_opts(m->collection, &filter, NULL, NULL);
	bson_destroy(&filter);
	if (!m->cursor) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		mongo_close(&m->base);
		return -ENOMEM;
	}
	*out = &m->base;
	return 0;
}
