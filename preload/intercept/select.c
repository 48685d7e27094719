/*
 * select.c — deciding which symbols the patterns of hooks.conf hook, and which
 * callers a hook serves.
 *
 * A pattern is matched when a relocation (or a dlsym result) names a symbol that
 * has no explicit hook: against the symbol, and for "LIB: glob" against the file
 * name of the module that defines it (the relocation's target). Exclusions ("!…")
 * win over inclusions; explicit hooks win over both. The answer, positive or not,
 * is remembered per (symbol, defining module), so each is matched once however many
 * modules import it. A match makes a hook from the symbol's known prototype
 * (cfg_find_prototype), or a prototype-less one (timing and tree only).
 *
 * Install time only (under the callers' install lock or inside dlsym): nothing here
 * runs on the hot path, and nothing here calls the dynamic loader while holding
 * select_lock.
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "intercept/select.h"
#include "intercept/select_internal.h"

pthread_mutex_t select_lock = PTHREAD_MUTEX_INITIALIZER;
const struct cfg *select_cfg;
struct decision *select_decisions[DECISION_BUCKETS];

/*
 * The one table of symbols libimpulse will not hook. Each one breaks when a
 * trampoline stands between the caller and the function, or is libimpulse's own
 * business. A pattern never hooks any of them, even "libc.so.6: *"; an explicit
 * hook is refused too (never_explicit) for those whose trampoline would break the
 * program rather than merely hide a wrapper: the functions whose answer depends
 * on their caller, and those that return twice or switch stacks (the trampoline's
 * frame is popped by the first return, or is another stack's). select_refusal()
 * reads the table for select_build() (start-up) and select_report.c (impulse check).
 */
#define RETURNS_TWICE "returns twice on one stack: the parent returns through the frame its child left"
#define CLONE_STARTS "its child starts on another stack and never returns through the call"
#define SECOND_RETURN(by) "returns a second time from " by ", after the trampoline's frame is gone"

static const struct {
	const char *name;
	const char *why;
	bool never_explicit;		/* an explicit hook is refused too */
} refusals[] = {
	{ "dlsym", "its answer depends on who calls it", true },
	{ "dlvsym", "its answer depends on who calls it", true },
	{ "vfork", RETURNS_TWICE, true },
	{ "__vfork", RETURNS_TWICE, true },
	{ "clone", CLONE_STARTS, true },
	{ "__clone", CLONE_STARTS, true },
	{ "clone3", CLONE_STARTS, true },
	{ "__clone3", CLONE_STARTS, true },
	{ "setjmp", SECOND_RETURN("longjmp"), true },
	{ "_setjmp", SECOND_RETURN("longjmp"), true },
	{ "__setjmp", SECOND_RETURN("longjmp"), true },
	{ "__sigsetjmp", SECOND_RETURN("siglongjmp"), true },
	{ "sigsetjmp", SECOND_RETURN("siglongjmp"), true },
	{ "getcontext", SECOND_RETURN("setcontext or swapcontext"), true },
	{ "swapcontext", "switches stacks; " SECOND_RETURN("a later swap"), true },
	{ "__libc_start_main", "libimpulse wraps it to find main and the exit status", false },
	{ "exit", "libimpulse wraps it to write the last records; it never returns", false },
	{ "_exit", "libimpulse wraps it to write the last records; it never returns", false },
	{ "_Exit", "libimpulse wraps it to write the last records; it never returns", false },
	{ "_init", "a module's own initialiser, run by the loader", false },
	{ "_fini", "a module's own finaliser, run by the loader", false },
	{ "__tls_get_addr", "compiler-generated TLS code calls it with a misaligned stack", false },
	{ "__gxx_personality_v0", "called by the unwinder while an exception is in flight", false },
	{ "__gcc_personality_v0", "called by the unwinder while an exception is in flight", false },
};

int select_build(const struct cfg *cfg)
{
	if (hooks_reserve(cfg))
		return -ENOMEM;
	for (int i = 0; i < cfg->nhooks; i++) {
		const char *why = select_refusal(cfg->hooks[i].symbol, true);

		/* A trampoline would break it (the table above says why): never installed. */
		if (why) {
			diag_error("%s:%d:%d: %s cannot be hooked (%s); ignored", cfg->hooks[i].file,
				   cfg->hooks[i].line, cfg->hooks[i].column, cfg->hooks[i].symbol, why);
			continue;
		}
		hooks_add(&cfg->hooks[i]);	/* room for every one: hooks_reserve */
	}
	return 0;
}

const char *select_refusal(const char *name, bool explicit_hook)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (!strcmp(refusals[i].name, name))
			return !explicit_hook || refusals[i].never_explicit ? refusals[i].why : NULL;
	return NULL;
}

void select_reset_lock_in_child(void)
{
	/* A thread of the parent may have held it at the fork: it is not here. */
	pthread_mutex_init(&select_lock, NULL);
}

void select_setup(const struct cfg *cfg)
{
	select_cfg = cfg;
}

bool select_is_explicit(const struct hook *hook)
{
	const struct cfg *c = select_cfg;

	return c && hook->cfg >= c->hooks && hook->cfg < c->hooks + c->nhooks;
}

