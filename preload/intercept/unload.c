/*
 * unload.c — what happens to libimpulse's state when dlclose unloads a library.
 *
 * Noticed by the scan after every dlclose (modules.c marks the entry gone). Then:
 *
 *  - the library's own patched GOT went with it: nothing to undo;
 *  - slots whose real function lay in its text are retired (slots.c). A retired
 *    slot keeps its real address, so a stub the program still holds (a dlsym
 *    result kept past dlclose: the program's bug) jumps where the untraced call
 *    would have jumped, and fails the same way. No loaded object's GOT can point
 *    at such a stub: glibc keeps a library loaded while another loaded object is
 *    bound to one of its symbols (interpose.c resolves lazy imports without making
 *    libraries undeletable, so that stays the program's own doing). When the same
 *    library is loaded again, wherever it lands, the slot is taken back and pointed
 *    at the new copy: slots do not grow with load/unload cycles;
 *  - pattern decisions and report notes about the library are dropped (select.c),
 *    and its table entry waits to be reused by the next load of the same path;
 *  - calls through stubs that serve every module (dlsym results, address-taken
 *    functions) are named by the module their return address lies in, when the
 *    logger reads their entry. So the unloaded library's place is not given to a
 *    new one until the logger has read what was recorded before the unload: it
 *    usually has (two drain passes, a fraction of a millisecond); if not, the
 *    dlopen that loads the newcomer waits for those passes (base/tracer.h's
 *    tracer_wait_drained: at most a few ms).
 *
 * Records keep naming the library after it is gone: a slot's library and caller
 * names are interned strings kept for the process's life, and the rest is named
 * when the logger reads the entry, before the place can be reused.
 */
#include "hooks/hooks.h"
#include "base/tracer.h"
#include "intercept/select.h"
#include "intercept/slots.h"
#include "intercept/unload.h"

/* True when some slot serves every module: its calls are named by return address. */
static bool callers_by_address(void)
{
	unsigned n = __atomic_load_n(&impulse_nslots, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (!impulse_slots[i].caller_path)
			return true;
	return false;
}

void unload_forget(struct module *mod)
{
	/* Odd, so never 0 ("settled"); at most one pass more than needed. */
	mod->settle_pass = callers_by_address() ? (__atomic_load_n(&tracer.drain_passes, __ATOMIC_ACQUIRE) + 2) | 1 : 0;
	if (mod->is_self || mod->is_loader || mod->start >= mod->end)
		return;
	slots_retire_range(mod->start, mod->end, mod->base);
	select_forget_module(mod);
}

static bool overlaps(const struct module *a, const struct module *b)
{
	return a->start < b->end && b->start < a->end;
}

void unload_before_enter(const struct module *m)
{
	unsigned passes = __atomic_load_n(&tracer.drain_passes, __ATOMIC_ACQUIRE);
	unsigned need = passes;

	for (int i = 0; i < modules_count(); i++) {
		struct module *g = modules_at(i);

		/* Same path: the entry itself is about to be reused (modules.c). */
		if (!g->gone || !g->settle_pass || !(overlaps(g, m) || g->path == m->path))
			continue;
		if ((int)(g->settle_pass - need) > 0)
			need = g->settle_pass;	/* the latest pass any of them waits for */
		g->settle_pass = 0;
	}
	/* One wait for them all. -EIO when the logger is not running (stopped at exit):
	 * nothing to wait for. */
	if (need != passes)
		(void)tracer_wait_drained(need);
}
