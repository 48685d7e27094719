/*
 * reader.h — reading records back: the streaming reader that `impulse tree`, `stats`,
 * `export` and `tail` share.
 *
 * A reader is a queue of inputs — record files (plain or gzip, told apart by their
 * first bytes), directories (their logs_*.json[.gz], oldest first) and MongoDB
 * collections — read one record at a time. Each record is handed out as a view
 * (struct record): the fields the subcommands need, pointing into the line being
 * read, with no tree of the record built. Strings are spans of the JSON text between
 * the quotes (zero-copy; record_str_unescape() decodes one that holds escapes);
 * arguments, output, trace_logs and children are spans of raw JSON text, to print or
 * re-emit without parsing them again. Memory is four 1 MiB chunks and a buffer as
 * large as the longest line, whatever the number of records; a regular file is read
 * ahead (or inflated) by a thread of its own while the caller parses.
 *
 * A malformed line (torn, not JSON, missing a required field) is reported through
 * the error callback as FILE:LINE with a reason, and reading goes on with the next
 * line. The scanner is a JSON scanner of its own (reader_json.c): any key order,
 * whitespace and escapes, unknown keys and nested values skipped; it never trusts
 * the order in which libimpulse writes the keys, so records re-exported from MongoDB
 * or edited by hand read the same.
 *
 * Nothing here prints or exits: errors go to the callback, functions return 0 or
 * -errno (base/tool.h's rule for helpers).
 */
#ifndef IMPULSE_READER_H
#define IMPULSE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The longest line the reader hands out: 64 MiB, far above any record libimpulse
 * writes (max_capture bounds the captured values, max_children the children). A
 * longer line (a torn file followed by garbage, a file of NULs) is skipped to its
 * newline and reported as FILE:LINE, so that memory stays bounded whatever the input.
 */
#define READER_LINE_MAX (64u << 20)

/* A JSON string value as it is in the text: the bytes between the quotes. */
struct record_str {
	const char *ptr;	/* into the line; NULL when absent or null */
	uint32_t len;		/* bytes, escapes still escaped */
	bool escaped;		/* holds a backslash: record_str_unescape() for the text */
};

/* The JSON text of a value, exactly as in the line (a nested object, array, number…). */
struct record_raw {
	const char *ptr;	/* into the line; NULL when the key is absent */
	size_t len;
};

enum record_status {
	RECORD_SUCCESS, RECORD_ERROR, RECORD_INCOMPLETE, RECORD_UNWOUND,
	RECORD_EXCEPTION, RECORD_CRASHED,
	RECORD_STATUS_OTHER,	/* a status this version does not know (see .status) */
};

/*
 * One record. Every pointer is into the reader's buffer and valid until the next
 * reader_next() (or reader_free()). Required fields (the line is malformed without
 * them): tracer_id, session_id, thread_id, hook_id, function name, call_id,
 * stack_trace.parents, status, and start_ns/end_ns (or the RFC 3339 start/end when
 * a record has no nanoseconds).
 */
struct record {
	/* payload.trace_module */
	struct record_str tracer_id, session_id;
	struct record_str thread_id;	/* the hooks.conf thread group ("root" for a root) */
	struct record_str hook_id;
	/* payload.function */
	struct record_str name;		/* function.name */
	struct record_str library;	/* function.library; absent or null for some roots */
	struct record_str call_id;
	/*
	 * The call_id of the last entry of stack_trace.parents: the immediate parent; for a
	 * root, the call in another process that started it (absent when none).
	 */
	struct record_str parent_id;
	unsigned depth;			/* entries in stack_trace.parents */
	bool is_root;			/* has trace_id, or hook_id and thread_id are "root" */
	struct record_str trace_id;	/* 32 hex digits; roots only */
	int64_t start_ns, end_ns;	/* ns since the epoch */
	enum record_status status_code;
	struct record_str status;	/* the text, for RECORD_STATUS_OTHER */
	struct record_str exception;	/* absent/null: .ptr NULL */
	/* payload.process; pid and tid -1 when absent */
	int64_t pid, tid;
	struct record_str thread_name;
	/* raw JSON text; .ptr NULL when the key is absent */
	struct record_raw arguments, output, trace_logs, children;
	/* where it came from, for messages */
	const char *source;		/* the file's path as given, or the collection */
	long line;			/* 1-based line, or the document's ordinal */
	struct record_raw text;		/* the whole line (MongoDB: rendered as JSON) */
};

