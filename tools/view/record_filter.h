/*
 * record_filter.h — what --session, --thread and --hook keep, the same in every
 * subcommand that reads records: each option may be repeated, and a record is kept
 * when it matches any of the values given for each option that was given (`--hook A
 * --hook B` keeps the calls of A and of B).
 *
 * The values are the command line's strings: not copied, not freed.
 */
#ifndef IMPULSE_RECORD_FILTER_H
#define IMPULSE_RECORD_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "reader/reader.h"

#define RECORD_FILTER_MAX 64	/* values per option */

struct record_filter {
	const char *sessions[RECORD_FILTER_MAX];	/* session_id */
	const char *threads[RECORD_FILTER_MAX];		/* thread_id: the hooks.conf thread group */
	const char *hooks[RECORD_FILTER_MAX];		/* hook_id or function name */
	size_t nsessions, nthreads, nhooks;
};

/*
 * Adds value for option ("--session", "--thread" or "--hook"). Returns 0, -E2BIG
 * past RECORD_FILTER_MAX values, or -EINVAL for another option name.
 */
int record_filter_add(struct record_filter *f, const char *option, const char *value);

/* Whether option is one of the three: then record_filter_add() takes it. */
bool record_filter_is_option(const char *option);

bool record_filter_session_ok(const struct record_filter *f, const struct record *rec);
bool record_filter_thread_ok(const struct record_filter *f, const struct record *rec);
bool record_filter_hook_ok(const struct record_filter *f, const struct record *rec);

/* The one session given, for a MongoDB query; NULL when none or several (then the
 * records are filtered as they are read). */
const char *record_filter_one_session(const struct record_filter *f);

/* "session a or b, thread group llm, hook score": what is kept, for messages. */
void record_filter_describe(const struct record_filter *f, char *out, size_t size);

#endif
