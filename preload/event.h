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
};

struct ev_head {
	uint32_t size;		/* bytes of the whole event, a multiple of 8 */
	uint16_t type;		/* enum ev_type */
	uint16_t flags;		/* per type */
};

struct session;

/* Followed by args[nparams] raw values, then one struct ev_str per string parameter. */
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

/* String lengths below 0: */
#define EV_STR_NULL		(-2)
#define EV_STR_UNREADABLE	(-1)

struct ev_str {
	int32_t len;		/* bytes that follow (padded to 8), or EV_STR_* */
	uint32_t truncated;	/* 1 when the string was longer than max_string */
	char data[];
};

struct ev_exit {
	struct ev_head h;
	uint64_t call_id;
	uint64_t ticks;
	uint64_t ret;		/* raw return register (rax or xmm0 low quadword) */
	uint8_t ret_str[];	/* a struct ev_str when the hook returns a string */
};

/* EV_UNWIND and EV_LINK carry only the call. */
struct ev_call {
	struct ev_head h;
	uint64_t call_id;
	uint64_t ticks;
};

#define EV_LOG_TEXT	0
#define EV_LOG_JSON	1

struct ev_log {
	struct ev_head h;	/* flags: EV_LOG_TEXT or EV_LOG_JSON */
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
