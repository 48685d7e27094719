/*
 * sink_mongo.h — the Mongo logger (logger = mongo | both): records as BSON
 * documents, sent in unordered bulk inserts, with a spill file (spill.h) for
 * whatever cannot be delivered at the moment, replayed when the server is back.
 *
 * It is not a struct sink: it takes each record as a call (for its BSON
 * document) and as its JSON text (for the spill file), from logger.c. No libbson
 * or libmongoc header here, so logger.c stays free of them.
 *
 * Logger thread only; mongo_sink_close() from shutdown, after the logger stopped.
 */
#ifndef IMPULSE_SINK_MONGO_H
#define IMPULSE_SINK_MONGO_H

#include <stdbool.h>
#include <stddef.h>

#include "render/record.h"

#pragma GCC visibility push(hidden)

struct mongo_sink;
struct cfg_settings;

/*
 * Sets the sink up from the settings (mongo_*, log_dir), loading libbson (the
 * BSON records must be on before any call's parts are kept). Nothing is loaded
 * for the network and nothing connects yet. NULL when out of memory (said).
 */
struct mongo_sink *mongo_sink_new(const struct cfg_settings *s);

/* On the logger thread, before it drains anything: loads libmongoc, mongoc_init(),
 * installs a quiet log handler; no network (the first mongo_sink_tick() connects).
 * Without libmongoc, or with a URI it refuses, records go to the spill file. */
void mongo_sink_start(struct mongo_sink *m);

/* One finished record: c as BSON, json[0..len) its JSON line (with '\n'). */
void mongo_sink_record(struct mongo_sink *m, const struct render_world *rw, struct call *c,
		       const struct record_end *end, const char *json, size_t len);

/*
 * The sink's own work, once per logger cycle: connecting, sending a batch that
 * waited mongo_flush_ms (all of it when flush), probing for a server that is
 * gone (at most once a second), replaying one batch of the spill file. Each step
 * is bounded by the URI's short timeouts.
 */
void mongo_sink_tick(struct mongo_sink *m, bool flush);

/* At exit: delivers what it can within about 2 s, leaves the rest in the spill file,
 * says what went where, frees m. */
void mongo_sink_close(struct mongo_sink *m);

#pragma GCC visibility pop

#endif
