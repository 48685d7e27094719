/*
 * cfg_unit.c — unit tests of the config/ API that the case folders cannot reach:
 * parsing from memory, appending across files, leaving *out unchanged on error,
 * cfg_set() keeping the old value on error, error formatting, cfg_free() reuse,
 * declarations taken back by a failed parse, cfg_resolve() and cfg_find_prototype().
 *
 * Prints one line per failed check and exits 1 if any failed; run it under valgrind
 * to check ownership (test_config_unit.py does when IMPULSE_VALGRIND=1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

static void test_append_and_duplicates(void)
{
	struct cfg_error err;
	struct cfg cfg;
	char buf[512];

	cfg_init(&cfg);
	CHECK(cfg_parse_string(&cfg, "[tracer]\nmax_string = 10\n[thread a]\nint f(int x);\n",
			       "one.conf", &err) == 0);
	CHECK(cfg.nhooks == 1 && cfg.settings.max_string == 10);
	/* a second file appends; its duplicate names the first file */
	CHECK(cfg_parse_string(&cfg, "[tracer]\nmax_string = 20\n[thread b]\nint g(void)\nint f(long y)\n",
			       "two.conf", &err) == -EINVAL);
	cfg_error_format(&err, buf, sizeof(buf));
	CHECK(!strcmp(buf, "two.conf:5:5: duplicate hook 'f' (first at one.conf:4:1)"));
	/* on error nothing of the failed parse is kept: neither g nor max_string = 20 */
	CHECK(cfg.nhooks == 1 && cfg.settings.max_string == 10);
	CHECK(cfg_parse_string(&cfg, "int g(void) [meta={\"k\": \"v\"}]\n", "three.conf", &err) == 0);
	CHECK(cfg.nhooks == 2 && !strcmp(cfg.hooks[1].file, "three.conf"));
	CHECK(!strcmp(cfg.hooks[1].thread_id, "default"));
	CHECK(!strcmp(cfg.hooks[1].metadata_json, "{\"k\":\"v\"}"));
	cfg_free(&cfg);
	CHECK(cfg.nhooks == 0 && cfg.hooks == NULL);
	CHECK(!strcmp(cfg.settings.log_dir, ".impulselogs"));
	/* usable again after cfg_free, and freeing twice is harmless */
	CHECK(cfg_parse_string(&cfg, "int h(void);\n", "four.conf", &err) == 0);
	cfg_free(&cfg);
	cfg_free(&cfg);
}

