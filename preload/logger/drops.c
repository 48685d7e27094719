/*
 * drops.c — the calls that were not recorded, per thread and per hook: folded from
 * the traced threads' counters by the logger, shown in the root record and on stderr.
 *
 * A thread's counters are per hook slot (one per calling module and function);
 * people think in function names, so a thread's slots are summed by hook name here.
 * Only threads that dropped something take memory.
 */
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "logger/drops.h"
#include "hooks/hooks.h"

#define REPORT_LINES 10		/* thread x hook lines on stderr; the rest summed */

/* Kept in the renderer's types (render/world.h), which the root record shows as
 * they are. Hook names are the hooks' symbols: they live as long as the process. */
static struct render_drop_thread *threads;
static size_t nthreads, cap_threads;
static uint64_t total;
static uint64_t unwritten;	/* of total: records made but not written (drops_add_unwritten) */
static uint64_t reentrant;	/* of total: calls of signal handlers inside libimpulse */

void drops_reset(void)
{
	for (size_t i = 0; i < nthreads; i++) {
		free(threads[i].hooks);
		free(threads[i].rhooks);
	}
	free(threads);
	threads = NULL;
	nthreads = cap_threads = 0;
	total = unwritten = 0;
	reentrant = 0;
}

static void add_hook(struct render_drop_hook **hooks, unsigned *nhooks, const char *name, uint64_t n)
{
	struct render_drop_hook *v;

	for (unsigned i = 0; i < *nhooks; i++) {
		if (!strcmp((*hooks)[i].name, name)) {
			(*hooks)[i].count += n;
			return;
		}
	}
	v = realloc(*hooks, (*nhooks + 1) * sizeof(*v));
	if (!v)
		return;	/* out of memory: the thread's total still says it */
	*hooks = v;
	(*hooks)[(*nhooks)++] = (struct render_drop_hook){ name, n };
}

/* The thread's entry (the latest with its tid: a write failure's records and its
 * context's counts meet there), or a new one; NULL when out of memory. */
static struct render_drop_thread *thread_entry(pid_t tid, const char *name)
{
	struct render_drop_thread *t;

	for (size_t i = nthreads; i-- > 0;)
		if (threads[i].tid == tid)
			return &threads[i];
	if (nthreads == cap_threads) {
		size_t cap = cap_threads ? cap_threads * 2 : 16;
		struct render_drop_thread *v = realloc(threads, cap * sizeof(*v));

		if (!v)
			return NULL;
		threads = v;
		cap_threads = cap;
	}
	t = &threads[nthreads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	memcpy(t->name, name, sizeof(t->name));
	t->name[sizeof(t->name) - 1] = '\0';
	return t;
}

void drops_take(const struct thread_ctx *ctx)
{
	uint64_t r = __atomic_load_n(&ctx->calls_reentrant, __ATOMIC_RELAXED);
	uint64_t n = __atomic_load_n(&ctx->calls_dropped, __ATOMIC_RELAXED) + r;
	unsigned nslots = __atomic_load_n(&impulse_nslots, __ATOMIC_ACQUIRE);
	struct render_drop_thread *t;

	if (!n)
		return;
	total += n;
	reentrant += r;
	t = thread_entry(ctx->tid, ctx->name);
	if (!t)
		return;
	t->total += n;
	t->reentrant += r;
	for (unsigned s = 0; s < nslots && s < MAX_SLOTS; s++) {
		uint64_t c = __atomic_load_n(&ctx->slot_drops[s], __ATOMIC_RELAXED);
		uint64_t cr = __atomic_load_n(&ctx->slot_reentrant[s], __ATOMIC_RELAXED);
		const char *name;

		if (!(c + cr) || !impulse_slots[s].hook)
			continue;
		name = impulse_slots[s].hook->cfg->symbol;
		add_hook(&t->hooks, &t->nhooks, name, c + cr);
		if (cr)
			add_hook(&t->rhooks, &t->nrhooks, name, cr);
	}
}

void drops_add_unwritten(pid_t tid, const char *thread_name, const char *hook, uint64_t n)
{
	struct render_drop_thread *t;

	if (!n)
		return;
	total += n;
	unwritten += n;
	t = thread_entry(tid, thread_name);
	if (!t)
		return;
	t->total += n;
	add_hook(&t->hooks, &t->nhooks, hook, n);
}

uint64_t drops_total(void)
{
	return total;
}

uint64_t drops_unwritten(void)
{
	return unwritten;
}

void drops_view(struct render_drops *out)
{
	out->total = total;
	out->threads = threads;
	out->nthreads = nthreads;
}

struct drop_line {
	const struct render_drop_thread *t;
	const struct render_drop_hook *h;
};

static int larger_first(const void *a, const void *b)
{
	uint64_t x = ((const struct drop_line *)a)->h->count, y = ((const struct drop_line *)b)->h->count;

	return x < y ? 1 : x > y ? -1 : 0;
}

void drops_report(void)
{
	struct drop_line *lines;
	size_t n = 0, shown;
	uint64_t rest = 0;

	if (!total)
		return;
	for (size_t i = 0; i < nthreads; i++)
		n += threads[i].nhooks;
	lines = calloc(n ? n : 1, sizeof(*lines));
	n = 0;
	for (size_t i = 0; lines && i < nthreads; i++)
		for (unsigned h = 0; h < threads[i].nhooks; h++)
			lines[n++] = (struct drop_line){ &threads[i], &threads[i].hooks[h] };
	if (n)
		qsort(lines, n, sizeof(*lines), larger_first);
	shown = n < REPORT_LINES ? n : REPORT_LINES;
	for (size_t i = 0; i < shown; i++)
		diag_error("dropped %llu call%s of %s on thread %d (%s)",
			   (unsigned long long)lines[i].h->count, diag_s(lines[i].h->count), lines[i].h->name,
			   (int)lines[i].t->tid, lines[i].t->name);
	for (size_t i = shown; i < n; i++)
		rest += lines[i].h->count;
	if (rest)
		diag_error("dropped %llu more call%s of %zu other thread x hook pair%s",
			   (unsigned long long)rest, diag_s(rest), n - shown, diag_s(n - shown));
	if (reentrant)
		diag_error("of those, %llu call%s made by signal handlers while libimpulse ran on their "
			   "thread (reentrant)", (unsigned long long)reentrant, diag_s(reentrant));
	diag_error("dropped %llu call%s in all, not recorded (the buffer was full with on_full = drop, "
		   "calls nested too deep, made by a signal handler inside libimpulse, on a thread with "
		   "no buffer, or the log file took no more); the root record's arguments.dropped has "
		   "every count", (unsigned long long)total, diag_s(total));
	if (unwritten)
		diag_error("%llu of them %s made but not written (the log file's limit was reached or a write failed)",
			   (unsigned long long)unwritten, unwritten == 1 ? "was a record" : "were records");
	free(lines);
}
