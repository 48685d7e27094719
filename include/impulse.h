/*
 * impulse.h — what a traced program may say to libimpulse.
 *
 * A program built with this header needs nothing at link time and runs unchanged
 * when libimpulse is not preloaded: the functions are weak references, and each
 * call below goes through a macro that does nothing (returning -ENOSYS where a
 * value is returned) when the reference is unresolved. Under
 * LD_PRELOAD=libimpulse.so the same calls reach the tracer.
 *
 * Notes land, timestamped, in the trace_logs of the innermost hooked call active
 * on the calling thread, or of the process root record when none is.
 * Every function is safe to call from any thread; none blocks on I/O.
 */
#ifndef IMPULSE_H
#define IMPULSE_H

#ifdef __cplusplus
extern "C" {
#endif

/* libimpulse itself defines these functions: no weak references, no macros. */
#ifdef IMPULSE_BUILDING_LIBRARY
#define IMPULSE_WEAK __attribute__((visibility("default")))
#else
#define IMPULSE_WEAK __attribute__((weak))
#endif

/* Attaches text as a note. Returns 0, or -ENOSPC if the note was dropped. */
int impulse_log(const char *text) IMPULSE_WEAK;

/*
 * Attaches a JSON value as a note. Text that is not valid JSON is kept as a string
 * and the note flagged ("invalid_json": true). Returns 0 or -ENOSPC.
 */
int impulse_log_json(const char *json) IMPULSE_WEAK;

/* printf-style impulse_log(); the text is cut at 4096 bytes. Returns 0 or -ENOSPC. */
int impulse_logf(const char *fmt, ...) IMPULSE_WEAK __attribute__((format(printf, 1, 2)));

/*
 * Sets the session id of the records that follow (all threads) and its metadata
 * (a JSON object, or NULL for none). Returns 0, or -EINVAL if metadata is not
 * a JSON object (the id is set anyway).
 */
int impulse_set_session_id(const char *id, const char *metadata_json) IMPULSE_WEAK;

/* Waits until every record completed so far has been written. Returns 0 or -EIO. */
int impulse_flush(void) IMPULSE_WEAK;

/*
 * A call of one thread, as a token another thread can attach its work to: a
 * thread pool's worker, say, running a task queued from inside a hooked call.
 * 0 names no call.
 */
typedef unsigned long long impulse_context_t;

/*
 * Names the innermost hooked call running on the calling thread, and keeps it
 * known to the tracer until one attach/detach of the token has used it (or
 * impulse_context_release()). Capture once per task handed on. Returns 0 when no
 * hooked call runs on this thread or nothing is traced.
 */
impulse_context_t impulse_context_capture(void) IMPULSE_WEAK;

/*
 * Makes the calling thread's top-level hooked calls children of ctx's call (their
 * records show this thread; their "parents" go through ctx's call), until the next
 * attach; 0 detaches. Detaching, or attaching another context, or the thread's end,
 * uses up the capture. Returns the context attached before, 0 if none: so that
 *     impulse_context_t prev = impulse_context_attach(task->ctx);
 *     run(task);
 *     impulse_context_attach(prev);
 */
impulse_context_t impulse_context_attach(impulse_context_t ctx) IMPULSE_WEAK;

/* Gives back a captured context that will never be attached (a task dropped).
 * Returns 0, -EINVAL for 0, or -ENOSPC if it could not be said (not tracing). */
int impulse_context_release(impulse_context_t ctx) IMPULSE_WEAK;

#ifndef IMPULSE_BUILDING_LIBRARY
/* The calls, made harmless when libimpulse is absent. A macro does not re-expand
 * its own name, so the inner call reaches the function. */
#define IMPULSE_CALL_(fn, ...) ((fn) ? (fn)(__VA_ARGS__) : -38 /* -ENOSYS */)
#define impulse_log(text) IMPULSE_CALL_(impulse_log, text)
#define impulse_log_json(json) IMPULSE_CALL_(impulse_log_json, json)
#define impulse_logf(...) IMPULSE_CALL_(impulse_logf, __VA_ARGS__)
#define impulse_set_session_id(id, meta) IMPULSE_CALL_(impulse_set_session_id, id, meta)
#define impulse_flush() ((impulse_flush) ? (impulse_flush)() : -38)
/* Tokens: 0 when libimpulse is absent. */
#define impulse_context_capture() ((impulse_context_capture) ? (impulse_context_capture)() : 0)
#define impulse_context_attach(ctx) ((impulse_context_attach) ? (impulse_context_attach)(ctx) : 0)
#define impulse_context_release(ctx) IMPULSE_CALL_(impulse_context_release, ctx)
#endif

#ifdef __cplusplus
}
#endif

#endif