static void test_set(void)
{
	struct cfg_error err;
	struct cfg cfg;
	char buf[512];

	cfg_init(&cfg);
	CHECK(cfg_set(&cfg, "log_dir", "/tmp/a", &err) == 0);
	CHECK(cfg_set(&cfg, "log_dir", "/tmp/b", &err) == 0);
	CHECK(!strcmp(cfg.settings.log_dir, "/tmp/b"));
	CHECK(cfg_set(&cfg, "log_dir", "", &err) == -EINVAL);
	CHECK(!strcmp(cfg.settings.log_dir, "/tmp/b"));
	CHECK(cfg_set(&cfg, "buffer_size", "2K", &err) == -EINVAL);
	CHECK(cfg.settings.buffer_size == 1 << 20);
	cfg_error_format(&err, buf, sizeof(buf));
	CHECK(!strcmp(buf, "'buffer_size' must be between 4K and 1G, not '2K'"));
	CHECK(err.line == 0 && err.column == 0);
	/* disk use: no limit and journald's SystemKeepFree (5%, at most 1G) unless set */
	CHECK(cfg.settings.max_log_size == 0);
	CHECK(cfg.settings.min_free_space == (size_t)1 << 30 && cfg.settings.min_free_percent == 5);
	CHECK(cfg_set(&cfg, "max_log_size", "64K", &err) == 0 && cfg.settings.max_log_size == 65536);
	CHECK(cfg_set(&cfg, "max_log_size", "2G", &err) == 0 && cfg.settings.max_log_size == (size_t)2 << 30);
	CHECK(cfg_set(&cfg, "max_log_size", "0", &err) == 0 && cfg.settings.max_log_size == 0);
	CHECK(cfg_set(&cfg, "max_log_size", "1K", &err) == -EINVAL && cfg.settings.max_log_size == 0);
	CHECK(cfg_set(&cfg, "min_free_space", "10%", &err) == 0 && cfg.settings.min_free_percent == 10 &&
	      cfg.settings.min_free_space == SIZE_MAX);
	CHECK(cfg_set(&cfg, "min_free_space", "3M", &err) == 0 && cfg.settings.min_free_percent == 0 &&
	      cfg.settings.min_free_space == 3 << 20);
	CHECK(cfg_set(&cfg, "min_free_space", "0", &err) == 0 && cfg.settings.min_free_percent == 0 &&
	      cfg.settings.min_free_space == 0);
	CHECK(cfg_set(&cfg, "min_free_space", "0%", &err) == 0 && cfg.settings.min_free_percent == 0 &&
	      cfg.settings.min_free_space == 0);
	CHECK(cfg_set(&cfg, "min_free_space", "%", &err) == -EINVAL);
	CHECK(cfg_set(&cfg, "session_metadata", "{\"a\" : 1}", &err) == 0);
	CHECK(!strcmp(cfg.settings.session_metadata, "{\"a\":1}"));
	CHECK(cfg_set(&cfg, "session_metadata", "{bad", &err) == -EINVAL);
	CHECK(!strcmp(cfg.settings.session_metadata, "{\"a\":1}"));
	CHECK(cfg_set(&cfg, "verbose", "1", &err) == 0 && cfg.settings.verbose);
	CHECK(cfg_set(&cfg, "verbose", "0", &err) == 0 && !cfg.settings.verbose);
	CHECK(cfg_set(&cfg, "logger", "none", &err) == 0);
	CHECK(cfg.settings.logger == CFG_LOGGER_NONE);
	CHECK(cfg.settings.on_full == CFG_ON_FULL_WAIT);	/* lossless unless asked */
	CHECK(cfg_set(&cfg, "on_full", "drop", &err) == 0 && cfg.settings.on_full == CFG_ON_FULL_DROP);
	CHECK(cfg_set(&cfg, "on_full", "", &err) == -EINVAL && cfg.settings.on_full == CFG_ON_FULL_DROP);
	CHECK(cfg_set(&cfg, "on_full", "wait", &err) == 0 && cfg.settings.on_full == CFG_ON_FULL_WAIT);
	CHECK(cfg_set(&cfg, "nope", "1", &err) == -EINVAL);
	CHECK(!strncmp(err.text, "unknown setting 'nope' (known: logger, log_dir,", 47));
	cfg_free(&cfg);
}

static void test_errors(void)
{
	struct cfg_error err = { .file = "x", .line = 9, .column = 9, .text = "stale" };
	struct cfg cfg;
	char buf[64];

	cfg_init(&cfg);
	/* a stale error in the caller's struct does not hide the new one */
	CHECK(cfg_parse_string(&cfg, "\n\n  int f(int33 x);\n", "mem", &err) == -EINVAL);
	CHECK(err.line == 3 && err.column == 9 && !strcmp(err.file, "mem"));
	CHECK(!strcmp(err.text, "unknown type 'int33' (did you mean 'int32_t'?)"));
	/* formatting truncates and always terminates */
	cfg_error_format(&err, buf, 10);
	CHECK(!strcmp(buf, "mem:3:9: "));
	CHECK(cfg_parse_file(&cfg, "/nonexistent/hooks.conf", &err) == -ENOENT);
	CHECK(err.line == 0 && !strcmp(err.file, "/nonexistent/hooks.conf"));
	CHECK(cfg_parse_file(&cfg, "/", &err) == -EIO);
	cfg_error_format(&err, buf, sizeof(buf));
	CHECK(!strcmp(buf, "/: is a directory, not a regular file: refused"));
	CHECK(cfg.nhooks == 0);
	cfg_free(&cfg);
}

