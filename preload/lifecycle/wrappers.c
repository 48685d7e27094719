/*
 * wrappers.c — the few library functions libimpulse itself must see the program
 * call: dlopen (patch what it loads), dlsym/dlvsym (hand out stubs for hooked
 * names), pthread_create (link a new thread to the call that created it),
 * __libc_start_main, exit, _exit and _Exit (the process's exit status, and a last
 * flush when no destructor will run), the ways of starting programs (the exec
 * family, posix_spawn, system, popen: wrap_exec.c; vfork: vfork_entry.S),
 * sigaction/signal and their aliases (fault.c: the signals whose records must be
 * written before the process dies), quick_exit and pthread_exit (exits.c), abort
 * (crash.c), and the ways of making a child without fork()'s handlers: clone,
 * _Fork, syscall(SYS_clone…) (raw_clone.c).
 *
 * Each wrapper calls the real function through libimpulse's own GOT, which is
 * never patched, and marks its own work busy so that hooked calls it makes
 * (malloc, say) are not recorded as the program's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle/crash.h"
#include "intercept/dlopen_caller.h"
#include "hot/altstack.h"
#include "hooks/event.h"
#include "lifecycle/exits.h"
#include "hot/hot_path.h"
#include "lifecycle/fault.h"
#include "intercept/interpose.h"
#include "lifecycle/raw_clone.h"
#include "lifecycle/wrappers.h"
#include "intercept/select.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"
#include "lifecycle/shutdown.h"
#include "lifecycle/wrap_exec.h"

typedef void *(*start_fn)(void *);

struct thread_start {
	start_fn fn;
	void *arg;
	uint64_t parent;
};

void *impulse_real_dlsym __attribute__((visibility("hidden")));
void *impulse_real_dlvsym __attribute__((visibility("hidden")));
int impulse_dlsym_name_is_wrapped(const char *name) __attribute__((visibility("hidden")));
void *impulse_dlsym_wrapped(void *handle, const char *name, const char *version, void *caller)
	__attribute__((visibility("hidden")));
void impulse_dlsym_entry(void) __attribute__((visibility("hidden")));
void impulse_dlvsym_entry(void) __attribute__((visibility("hidden")));
void impulse_vfork_entry(void) __attribute__((visibility("hidden")));

int impulse_dlsym_name_is_wrapped(const char *name)
{
	return name && tracer_is_active() && interpose_is_wrapped(name);
}

void *impulse_dlsym_wrapped(void *handle, const char *name, const char *version, void *caller)
{
	void *p;

	tls_busy++;
	if (handle == RTLD_NEXT)
		p = interpose_resolve_next(name, version, caller);
	else
		p = version ? dlvsym(handle, name, version) : dlsym(handle, name);
	p = interpose_wrap_address(name, p, caller);
	tls_busy--;
	return p;
}

static void *wrap_dlopen(const char *file, int flags)
{
	/* A bare name is searched for on the program's caller's run path, not ours. */
	void *h = dlopen_caller_open(file, flags, __builtin_return_address(0));
	int saved_errno = errno;

	/* The scan may wait for the logger (unload.c): errno stays dlopen's. */
	if (h && tracer_is_active())
		interpose_scan(false);
	errno = saved_errno;
	return h;
}

static void *wrap_dlmopen(Lmid_t lmid, const char *file, int flags)
{
	void *h = dlmopen(lmid, file, flags);
	int saved_errno = errno;

	if (h && tracer_is_active())
		interpose_scan(false);
	errno = saved_errno;
	return h;
}

static int wrap_dlclose(void *handle)
{
	int rc = dlclose(handle);
	int saved_errno = errno;

	/* Forget what was unloaded, so that loading it again patches it again (unload.c). */
	if (tracer_is_active())
		interpose_scan(false);
	errno = saved_errno;
	return rc;
}

static void *thread_start(void *p)
{
	struct thread_start start;

	tls_busy++;
	start = *(struct thread_start *)p;
	free(p);
	thread_ctx_set_link(start.parent);
	tls_busy--;
	return start.fn(start.arg);
}

/* Keeps the creating call alive on the logger side until the new thread is done. */
static void emit_link(struct thread_ctx *ctx, uint64_t call_id)
{
	struct ev_call *ev = thread_ctx_reserve(ctx, sizeof(*ev));

	if (!ev)
		return;
	ev->h = (struct ev_head){ .size = sizeof(*ev), .type = EV_LINK };
	ev->call_id = call_id;
	ev->ticks = 0;
	ring_commit(&ctx->ring, sizeof(*ev));
}

