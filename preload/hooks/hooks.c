/*
 * hooks.c — the hook table (a hash of symbol names) and the slot array.
 *
 * Built before any patching; read-only afterwards except for slot allocation,
 * which happens under the install lock (interpose.c) and publishes the slot count
 * with a release store so the logger can read slots up to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/capture_plan.h"
#include "base/diag.h"
#include "hooks/event.h"
#include "render/jsonw.h"
#include "hooks/hooks.h"
#include "intercept/modules.h"
#include "intercept/select.h"
#include "base/tracer.h"

#define HASH_BUCKETS 1024

struct hook_slot impulse_slots[MAX_SLOTS];
unsigned impulse_nslots;

static struct hook *hooks_array;
static int nhooks;
static struct hook *hash[HASH_BUCKETS];

static unsigned name_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h & (HASH_BUCKETS - 1);
}

/* The logger writes parameter names on every record: escape them once here. */
static void hook_keys(struct hook *h)
{
	struct jbuf b = { 0 };

	for (uint32_t i = 0; i < h->nparams; i++) {
		jb_cstr(&b, h->cfg->params[i].name);
		jb_putc(&b, ':');
		h->key_end[i] = (uint16_t)(b.len < UINT16_MAX ? b.len : UINT16_MAX);
	}
	h->arg_keys = b.p;
}

/* True when name is in the comma-separated list. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * Compiles hook c into h: argument locations, capture plan (capture_plan.c), event
 * sizes, parameter keys. For one hook at any time once the settings are known (at
 * start-up, or from hooks_add under select.c's lock); allocates with malloc.
 */
static void hook_plan(struct hook *h, const struct cfg_hook *c)
{
	struct cfg_settings limits = tracer.cfg.settings;
	uint32_t enter_data, exit_data;
	size_t declared;

	limits.max_string = tracer.max_string;	/* init.c bounds it by the ring size */
	cap_limits_init(&limits, tracer.buffer_size);
	h->cfg = c;
	/* Without a prototype: timing and tree only, no argument is read. */
	h->nparams = !c->has_prototype ? 0 :
		     c->nparams < HOOK_MAX_PARAMS ? (uint32_t)c->nparams : HOOK_MAX_PARAMS;
	h->stack_copy = (uint32_t)arch_locate_args(c, h->locs, &h->ret_loc, &declared);
	/* Said once, at start: every call's record then shows the parameters past the
	 * copy as unreadable, and the real call gets the caller's registers and the
	 * stack bytes that exist, as without us (arch.h, ARCH_STACK_COPY_MAX). */
	if (declared > ARCH_STACK_COPY_MAX)
		diag_error("%s:%d:%d: %s's prototype puts %zu bytes of arguments on the stack, more than the %d the tracer copies: those past it are recorded as unreadable (is the prototype right?)",
			   c->file, c->line, c->column, c->symbol, declared, ARCH_STACK_COPY_MAX);
	h->redact_mask = 0;
	for (uint32_t i = 0; i < h->nparams; i++)
		if (listed(tracer.cfg.settings.redact, c->params[i].name))
			h->redact_mask |= 1u << i;	/* secrets never reach the ring */
	h->plan = cap_plan_compile(c, h->redact_mask, &enter_data, &exit_data);
	h->exit_args = h->plan && (h->plan->nexit || h->plan->vararg_after);
	h->string_mask = cap_plan_simple_strings(h->plan, enter_data);
	h->enter_blobs = !h->string_mask && h->plan &&
			 (h->plan->nentry || h->plan->format_param >= 0 || h->plan->vararg_param >= 0);
	h->exit_blobs = h->plan && (h->exit_args || h->plan->ret_node || h->plan->ret_by_value);
	h->reads_errno = c->has_prototype && c->error.nconds && c->error.errno_source == CE_ERRNO;
	h->enter_max = ev_align(sizeof(struct ev_enter) + 8u * h->nparams + enter_data);
	h->exit_max = ev_align(sizeof(struct ev_exit) + (h->exit_args ? 8u * (h->nparams + 1) : 0) + exit_data);
	hook_keys(h);
}

/* Room for the hooks patterns create as matching imports are found: each needs at
 * least one slot to be of use, so there can never be more useful ones than slots. */
#define PATTERN_HOOKS_MAX MAX_SLOTS

static int capacity;

/* Makes h findable. Readers (hooks_find) take no lock: h is complete before the
 * release stores that publish it. */
static void publish(struct hook *h)
{
	unsigned b = name_hash(h->cfg->symbol);

	h->hash_next = hash[b];
	/* Pairs with the load-acquire of the bucket in hooks_find(). */
	__atomic_store_n(&hash[b], h, __ATOMIC_RELEASE);
	/* Pairs with the load-acquire in hooks_count(). */
	__atomic_store_n(&nhooks, nhooks + 1, __ATOMIC_RELEASE);
}

