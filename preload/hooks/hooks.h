/*
 * hooks.h — the hooks of the configuration, ready for the hot path, and the slots
 * that bind one hook to one (calling module, real function) pair.
 *
 * A hook is built once at start-up from a struct cfg_hook. A slot is allocated
 * (intercept/slots.c) when a GOT entry or a dlsym result is redirected to stub N; slot N never changes
 * afterwards except for the logger's cached JSON, which only the logger touches.
 */
#ifndef IMPULSE_HOOKS_H
#define IMPULSE_HOOKS_H


#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "config.h"

struct cap_plan;

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

#define HOOK_MAX_PARAMS ARCH_MAX_ARG_LOCS

struct hook {
	const struct cfg_hook *cfg;	/* owned by the tracer's struct cfg */
	struct arg_loc locs[HOOK_MAX_PARAMS];
	struct ret_loc ret_loc;
	uint32_t nparams;		/* captured parameters (cfg->nparams, capped); 0 without a prototype */
	uint32_t redact_mask;		/* bit i: parameter i is named in "redact": never copied or shown */
	const struct cap_plan *plan;	/* what is copied beyond the argument registers and the
					 * return register (capture_plan.h), or NULL: nothing */
	uint32_t enter_max;		/* largest EV_ENTER this hook can write, bytes (at most
					 * max_capture of blobs beyond the fixed part) */
	uint32_t exit_max;		/* largest EV_EXIT, bytes (likewise) */
	uint32_t string_mask;		/* bit i: char * parameter i, copied inline at entry: the
					 * plan's only entry captures (cap_plan_simple_strings) */
	bool enter_blobs;		/* the plan copies other things at entry: call cap_enter */
	bool exit_blobs;		/* the plan copies something at exit: call cap_exit */
	bool exit_args;			/* EV_EXIT carries args[nparams + 1] re-read at exit */
	bool reads_errno;		/* the error rule needs errno: EV_EXIT carries it */
	uint32_t stack_copy;		/* caller stack bytes to copy for the real call */
	char *arg_keys;			/* "name": of each parameter, JSON-escaped, back to back */
	uint16_t key_end[HOOK_MAX_PARAMS];	/* end offset of parameter i's key in arg_keys */
	struct hook *hash_next;
};

struct hook_slot {
	void *real;			/* the function the caller bound to */
	const struct hook *hook;
	const char *caller_path;	/* module whose call this slot serves; interned */
	const char *library_path;	/* module defining real; interned */
	char *prefix;			/* logger only: the record's text up to the call id, */
	size_t prefix_len;		/* for prefix_session; rebuilt when the session changes */
	const struct session *prefix_session;
	uint32_t retired;		/* real's library was unloaded (unload.c): real is kept, so
					 * a stale pointer to the stub fails as the untraced call
					 * would; a reload of that library takes the slot back */
	uint32_t offset;		/* when retired: real's offset from its library's load bias */
};

_Static_assert(sizeof(struct hook_slot) == 64, "slot size");

extern struct hook_slot impulse_slots[MAX_SLOTS];
extern unsigned impulse_nslots;		/* slots in use; grows under the install lock */

/*
 * Makes the table room for cfg's hooks and those its patterns may add (cfg is kept
 * by the caller for the process lifetime); empty until hooks_add(). 0 or -ENOMEM.
 */
int hooks_reserve(const struct cfg *cfg);

/*
 * Adds a hook for c: one declared in hooks.conf (intercept/select.c's
 * select_build, at start-up) or made for a symbol a pattern matched (select.c);
 * c must live as long as the process. Returns it, or NULL when the table is full.
 * Callers serialise additions (select.c's lock); readers need none.
 */
const struct hook *hooks_add(const struct cfg_hook *c);

/* The hook for a symbol name, or NULL. Safe from any thread, lock-free. */
const struct hook *hooks_find(const char *name);

/*
 * Compiles c into h (hook_compile.c): argument locations, capture plan, event
 * sizes, parameter keys, under the given settings, max_string as bounded by the
 * ring, and the ring's size. Allocates with malloc; reads no global.
 */
void hook_compile(struct hook *h, const struct cfg_hook *c, const struct cfg_settings *settings,
		  size_t max_string, size_t buffer_size);

/* Number of hooks and the i-th one (for reports); the number only grows. */
int hooks_count(void);
const struct hook *hooks_at(int i);

/* Interns a path string for the process lifetime (install lock held). */
const char *hooks_intern_path(const char *path);

#pragma GCC visibility pop

#endif
