/*
 * hooks.c — the hook table (a hash of symbol names) and the slot array.
 *
 * Built before any patching; read-only afterwards except for slot allocation,
 * which happens under the install lock (intercept/slots.c) and publishes the slot
 * count with a release store so the logger can read slots up to it. Which hooks
 * are built, and which slots serve them, the interception decides
 * (intercept/select.c, intercept/slots.c): this file only compiles and keeps them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/capture_plan.h"
#include "base/diag.h"
#include "hooks/event.h"
#include "hooks/hooks.h"
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

/*
 * The renderer writes parameter names on every record: quote them once here, as
 * "name": back to back. No escaping is needed: the configuration only accepts C
 * identifiers as parameter names, or names them "argN" (config/proto.c). Out of
 * memory (at start-up or a pattern's first match): empty keys, NULL and every end
 * 0, as the JSON buffer this replaced left them.
 */
static void hook_keys(struct hook *h)
{
	size_t len = 0, size = 0;
	char *keys;

	for (uint32_t i = 0; i < h->nparams; i++)
		size += strlen(h->cfg->params[i].name) + 3;
	keys = size ? malloc(size) : NULL;
	for (uint32_t i = 0; keys && i < h->nparams; i++) {
		size_t n = strlen(h->cfg->params[i].name);

		keys[len++] = '"';
		memcpy(keys + len, h->cfg->params[i].name, n);
		len += n;
		keys[len++] = '"';
		keys[len++] = ':';
		h->key_end[i] = (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX);
	}
	if (!keys)
		memset(h->key_end, 0, sizeof(h->key_end));
	h->arg_keys = keys;
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

int hooks_reserve(const struct cfg *cfg)
{
	capacity = cfg->nhooks + (cfg->npatterns ? PATTERN_HOOKS_MAX : 0);
	/* Allocated once and never moved: slots and the logger keep pointers into it.
	 * calloc of the pattern reserve maps untouched zero pages. */
	hooks_array = calloc((size_t)capacity + 1, sizeof(*hooks_array));
	if (!hooks_array)
		return -ENOMEM;
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
