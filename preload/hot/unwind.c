/*
 * unwind.c — the trampoline's personality routine: records the hooked calls that a
 * C++ exception or a forced unwind (pthread_exit, pthread_cancel) leaves.
 *
 * The trampoline's FDE names impulse_unwind_personality (.cfi_personality in
 * trampoline.S), so an unwinder crossing a traced call asks us what to do about our
 * frame, in both phases. The answer is always "continue unwinding": nothing the
 * program sees changes. In the cleanup phase we also pop the call's frame from the
 * thread's frame stack with an EV_EXCEPTION naming the exception's type, at the
 * moment the unwind really passes it: calls made later by destructors of outer
 * frames then nest where they run, and the resync by stack pointer (hot_path.c)
 * finds nothing left to pop.
 *
 * Our frame is told apart by its stack pointer at the real call, which
 * _Unwind_GetCFA gives for a frame (the CFA of its callee), from the unwinder
 * that calls us, looked up in that unwinder's own object (it may be a libgcc_s that
 * glibc loaded privately for pthread_cancel): libimpulse.so itself does not link
 * libgcc_s, so C programs load nothing more for it.
 *
 * Runs on the program's thread in the middle of its unwind: no malloc, no stdio;
 * errno as the program sees it is kept.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unwind.h>

#include "arch.h"
#include "base/clock.h"
#include "hooks/event.h"
#include "hooks/hooks.h"
#include "hot/hot_path.h"
#include "hot/thread_ctx.h"

_Unwind_Reason_Code impulse_unwind_personality(int version, _Unwind_Action actions,
					       _Unwind_Exception_Class cls,
					       struct _Unwind_Exception *ue,
					       struct _Unwind_Context *uc)
	__attribute__((visibility("hidden")));

/*
 * The Itanium C++ ABI's exception header (2.2.1), as libstdc++ and libc++abi lay it
 * out on x86-64 (libc++abi puts its extra fields before exceptionType): it precedes
 * the thrown object and ends with the unwind header the unwinder hands us. A
 * dependent exception (std::rethrow_exception) has the same shape with
 * primaryException, the thrown object, in place of exceptionType.
 */
struct cxa_exception {
	const void *exception_type;	/* std::type_info *; or primaryException */
	void (*exception_destructor)(void *);
	void (*unexpected_handler)(void);
	void (*terminate_handler)(void);
	void *next_exception;
	int handler_count;
	int handler_switch_value;
	const unsigned char *action_record;
	const unsigned char *language_specific_data;
	void *catch_temp;
	void *adjusted_ptr;
	struct _Unwind_Exception unwind_header;
};

_Static_assert(offsetof(struct cxa_exception, unwind_header) == 80, "Itanium C++ ABI on x86-64");

/* exception_class: 7 bytes naming the runtime, then 0 (primary) or 1 (dependent). */
#define CLASS_VENDOR(c)		((c) >> 8)
#define CLASS_GNU_CXX		0x474e5543432b2bull	/* "GNUCC++" (libstdc++) */
#define CLASS_CLANG_CXX		0x434c4e47432b2bull	/* "CLNGC++" (libc++abi) */

/* std::type_info: a vtable pointer, then the mangled name. */
#define TYPE_INFO_NAME_OFFSET	8

/*
 * The address of the type_info of a C++ exception, or 0 when the object is not
 * one we know or cannot be read.
 */
static uintptr_t cxx_type_info(_Unwind_Exception_Class cls, struct _Unwind_Exception *ue)
{
	const struct cxa_exception *x =
		(const struct cxa_exception *)((char *)ue - offsetof(struct cxa_exception, unwind_header));
	uintptr_t v;

	if (impulse_safe_memcpy(&v, &x->exception_type, sizeof(v)) < 0)
		return 0;
	if ((cls & 0xff) == 0)
		return v;
	if ((cls & 0xff) != 1 || !v)
		return 0;
	/* Dependent: v is the primary exception's object, its header just before. */
	x = (const struct cxa_exception *)v - 1;
	if (impulse_safe_memcpy(&v, &x->exception_type, sizeof(v)) < 0)
		return 0;
	return v;
}

static bool is_cxx(_Unwind_Exception_Class cls)
{
	return CLASS_VENDOR(cls) == CLASS_GNU_CXX || CLASS_VENDOR(cls) == CLASS_CLANG_CXX;
}

/* Copies the mangled type name of a C++ exception into ev->name. */
static void take_type_name(struct ev_exception *ev, _Unwind_Exception_Class cls,
			   struct _Unwind_Exception *ue)
{
	uintptr_t ti = cxx_type_info(cls, ue), name = 0;
	long n = -1;

	if (ti && impulse_safe_memcpy(&name, (const char *)ti + TYPE_INFO_NAME_OFFSET, sizeof(name)) == 0 &&
	    name >= 4096)
		n = impulse_safe_strncpy(ev->name, (const char *)name, EV_EXC_NAME_MAX);
	ev->name_cut = n > EV_EXC_NAME_MAX;
	ev->name_len = n < 0 ? EV_BLOB_UNREADABLE : n > EV_EXC_NAME_MAX ? EV_EXC_NAME_MAX : (int32_t)n;
}

/* Pops ctx's innermost frame, which this unwind is leaving, with an EV_EXCEPTION. */
static void pop_left(struct thread_ctx *ctx, _Unwind_Action actions, _Unwind_Exception_Class cls,
		     struct _Unwind_Exception *ue)
{
	struct ev_exception *ev = thread_ctx_reserve(ctx, sizeof(*ev) + EV_EXC_NAME_MAX);
	uint32_t size = sizeof(*ev);

