/*
 * reader.c — the queue of inputs behind reader.h: opens each in turn, cuts it into
 * lines (reader_file.c, reader_mongo.c), parses each line into the one struct record
 * the reader holds (reader_json.c), and reports malformed lines and unreadable inputs
 * through the caller's callback before going on.
 *
 * Memory is the queue, one source's buffer and one view: nothing grows with the
 * number of records. It prints nothing and never exits (tools/base/tool.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader/reader_source.h"

struct input {
	char *path;			/* a file; NULL for MongoDB */
	bool named;			/* named by the user, not found in a directory */
	struct reader_mongo_spec mongo;
};

struct reader {
	struct input *inputs;
	int n, cap, next;		/* queued, allocated, the next to open */
	struct reader_source *cur;	/* the input being read, or NULL */
	struct record rec;		/* the view handed out */
	reader_error_fn *on_error;
	void *data;
	long errors;
};

struct reader *reader_new(reader_error_fn *on_error, void *data)
{
	struct reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->on_error = on_error;
		r->data = data;
	}
	return r;
}

static struct input *push_input(struct reader *r)
{
	if (r->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 8;
		struct input *more = realloc(r->inputs, (size_t)cap * sizeof(*more));

		if (!more)
			return NULL;
		r->inputs = more;
		r->cap = cap;
	}
	memset(&r->inputs[r->n], 0, sizeof(r->inputs[0]));
	return &r->inputs[r->n++];
}

static int add_file(struct reader *r, const char *path, bool named)
{
	struct input *in = push_input(r);

	if (!in)
		return -ENOMEM;
	in->named = named;
	in->path = strdup(path);
	if (!in->path) {
		r->n--;
		return -ENOMEM;
	}
	return 0;
}

/* logs_*.json or logs_*.json.gz: what libimpulse writes, gzipped or not; logs_*.impulse
 * with format = binary (rendered as they are read: binary.h). */
static bool is_record_file_name(const char *name)
{
	size_t n = strlen(name);

	if (strncmp(name, "logs_", 5))
		return false;
	return (n > 10 && !strcmp(name + n - 5, ".json")) ||
	       (n > 13 && !strcmp(name + n - 8, ".json.gz")) ||
	       (n > 13 && !strcmp(name + n - 8, ".impulse"));
}

