/*
 * interpose.c — deciding, for every import of every loaded object, whether and
 * where to redirect it, and reporting what was done.
 *
 * Runs at start-up and after each dlopen, under install_lock. A hooked import is
 * pointed at the stub of a slot that remembers the real target; an import of a
 * symbol libimpulse itself must see (dlopen, dlsym, pthread_create, exit…) is
 * pointed at its wrapper (lifecycle/wrappers.c's table, handed down at start-up
 * by interpose_set_wrappers), or, when also hooked, at a stub whose real target is
 * that wrapper; the slot is slots.c's to find. Never patched: libimpulse itself and the dynamic loader.
 * Which hook an import gets, if any, is select.c's to say (explicit hooks, patterns,
 * [from=…]); select_report.c says afterwards where each went.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/life.h"
#include "hooks/hooks.h"
#include "intercept/interpose.h"
#include "intercept/modules.h"
#include "intercept/select.h"
#include "intercept/slots.h"
#include "hot/thread_ctx.h"

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

/* The lifecycle's wrappers (interpose_set_wrappers), and the first letters of their
 * names: most imports are ruled out on that alone. */
static const struct interpose_wrapper *wrappers;
static size_t nwrappers;
static bool wrapper_initial[256];

void interpose_set_wrappers(const struct interpose_wrapper *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wrapper_initial[(unsigned char)table[i].name[0]] = true;
	wrappers = table;
	nwrappers = n;
}

/* The wrapper that replaces name, or NULL. */
static void *wrapper_for(const char *name)
{
	if (!wrapper_initial[(unsigned char)name[0]])
		return NULL;
	for (size_t i = 0; i < nwrappers; i++)
		if (strcmp(wrappers[i].name, name) == 0)
			return wrappers[i].fn;
	return NULL;
}

static bool is_stub(const void *p)
{
	uintptr_t a = (uintptr_t)p, s = (uintptr_t)arch_stub_address(0);

	return a >= s && a < s + (uintptr_t)MAX_SLOTS * STUB_SIZE;
}

/*
 * A non-PIE executable that takes a function's address makes its own PLT entry the
 * function's address, for every module. Calls through that address go through the
 * executable's PLT slot (patched); handing out a stub instead would make the
 * program see two addresses for one function.
 */
static bool is_canonical_plt(const void *p)
{
	const struct module *exe = modules_count() ? modules_at(0) : NULL;

	return exe && exe->base == 0 && (uintptr_t)p >= exe->start && (uintptr_t)p < exe->end &&
	       arch_is_plt_entry(p);
}

static void *lookup_in(const struct module *m, const char *name, const char *version)
{
	void *h = dlopen(m->path, RTLD_LAZY | RTLD_NOLOAD);
	void *p;

	if (!h)
		return NULL;
	p = version ? dlvsym(h, name, version) : dlsym(h, name);
	dlclose(h);
	return p && modules_find((uintptr_t)p) == m ? p : NULL;
}

void *interpose_resolve_next(const char *name, const char *version, const void *caller)
{
	const struct module *from = modules_find((uintptr_t)caller);
	int n = modules_count(), i = 0;

	if (from)
		i = (int)(from - modules_at(0)) + 1;
	for (; i < n; i++) {
		const struct module *m = modules_at(i);
		void *p;

		if (m->is_self || m->is_loader)
			continue;
		p = lookup_in(m, name, version);
		if (p)
			return p;
	}
	return NULL;
}

/* The program's handle: dlsym searches the program, the libraries loaded at start
 * and those dlopen'ed RTLD_GLOBAL, in that order, as RTLD_DEFAULT does, without
 * recording a dependency of the caller on what it finds. Install lock held. */
static void *global_scope(void)
{
	static void *handle;

	if (!handle)
		handle = dlopen(NULL, RTLD_LAZY);
	return handle ? handle : RTLD_DEFAULT;
}

/* The function an import really reaches, or NULL when it is unresolved. */
static void *resolve_import(const struct module *mod, const struct import *imp)
{
	void *cur = *imp->where;
	const struct module *def;

	if (cur && ((uintptr_t)cur < mod->start || (uintptr_t)cur >= mod->end))
		return cur;	/* bound already (-z now, GLOB_DAT, or called once) */
	/* Lazy binding not done yet: ask the loader as the caller would have, in the
	 * global scope. Not with RTLD_DEFAULT: from libimpulse, which is never
	 * unloaded, that marks a dlopen'ed library defining the symbol undeletable,
	 * and dlclose would no longer unload it. */
	cur = imp->version ? dlvsym(global_scope(), imp->name, imp->version) :
			     dlsym(global_scope(), imp->name);
	if (!cur) {
		void *h = dlopen(mod->path, RTLD_LAZY | RTLD_NOLOAD);

		if (h) {
			cur = imp->version ? dlvsym(h, imp->name, imp->version) : dlsym(h, imp->name);
			dlclose(h);
		}
	}
	/* The executable's PLT entry as the canonical address: calling it would come
	 * back through us. The real function is the next definition. */
	def = cur ? modules_find((uintptr_t)cur) : NULL;
	if (def && is_canonical_plt(cur))
		cur = interpose_resolve_next(imp->name, imp->version, (const void *)def->start);
	return cur;
}

