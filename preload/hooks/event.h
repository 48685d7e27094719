/*
 * event.h — the compact binary events a traced thread writes into its ring.
 *
 * Written on the hot path with plain stores (no formatting); read and turned into
 * records by the logger thread only. Every event is a multiple of 8 bytes and
 * starts with struct ev_head.
 */
#ifndef IMPULSE_EVENT_H
#define IMPULSE_EVENT_H

#include <stdint.h>

enum ev_type {
	EV_PAD = 1,	/* filler up to the end of the ring: skip */
	EV_ENTER,	/* a hooked call started */
	EV_EXIT,	/* it returned */
	EV_UNWIND,	/* it was left by longjmp or an exception */
	EV_LOG,		/* impulse_log*() note */
	EV_LINK,	/* a thread was created inside this call: keep it for the thread's calls */
	EV_EXCEPTION,	/* it was left by an unwind: a C++ exception or a thread exit (unwind.c) */
	EV_HOLD,	/* impulse_context_capture(): keep the call until one attach/detach used it */
	EV_ATTACH,	/* impulse_context_attach(): this thread's top-level calls go under the call */
	EV_DETACH,	/* the thread left the context it attached: uses up one hold */
	EV_UNHOLD,	/* impulse_context_release(): a hold given back unused */
};

struct ev_head {
	uint32_t size;		/* bytes of the whole event, a multiple of 8 */
	uint16_t type;		/* enum ev_type */
	uint16_t flags;		/* per type */
};

struct session;

/*
 * Followed by args[nparams] raw values (0 for a struct by value, a redacted or an
 * unsupported parameter), then the hook's entry captures as struct ev_blob entries,
 * in the order of its capture plan (capture_plan.h), up to h.size.
 */
struct ev_enter {
	struct ev_head h;
	uint32_t slot;		/* index into impulse_slots */
	uint32_t pad;
	uint64_t call_id;
	uint64_t parent_id;	/* enclosing call, the creating call for a thread's first level, or 0 (root) */
	uint64_t ticks;		/* arch_read_ticks() at entry */
	const struct session *session;	/* session current at entry; sessions are never freed */
	uint64_t return_address;	/* in the caller: names the calling module */
	uint64_t args[];
};

/* ev_blob.len below 0: */
#define EV_BLOB_UNREADABLE	(-1)	/* reading the program's memory faulted */
#define EV_BLOB_CUT		(-2)	/* the call's max_capture ran out before this value */

/*
 * One captured piece of the program's memory: a string, a buffer, an array, a
 * pointee, a struct by value, the variadic values. Which value each blob belongs to
 * is not written: the logger replays the hook's plan over the event to know.
 */
/* ev_blob.info of a string: the bytes before an unreadable page, no NUL among them. */
#define EV_BLOB_STR_FAULT 2

struct ev_blob {
	int32_t len;		/* bytes that follow (padded to 8), or EV_BLOB_* */
	uint32_t info;		/* strings: 1 when longer than what was copied,
				 * EV_BLOB_STR_FAULT when an unreadable page cut them;
				 * [nullterm] arrays: elements before the terminator;
				 * variadic values: how many were fetched */
	uint8_t data[];
};

/*
 * Followed, for hooks with captures after the call (hook->exit_args), by args[nparams]
 * re-read from the trampoline frame and the variadic value (index nparams), then the
 * exit captures as struct ev_blob entries, up to h.size.
 */
struct ev_exit {
	struct ev_head h;	/* flags: errno right after the real call, for hooks whose
				 * error rule reads it (kept in 16 bits: the event stays 32
				 * bytes, and error numbers are small); else 0 */
	uint64_t call_id;
	uint64_t ticks;
	uint64_t ret;		/* raw return register (rax or xmm0 low quadword) */
	uint64_t data[];
};

/* EV_UNWIND, EV_LINK and the context events (EV_HOLD...EV_UNHOLD) carry only the call. */
struct ev_call {
	struct ev_head h;
	uint64_t call_id;
	uint64_t ticks;
};

/* ev_exception.h.flags: what unwound the call. */
#define EV_EXC_CXX	1	/* a C++ exception: name holds its type's mangled name */
#define EV_EXC_FOREIGN	2	/* another runtime's exception: exception_class says whose */
#define EV_EXC_FORCED	3	/* a forced unwind: pthread_exit or pthread_cancel (glibc's
				 * exception_class is 0), no exception object */

/* Bytes of a type name kept; longer ones are cut (name_cut). */
#define EV_EXC_NAME_MAX	256

struct ev_exception {
	struct ev_head h;	/* flags: EV_EXC_* */
	uint64_t call_id;
	uint64_t ticks;
	uint64_t exception_class;	/* the _Unwind_Exception's, as the unwinder gave it */
	int32_t name_len;	/* bytes in name, or EV_BLOB_UNREADABLE (EV_EXC_CXX only) */
	uint32_t name_cut;	/* 1: the name was longer than EV_EXC_NAME_MAX */
	char name[];		/* not NUL-terminated */
};

#define EV_LOG_TEXT	0
#define EV_LOG_JSON	1
#define EV_LOG_CUT	0x100	/* or'ed in: the note was longer than LOG_MAX and was cut */

struct ev_log {
	struct ev_head h;	/* flags: EV_LOG_TEXT or EV_LOG_JSON, maybe with EV_LOG_CUT */
	uint64_t call_id;
	uint64_t ticks;
	uint32_t len;
	uint32_t pad;
	char data[];
};

static inline uint32_t ev_align(uint64_t n)
{
	return (uint32_t)((n + 7) & ~(uint64_t)7);
}

#endif
