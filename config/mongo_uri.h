/*
 * mongo_uri.h — MongoDB connection strings as text: the light syntax check the
 * mongo_uri setting gets at parse time, and the copy with the secrets masked that
 * every message and record shows instead of the URI itself.
 *
 * No libmongoc here: config/ is linked into libimpulse.so, which must not load the
 * driver unless the Mongo logger is used. Parsing a URI fully (options, hosts,
 * percent-decoding) is libmongoc's job when a connection is made.
 */
#ifndef IMPULSE_MONGO_URI_H
#define IMPULSE_MONGO_URI_H

#include <stddef.h>

/* The default of mongo_uri: a mongod on this machine, on its standard port. */
#define MONGO_URI_DEFAULT "mongodb://localhost:27017"

/*
 * Checks that uri[0..len) looks like a MongoDB connection string: the scheme
 * mongodb:// or mongodb+srv://, at least one host, no blank or control byte, no
 * unescaped '@' or '/' in the user information (libmongoc would take what follows
 * for a host and name it in messages), and for mongodb+srv:// exactly one host name
 * without a port. Returns NULL when it does,
 * else a static sentence saying what is wrong (never quoting the URI, so never its
 * password) with *offset the byte of uri it is about.
 */
const char *mongo_uri_check(const char *uri, size_t len, size_t *offset);

/*
 * Writes uri with its secrets masked to out, as snprintf() would: at most size - 1
 * bytes and a NUL (when size > 0), and returns the length of the whole result. The
 * user name stays (it says whose credentials were used); the password becomes "***"
 * ("mongodb://app:***@db1,db2/?authSource=admin"), as do the values of options
 * whose name contains "password" (tlsCertificateKeyFilePassword) and the
 * AWS_SESSION_TOKEN in authMechanismProperties. Text that is not a valid URI is
 * masked the same way as far as it can be read: when in doubt, more is hidden.
 * Never fails and never allocates: usable from diagnostics in the preloaded library.
 */
size_t mongo_uri_redact(const char *uri, char *out, size_t size);

/* mongo_uri_redact() into a new string owned by the caller, or NULL when out of memory. */
char *mongo_uri_redact_dup(const char *uri);

/*
 * text with every occurrence of password replaced by "***", into out (at most
 * size - 1 bytes and a NUL; size > 0): for the driver's messages, which may quote
 * the URI or the credentials. A NULL or empty password copies text as it is.
 */
void mongo_text_mask_password(const char *password, const char *text, char *out, size_t size);

#endif
