/*
 * stats.h — what the files of `impulse stats` share: stats.c takes the command line
 * and reads the records, stats_count.c counts them into the tables, stats_self.c
 * works out self time, stats_print.c writes the table, JSON or CSV. Nothing here is
 * used by another subcommand.
 *
 * Memory is one entry per (group, hook) with its histogram, one per session, thread
 * and distinct process outcome, and the self-time frames of calls in flight (see
 * stats_self.c): never a function of the number of records.
 */
#ifndef IMPULSE_STATS_H
#define IMPULSE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"
#include "stats/histogram.h"

/* ------------------------------------------------------------ self time (stats_self.c) */

struct self_tracker;

struct self_tracker *self_new(void);

/*
 * Feeds one call's record (not a root), with its duration in ns. Sets *children to
 * the summed durations of its direct children on its own thread seen so far (their
 * records come before its own), and keeps its duration for its parent when the parent
 * runs on the same thread. Returns 0 or -ENOMEM (then *children is still set, but the
 * call's duration may be missing from its parent's children).
 */
int self_add(struct self_tracker *t, const struct record *rec, int64_t duration,
	     int64_t *children);

/* A root: its process image has ended; forgets whatever its threads still hold. */
void self_end_process(struct self_tracker *t, const struct record *root);

/* The most self-time frames held at once, for --verbose and the tests. */
size_t self_peak_frames(const struct self_tracker *t);

void self_free(struct self_tracker *t);

/* ------------------------------------------------------------ the tables (stats_count.c) */

enum stats_by { BY_HOOK, BY_THREAD, BY_TID, BY_SESSION };
enum stats_sort { SORT_TOTAL, SORT_CALLS, SORT_MEAN, SORT_P99, SORT_SELF, SORT_ERRORS };
enum stats_format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV };

#define STATS_NSTATUS (RECORD_STATUS_OTHER + 1)

/* One group of --by: a thread group, an OS thread or a session ("" for --by hook). */
struct stats_group {
	char *key;		/* the thread group or session; "pid/tid" for --by tid; owned */
	int64_t pid, tid;	/* --by tid */
	char *thread_name;	/* --by tid: the last name seen; owned, may be NULL */
	uint64_t calls, errors;
	int64_t self_ns;
	struct stats_hook **hooks;	/* sorted; owned array (the hooks are the table's) */
	size_t nhooks;
	struct stats_group *next;	/* in the table */
};

/* One hook within one group. */
struct stats_hook {
	struct stats_group *group;
	char *hook_id, *function, *library;	/* decoded; library NULL when absent; owned */
	char *label;		/* what the table shows: hook_id, with the library when two
				 * hooks of the group share the hook_id; owned */
	uint64_t calls, errors;
	uint64_t status[STATS_NSTATUS];	/* calls by enum record_status */
	int64_t total_ns, self_ns;
	struct histogram hist;	/* durations, with min and max */
	struct stats_hook *next;	/* in the table's chain */
	uint64_t hash;
	char *key;		/* the table key (length-prefixed fields); owned */
	size_t key_len;
};

/* A kind of process end, counted: "demo_app exit 0" ×3. */
struct stats_outcome {
	char *program;		/* the root's function.name, basename; owned */
	char *outcome;		/* "exit", "crashed", or the root's status; owned */
	int64_t exit_status;	/* for "exit" */
	char *detail;		/* crashed: the exception ("SIGSEGV: …"); owned, may be NULL */
	uint64_t count;
};

struct stats {
	enum stats_by by;
	enum stats_sort sort;
	/* the input, whatever the filters --thread and --hook */
	uint64_t records, calls, roots, skipped;
	uint64_t matched;		/* calls that pass --thread and --hook */
	int64_t first_ns, last_ns;	/* earliest start, latest end; 0 when no record */
	uint64_t dropped;		/* summed arguments.dropped.total of the roots */
	uint64_t sessions, threads;	/* distinct session ids, distinct (pid, tid) */
	uint64_t processes_without_root;	/* pids of calls with no root record */
	struct stats_outcome *outcomes;
	size_t noutcomes;
	uint64_t outcomes_other;	/* roots beyond STATS_MAX_OUTCOMES kinds */
	/* the groups, largest first, each with its hooks sorted (stats_counter_finish()) */
	struct stats_group **groups;	/* owned array; the groups are the tables' */
	size_t ngroups;
	size_t peak_frames;
};

#define STATS_MAX_OUTCOMES 64

/* Whether a status counts as an error: error, exception, crashed. */
static inline bool stats_is_error(enum record_status s)
{
	return s == RECORD_ERROR || s == RECORD_EXCEPTION || s == RECORD_CRASHED;
}

/* The status names, by enum record_status (RECORD_STATUS_OTHER: "other"). */
extern const char *const stats_status_names[STATS_NSTATUS];

/* What --session, --thread and --hook keep: any of the values given for each. */
struct stats_filters {
	const char *const *sessions, *const *threads, *const *hooks;	/* not owned */
	size_t nsessions, nthreads, nhooks;
};

struct stats_counter;

/* An empty set of tables; exits with a message when out of memory, as all of
 * stats_count.c does. f's arrays must outlive the counter. */
struct stats_counter *stats_counter_new(enum stats_by by, enum stats_sort sort,
					const struct stats_filters *f);

/* Counts one record: a root into the header's figures, a call into its hook. */
void stats_counter_add(struct stats_counter *c, const struct record *rec);

/* Sorts and labels what was counted; skipped is the number of malformed lines. The
 * result lives as long as the counter. */
const struct stats *stats_counter_finish(struct stats_counter *c, uint64_t skipped);

void stats_counter_free(struct stats_counter *c);

/* ------------------------------------------------------------ output (stats_print.c) */

struct stats_print_opts {
	enum stats_format format;
	bool color;
	const char *const *inputs;	/* as named on the command line, or the default */
	size_t ninputs;
	const char *mongo;		/* --mongo URI (shown redacted), or NULL */
	const char *filters;		/* "--thread llm --hook score", or NULL */
};

void stats_print(const struct stats *st, const struct stats_print_opts *o);

/* ns as people read it: "850 ns", "12.3 us", "1.23 s"; out of at least 16 bytes. */
void stats_format_ns(int64_t ns, char *out, size_t size);

#endif
