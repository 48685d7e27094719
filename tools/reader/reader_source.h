/*
 * reader_source.h — inside the reader: one input as a source of lines, behind a
 * small ops struct, one file per kind (reader_file.c: plain and gzip files;
 * reader_mongo.c: a MongoDB cursor); and what the scanner borrows from
 * reader_text.c. Not for the subcommands: they use reader.h.
 */
#ifndef IMPULSE_READER_SOURCE_H
#define IMPULSE_READER_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

struct reader_source;

/* next_line()'s answer for a line it skipped (reported, then reading goes on). */
#define READER_LINE_SKIPPED 2
/* ... for the input's last line, handed out like 1, that has no newline: torn
 * (libimpulse ends every record with one), unless it is a whole record. */
#define READER_LINE_UNTERMINATED 3

struct reader_source_ops {
	/*
	 * The next line, without its newline, in *line and *len (valid until the next call)
	 * and its 1-based number in *lineno. Returns 1; READER_LINE_SKIPPED with *lineno
	 * and err->text set for a line that was not handed out (longer than
	 * READER_LINE_MAX); READER_LINE_UNTERMINATED for a last line without its
	 * newline; 0 at the end; or -errno with err->text saying what failed
	 * (the source is then abandoned).
	 */
	int (*next_line)(struct reader_source *src, const char **line, size_t *len,
			 long *lineno, struct reader_error *err);
	void (*close)(struct reader_source *src);
};

struct reader_source {
	const struct reader_source_ops *ops;
	const char *name;	/* for messages: the path, or the redacted URI and collection */
};

/*
 * A file, plain or gzip (by its first bytes): a regular file, or with allow_pipe a
 * FIFO. 0, -errno of open(), -EISDIR, -EINVAL (a device, a socket, or a FIFO
 * without allow_pipe), -ENOMEM.
 */
int reader_file_open(const char *path, bool allow_pipe, struct reader_source **out);

/* What reader_add_mongo() queued. */
struct reader_mongo_spec {
	char *uri, *database, *collection, *session;	/* owned; session may be NULL */
	char *name;	/* "<redacted uri> db.coll", for messages; owned */
};

/* Checks the URI without connecting: 0, -EINVAL or -ENOMEM; fills spec->name. */
int reader_mongo_check(struct reader_mongo_spec *spec);

/*
 * Connects and starts the query. 0, or -EIO/-EINVAL with err->text (the password
 * masked); -ENOMEM.
 */
int reader_mongo_open(const struct reader_mongo_spec *spec, struct reader_source **out,
		      struct reader_error *err);

/*
 * reader_text.c: t, "2026-11-23T21:58:48.123456Z" (any number of fraction digits,
 * UTC only), as ns since the epoch; false when it has not that shape.
 */
bool reader_rfc3339_ns(const struct record_str *t, int64_t *out);

#endif