static int wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, start_fn fn, void *arg)
{
	struct thread_ctx *ctx = tls_ctx;
	struct thread_start *start;
	uint64_t parent;
	int rc;

	if (!ctx || tls_busy || !tracer_is_active())
		return pthread_create(thread, attr, fn, arg);
	parent = thread_ctx_current_call(ctx);
	if (!parent)
		return pthread_create(thread, attr, fn, arg);
	tls_busy++;
	start = malloc(sizeof(*start));
	if (!start) {
		tls_busy--;
		return pthread_create(thread, attr, fn, arg);
	}
	*start = (struct thread_start){ fn, arg, parent };
	emit_link(ctx, parent);
	tls_busy--;
	rc = pthread_create(thread, attr, thread_start, start);
	if (rc)
		free(start);
	return rc;
}

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int main_wrapper(int argc, char **argv, char **envp)
{
	int rc = real_main(argc, argv, envp);

	/* Every frame main made is below this one: what is left of them was left by a
	 * longjmp with no hooked call after it (issue 12). */
	hot_path_leave((uintptr_t)__builtin_frame_address(0));
	tracer.exit_status = rc & 0xff;
	return rc;
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end);

/*
 * impulse check: everything loaded at start is patched and the libraries' constructors
 * have run (their dlopens included); the program's own constructors and main have
 * not (__libc_start_main runs them). Report and leave before any of the program's
 * code runs.
 */
static void __attribute__((noreturn)) end_check(void)
{
	tls_busy++;
	select_report(select_check_fd);
	close(select_check_fd);
	tracer_shutdown();
	_exit(0);
}

static int wrap_libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
				void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	if (select_check_fd >= 0 && tracer_is_active())
		end_check();
	real_main = main;
	return __libc_start_main(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

static void wrap_exit(int status)
{
	hot_path_leave(HOT_PATH_CALLER_SP());
	tracer.exit_status = status & 0xff;
	exit(status);
}

static void wrap__exit(int status)
{
	hot_path_leave(HOT_PATH_CALLER_SP());
	tracer.exit_status = status & 0xff;
	tracer_shutdown();
	_exit(status);
}

static void wrap__Exit(int status)
{
	hot_path_leave(HOT_PATH_CALLER_SP());
	tracer.exit_status = status & 0xff;
	tracer_shutdown();
	_Exit(status);
}

static const struct interpose_wrapper wrappers[] = {
	{ "dlopen", (void *)wrap_dlopen },
	{ "dlmopen", (void *)wrap_dlmopen },
	{ "dlclose", (void *)wrap_dlclose },
	{ "dlsym", (void *)impulse_dlsym_entry },
	{ "dlvsym", (void *)impulse_dlvsym_entry },
	{ "pthread_create", (void *)wrap_pthread_create },
	{ "__libc_start_main", (void *)wrap_libc_start_main },
	{ "exit", (void *)wrap_exit },
	{ "sigaction", (void *)fault_sigaction },
	{ "signal", (void *)fault_signal },
	{ "_exit", (void *)wrap__exit },
	{ "execve", (void *)wrap_exec_execve },
	{ "execv", (void *)wrap_exec_execv },
	{ "execvp", (void *)wrap_exec_execvp },
	{ "execvpe", (void *)wrap_exec_execvpe },
	{ "execl", (void *)wrap_exec_execl },
	{ "execlp", (void *)wrap_exec_execlp },
	{ "execle", (void *)wrap_exec_execle },
	{ "fexecve", (void *)wrap_exec_fexecve },
	{ "_Exit", (void *)wrap__Exit },
	{ "posix_spawn", (void *)wrap_exec_posix_spawn },
	{ "posix_spawnp", (void *)wrap_exec_posix_spawnp },
	{ "system", (void *)wrap_exec_system },
	{ "popen", (void *)wrap_exec_popen },
	{ "vfork", (void *)impulse_vfork_entry },
	{ "__sigaction", (void *)fault_sigaction },
	{ "bsd_signal", (void *)fault_signal },
	{ "ssignal", (void *)fault_signal },
	{ "sysv_signal", (void *)fault_sysv_signal },
	{ "__sysv_signal", (void *)fault_sysv_signal },
	{ "quick_exit", (void *)exits_quick_exit },
	{ "pthread_exit", (void *)exits_pthread_exit },
	{ "abort", (void *)crash_abort },
	{ "sigaltstack", (void *)altstack_wrap_sigaltstack },
	{ "clone", (void *)raw_clone_clone },
	{ "__clone", (void *)raw_clone_clone },
	{ "_Fork", (void *)raw_clone__Fork },
	{ "syscall", (void *)impulse_syscall_entry },
};

void wrappers_setup(void)
{
	/* libimpulse's own GOT is never patched: these are the loader's functions. */
	impulse_real_dlsym = (void *)dlsym;
	impulse_real_dlvsym = (void *)dlvsym;
	/* Handed down, so that the interception (which puts them in place) never calls
	 * up into this part to find them. */
	interpose_set_wrappers(wrappers, sizeof(wrappers) / sizeof(wrappers[0]));
}
