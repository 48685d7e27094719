/*
 * spill.h — the Mongo logger's spill file: records that could not be delivered
 * yet, kept on disk in the order they were made, until MongoDB takes them.
 *
 * Two files, written in step: the spill file proper, spill_<time>_<pid>.json in
 * the log directory (JSON Lines, the file logger's record text, so that `impulse
 * push` uploads what is left at exit), and an unnamed companion holding each
 * record's BSON document, which the logger replays from (no JSON parsing in the
 * preloaded library). Both are created on first use.
 *
 * Logger thread only (or shutdown, after it stopped). No libbson or libmongoc here.
 */
#ifndef IMPULSE_SPILL_H
#define IMPULSE_SPILL_H

#include <stdbool.h>
#include <stdint.h>

#include "render/jsonw.h"

#pragma GCC visibility push(hidden)

struct spill {
	const char *dir;	/* the log directory; not owned */
	char *path;		/* the JSON file's path once created, for messages; owned */
	int json_fd;		/* -1 until created */
	int doc_fd;		/* the companion: entries of (u64 JSON end offset, BSON document) */
	struct jbuf json, docs;	/* appended, not written yet */
	uint64_t json_size;	/* bytes of the JSON file, pending ones included */
	uint64_t doc_size;	/* bytes of the companion, pending ones included */
	uint64_t read_off;	/* companion offset of the first record not delivered */
	uint64_t json_done;	/* JSON offset past the last record delivered */
	uint64_t next_off;	/* read_off and json_done after what spill_read() gave */
	uint64_t next_json;
	uint64_t held;		/* records spilled and not delivered */
	uint64_t spilled;	/* records ever spilled */
	bool failed;		/* a file could not be created or written: said once */
	bool failed_said;	/* ... by the caller's thread, not the fd thread */
	const char *failed_what;	/* the first failure: "create", "write", "buffer" */
	int failed_err;		/* its -errno */
};

/* An empty spill for dir (nothing created yet). */
void spill_init(struct spill *s, const char *dir);

/*
 * Appends one record: its JSON line (with its '\n') and its BSON document (doc_len
 * bytes). Buffered; written by spill_sync() or when the buffers grow. 0, or -errno
 * when the files cannot be created or written (said once; the record is lost).
 */
int spill_append(struct spill *s, const char *json, size_t json_len, const uint8_t *doc,
		 size_t doc_len);

/* Writes what spill_append() buffered. 0 or -errno. */
int spill_sync(struct spill *s);

/*
 * Reads up to max documents from the first one not delivered, back to back into
 * docs (emptied first). *n: how many. The position does not move until
 * spill_delivered(). 0 or -errno.
 */
int spill_read(struct spill *s, struct jbuf *docs, unsigned max, unsigned *n);

/* The n documents spill_read() gave are in MongoDB: move past them. When nothing is
 * held any more, both files are truncated to empty, ready for the next outage. */
void spill_delivered(struct spill *s, unsigned n);

/*
 * At exit: leaves in the JSON file only the records not delivered (the delivered
 * ones at its head are cut off), removes the file when it is empty, closes both.
 * Returns the records it holds (s->path names it).
 */
uint64_t spill_close(struct spill *s);

#pragma GCC visibility pop

#endif
