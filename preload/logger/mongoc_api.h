/*
 * mongoc_api.h — the libmongoc (and extra libbson) functions the Mongo logger
 * uses, loaded with dlopen by mongoc_api_load() (mongoc_api.c).
 *
 * libimpulse.so does not link libmongoc: a user of the file logger must not pay
 * for loading it (and its OpenSSL, SASL, …) at start-up. Only the headers are used
 * at build time (Debian libmongoc-dev); every libmongoc call goes through
 * mongoc_api, and the link (--no-undefined) checks that none is direct.
 *
 * Logger thread only.
 */
#ifndef IMPULSE_MONGOC_API_H
#define IMPULSE_MONGOC_API_H

#include <mongoc/mongoc.h>

#pragma GCC visibility push(hidden)

struct mongoc_api {
	__typeof__(mongoc_init) *init;
	__typeof__(mongoc_log_set_handler) *log_set_handler;
	__typeof__(mongoc_uri_new_with_error) *uri_new_with_error;
	__typeof__(mongoc_uri_get_password) *uri_get_password;
	__typeof__(mongoc_uri_has_option) *uri_has_option;
	__typeof__(mongoc_uri_set_option_as_int32) *uri_set_option_as_int32;
	__typeof__(mongoc_uri_get_appname) *uri_get_appname;
	__typeof__(mongoc_uri_set_appname) *uri_set_appname;
	__typeof__(mongoc_uri_destroy) *uri_destroy;
	__typeof__(mongoc_client_new_from_uri_with_error) *client_new_from_uri_with_error;
	__typeof__(mongoc_client_set_error_api) *client_set_error_api;
	__typeof__(mongoc_client_command_simple) *client_command_simple;
	__typeof__(mongoc_client_get_collection) *client_get_collection;
	__typeof__(mongoc_client_get_database) *client_get_database;
	__typeof__(mongoc_client_destroy) *client_destroy;
	__typeof__(mongoc_database_write_command_with_opts) *database_write_command_with_opts;
	__typeof__(mongoc_database_destroy) *database_destroy;
	__typeof__(mongoc_collection_create_bulk_operation_with_opts) *collection_create_bulk_operation_with_opts;
	__typeof__(mongoc_collection_destroy) *collection_destroy;
	__typeof__(mongoc_bulk_operation_insert) *bulk_operation_insert;
	__typeof__(mongoc_bulk_operation_execute) *bulk_operation_execute;
	__typeof__(mongoc_bulk_operation_destroy) *bulk_operation_destroy;
	/* libbson, beyond what valw_bson.h's vwb_api has */
	__typeof__(bson_append_int32) *append_int32;
	__typeof__(bson_iter_recurse) *iter_recurse;
	__typeof__(bson_iter_next) *iter_next;
	__typeof__(bson_iter_type) *iter_type;
	__typeof__(bson_iter_find) *iter_find;
	__typeof__(bson_iter_as_int64) *iter_as_int64;
	__typeof__(bson_free) *free;
	__typeof__(bson_strdup) *strdup;
};

/* Filled by mongoc_api_load(); read-only after. */
extern struct mongoc_api mongoc_api;

/*
 * Loads libmongoc and libbson (once; later calls return the first answer) and
 * runs mongoc_init(). 0, or -ENOENT when a library cannot be opened or lacks a
 * function (the message, printed once, names the library and the Debian package).
 */
int mongoc_api_load(void);

#pragma GCC visibility pop

#endif