/* A malformed line, or an input that cannot be read (then line is 0). */
struct reader_error {
	const char *source;		/* as in struct record */
	long line;			/* 1-based; 0: the input as a whole */
	long column;			/* 1-based byte in the line; 0 when not about one byte */
	char text[256];			/* the reason, without the position */
};

/* Called for each malformed line and unreadable input; reading goes on after it. */
typedef void reader_error_fn(const struct reader_error *err, void *data);

struct reader;

/*
 * A reader with no inputs. on_error may be NULL: errors are then only counted
 * (reader_errors()). Returns NULL when out of memory.
 */
struct reader *reader_new(reader_error_fn *on_error, void *data);

/*
 * Queues a file or a directory. A directory stands for its logs_*.json and
 * logs_*.json.gz files, oldest first (by name: logs_<UTC time>_<pid>…); only regular
 * files among them are queued (a FIFO would block for ever, a link to /dev/zero never
 * ends): the others are reported through the callback as skipped. A path named
 * directly may be a regular file or a pipe (`impulse stats /dev/stdin`), not a
 * device or a socket. Files are opened when their turn comes; gzip is recognised by
 * its magic bytes, not its name. Returns 0; -ENOENT (or another -errno of
 * stat/opendir) when path cannot be used; -EINVAL for a device or socket; -ENOMEM.
 * A directory with no record file is not an error (nothing is queued).
 */
int reader_add_path(struct reader *r, const char *path);

/* The text for an error of reader_add_path(): strerror(), but -EINVAL says "not a
 * regular file, a directory or a pipe". */
const char *reader_add_strerror(int rc);

/*
 * Queues a MongoDB collection: the documents of database.collection at uri (NULL
 * database or collection: "impulse", "records", as impulse push), with
 * payload.trace_module.session_id equal to session when that is not NULL, in the
 * server's natural (insertion) order. The connection is made when its turn comes,
 * and a failure then is reported through the callback (line 0) and the input
 * skipped. Returns 0, -EINVAL for a URI libmongoc refuses, or -ENOMEM.
 */
int reader_add_mongo(struct reader *r, const char *uri, const char *database,
		     const char *collection, const char *session);

/*
 * The next record of the queued inputs, in order, skipping malformed lines (each
 * reported). Returns 1 with *out set, 0 at the end of the last input, or -errno of
 * a read that failed (then the input is abandoned, the error reported, and the next
 * call goes on with the next input).
 */
int reader_next(struct reader *r, const struct record **out);

/* Malformed lines and unreadable inputs so far. */
long reader_errors(const struct reader *r);

void reader_free(struct reader *r);

/*
 * The newest regular record file (logs_*.json or logs_*.json.gz, greatest name) in dir,
 * e.g. ".impulselogs": the subcommands' default input. Writes its path to out.
 * Returns 0, -ENOENT when there is none, -ENAMETOOLONG, or -errno of opendir().
 */
int reader_newest_file(const char *dir, char *out, size_t size);

/*
 * Parses one line (no newline) into *rec (strings pointing into line). Returns 0, or
 * -EINVAL with err->column and err->text set. reader_next() uses it; so may a
 * subcommand that has a line from elsewhere.
 */
int record_parse(const char *line, size_t len, struct record *rec, struct reader_error *err);

/*
 * s's text with its JSON escapes decoded (\uXXXX as UTF-8, surrogate pairs joined;
 * \u0000 gives a NUL byte), into out, NUL-terminated, truncated to size - 1 bytes.
 * Returns the length of the whole text (like snprintf): a result >= size means
 * out was too small. An absent or null string gives "" and 0. Never fails: the
 * scanner has already checked the escapes (a lone surrogate becomes U+FFFD).
 */
size_t record_str_unescape(const struct record_str *s, char *out, size_t size);

/*
 * The status of a known code as libimpulse writes it ("success", "error",
 * "incomplete", "unwound", "exception", "crashed"), or NULL for RECORD_STATUS_OTHER
 * (then record.status holds the text).
 */
const char *record_status_name(enum record_status code);

/* Whether s (decoded) equals the C string text. */
bool record_str_eq(const struct record_str *s, const char *text);

#endif
