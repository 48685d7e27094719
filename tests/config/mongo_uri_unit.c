/*
 * mongo_uri_unit.c — unit tests of config/mongo_uri.c (masking a MongoDB URI's
 * secrets, checking its shape) and of the mongo_* settings through cfg_set() and
 * the parser: defaults, ownership across a failed parse, cfg_free().
 *
 * Prints one line per failed check and exits 1 if any failed; run it under valgrind
 * to check ownership (test_config_unit.py does when IMPULSE_VALGRIND=1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mongo_uri.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

/* uri, what it must become, a secret that must not survive (or NULL) */
static const struct {
	const char *uri, *want, *secret;
} cases[] = {
	/* no credentials, user only: unchanged */
	{ "mongodb://localhost:27017", "mongodb://localhost:27017", NULL },
	{ "mongodb://localhost", "mongodb://localhost", NULL },
	{ "mongodb://reader@db.example.net/impulse", "mongodb://reader@db.example.net/impulse", NULL },
	{ "mongodb://CN=client,OU=x@db/?authMechanism=MONGODB-X509",
	  "mongodb://CN=client,OU=x@db/?authMechanism=MONGODB-X509", NULL },
	/* user and password */
	{ "mongodb://app:hunter2@db.example.net", "mongodb://app:***@db.example.net", "hunter2" },
	{ "mongodb://app:hunter2@db:27017/impulse?authSource=admin",
	  "mongodb://app:***@db:27017/impulse?authSource=admin", "hunter2" },
	{ "mongodb://app:@db", "mongodb://app:***@db", NULL },
	/* percent-encoded @ and : in the user name and the password */
	{ "mongodb://us%40er:p%40ss%3Aw0rd@db/", "mongodb://us%40er:***@db/", "p%40ss" },
	/* the same characters typed unescaped (libmongoc refuses them; messages still mask) */
	{ "mongodb://app:p@ss@db/", "mongodb://app:***@db/", "p@ss" },
	{ "mongodb://app:pa:ss@db/", "mongodb://app:***@db/", "pa:ss" },
	{ "mongodb://app:pa/ss@db/impulse", "mongodb://app:***@db/impulse", "pa/ss" },
	{ "mongodb://app:pa?ss@db/impulse", "mongodb://app:***@db/impulse", "pa?ss" },
	{ "mongodb://app:pa?ss@db", "mongodb://app:***@db", "pa?ss" },
	{ "mongodb://app:p/a?ss@db/?w=1", "mongodb://app:***@db/?w=1", "p/a?ss" },
	{ "mongodb://app:s3cr3t/x?y@db:27017,db2/?w=1&appname=a@b",
	  "mongodb://app:***@db:27017,db2/?w=1&appname=a@b", "s3cr3t" },
	/* several hosts, IPv6, a Unix socket */
	{ "mongodb://app:pw0rd@h1:27017,h2:27018,[::1]:27019/?replicaSet=rs0",
	  "mongodb://app:***@h1:27017,h2:27018,[::1]:27019/?replicaSet=rs0", "pw0rd" },
	{ "mongodb://app:pw0rd@%2Ftmp%2Fmongodb-27017.sock/impulse",
	  "mongodb://app:***@%2Ftmp%2Fmongodb-27017.sock/impulse", "pw0rd" },
	/* an @ in an option value is not the end of credentials */
	{ "mongodb://db/?appname=me@laptop", "mongodb://db/?appname=me@laptop", NULL },
	{ "mongodb://db:27017/?appname=me@laptop", "mongodb://db:27017/?appname=me@laptop", NULL },
	{ "mongodb://db1:1,db2:2/impulse?appname=me:x@laptop",
	  "mongodb://db1:1,db2:2/impulse?appname=me:x@laptop", NULL },
	{ "mongodb://app:hunter2@db/?appname=me@laptop",
	  "mongodb://app:***@db/?appname=me@laptop", "hunter2" },
	/* mongodb+srv */
	{ "mongodb+srv://app:hunter2@cluster0.example.net/?retryWrites=true&w=majority",
	  "mongodb+srv://app:***@cluster0.example.net/?retryWrites=true&w=majority", "hunter2" },
	{ "mongodb+srv://cluster0.example.net", "mongodb+srv://cluster0.example.net", NULL },
	/* secrets in options */
	{ "mongodb://db/?tls=true&tlsCertificateKeyFilePassword=hunter2&w=1",
	  "mongodb://db/?tls=true&tlsCertificateKeyFilePassword=***&w=1", "hunter2" },
	{ "mongodb://db/?sslclientcertificatekeypassword=hunter2;w=1",
	  "mongodb://db/?sslclientcertificatekeypassword=***;w=1", "hunter2" },
	{ "mongodb://AKIDX:secretkey@db/?authMechanism=MONGODB-AWS&authMechanismProperties="
	  "AWS_SESSION_TOKEN:tok3n,SERVICE_NAME:m",
	  "mongodb://AKIDX:***@db/?authMechanism=MONGODB-AWS&authMechanismProperties="
	  "AWS_SESSION_TOKEN:***,SERVICE_NAME:m", "tok3n" },
	/* not MongoDB URIs at all: masked as far as they read */
	{ "mongo://app:hunter2@db", "mongo://app:***@db", "hunter2" },
	{ "app:hunter2@db", "app:***@db", "hunter2" },
	{ "", "", NULL },
	{ "mongodb://", "mongodb://", NULL },
	{ "mongodb://?&&=@", "mongodb://?&&=@", NULL },
};