int hooks_build(const struct cfg *cfg)
{
	capacity = cfg->nhooks + (cfg->npatterns ? PATTERN_HOOKS_MAX : 0);
	/* Allocated once and never moved: slots and the logger keep pointers into it.
	 * calloc of the pattern reserve maps untouched zero pages. */
	hooks_array = calloc((size_t)capacity + 1, sizeof(*hooks_array));
	if (!hooks_array)
		return -ENOMEM;
	for (int i = 0; i < cfg->nhooks; i++) {
		struct hook *h = &hooks_array[nhooks];

		const char *why = select_refusal(cfg->hooks[i].symbol, true);

		/* A trampoline would break it (select.c says why): never installed. */
		if (why) {
			diag_error("%s:%d:%d: %s cannot be hooked (%s); ignored", cfg->hooks[i].file,
				   cfg->hooks[i].line, cfg->hooks[i].column, cfg->hooks[i].symbol, why);
			continue;
		}
		hook_plan(h, &cfg->hooks[i]);
		publish(h);
	}
	return 0;
}

const struct hook *hooks_add(const struct cfg_hook *c)
{
	struct hook *h;

	if (nhooks >= capacity)
		return NULL;
	h = &hooks_array[nhooks];
	hook_plan(h, c);
	publish(h);
	return h;
}

const struct hook *hooks_find(const char *name)
{
	const struct hook *h = __atomic_load_n(&hash[name_hash(name)], __ATOMIC_ACQUIRE);

	for (; h; h = h->hash_next)
		if (strcmp(h->cfg->symbol, name) == 0)
			return h;
	return NULL;
}

int hooks_count(void)
{
	return __atomic_load_n(&nhooks, __ATOMIC_ACQUIRE);
}

const struct hook *hooks_at(int i)
{
	return &hooks_array[i];
}

/* True when retired slot s served this hook, caller and library at real's offset. */
static bool takes_back(const struct hook_slot *s, void *real, const char *library_path)
{
	const struct module *def = modules_find((uintptr_t)real);

	return def && !def->gone && s->library_path == library_path &&
	       (uintptr_t)real - def->base == __atomic_load_n(&s->offset, __ATOMIC_RELAXED);
}

/*
 * Allocation runs under interpose.c's slot lock; retirement (hooks_retire_range)
 * under the install lock only, so the two may meet, on different slots: a scan
 * retires the slots of a library found unloaded, which the program can no longer
 * be looking up (or is racing its own dlclose).
 */
int hooks_slot_for(const struct hook *hook, void *real, const char *caller_path,
		   const char *library_path)
{
	unsigned n = impulse_nslots;

	for (unsigned i = 0; i < n; i++) {
		struct hook_slot *s = &impulse_slots[i];

		if (s->hook != hook || s->caller_path != caller_path)
			continue;
		if (!__atomic_load_n(&s->retired, __ATOMIC_ACQUIRE)) {
			if (s->real == real)
				return (int)i;
		} else if (takes_back(s, real, library_path)) {
			/* One aligned store: a stale caller of the stub reaches the old or
			 * the new address, as it would have reached the old one untraced. */
			__atomic_store_n(&s->real, real, __ATOMIC_RELEASE);
			__atomic_store_n(&s->retired, 0, __ATOMIC_RELEASE);
			return (int)i;
		}
	}
	if (n >= MAX_SLOTS)
		return -ENOSPC;
	impulse_slots[n] = (struct hook_slot){
		.real = real,
		.hook = hook,
		.caller_path = caller_path,
		.library_path = library_path,
	};
	/* Pairs with the logger's load-acquire before it reads slot n. */
	__atomic_store_n(&impulse_nslots, n + 1, __ATOMIC_RELEASE);
	return (int)n;
}

void hooks_retire_range(uintptr_t start, uintptr_t end, uintptr_t base)
{
	unsigned n = __atomic_load_n(&impulse_nslots, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		struct hook_slot *s = &impulse_slots[i];
		uintptr_t real = (uintptr_t)__atomic_load_n(&s->real, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&s->retired, __ATOMIC_ACQUIRE) || real < start || real >= end)
			continue;
		/* Truncated beyond 4 GiB into the library: then never taken back. */
		__atomic_store_n(&s->offset, (uint32_t)(real - base), __ATOMIC_RELAXED);
		__atomic_store_n(&s->retired, 1, __ATOMIC_RELEASE);
	}
}

struct interned {
	struct interned *next;
	char path[];
};

static struct interned *interned_paths;

const char *hooks_intern_path(const char *path)
{
	struct interned *p;
	size_t len;

	if (!path)
		path = "";
	for (p = interned_paths; p; p = p->next)
		if (strcmp(p->path, path) == 0)
			return p->path;
	len = strlen(path);
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return "";
	memcpy(p->path, path, len + 1);
	p->next = interned_paths;
	interned_paths = p;
	return p->path;
}
