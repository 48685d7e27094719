/*
 * select_internal.h — what select.c (the decisions) and select_report.c (the notes
 * and the report) share. Not for other files.
 */
#ifndef IMPULSE_SELECT_INTERNAL_H
#define IMPULSE_SELECT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "hooks/hooks.h"
#include "intercept/modules.h"

#pragma GCC visibility push(hidden)

#define DECISION_BUCKETS 1024

/* What the patterns say about one symbol defined in one module. */
struct decision {
	struct decision *next;		/* in its hash bucket */
	const struct module *def;	/* the defining module, or NULL when unknown */
	const struct hook *hook;	/* hooked through pattern `pattern`, or NULL */
	int pattern;			/* the first inclusion that matched, or -1 */
	int excluded_by;		/* the first exclusion that matched, or -1 */
	const char *refused;		/* why libimpulse never hooks it through a pattern, or NULL */
	char name[];
};

/* Serialises decisions and notes; never held across a call into the loader. */
extern pthread_mutex_t select_lock;
extern const struct cfg *select_cfg;
extern struct decision *select_decisions[DECISION_BUCKETS];

unsigned select_name_hash(const char *s);

/* Drops the notes naming mod (select_report.c). select_lock held. */
void select_forget_notes(const struct module *mod);

/* glob names m: "main" for the program, a '/' for the whole path, else the file name. */
bool select_module_matches(const char *glob, const struct module *m);

#pragma GCC visibility pop

#endif
