/*
 * wrap_exec.c — the ways a program starts another program: the exec family,
 * posix_spawn and posix_spawnp, system and popen. Each hands the new image an
 * environment naming the calling call (child_env.h), so that its records link to
 * ours; an exec also writes everything of this image first, since it replaces it.
 *
 * Never changes what the program sees: errno is the real function's, and the
 * program's environ is never modified (system and popen show glibc a copy for the
 * time of the call; see there). The exec wrappers may run in a vfork child, which
 * shares its parent's memory: there they neither allocate (for environments of
 * up to STACK_ENV_MAX entries) nor stop the parent's tracer.
 */
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle/child_env.h"
#include "lifecycle/fork_child.h"
#include "lifecycle/lineage.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"
#include "lifecycle/shutdown.h"
#include "lifecycle/wrap_exec.h"

extern char **environ;

/* Environments this large are built on the stack: 8 KiB of pointers. */
#define STACK_ENV_MAX 1024

#define CALLER_SP() ((uintptr_t)__builtin_frame_address(0))

enum exec_kind { EXEC_VE, EXEC_VPE, EXEC_FD };

struct exec_req {
	enum exec_kind kind;
	const char *path;	/* file for EXEC_VPE */
	int fd;			/* EXEC_FD */
	char *const *argv;
	char *const *envp;
};

static int real_exec(const struct exec_req *r, char *const envp[])
{
	switch (r->kind) {
	case EXEC_VPE:
		return execvpe(r->path, r->argv, envp);
	case EXEC_FD:
		return fexecve(r->fd, r->argv, envp);
	default:
		return execve(r->path, r->argv, envp);
	}
}

/*
 * A successful exec replaces the process image, logger thread and buffers
 * included: write everything first (calls still running become "incomplete", then
 * the root). A fork child that recorded nothing writes nothing, and hands on its
 * own parent (the fork call), so that fork + exec reads like a spawn. A vfork
 * child writes nothing: the tracer is its parent's, which goes on. If the exec
 * fails, the process goes on untraced (a vfork child's parent stays traced).
 */
static int traced_exec(const struct exec_req *r)
{
	int busy = tls_busy, saved_errno = errno, rc;
	size_t n = child_env_slots(r->envp);
	char *stack_arr[n <= STACK_ENV_MAX ? n : 1];
	char **arr = n <= STACK_ENV_MAX ? stack_arr : NULL;
	bool vfork_child, untouched, heap = false;
	struct lineage_ref ref;
	struct child_env ce;

	if (!tracer_is_active())
		return real_exec(r, r->envp);
	/* tls_busy is the parent's own in a vfork child: restored before the exec. */
	tls_busy = 1;
	vfork_child = getpid() != tracer.pid;
	untouched = !vfork_child && fork_child_is_untouched();
	if (untouched)
		ref = lineage_parent;
	else
		lineage_current(&ref, CALLER_SP());
	if (!arr && !vfork_child) {
		arr = malloc(n * sizeof(*arr));
		heap = arr != NULL;
	}
	if (arr)
		child_env_build(&ce, r->envp, arr, &ref);
	if (untouched)
		tracer_abandon();
	else if (!vfork_child)
		tracer_shutdown();
	tls_busy = busy;
	errno = saved_errno;
	rc = real_exec(r, arr ? arr : r->envp);
	if (heap) {
		saved_errno = errno;
		free(arr);
		errno = saved_errno;
	}
	return rc;
}

int wrap_exec_execve(const char *path, char *const argv[], char *const envp[])
{
	struct exec_req r = { EXEC_VE, path, -1, argv, envp };

	return traced_exec(&r);
}

int wrap_exec_execv(const char *path, char *const argv[])
{
	struct exec_req r = { EXEC_VE, path, -1, argv, environ };

	return traced_exec(&r);
}

int wrap_exec_execvp(const char *file, char *const argv[])
{
	/* execvp is execvpe with environ. */
	struct exec_req r = { EXEC_VPE, file, -1, argv, environ };

	return traced_exec(&r);
}

int wrap_exec_execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_req r = { EXEC_VPE, file, -1, argv, envp };

	return traced_exec(&r);
}

int wrap_exec_fexecve(int fd, char *const argv[], char *const envp[])
{
	struct exec_req r = { EXEC_FD, NULL, fd, argv, envp };

	return traced_exec(&r);
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

static int exec_list(enum exec_kind kind, bool with_env, const char *file, const char *arg0, va_list ap)
{
	char *argv[EXECL_MAX_ARGS];
	char **envp = environ;
	struct exec_req r;

	if (collect_args(arg0, ap, argv, with_env ? &envp : NULL))
		return -1;
	r = (struct exec_req){ kind, file, -1, argv, envp };
	return traced_exec(&r);
}

int wrap_exec_execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_VE, false, path, arg0, ap);
	va_end(ap);
	return rc;
}

