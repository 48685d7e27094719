/*
 * mongoc_api.c — libmongoc opened with dlopen at first use; see mongoc_api.h.
 *
 * Logger thread only: mongoc_init() runs there, once, so that the traced
 * program's threads never execute driver code.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/diag.h"
#include "logger/mongoc_api.h"

#define LIBMONGOC "libmongoc-1.0.so.0"
#define LIBBSON "libbson-1.0.so.0"

struct mongoc_api mongoc_api;

static const struct {
	bool in_bson;		/* libbson's, else libmongoc's */
	const char *name;
	size_t offset;
} functions[] = {
#define FN(lib, field, sym) { lib, #sym, offsetof(struct mongoc_api, field) }
	FN(false, init, mongoc_init),
	FN(false, log_set_handler, mongoc_log_set_handler),
	FN(false, uri_new_with_error, mongoc_uri_new_with_error),
	FN(false, uri_get_password, mongoc_uri_get_password),
	FN(false, uri_has_option, mongoc_uri_has_option),
	FN(false, uri_set_option_as_int32, mongoc_uri_set_option_as_int32),
	FN(false, uri_get_appname, mongoc_uri_get_appname),
	FN(false, uri_set_appname, mongoc_uri_set_appname),
	FN(false, uri_destroy, mongoc_uri_destroy),
	FN(false, client_new_from_uri_with_error, mongoc_client_new_from_uri_with_error),
	FN(false, client_set_error_api, mongoc_client_set_error_api),
	FN(false, client_command_simple, mongoc_client_command_simple),
	FN(false, client_get_collection, mongoc_client_get_collection),
	FN(false, client_get_database, mongoc_client_get_database),
	FN(false, client_destroy, mongoc_client_destroy),
	FN(false, database_write_command_with_opts, mongoc_database_write_command_with_opts),
	FN(false, database_destroy, mongoc_database_destroy),
	FN(false, collection_create_bulk_operation_with_opts,
	   mongoc_collection_create_bulk_operation_with_opts),
	FN(false, collection_destroy, mongoc_collection_destroy),
	FN(false, bulk_operation_insert, mongoc_bulk_operation_insert),
	FN(false, bulk_operation_execute, mongoc_bulk_operation_execute),
	FN(false, bulk_operation_destroy, mongoc_bulk_operation_destroy),
	FN(true, append_int32, bson_append_int32),
	FN(true, iter_recurse, bson_iter_recurse),
	FN(true, iter_next, bson_iter_next),
	FN(true, iter_type, bson_iter_type),
	FN(true, iter_find, bson_iter_find),
	FN(true, iter_as_int64, bson_iter_as_int64),
	FN(true, free, bson_free),
	FN(true, strdup, bson_strdup),
#undef FN
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result;

/*
 * mongoc_init() publishes its diagnostic counters as /dev/shm/mongoc-<pid>, and only
 * mongoc_cleanup() removes that name, which libimpulse cannot call (the program may
 * use libmongoc itself). Left behind, the name makes a later process with the same
 * pid warn "Falling back to malloc for counters" on stderr. Unlinking the name now
 * keeps the counters working (the mapping stays) and leaves nothing behind; only
 * external mongoc-stat readers lose sight of them.
 */
static void forget_counters_name(void)
{
	char name[32];

	snprintf(name, sizeof(name), "/mongoc-%d", (int)getpid());
	shm_unlink(name);
}

static void load(void)
{
	struct mongoc_api api;
	void *mongoc = dlopen(LIBMONGOC, RTLD_NOW | RTLD_LOCAL);
	void *bson = mongoc ? dlopen(LIBBSON, RTLD_NOW | RTLD_LOCAL) : NULL;

	if (!mongoc || !bson) {
		diag_error("cannot load %s (Debian package libmongoc-1.0-0): %s", mongoc ? LIBBSON : LIBMONGOC,
			   dlerror());
		load_result = -ENOENT;
		return;
	}
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		void *f = dlsym(functions[i].in_bson ? bson : mongoc, functions[i].name);

		if (!f) {
			diag_error("%s has no %s: a libmongoc older than 1.17?", functions[i].in_bson ? LIBBSON : LIBMONGOC,
				   functions[i].name);
			load_result = -ENOENT;
			return;
		}
		memcpy((char *)&api + functions[i].offset, &f, sizeof(f));
	}
	mongoc_api = api;	/* the handles stay open for the process's life */
	mongoc_api.init();
	forget_counters_name();
}

int mongoc_api_load(void)
{
	pthread_once(&load_once, load);
	return load_result;
}
