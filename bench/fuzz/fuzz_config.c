/*
 * fuzz_config.c — libFuzzer target for the hooks.conf parser (config/).
 *
 * Each input is a configuration text: parsed with cfg_parse_string(), resolved with
 * cfg_resolve() when it parsed, its error formatted when it did not, then freed.
 * The parser runs inside every traced program before main, on a file the user
 * wrote: a crash, a leak or undefined behaviour on any input is a bug, and
 * AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer report it.
 * Built and run by `make fuzz` (bench/fuzz/fuzz.mk); the fuzzer runs from a scratch
 * directory so that an `include "x"` in an input finds no file of the source tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redact_pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The redact_pattern matcher runs in the logger over program data: each pattern
 * the input set is matched against the input itself, every secret found masked. */
static void match_patterns(const char *list, const char *text, size_t n)
{
	for (const char *p = list; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), pos = 0, start, end;

		while (pos <= n && redact_find(p, len, text, n, pos, &start, &end)) {
			if (start > end || end > n || start < pos)
				__builtin_trap();
			pos = end > start ? end : start + 1;
		}
		p += len + (nl != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg cfg;
	struct cfg_error err;
	char msg[600];
	/* The parser reads a NUL-terminated text: the input is copied to make one. */
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	cfg_init(&cfg);
#ifdef FUZZ_PROTO_DIR
	cfg_set_proto_dir(&cfg, FUZZ_PROTO_DIR);
#endif
	if (cfg_parse_string(&cfg, text, "fuzz.conf", &err) == 0) {
		match_patterns(cfg.settings.redact_patterns, (const char *)data, size);
#ifdef FUZZ_HAVE_RESOLVE
		/* fuzz.mk defines FUZZ_HAVE_RESOLVE once config/ implements cfg_resolve(). */
		if (cfg_resolve(&cfg, &err) != 0)
			cfg_error_format(&err, msg, sizeof(msg));
#endif
	} else {
		cfg_error_format(&err, msg, sizeof(msg));
	}
	cfg_free(&cfg);
	free(text);
	return 0;
}