static int select_record_file(const struct dirent *d)
{
	return is_record_file_name(d->d_name);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void report(struct reader *r, struct reader_error *err)
{
	r->errors++;
	if (r->on_error)
		r->on_error(err, r->data);
}

/* A directory's entry that is not a regular file: reported, not queued. */
static void skip_entry(struct reader *r, const char *full, const char *why)
{
	struct reader_error err = { .source = full };

	snprintf(err.text, sizeof(err.text), "%s: skipped", why);
	report(r, &err);
}

int reader_add_path(struct reader *r, const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) ? add_file(r, path, true) : -EINVAL;
	/* libimpulse's names begin with the UTC time: by name is oldest first */
	n = scandir(path, &names, select_record_file, by_name);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char *full;

		if (!rc && asprintf(&full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
				    names[i]->d_name) < 0)
			rc = -ENOMEM;
		if (!rc) {
			/* stat, not lstat: a link to a record file elsewhere is fine */
			if (stat(full, &st))
				skip_entry(r, full, strerror(errno));
			else if (!S_ISREG(st.st_mode))
				skip_entry(r, full, S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file" :
					   S_ISDIR(st.st_mode) ? "a directory, not a regular file" :
					   "a device or socket, not a regular file");
			else
				rc = add_file(r, full, false);
			free(full);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

const char *reader_add_strerror(int rc)
{
	return rc == -EINVAL ? "not a regular file, a directory or a pipe" : strerror(-rc);
}

int reader_add_mongo(struct reader *r, const char *uri, const char *database,
		     const char *collection, const char *session)
{
	struct input *in = push_input(r);
	struct reader_mongo_spec *m;
	int rc;

	if (!in)
		return -ENOMEM;
	m = &in->mongo;
	/* impulse push's and the Mongo logger's defaults */
	if (!database)
		database = "impulse";
	if (!collection)
		collection = "records";
	m->uri = strdup(uri);
	m->database = strdup(database);
	m->collection = strdup(collection);
	m->session = session ? strdup(session) : NULL;
	rc = !m->uri || !m->database || !m->collection || (session && !m->session) ? -ENOMEM :
		reader_mongo_check(m);
	if (rc) {
		free(m->uri);
		free(m->database);
		free(m->collection);
		free(m->session);
		free(m->name);
		r->n--;
	}
	return rc;
}

/* Opens the next input; false when there is none left. A failure is reported and
 * the input skipped. */
static bool open_next(struct reader *r)
{
	while (r->next < r->n) {
		struct input *in = &r->inputs[r->next++];
		struct reader_error err = { .source = in->path ? in->path : in->mongo.name };
		int rc;

		if (in->path) {
			rc = reader_file_open(in->path, in->named, &r->cur);
			if (rc == -EINVAL)
				snprintf(err.text, sizeof(err.text), "not a regular file%s",
					 in->named ? " or a pipe" : "");
			else if (rc)
				snprintf(err.text, sizeof(err.text), "%s", strerror(-rc));
		} else {
			rc = reader_mongo_open(&in->mongo, &r->cur, &err);
		}
		if (!rc)
			return true;
		r->cur = NULL;
		report(r, &err);
	}
	return false;
}

static void close_current(struct reader *r)
{
	r->cur->ops->close(r->cur);
	r->cur = NULL;
}

static bool is_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

int reader_next(struct reader *r, const struct record **out)
{
	for (;;) {
		struct reader_error err;
		const char *line;
		size_t len;
		long lineno;
		int rc;

		if (!r->cur && !open_next(r))
			return 0;
		err.source = r->cur->name;
		err.column = 0;
		rc = r->cur->ops->next_line(r->cur, &line, &len, &lineno, &err);
		if (rc == 0) {
			close_current(r);
			continue;
		}
		if (rc == READER_LINE_SKIPPED) {
			err.line = lineno;
			report(r, &err);
			continue;
		}
		if (rc < 0) {
			err.line = 0;
			report(r, &err);
			close_current(r);
			return rc;
		}
		/* a record starts with '{': only other lines may be blank ones */
		if (len == 0 || (line[0] != '{' && is_blank(line, len)))
			continue;
		if (record_parse(line, len, &r->rec, &err)) {
			err.line = lineno;
			/* A writer stopped in the middle of the record (killed, a full disk). */
			if (rc == READER_LINE_UNTERMINATED) {
				err.column = 0;
				snprintf(err.text, sizeof(err.text), "torn: the file ends in the middle of a "
					 "record (%zu bytes without their newline): skipped", len);
			}
			report(r, &err);
			continue;
		}
		r->rec.source = r->cur->name;
		r->rec.line = lineno;
		*out = &r->rec;
		return 1;
	}
}

long reader_errors(const struct reader *r)
{
	return r->errors;
}

void reader_free(struct reader *r)
{
	if (!r)
		return;
	if (r->cur)
		close_current(r);
	for (int i = 0; i < r->n; i++) {
		free(r->inputs[i].path);
		free(r->inputs[i].mongo.uri);
		free(r->inputs[i].mongo.database);
		free(r->inputs[i].mongo.collection);
		free(r->inputs[i].mongo.session);
		free(r->inputs[i].mongo.name);
	}
	free(r->inputs);
	free(r);
}

int reader_newest_file(const char *dir, char *out, size_t size)
{
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	struct dirent **names;
	int n, rc = -ENOENT;

	n = scandir(dir, &names, select_record_file, by_name);
	if (n < 0)
		return -errno;
	/* the greatest name that is a regular file: a FIFO there would block the reader */
	for (int i = n - 1; i >= 0 && rc == -ENOENT; i--) {
		struct stat st;

		if (snprintf(out, size, "%s%s%s", dir, sep, names[i]->d_name) >= (int)size)
			rc = -ENAMETOOLONG;
		else if (!stat(out, &st) && S_ISREG(st.st_mode))
			rc = 0;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
