/*
 * lineage.h — which call of which process started this process image, carried
 * from parent to child through two environment variables shaped after W3C trace
 * context:
 *
 *   IMPULSE_TRACEPARENT=00-<trace id: 32 hex>-<parent call: 16 hex>-01
 *   IMPULSE_TRACESTATE=impulse=<parent trace_module: 16 hex>:<parent fn name>
 *
 * They are put only in the environment handed to a new image (exec, posix_spawn,
 * system, popen) and taken out of the program's environ at start-up, so that the
 * program never sees them. The trace id is the same for a whole process tree.
 */
#ifndef IMPULSE_LINEAGE_H
#define IMPULSE_LINEAGE_H

#include <stdbool.h>
#include <stdint.h>


#pragma GCC visibility push(hidden)

#define LINEAGE_TRACEPARENT "IMPULSE_TRACEPARENT"
#define LINEAGE_TRACESTATE "IMPULSE_TRACESTATE"
#define LINEAGE_NAME_MAX 200	/* bytes of a function name carried; longer ones are cut */
/* "IMPULSE_TRACEPARENT=" + 55 characters + NUL (76 bytes), and
 * "IMPULSE_TRACESTATE=impulse=" + 16 + ':' + a name + NUL (45 bytes + the name). */
#define LINEAGE_TP_SIZE 80
#define LINEAGE_TS_SIZE (48 + LINEAGE_NAME_MAX)

/* A call in another process image: the one that started this image, or one we name
 * to a child. */
struct lineage_ref {
	bool set;
	char module[17];		/* that image's tracer id, 16 hex digits */
	uint64_t call;			/* its call's sequence (0: that image's root) */
	char fn_name[LINEAGE_NAME_MAX + 1];
};

extern char lineage_trace_id[33];		/* 32 hex digits, never all zero */
extern struct lineage_ref lineage_parent;	/* this image's root's parent, if set */

/* n random hex digits and a NUL into out (n <= 64). */
void lineage_random_hex(char *out, unsigned n);

/*
 * Start-up (not in secure execution): adopts the trace id and the parent call
 * from the two variables when they are well formed, makes a new trace id when
 * not, and removes both from environ.
 */
void lineage_take_from_env(void);

/* The two "NAME=value" entries naming ref, into tp and ts (LINEAGE_*_SIZE bytes). */
void lineage_format(const struct lineage_ref *ref, char *tp, char *ts);

/*
 * The call a new image started now by this thread should name: the innermost
 * hooked call still running on this thread (frames at or below sp, the caller's
 * stack pointer, were left without returning through us and are skipped), or
 * this image's root.
 */
void lineage_current(struct lineage_ref *out, uintptr_t sp);

#pragma GCC visibility pop

#endif
