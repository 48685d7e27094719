/*
 * redact.h — redact_pattern applied to what the logger writes (config/redact_pattern.h
 * has the pattern language).
 *
 * The hot path copies strings as they are (no matching there: it must stay cheap);
 * the logger masks them when it renders a record, before any byte leaves the
 * process: every string value (arguments, outputs, struct fields, buffers shown as
 * text or as binary, varargs, argv, trace_logs text) through valw.h's vw_string and
 * vw_binary_member, and every string inside an impulse_log_json payload.
 */
#ifndef IMPULSE_REDACT_H
#define IMPULSE_REDACT_H

#include <jansson.h>

#pragma GCC visibility push(hidden)

/* Turns masking on for the newline-separated patterns (kept, not copied); NULL or
 * "" leaves it off. At start-up, before the logger runs. */
void redact_setup(const char *patterns);

/* Masks the string values inside v (not its keys), in place. */
void redact_json(json_t *v);

#pragma GCC visibility pop

#endif
