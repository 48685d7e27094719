/*
 * event_file.h — what a renderer was fed, as a file: written by the logger with
 * IMPULSE_DEBUG_EVENTS=PATH (logger/debug_events.c), read back by
 * `impulse render-events FILE`, which renders the same records byte for byte. A
 * debugging aid and the seed of a binary record stream; not a stable format.
 *
 * Layout, version 1 (native byte order: the file is read on the machine that
 * wrote it):
 *
 *   struct evf_head                  "IMPEVTS" NUL, version, 0
 *   records, each:                   struct evf_rec {type, len}, then len bytes of
 *                                    fields, then zeros up to a multiple of 8
 *
 * A record's fields are, in the order listed below, u64 (8 bytes) and str (a u32
 * length, 0xffffffff for NULL, then that many bytes, no NUL). Records:
 *
 *   EVF_WORLD    tracer_id, trace_id, program, exe_path (str); argc (u64), argc x
 *                argv (str); pid, max_children (u64); tracer_metadata (str);
 *                root parent: set (u64), module (str), call (u64), fn_name (str)
 *   EVF_CONFIG   the hooks.conf read (absolute path), proto_dir (str); the settings
 *                plans depend on, as in force: max_string (after the ring bound),
 *                buffer_size, max_buffer, max_array, max_depth, max_capture,
 *                binary (u64); redact, redact_patterns (str)
 *   EVF_CLOCK    tsc, t0_ticks, t0_ns (u64), ns_per_tick (u64: the double's bits):
 *                the calibration of what follows (base/clock.h)
 *   EVF_SESSION  number (u64), id, metadata_json (str): before its first use
 *   EVF_SLOT     index (u64), symbol (str), the configuration's hook index and
 *                pattern index (u64, ~0 for none: a pattern hook has a pattern),
 *                caller_path, library_path (str): before its first use
 *   EVF_INPUT    one render_input (feed.h): kind, id, found, ring, tid (u64),
 *                thread_name, caller_path (str), session number, ticks (u64);
 *                end: has_end (u64), status (str), end_ticks, root_status (u64),
 *                exception (str); for RI_ROOT_ARGS the drops: total, nthreads (u64),
 *                each thread: tid, total, reentrant (u64), name (str), nhooks (u64),
 *                each hook: name (str), count (u64), then nrhooks and theirs; and
 *                the diagnostics: said, n (u64), n x text (str), omitted (u64);
 *                last, the event itself (str: its bytes), empty when none
 *   EVF_UNWRITTEN call id (u64): the record made for it while the input before
 *                was fed did not reach the output (max_log_size, a failed write)
 */
#ifndef IMPULSE_RENDER_EVENT_FILE_H
#define IMPULSE_RENDER_EVENT_FILE_H

#include <stdint.h>

#define EVF_MAGIC "IMPEVTS"
#define EVF_VERSION 1
#define EVF_NULL 0xffffffffu
#define EVF_NONE (~(uint64_t)0)

struct evf_head {
	char magic[8];		/* EVF_MAGIC and its NUL */
	uint32_t version;	/* EVF_VERSION */
	uint32_t zero;
};

struct evf_rec {
	uint32_t type;		/* enum evf_type */
	uint32_t len;		/* bytes of fields that follow (not the padding) */
};

enum evf_type {
	EVF_WORLD = 1,
	EVF_CONFIG,
	EVF_CLOCK,
	EVF_SESSION,
	EVF_SLOT,
	EVF_INPUT,
	EVF_UNWRITTEN,
};

#endif
