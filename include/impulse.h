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

#ifndef IMPULSE_BUILDING_LIBRARY
/* The calls, made harmless when libimpulse is absent. A macro does not re-expand
 * its own name, so the inner call reaches the function. */
#define IMPULSE_CALL_(fn, ...) ((fn) ? (fn)(__VA_ARGS__) : -38 /* -ENOSYS */)
#define impulse_log(text) IMPULSE_CALL_(impulse_log, text)
#define impulse_log_json(json) IMPULSE_CALL_(impulse_log_json, json)
#define impulse_logf(...) IMPULSE_CALL_(impulse_logf, __VA_ARGS__)
#define impulse_set_session_id(id, meta) IMPULSE_CALL_(impulse_set_session_id, id, meta)
#define impulse_flush() ((impulse_flush) ? (impulse_flush)() : -38)
#endif

#ifdef __cplusplus
}
#endif

#endif
