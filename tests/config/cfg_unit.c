/*
 * cfg_unit.c — unit tests of the config/ API that the case folders cannot reach:
 * parsing from memory, appending across files, leaving *out unchanged on error,
 * cfg_set() keeping the old value on error, error formatting, cfg_free() reuse.
 *
 * Prints one line per failed check and exits 1 if any failed; run it under valgrind
 * to check ownership (test_config_unit.py does when IMPULSE_VALGRIND=1).
 */
#include <errno.h>
#include <stdio.h>
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
	CHECK(cfg_set(&cfg, "session_metadata", "{\"a\" : 1}", &err) == 0);
	CHECK(!strcmp(cfg.settings.session_metadata, "{\"a\":1}"));
	CHECK(cfg_set(&cfg, "session_metadata", "{bad", &err) == -EINVAL);
	CHECK(!strcmp(cfg.settings.session_metadata, "{\"a\":1}"));
	CHECK(cfg_set(&cfg, "verbose", "1", &err) == 0 && cfg.settings.verbose);
	CHECK(cfg_set(&cfg, "verbose", "0", &err) == 0 && !cfg.settings.verbose);
	CHECK(cfg_set(&cfg, "logger", "none", &err) == 0);
	CHECK(cfg.settings.logger == CFG_LOGGER_NONE);
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
	CHECK(!strcmp(buf, "/: cannot read: Is a directory"));
	CHECK(cfg.nhooks == 0);
	cfg_free(&cfg);
}

int main(void)
{
	test_append_and_duplicates();
	test_set();
	test_errors();
	if (failures)
		printf("%d checks failed\n", failures);
	return failures ? 1 : 0;
}