int wrap_exec_execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_VPE, false, file, arg0, ap);
	va_end(ap);
	return rc;
}

int wrap_exec_execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(EXEC_VE, true, path, arg0, ap);
	va_end(ap);
	return rc;
}

/* vfork_entry.S's place for its caller's return address while vfork runs. */
__thread uintptr_t tls_vfork_ret __attribute__((tls_model("initial-exec")));

/* ---- posix_spawn: the environment passed is a copy with our variables ---- */

static int traced_spawn(bool search, pid_t *pid, const char *path,
			const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
			char *const argv[], char *const envp[])
{
	int saved_errno = errno, rc;
	size_t n = child_env_slots(envp);
	struct lineage_ref ref;
	struct child_env *ce;
	char **arr;

	if (!tracer_is_active() || tls_busy)
		goto pass;
	tls_busy++;
	ce = malloc(sizeof(*ce));
	arr = malloc(n * sizeof(*arr));
	if (!ce || !arr) {
		free(ce);
		free(arr);
		tls_busy--;
		goto pass;
	}
	lineage_current(&ref, CALLER_SP());
	child_env_build(ce, envp, arr, &ref);
	errno = saved_errno;
	/* Still busy: glibc's child runs on this thread's TLS until it execs. */
	rc = search ? posix_spawnp(pid, path, fa, attr, argv, arr) : posix_spawn(pid, path, fa, attr, argv, arr);
	saved_errno = errno;
	free(arr);
	free(ce);
	tls_busy--;
	errno = saved_errno;
	return rc;
pass:
	errno = saved_errno;
	return search ? posix_spawnp(pid, path, fa, attr, argv, envp) : posix_spawn(pid, path, fa, attr, argv, envp);
}

int wrap_exec_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return traced_spawn(false, pid, path, fa, attr, argv, envp);
}

int wrap_exec_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return traced_spawn(true, pid, file, fa, attr, argv, envp);
}

/*
 * ---- system, popen ----
 *
 * glibc starts their shell itself, with environ, never through our wrappers: for
 * the time of the call environ is a copy with our variables, then the program's
 * array again. Other threads see the copy meanwhile (getenv finds the variables);
 * a setenv or putenv of theirs then replaces the array: theirs is kept, our
 * variables are taken out of it, and the copy is leaked (theirs may point into it);
 * an unsetenv of theirs edits the copy and is lost.
 */
struct env_swap {
	char **prev;		/* the program's environ */
	char **arr;		/* ours while the call runs; owned */
	struct child_env *ce;	/* the strings arr adds; owned */
};

static bool swap_begin(struct env_swap *sw, uintptr_t sp)
{
	int saved_errno = errno;
	size_t n = child_env_slots(environ);
	struct lineage_ref ref;

	if (!tracer_is_active() || tls_busy)
		return false;
	tls_busy++;
	sw->ce = malloc(sizeof(*sw->ce));
	sw->arr = malloc(n * sizeof(*sw->arr));
	if (!sw->ce || !sw->arr) {
		free(sw->ce);
		free(sw->arr);
		tls_busy--;
		errno = saved_errno;
		return false;
	}
	lineage_current(&ref, sp);
	child_env_build(sw->ce, environ, sw->arr, &ref);
	sw->prev = environ;
	environ = sw->arr;
	tls_busy--;
	errno = saved_errno;
	return true;
}

static void swap_end(struct env_swap *sw)
{
	int saved_errno = errno;

	tls_busy++;
	if (environ == sw->arr) {
		environ = sw->prev;
		free(sw->arr);
		free(sw->ce);
	} else if (tracer.cfg.settings.trace_exec) {
		unsetenv(LINEAGE_TRACEPARENT);
		unsetenv(LINEAGE_TRACESTATE);
	} else {
		/* LD_PRELOAD as the program had it. */
		for (char **e = sw->prev; e && *e; e++)
			if (!strncmp(*e, "LD_PRELOAD=", 11))
				putenv(*e);
	}
	tls_busy--;
	errno = saved_errno;
}

int wrap_exec_system(const char *command)
{
	struct env_swap sw;
	int rc;

	if (!command || !swap_begin(&sw, CALLER_SP()))
		return system(command);
	rc = system(command);
	swap_end(&sw);
	return rc;
}

FILE *wrap_exec_popen(const char *command, const char *type)
{
	struct env_swap sw;
	FILE *f;

	if (!command || !swap_begin(&sw, CALLER_SP()))
		return popen(command, type);
	f = popen(command, type);
	swap_end(&sw);
	return f;
}