static void test_redact(void)
{
	char buf[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].want ? cases[i].want : "";
		size_t n = mongo_uri_redact(cases[i].uri, buf, sizeof(buf));
		char *dup = mongo_uri_redact_dup(cases[i].uri);

		if (strcmp(buf, want)) {
			printf("%s:%d: mongo_uri_redact(\"%s\") = \"%s\", expected \"%s\"\n",
			       __FILE__, __LINE__, cases[i].uri, buf, want);
			failures++;
		}
		CHECK(n == strlen(want));
		CHECK(dup && !strcmp(dup, want));
		CHECK(!cases[i].secret || !strstr(buf, cases[i].secret));
		free(dup);
	}
}

static void test_redact_sizes(void)
{
	const char *uri = "mongodb://app:hunter2@db";
	char buf[16];

	/* snprintf semantics: the whole length comes back, what fits is written */
	memset(buf, 'x', sizeof(buf));
	CHECK(mongo_uri_redact(uri, buf, 12) == 20);
	CHECK(!strcmp(buf, "mongodb://a") && buf[12] == 'x');
	CHECK(mongo_uri_redact(uri, NULL, 0) == 20);
	memset(buf, 'x', sizeof(buf));
	CHECK(mongo_uri_redact(uri, buf, 1) == 20 && buf[0] == '\0' && buf[1] == 'x');
	CHECK(mongo_uri_redact(NULL, buf, sizeof(buf)) == 0 && buf[0] == '\0');
	/* a password shorter than the mask: the result is longer than the URI */
	CHECK(mongo_uri_redact("mongodb://u:p@h", buf, sizeof(buf)) == 17);
	CHECK(!strcmp(buf, "mongodb://u:***"));
}