	ctx->depth--;
	if (!ev)
		return;
	ev->call_id = ctx->stack[ctx->depth].call_id;
	ev->exception_class = cls;
	ev->name_len = 0;
	ev->name_cut = 0;
	ev->h = (struct ev_head){ .type = EV_EXCEPTION, .flags = EV_EXC_FOREIGN };
	if (actions & _UA_FORCE_UNWIND) {
		ev->h.flags = EV_EXC_FORCED;
	} else if (is_cxx(cls)) {
		ev->h.flags = EV_EXC_CXX;
		take_type_name(ev, cls, ue);
		if (ev->name_len > 0)
			size += ev_align((uint64_t)ev->name_len);
	}
	ev->h.size = size;
	ev->ticks = clock_ticks();
	ring_commit(&ctx->ring, size);
}

/* ---- the unwinder's _Unwind_GetCFA ---- */

typedef uintptr_t (*get_cfa_fn)(struct _Unwind_Context *);

/*
 * _Unwind_GetCFA as exported by the object holding the code at site (the unwinder
 * calling us), or NULL. Its own one, not another unwinder's: their contexts differ.
 */
static get_cfa_fn lookup_get_cfa(uintptr_t site)
{
	Dl_info at, got;
	void *h, *fn;

	if (!dladdr((void *)site, &at) || !at.dli_fname)
		return NULL;
	/* Already loaded, perhaps privately (glibc's libgcc_s): NOLOAD finds it either way. */
	h = dlopen(at.dli_fname[0] ? at.dli_fname : NULL, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return NULL;
	fn = dlsym(h, "_Unwind_GetCFA");
	dlclose(h);
	if (!fn || !dladdr(fn, &got) || got.dli_fbase != at.dli_fbase)
		return NULL;
	return (get_cfa_fn)fn;
}

/*
 * The unwinder calls us from a handful of places; what was found for each is kept
 * (found or not: the answer does not change while the object stays loaded, and an
 * unwinder is not unloaded while it runs). Entries are published with their site
 * last, so a reader that matches a site sees its function.
 */
#define SITES 16

static struct {
	uintptr_t site;
	get_cfa_fn fn;
} sites[SITES];
static unsigned nsites;

static get_cfa_fn get_cfa_for(uintptr_t site)
{
	unsigned n = __atomic_load_n(&nsites, __ATOMIC_ACQUIRE);
	get_cfa_fn fn;

	for (unsigned i = 0; i < n; i++)
		if (__atomic_load_n(&sites[i].site, __ATOMIC_ACQUIRE) == site)
			return sites[i].fn;
	fn = lookup_get_cfa(site);
	/* Claim an entry, if one is left (else look it up every time). */
	n = __atomic_load_n(&nsites, __ATOMIC_RELAXED);
	while (n < SITES && !__atomic_compare_exchange_n(&nsites, &n, n + 1, false, __ATOMIC_ACQ_REL,
							 __ATOMIC_RELAXED))
		;
	if (n < SITES) {
		sites[n].fn = fn;
		__atomic_store_n(&sites[n].site, site, __ATOMIC_RELEASE);
	}
	return fn;
}

/* ---- the personality routine ---- */

/*
 * Whether ctx's innermost frame is the trampoline frame the unwinder is at, whose
 * stack pointer at the real call was sp (what _Unwind_GetCFA gives for a frame: its
 * callee's CFA). Frames pushed during that call lie below sp and were popped as it
 * was unwound (or are dropped first); the frame itself is the next one up, and
 * its struct arch_frame sits exactly the hook's stack_copy bytes above sp. Anything
 * else (the unwind caught us inside impulse_hook_enter or _exit, where the call
 * is not on the frame stack) is not ours to pop.
 */
static bool innermost_is_at(const struct thread_ctx *ctx, uintptr_t sp)
{
	uintptr_t f;
	uint64_t slot;

	if (!ctx->depth)
		return false;
	f = ctx->stack[ctx->depth - 1].entry_sp - F_RETADDR;
	if (f < sp || impulse_safe_memcpy(&slot, (const char *)f + F_SLOT, sizeof(slot)) < 0 ||
	    slot >= MAX_SLOTS || !impulse_slots[slot].hook)
		return false;
	return f - impulse_slots[slot].hook->stack_copy == sp;
}

_Unwind_Reason_Code impulse_unwind_personality(int version, _Unwind_Action actions,
					       _Unwind_Exception_Class cls,
					       struct _Unwind_Exception *ue,
					       struct _Unwind_Context *uc)
{
	struct thread_ctx *ctx = tls_ctx;
	uintptr_t site = (uintptr_t)__builtin_return_address(0);
	get_cfa_fn get_cfa;
	int saved_errno;

	/*
	 * The search phase only looks for a handler: we have none. A busy thread is in
	 * our own code (asynchronous cancellation there): its frame stack may be half
	 * written, and what it was doing is not a traced call; resync sorts it out.
	 */
	if (version != 1 || !(actions & _UA_CLEANUP_PHASE) || !ctx || !ctx->depth || tls_busy)
		return _URC_CONTINUE_UNWIND;
	saved_errno = errno;
	tls_busy = 1;
	get_cfa = get_cfa_for(site);
	if (get_cfa) {
		uintptr_t sp = get_cfa(uc);

		/* Frames still below sp were left earlier, by longjmp: "unwound", as resync would. */
		hot_path_drop_below(ctx, sp);
		if (innermost_is_at(ctx, sp))
			pop_left(ctx, actions, cls, ue);
	}
	tls_busy = 0;
	errno = saved_errno;
	return _URC_CONTINUE_UNWIND;
}