static void *slot_target(const struct hook *hook, void *real, const char *caller_path,
			 const char *library_path)
{
	int slot;

	pthread_mutex_lock(&slot_lock);
	slot = slots_take(hook, real, caller_path, library_path);
	pthread_mutex_unlock(&slot_lock);
	if (slot < 0) {
		static bool warned;

		if (!warned)
			diag_error("too many hooked call sites (%d): further ones are not traced", MAX_SLOTS);
		warned = true;
		return NULL;
	}
	return arch_stub_address((unsigned)slot);
}

/*
 * The hook an import should go to, or NULL: an explicit hook of that name, else
 * what the patterns say about the symbol where it is defined; either only when
 * its [from=…] names the importing module.
 */
static const struct hook *hook_for_import(const struct module *mod, const struct import *imp,
					  const struct hook *hook, const struct module *def)
{
	if (!hook || !select_is_explicit(hook))
		hook = select_pattern_hook(imp->name, def, imp->is_function);
	if (hook && !select_caller_matches(hook, mod)) {
		select_note_not_from(hook, mod);
		return NULL;
	}
	return hook;
}

static void patch_import(const struct module *mod, const struct import *imp, void *arg)
{
	const struct hook *hook = hooks_find(imp->name);
	void *wrapper = wrapper_for(imp->name);
	void *real, *target;
	const struct module *def;
	int err;

	(void)arg;
	/* Only explicit hooks, wrappers and names a pattern may want are worth resolving. */
	if (!(hook && select_is_explicit(hook)) && !wrapper && !select_name_may_match(imp->name))
		return;
	if (is_stub(*imp->where) || (wrapper && *imp->where == wrapper))
		return;		/* done on an earlier scan */
	if (imp->kind == IMPORT_ADDRESS && is_canonical_plt(*imp->where))
		return;		/* keep the one address; calls reach the executable's patched PLT slot */
	real = resolve_import(mod, imp);
	if (!real) {
		if (hook && select_is_explicit(hook))
			select_note_unresolved(hook, mod);
		return;
	}
	def = modules_find((uintptr_t)real);
	if (def && def->is_self)
		return;		/* bound to libimpulse already */
	hook = hook_for_import(mod, imp, hook, def);
	if (!hook && !wrapper)
		return;
	target = wrapper ? wrapper : real;
	if (hook) {
		/* A PLT slot serves calls from its module only, unless the executable made
		 * its PLT entry the function's address: then every module's calls through
		 * that address come here, and the return address names the caller. */
		bool own_calls = imp->kind == IMPORT_CALL && !imp->canonical_plt;
		void *stub = slot_target(hook, target, own_calls ? mod->path : NULL,
					 def ? def->path : "");
		if (!stub)
			return;
		target = stub;
	}
	err = modules_write_word(mod, imp->where, target);
	if (err) {
		diag_error("cannot redirect %s in %s: %s", imp->name, mod->path, strerror(-err));
		return;
	}
	if (imp->kind == IMPORT_CALL)
		modules_note_patched(mod, imp->where, target);	/* tells a reload from this copy */
	if (hook) {
		select_note_installed(hook, mod, imp);
		diag_note("hook %s installed in %s (%s) -> %s", hook->cfg->hook_id, mod->path, imp->how,
			  def ? def->path : "?");
	}
}

void interpose_scan(bool report)
{
	const int *fresh;
	int added;

	tls_busy++;
	pthread_mutex_lock(&install_lock);
	fresh = modules_refresh(&added);
	for (int k = 0; k < added; k++) {
		const struct module *m = modules_at(fresh[k]);

		if (m->is_self || m->is_loader)
			continue;
		modules_for_each_import(m, patch_import, NULL);
	}
	/* In check mode the report is written before main instead (wrappers.c). */
	if (report && select_check_fd < 0)
		select_report(-1);
	pthread_mutex_unlock(&install_lock);
	tls_busy--;
}

/* LIFE_FORK_CHILD: the install locks, as free as the child's one thread finds them. */
static int reset_locks_in_child(const void *arg)
{
	(void)arg;
	/* A thread of the parent may have held them at the fork: it is not here. */
	pthread_mutex_init(&install_lock, NULL);
	pthread_mutex_init(&slot_lock, NULL);
	select_reset_lock_in_child();
	return 0;
}

void interpose_setup(void)
{
	life_register(LIFE_FORK_CHILD, LIFE_INTERCEPT, reset_locks_in_child);
}

bool interpose_is_wrapped(const char *name)
{
	return hooks_find(name) || wrapper_for(name) || select_name_may_match(name);
}

void *interpose_wrap_address(const char *name, void *real, const void *caller)
{
	const struct hook *hook = hooks_find(name);
	void *wrapper = wrapper_for(name);
	const struct module *def, *from;

	if (!real)
		return NULL;
	def = modules_find((uintptr_t)real);
	if ((def && def->is_self) || is_canonical_plt(real))
		return real;
	if (!hook || !select_is_explicit(hook))
		hook = select_pattern_hook(name, def, false);
	/* A dlsym result serves whoever calls it: [from] is judged by who looked it up. */
	from = modules_find((uintptr_t)caller);
	if (hook && !select_caller_matches(hook, from)) {
		select_note_not_from(hook, from);
		hook = NULL;
	}
	if (wrapper)
		real = wrapper;
	if (hook) {
		void *stub = slot_target(hook, real, NULL, def ? def->path : "");

		if (stub) {
			select_note_installed(hook, from, NULL);
			return stub;
		}
	}
	return real;
}
