/*
 * tracer.h — the state of the one tracer in this process (Impulse's "module").
 *
 * Set up by lifecycle/init.c before main, read by everyone. Fields written later
 * say who writes them and how they are published. Defined in tracer.c, with the
 * little that reads them for more than one part.
 */
#ifndef IMPULSE_TRACER_H
#define IMPULSE_TRACER_H


#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

struct session {
	char *id;		/* never freed: events point here */
	char *metadata_json;	/* compact JSON object or NULL; owned */
};

struct tracer {
	/* Read on every hooked call, written a few times a run: a cache line of
	 * their own, so that nothing the logger writes often shares it. */
	_Alignas(64) int active;	/* TRACER_ON while hooked calls are recorded, TRACER_SHARED
					 * once a raw CLONE_VM child may share our memory
					 * (raw_clone.c); atomic, see tracer_is_active() */
	int logger_running;		/* 1 while the logger thread drains; atomic */
	struct session *session;	/* of records that start now; replaced by impulse_set_session_id() */

	_Alignas(64) struct cfg cfg;	/* the parsed hooks.conf with overrides applied */
	size_t max_string;		/* bytes copied per string argument */
	size_t buffer_size;		/* bytes per thread ring, a power of two */
	unsigned max_children;
	char tracer_id[17];		/* 16 random hex digits: unique per process image (a fork
					 * child makes its own: fork_child.c) */
	char *program;			/* argv[0]'s file name part; owned */
	char *exe_path;			/* /proc/self/exe; owned */
	int argc;
	char **argv;			/* a copy taken at start-up; owned */
	pid_t pid;			/* of the process this tracer records (set again in a fork
					 * child; a vfork child's getpid() differs from it) */
	uint64_t start_ticks;		/* arch_read_ticks() when tracing began */
	int exit_status;		/* set by the main/exit wrappers; -1 when unknown */

	/* Written by the parts below the lifecycle, read by others: here so that none
	 * of them calls another up the layout for it. A cache line of their own: the
	 * logger writes drain_passes on every pass, and the fields above are read on
	 * the traced threads (pid, when a raw clone shares our memory). */
	_Alignas(64) unsigned drain_passes;		/* times the logger thread has drained every ring; only
					 * grows (logger.c); atomic: tracer_wait_drained() */
	int main_thread_gone;		/* main ended its thread with pthread_exit
					 * (lifecycle/exits.c); atomic: base/threads.c */
};

/* tracer.active: not recording; recording; recording, and a process made by a raw
 * clone with CLONE_VM (our thread-local data included) may be running: the hot path
 * then asks who is calling (thread_ctx_is_foreign). */
enum { TRACER_OFF, TRACER_ON, TRACER_SHARED };

extern struct tracer tracer;

/* Non-zero while this thread runs tracer code: hooked calls made then pass through. */
extern __thread int tls_busy __attribute__((tls_model("initial-exec")));
/* tls_busy's value while the hot path runs (hook enter/exit, attach, waits for
 * room): a hooked call arriving then can only be a signal handler's, which the
 * program made and which is counted ("reentrant"); the other busy windows are
 * libimpulse's own calls (the logger, wrappers calling the real function, a
 * vfork child), which are not the program's and pass through uncounted. */
#define TLS_BUSY_HOT 0x10000

static inline bool tracer_is_active(void)
{
	/* Relaxed: a call racing with start or stop may go either way, both are fine. */
	return __atomic_load_n(&tracer.active, __ATOMIC_RELAXED);
}

/*
 * Waits until the logger thread has drained every ring up to pass (a value of
 * tracer.drain_passes: everything committed before it was 2 passes lower has been
 * read), for about 5 s at most. 0, -EIO when no logger runs in this process (not
 * started, stopped, or a raw clone child's copy of one), -ETIMEDOUT.
 */
int tracer_wait_drained(unsigned pass);

#pragma GCC visibility pop

#endif
