/*
 * event_file.h — what a renderer was fed, as a file: the record files of
 * format = binary (logs_*.impulse) and IMPULSE_DEBUG_EVENTS=PATH's, both written
 * by logger/event_writer.c, read back by `impulse cat` and the readers
 * (tools/base/evfile.c), which render the same records byte for byte.
 * doc/binary-format.md is the specification; this header its C form.
 *
 * Layout, version 2 (little-endian x86-64, native: the file is read on a machine
 * like the one that wrote it):
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
 *   EVF_CHUNK    inputs, compact (version 2): a run of items, each opening with a
 *                tag byte, numbers as LEB128 varints ("zz": zigzag-coded signed
 *                differences); the deltas start from 0 in every chunk, so each
 *                chunk decodes alone. Items:
 *                EVC_FULL: len, then an EVF_INPUT's fields (len bytes);
 *                EVC_ENTER (| EVC_E_* flags): [tid, name len, name]
 *                  [caller_path: 0 for NULL, else its len + 1, then its bytes;
 *                  without the flag, the chunk's last one (NULL at its start)]
 *                  [parent id] [pad]; flags, slot,
 *                  zz(call_id - last id), parent (0: none, else zz(call_id -
 *                  parent_id) + 1), zz(ticks - last ticks), session number + 1
 *                  (0: none), zz(return_address - last one), n, then n bytes: the
 *                  event's args and captures;
 *                EVC_EXIT: flags, zz(call_id - last id), zz(ticks - last ticks),
 *                  zz(ret), n, n bytes: the event after ret;
 *                EVC_UNWRITTEN: call id, as EVF_UNWRITTEN.
 * EVF_CONFIG, version 2, ends with the hooks.conf text (str) and its FNV-1a 64
 * hash (u64): a reader renders without the file.
 */
#ifndef IMPULSE_RENDER_EVENT_FILE_H
#define IMPULSE_RENDER_EVENT_FILE_H

#include <stdint.h>

#define EVF_MAGIC "IMPEVTS"
#define EVF_VERSION 2
#define EVF_CHUNK_MAX (64u << 10)	/* bytes of items a writer puts in one chunk, about */
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
	EVF_CHUNK,
};

/* EVF_CHUNK items: the tag's low 4 bits, EVC_E_* the ENTER tag's high ones. */
enum evc_item { EVC_FULL, EVC_ENTER, EVC_EXIT, EVC_UNWRITTEN };
#define EVC_E_THREAD 0x10	/* tid and thread name follow (first in a chunk, then on change) */
#define EVC_E_CALLER 0x20	/* caller_path follows (else the chunk's last one) */
#define EVC_E_PARENT 0x40	/* the input's id follows: not the event's parent_id */
#define EVC_E_PAD 0x80		/* the event's pad field follows (else 0) */

#endif
