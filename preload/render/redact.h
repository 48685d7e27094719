/*
 * redact.h — redact_pattern applied to what the logger writes (config/redact_pattern.h
 * has the pattern language).
 *
 * The hot path copies strings as they are (no matching there: it must stay cheap);
 * the logger masks them when it renders a record, before any byte leaves the
 * process: every string value (arguments, outputs, struct fields, buffers shown as
 * text or as binary, varargs, argv, trace_logs text) through valw.h's vw_string and
 * vw_binary_member, every key and string inside an impulse_log_json payload, and the
 * metadata (tracer, session, hook), masked once when it is set.
 */
#ifndef IMPULSE_REDACT_H
#define IMPULSE_REDACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#pragma GCC visibility push(hidden)

/* Turns masking on for the newline-separated patterns (kept, not copied); NULL or
 * "" leaves it off. At start-up, before the logger runs. */
void redact_setup(const char *patterns);

/* Masks the string values inside v and the keys of its objects, in place. */
void redact_json(json_t *v);

/*
 * json (an object's compact text) with redact_json() applied, as new compact text the
 * caller frees; NULL when masking is off, json is NULL, or out of memory (then the
 * caller must not write json as it is: see redact_config_metadata()).
 */
char *redact_json_text(const char *json);

/*
 * format = binary stores the captured bytes, and `impulse cat` applies the patterns
 * when it renders them: the writer must leave no secret in those bytes, yet give the
 * reader a text it masks as redact_string() masks the original. Same-length filling
 * does that for a pattern ending in '*' (it keeps what its other characters matched
 * and masks the rest of the line, whatever that holds); not for the others, whose
 * mask hides the very text that made them match. True when every pattern set ends
 * in '*' (or none is set).
 */
bool redact_can_fill(void);

/* The bytes each pattern would mask in s[0..n), overwritten with REDACT_FILL in
 * place, pattern by pattern as redact_string() goes; how many spans. Only when
 * redact_can_fill(). */
#define REDACT_FILL '*'
size_t redact_fill(char *s, size_t n);

struct cfg;
/*
 * Masks the metadata of the configuration in place, once, right after
 * redact_setup(): tracer_metadata, session_metadata and every hook's and prototype's
 * [meta=…], which records carry as raw JSON. Metadata that cannot be masked (out of
 * memory) is dropped rather than written unmasked.
 */
void redact_config_metadata(struct cfg *cfg);

#pragma GCC visibility pop

#endif