static void test_check(void)
{
	static const struct { const char *uri; size_t offset; bool ok; } checks[] = {
		{ "mongodb://localhost", 0, true },
		{ "mongodb://u:p@h1,h2:2/db?x=1", 0, true },
		{ "mongodb+srv://cluster0.example.net/?w=1", 0, true },
		{ "mongodb://%2Ftmp%2Fm.sock", 0, true },
		{ "mongodb:/localhost", 0, false },
		{ "MONGODB://localhost", 0, false },
		{ "mongodb://", 10, false },
		{ "mongodb://u:p@/db", 14, false },
		{ "mongodb:///db", 10, false },
		{ "mongodb://h/?a=b c", 16, false },
		{ "mongodb://h\t", 11, false },
		{ "mongodb+srv://a,b", 14, false },
		{ "mongodb+srv://a:27017", 14, false },
		{ "mongodb://app:hunt@er2@db", 18, false },
		{ "mongodb://app:pa/ss@db/x", 16, false },
		{ "mongodb://app:pa?ss@db/x", 0, true },
	};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		size_t offset = 99;
		const char *why = mongo_uri_check(checks[i].uri, strlen(checks[i].uri), &offset);

		if ((why == NULL) != checks[i].ok || (why && offset != checks[i].offset)) {
			printf("%s:%d: mongo_uri_check(\"%s\") = %s at %zu\n", __FILE__, __LINE__,
			       checks[i].uri, why ? why : "ok", offset);
			failures++;
		}
	}
	/* the length bounds the check: the bad byte after it is not seen */
	{
		size_t offset;

		CHECK(mongo_uri_check("mongodb://h x", 11, &offset) == NULL);
	}
}

static void test_settings(void)
{
	struct cfg_error err;
	struct cfg cfg;

	cfg_init(&cfg);
	CHECK(!strcmp(cfg.settings.mongo_uri, MONGO_URI_DEFAULT));
	CHECK(!strcmp(cfg.settings.mongo_database, "impulse"));
	CHECK(!strcmp(cfg.settings.mongo_collection, "records"));
	CHECK(cfg.settings.mongo_batch == 1000 && cfg.settings.mongo_flush_ms == 200);
	/* cfg_set: a bad value keeps the old one, and its message never quotes the URI */
	CHECK(cfg_set(&cfg, "mongo_uri", "mongodb://u:hunter2@db1/?w=1", &err) == 0);
	CHECK(!strcmp(cfg.settings.mongo_uri, "mongodb://u:hunter2@db1/?w=1"));
	CHECK(cfg_set(&cfg, "mongo_uri", "http://u:hunter2@db2", &err) == -EINVAL);
	CHECK(!strstr(err.text, "hunter2") && strstr(err.text, "mongodb://"));
	CHECK(!strcmp(cfg.settings.mongo_uri, "mongodb://u:hunter2@db1/?w=1"));
	CHECK(cfg_set(&cfg, "mongo_batch", "0", &err) == -EINVAL && cfg.settings.mongo_batch == 1000);
	CHECK(cfg_set(&cfg, "mongo_batch", "5000", &err) == 0 && cfg.settings.mongo_batch == 5000);
	CHECK(cfg_set(&cfg, "mongo_flush_ms", "60001", &err) == -EINVAL);
	CHECK(cfg_set(&cfg, "mongo_database", "a/b", &err) == -EINVAL);
	CHECK(cfg_set(&cfg, "mongo_database", "", &err) == -EINVAL);
	CHECK(cfg_set(&cfg, "mongo_collection", "", &err) == -EINVAL);
	CHECK(cfg_set(&cfg, "mongo_collection", "c1", &err) == 0);
	/* a failed parse keeps the settings as they were, owned values included */
	CHECK(cfg_parse_string(&cfg, "[tracer]\nmongo_database = d2\nmongo_uri = bad\n",
			       "bad.conf", &err) == -EINVAL);
	CHECK(err.line == 3 && err.column == 13);
	CHECK(!strcmp(cfg.settings.mongo_database, "impulse"));
	CHECK(!strcmp(cfg.settings.mongo_collection, "c1"));
	CHECK(cfg_parse_string(&cfg, "[tracer]\nmongo_database = d3\n", "good.conf", &err) == 0);
	CHECK(!strcmp(cfg.settings.mongo_database, "d3"));
	CHECK(!strcmp(cfg.settings.mongo_uri, "mongodb://u:hunter2@db1/?w=1"));
	cfg_free(&cfg);
	/* back to the defaults, and freeing the defaults is harmless */
	CHECK(!strcmp(cfg.settings.mongo_uri, MONGO_URI_DEFAULT));
	cfg_free(&cfg);
}

int main(void)
{
	test_redact();
	test_redact_sizes();
	test_check();
	test_settings();
	if (failures)
		printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
