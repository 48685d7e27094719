/*
 * wrappers.c — the few library functions libimpulse itself must see the program
 * call: dlopen (patch what it loads), dlsym/dlvsym (hand out stubs for hooked
 * names), pthread_create (link a new thread to the call that created it),
 * __libc_start_main, exit, _exit and _Exit (the process's exit status, and a last
 * flush when no destructor will run), the exec family (write everything before the
 * image is replaced), and sigaction/signal for SIGSEGV and SIGBUS
 * (fault.c: our fault handler stays first).
 *
 * Each wrapper calls the real function through libimpulse's own GOT, which is
 * never patched, and marks its own work busy so that hooked calls it makes
 * (malloc, say) are not recorded as the program's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "fault.h"
#include "interpose.h"
#include "select.h"
#include "thread_ctx.h"
#include "tracer.h"

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
	void *h = dlopen(file, flags);
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
	tls_link_parent = start.parent;
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
	tracer.exit_status = status & 0xff;
	exit(status);
}

static void wrap__exit(int status)
{
	tracer.exit_status = status & 0xff;
	tracer_shutdown();
	_exit(status);
}

static void wrap__Exit(int status)
{
	tracer.exit_status = status & 0xff;
	tracer_shutdown();
	_Exit(status);
}

/*
 * A successful exec replaces the process image, logger thread and buffers
 * included: write everything first (calls still running become "incomplete", then
 * the root). If the exec fails, the process goes on untraced.
 */
static void before_exec(void)
{
	int saved_errno = errno;

	tracer_shutdown();
	errno = saved_errno;
}

static int wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	before_exec();
	return execve(path, argv, envp);
}

static int wrap_execv(const char *path, char *const argv[])
{
	before_exec();
	return execv(path, argv);
}

static int wrap_execvp(const char *file, char *const argv[])
{
	before_exec();
	return execvp(file, argv);
}

static int wrap_execvpe(const char *file, char *const argv[], char *const envp[])
{
	before_exec();
	return execvpe(file, argv, envp);
}

static int wrap_fexecve(int fd, char *const argv[], char *const envp[])
{
	before_exec();
	return fexecve(fd, argv, envp);
}

/* execl, execlp, execle: collect the variadic list into an array on the stack. */
#define EXECL_MAX_ARGS 4096

static int collect_args(const char *arg0, va_list ap, char **argv, char ***envp)
{
	int n = 0;

	argv[n++] = (char *)arg0;
	while (argv[n - 1]) {
		if (n == EXECL_MAX_ARGS) {
			errno = E2BIG;
			return -1;
		}
		argv[n++] = va_arg(ap, char *);
	}
	if (envp)
		*envp = va_arg(ap, char **);
	return 0;
}

enum exec_list_kind { EXEC_PATH, EXEC_SEARCH, EXEC_WITH_ENV };

static int exec_list(enum exec_list_kind kind, const char *file, const char *arg0, va_list ap)
{
	char *argv[EXECL_MAX_ARGS];
	char **envp = NULL;

	if (collect_args(arg0, ap, argv, kind == EXEC_WITH_ENV ? &envp : NULL))
		return -1;
	switch (kind) {
	case EXEC_SEARCH:
		return wrap_execvp(file, argv);
	case EXEC_WITH_ENV:
		return wrap_execve(file, argv, envp);
	default:
		return wrap_execv(file, argv);
	}
}

static int wrap_execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_PATH, path, arg0, ap);
	va_end(ap);
	return rc;
}

static int wrap_execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_SEARCH, file, arg0, ap);
	va_end(ap);
	return rc;
}

static int wrap_execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_WITH_ENV, path, arg0, ap);
	va_end(ap);
	return rc;
}

struct wrapper {
	const char *name;
	void *fn;
};

static const struct wrapper wrappers[] = {
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
	{ "execve", (void *)wrap_execve },
	{ "execv", (void *)wrap_execv },
	{ "execvp", (void *)wrap_execvp },
	{ "execvpe", (void *)wrap_execvpe },
	{ "execl", (void *)wrap_execl },
	{ "execlp", (void *)wrap_execlp },
	{ "execle", (void *)wrap_execle },
	{ "fexecve", (void *)wrap_fexecve },
	{ "_Exit", (void *)wrap__Exit },
};

void *wrappers_find(const char *name)
{
	if (!strchr("dp_esf", name[0]))
		return NULL;
	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		if (strcmp(wrappers[i].name, name) == 0)
			return wrappers[i].fn;
	return NULL;
}

void wrappers_setup(void)
{
	/* libimpulse's own GOT is never patched: these are the loader's functions. */
	impulse_real_dlsym = (void *)dlsym;
	impulse_real_dlvsym = (void *)dlvsym;
}
