/*
 * world.h — everything a record says that is not in the call's events: the
 * process facts, the clock's calibration and, for the root, the drop counts and
 * the tracer's own messages. The renderer reads no global of the tracer; whoever
 * renders (the logger thread in libimpulse.so, `impulse render-events` in the
 * tool) fills one struct render_world and hands it to every record_* function.
 *
 * Strings are borrowed: they must outlive the records rendered with them. The
 * hook table and its capture plans come with each call (struct call's slot).
 */
#ifndef IMPULSE_RENDER_WORLD_H
#define IMPULSE_RENDER_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/* The call of another process image that started this one (the root's parent). */
struct render_parent {
	bool set;			/* false: the root has no parent ("parents": []) */
	const char *module;		/* that image's tracer id, 16 hex digits */
	uint64_t call;			/* its call's sequence (0: that image's root) */
	const char *fn_name;		/* UTF-8 */
};

/* Calls of one hook not recorded on one thread. */
struct render_drop_hook {
	const char *name;		/* the hook's symbol */
	uint64_t count;
};

/* One thread's calls not recorded (logger/drops.c keeps these). */
struct render_drop_thread {
	pid_t tid;
	char name[16];
	uint64_t total;
	struct render_drop_hook *hooks;		/* every reason, per hook; owned by the keeper */
	unsigned nhooks;
	uint64_t reentrant;			/* of total: made by a signal handler inside libimpulse */
	struct render_drop_hook *rhooks;	/* those, per hook */
	unsigned nrhooks;
};

/* The root's "arguments.dropped". */
struct render_drops {
	uint64_t total;
	const struct render_drop_thread *threads;	/* threads that dropped, in order taken */
	size_t nthreads;
};

/* The root's "arguments.diagnostics": shown when said is true. */
#define RENDER_DIAG_MAX 32
struct render_diag {
	bool said;			/* this process said anything (messages may still be empty) */
	unsigned n;
	const char *text[RENDER_DIAG_MAX];	/* without "libimpulse[pid]: " */
	unsigned long long omitted;
};

struct render_world {
	const char *tracer_id;		/* 16 hex digits (Impulse's "module") */
	const char *trace_id;		/* 32 hex digits, shared by the process tree */
	const char *program;		/* the root's function name */
	const char *exe_path;		/* the root's library */
	int argc;
	char *const *argv;		/* the root's arguments */
	pid_t pid;
	unsigned max_children;		/* children listed per record; the rest counted */
	const char *tracer_metadata;	/* compact JSON object or NULL */
	struct render_parent root_parent;
	/* Nanoseconds since the epoch at a tick count: the calibration in force when
	 * the record is rendered (clock.h in libimpulse; the recorded one in a tool). */
	uint64_t (*ticks_to_ns)(const struct render_world *rw, uint64_t ticks);
	void *clock;			/* ticks_to_ns's own data */
};

#pragma GCC visibility pop

#endif
