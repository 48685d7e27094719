/*
 * drops.h — the calls that were not recorded, per thread and per hook.
 *
 * Traced threads count them in their own context (thread_ctx.h); the logger folds
 * a context's counts in here once the thread has closed, and the live ones at
 * stop. The root record's "arguments" show them as "dropped", and a short summary
 * goes to stderr at exit when any call was dropped. Logger thread only (or the
 * thread running the stop, once the logger has gone).
 */
#ifndef IMPULSE_DROPS_H
#define IMPULSE_DROPS_H

#include <stdint.h>

#include "hot/thread_ctx.h"
#include "render/world.h"

#pragma GCC visibility push(hidden)

/* Forgets every count (a new logger starts). */
void drops_reset(void);

/* Adds ctx's counts; call once per context, after its thread closed or at stop. */
void drops_take(const struct thread_ctx *ctx);

/*
 * Adds n records of hook, made on thread tid, that the logger formatted but could
 * not write (the log file's limits, a failed write): they count as calls not
 * recorded, like the rest.
 */
void drops_add_unwritten(pid_t tid, const char *thread_name, const char *hook, uint64_t n);

/* Calls not recorded so far, in all. */
uint64_t drops_total(void);

/* Of drops_total(): records made but not written (drops_add_unwritten). */
uint64_t drops_unwritten(void);

/*
 * The counts as the root record's "arguments.dropped" shows them (render/world.h):
 * threads that dropped only, in the order their counts were taken, each hook's
 * slots summed; a thread's "reentrant" part is what its signal handlers made while
 * libimpulse ran on it (already in its hooks and total). Calls with no thread
 * context to count them are under thread 0, "(no context)". Valid until the next
 * drops_* call that adds or resets.
 */
void drops_view(struct render_drops *out);

/* On stderr: the largest thread x hook counts (at most 10) and the total; nothing
 * when no call was dropped. */
void drops_report(void);

#pragma GCC visibility pop

#endif