static bool symbol_matches(const struct cfg_pattern *p, const char *name)
{
	return fnmatch(p->symbol, name, 0) == 0;
}

/* A module named in [from=…] or a LIB: qualifier: "main" is the program. Globs
 * with a '/' are matched against the whole path, others against the file name. */
bool select_module_matches(const char *glob, const struct module *m)
{
	if (!m)
		return false;
	if (!strcmp(glob, "main") && m->is_main)
		return true;
	return fnmatch(glob, strchr(glob, '/') ? m->path : m->file_name, 0) == 0;
}

bool select_name_may_match(const char *name)
{
	const struct cfg *c = select_cfg;

	for (int i = 0; c && i < c->npatterns; i++)
		if (!c->patterns[i].exclude && symbol_matches(&c->patterns[i], name))
			return true;
	return false;
}

bool select_caller_matches(const struct hook *hook, const struct module *mod)
{
	const struct cfg_hook *c = hook->cfg;

	if (c->ncallers == 0)
		return true;
	for (int i = 0; i < c->ncallers; i++)
		if (select_module_matches(c->callers[i], mod))
			return true;
	return false;
}

unsigned select_name_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h & (DECISION_BUCKETS - 1);
}

/* Why libimpulse refuses to hook name (defined in def) through a pattern, or NULL. */
static const char *refusal(const char *name, const struct module *def, bool is_function)
{
	const char *why = select_refusal(name, false);

	if (why)
		return why;
	if (!def)
		return "its definition is in no loaded module";
	if (def->is_loader)
		return "defined in the dynamic loader, which runs beside the tracer and is never traced";
	if (def->is_self)
		return "defined in libimpulse itself";
	if (!is_function && modules_symbol_kind(def, name) != SYMBOL_FUNCTION)
		return "not a function";
	return NULL;
}

/* The description of the hook a pattern makes (config's cfg_pattern_hook). Never
 * freed: slots point at it. */
static const struct cfg_hook *make_cfg_hook(const struct cfg_pattern *p, const char *name)
{
	return cfg_pattern_hook(select_cfg, p, name);
}

/* A pattern-made hook for name, made now unless an earlier module's match made it. */
static const struct hook *pattern_hook(const struct cfg_pattern *p, const char *name)
{
	const struct hook *h = hooks_find(name);
	const struct cfg_hook *c;

	if (h)
		return h;
	c = make_cfg_hook(p, name);
	h = c ? hooks_add(c) : NULL;
	if (!h) {
		static bool warned;

		if (!warned)
			diag_error("too many symbols matched by patterns: %s and later ones are not traced", name);
		warned = true;
	}
	return h;
}

static struct decision *decide(const char *name, const struct module *def, bool is_function)
{
	const struct cfg *c = select_cfg;
	size_t len = strlen(name);
	struct decision *d = calloc(1, sizeof(*d) + len + 1);

	if (!d)
		return NULL;
	memcpy(d->name, name, len + 1);
	d->def = def;
	d->pattern = -1;
	d->excluded_by = -1;
	for (int i = 0; i < c->npatterns; i++) {
		const struct cfg_pattern *p = &c->patterns[i];

		if (!symbol_matches(p, name) || (p->library && !select_module_matches(p->library, def)))
			continue;
		if (p->exclude && d->excluded_by < 0)
			d->excluded_by = i;
		else if (!p->exclude && d->pattern < 0)
			d->pattern = i;
	}
	if (d->pattern < 0 || d->excluded_by >= 0)
		return d;
	d->refused = refusal(name, def, is_function);
	if (d->refused) {
		const struct cfg_pattern *p = &c->patterns[d->pattern];

		diag_note("pattern %s%s%s (%s:%d:%d) matches %s, which is never hooked through a pattern: %s",
			  p->library ? p->library : "", p->library ? ": " : "", p->symbol, p->file, p->line,
			  p->column, name, d->refused);
		return d;
	}
	d->hook = pattern_hook(&c->patterns[d->pattern], name);
	return d;
}

const struct hook *select_pattern_hook(const char *name, const struct module *def, bool is_function)
{
	unsigned b = select_name_hash(name);
	const struct hook *hook = NULL;
	struct decision *d;

	if (!select_cfg || !select_cfg->npatterns)
		return NULL;
	pthread_mutex_lock(&select_lock);
	for (d = select_decisions[b]; d; d = d->next)
		if (d->def == def && !strcmp(d->name, name))
			break;
	if (!d) {
		d = decide(name, def, is_function);
		if (d) {
			d->next = select_decisions[b];
			select_decisions[b] = d;
		}
	}
	if (d)
		hook = d->hook;
	pthread_mutex_unlock(&select_lock);
	return hook;
}

void select_forget_module(const struct module *mod)
{
	pthread_mutex_lock(&select_lock);
	for (unsigned b = 0; b < DECISION_BUCKETS; b++) {
		for (struct decision **pp = &select_decisions[b]; *pp;) {
			struct decision *d = *pp;

			if (d->def != mod) {
				pp = &d->next;
				continue;
			}
			/* A pattern's hook stays (slots point at it); hooks_find gives it back. */
			*pp = d->next;
			free(d);
		}
	}
	select_forget_notes(mod);
	pthread_mutex_unlock(&select_lock);
}