/* A failed parse takes back declarations too, even bodies given to earlier forward ones. */
static void test_rollback_declarations(void)
{
	struct cfg_error err;
	struct cfg cfg;
	int nrecords;

	cfg_init(&cfg);
	CHECK(cfg_parse_string(&cfg, "int f(struct later *p);\n", "one.conf", &err) == 0);
	nrecords = cfg.nrecords;
	CHECK(nrecords == 1 && !cfg.records[0]->complete);
	CHECK(cfg_parse_string(&cfg, "struct other { int y; };\n"
			       "struct later { struct other o; long x; };\n"
			       "enum e { A };\ntypedef int t;\n[prototypes]\nint g(void);\n"
			       "[thread x]\nh*\nint bad(int33 z);\n", "two.conf", &err) == -EINVAL);
	CHECK(err.line == 9 && !strcmp(err.file, "two.conf"));
	CHECK(cfg.nrecords == nrecords && !cfg.records[0]->complete && !cfg.records[0]->nfields);
	CHECK(cfg.nenums == 0 && cfg.ntypedefs == 0 && cfg.nprotos == 0 && cfg.npatterns == 0);
	CHECK(cfg.nhooks == 1);
	/* the forward struct can still get its body later */
	CHECK(cfg_parse_string(&cfg, "struct later { long x; };\n", "three.conf", &err) == 0);
	CHECK(cfg.records[0]->complete && cfg.records[0]->size == 8);
	CHECK(cfg_resolve(&cfg, &err) == 0);
	CHECK(cfg.hooks[0].params[0].type.pointee->size == 8);
	cfg_free(&cfg);
}

/* Bare names take a copy of the known prototype; a later [prototypes] entry wins. */
static void test_resolve(void)
{
	const struct cfg_hook *proto;
	struct cfg_error err;
	struct cfg cfg;

	cfg_init(&cfg);
	CHECK(cfg_set_proto_dir(&cfg, "/nonexistent/protos") == 0);
	CHECK(cfg_parse_string(&cfg, "[prototypes]\nint open(const char *p, int f, ...);\n"
			       "[thread io]\nopen\nunknown_one\n", "a.conf", &err) == 0);
	CHECK(cfg_parse_string(&cfg, "[prototypes]\nlong open(const char *path) [error=ret < 0];\n",
			       "b.conf", &err) == 0);
	CHECK(cfg.nprotos == 1 && !strcmp(cfg.protos[0].file, "b.conf"));
	CHECK(!cfg.hooks[0].has_prototype);
	CHECK(cfg_find_prototype(&cfg, "open") == &cfg.protos[0]);
	CHECK(cfg_resolve(&cfg, &err) == 0);
	CHECK(cfg.hooks[0].has_prototype && cfg.hooks[0].nparams == 1);
	CHECK(cfg.hooks[0].params[0].name != cfg.protos[0].params[0].name);
	CHECK(cfg.hooks[0].ret.size == 8 && cfg.hooks[0].error.nconds == 1);
	CHECK(!cfg.hooks[1].has_prototype && cfg.hooks[1].nparams == 0);
	/* hooks with a prototype come first */
	proto = cfg_find_prototype(&cfg, "open");
	CHECK(proto == &cfg.hooks[0]);
	CHECK(cfg_find_prototype(&cfg, "unknown_one") == NULL);
	/* resolving twice changes nothing */
	CHECK(cfg_resolve(&cfg, &err) == 0 && cfg.hooks[0].nparams == 1);
	cfg_free(&cfg);
	CHECK(cfg.proto_dir == NULL && cfg.nprotos == 0 && cfg.nrecords == 0);
}

static void test_new_settings(void)
{
	struct cfg_error err;
	struct cfg cfg;

	cfg_init(&cfg);
	CHECK(cfg.settings.max_buffer == 256 && cfg.settings.max_array == 32);
	CHECK(cfg.settings.max_depth == 2 && cfg.settings.max_capture == 4096);
	CHECK(cfg.settings.binary == CFG_BINARY_BASE64);
	CHECK(cfg_set(&cfg, "max_capture", "8K", &err) == 0 && cfg.settings.max_capture == 8192);
	CHECK(cfg_set(&cfg, "binary", "hex", &err) == 0 && cfg.settings.binary == CFG_BINARY_HEX);
	CHECK(cfg_set(&cfg, "max_depth", "99", &err) == -EINVAL && cfg.settings.max_depth == 2);
	CHECK(cfg_set(&cfg, "max_array", "7", &err) == 0 && cfg.settings.max_array == 7);
	CHECK(cfg_set(&cfg, "max_buffer", "1M", &err) == 0 && cfg.settings.max_buffer == 1 << 20);
	cfg_free(&cfg);
}

int main(void)
{
	test_append_and_duplicates();
	test_rollback_declarations();
	test_resolve();
	test_new_settings();
	test_set();
	test_errors();
	if (failures)
		printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
