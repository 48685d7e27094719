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

/* Compiled with the settings in force (init.c bounds max_string by the ring size). */
static void hook_plan(struct hook *h, const struct cfg_hook *c)
{
	hook_compile(h, c, &tracer.cfg.settings, tracer.max_string, tracer.buffer_size);
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
