/*
 * reader_dump.c — prints what tools/reader.c reads, for tests/tools/test_reader.py to
 * compare with Python's json module's view of the same lines.
 *
 *     reader_dump [--mongo URI DB COLL [--session S]] [--newest DIR] [PATH...]
 *
 * One JSON object per record on stdout, every field of struct record (strings
 * decoded with record_str_unescape(), raw spans embedded as they are); each error
 * on stderr as "FILE:LINE:COL: reason" (":COL" only when there is one); exit status
 * 0, or 1 when reader_next() failed or a path could not be added.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

static void put_json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A view's string, decoded: through a buffer sized by a first call, as callers do. */
static void put_str(const char *key, const struct record_str *s)
{
	printf(",\"%s\":", key);
	if (!s->ptr) {
		fputs("null", stdout);
		return;
	}
	if (!s->escaped) {	/* the zero-copy case */
		put_json_string(s->ptr, s->len);
		return;
	}
	size_t n = record_str_unescape(s, NULL, 0);
	char *buf = malloc(n + 1);

	if (!buf)
		exit(1);
	if (record_str_unescape(s, buf, n + 1) != n || buf[n])
		fprintf(stderr, "reader_dump: unescape gave two lengths\n"), exit(1);
	put_json_string(buf, n);
	free(buf);
}

static void put_raw(const char *key, const struct record_raw *r)
{
	if (r->ptr)
		printf(",\"%s\":%.*s", key, (int)r->len, r->ptr);
}

/* "key":[offset in the line, length], for the test to find the span's text */
static void put_span(const char *key, const struct record_raw *r, const struct record *rec,
		     bool first)
{
	static bool any;

	if (first)
		any = false;
	if (!r->ptr)
		return;
	printf("%s\"%s\":[%td,%zu]", any ? "," : "", key, r->ptr - rec->text.ptr, r->len);
	any = true;
}

static void dump(const struct record *rec)
{
	fputs("{\"source\":", stdout);
	put_json_string(rec->source, strlen(rec->source));
	printf(",\"line\":%ld", rec->line);
	put_str("tracer_id", &rec->tracer_id);
	put_str("session_id", &rec->session_id);
	put_str("thread_id", &rec->thread_id);
	put_str("hook_id", &rec->hook_id);
	put_str("name", &rec->name);
	put_str("library", &rec->library);
	put_str("call_id", &rec->call_id);
	put_str("parent_id", &rec->parent_id);
	printf(",\"depth\":%u,\"is_root\":%s", rec->depth, rec->is_root ? "true" : "false");
	put_str("trace_id", &rec->trace_id);
	printf(",\"start_ns\":%" PRId64 ",\"end_ns\":%" PRId64, rec->start_ns, rec->end_ns);
	put_str("status", &rec->status);
	printf(",\"status_code\":%d", (int)rec->status_code);
	put_str("exception", &rec->exception);
	printf(",\"pid\":%" PRId64 ",\"tid\":%" PRId64, rec->pid, rec->tid);
	put_str("thread_name", &rec->thread_name);
	put_raw("arguments", &rec->arguments);
	put_raw("output", &rec->output);
	put_raw("trace_logs", &rec->trace_logs);
	put_raw("children", &rec->children);
	printf(",\"text_len\":%zu,\"spans\":{", rec->text.len);
	put_span("arguments", &rec->arguments, rec, true);
	put_span("output", &rec->output, rec, false);
	put_span("trace_logs", &rec->trace_logs, rec, false);
	put_span("children", &rec->children, rec, false);
	fputs("}}\n", stdout);
}

static void on_error(const struct reader_error *err, void *data)
{
	(void)data;
	if (err->column)
		fprintf(stderr, "%s:%ld:%ld: %s\n", err->source, err->line, err->column, err->text);
	else
		fprintf(stderr, "%s:%ld: %s\n", err->source, err->line, err->text);
}

int main(int argc, char **argv)
{
	struct reader *r = reader_new(on_error, NULL);
	const struct record *rec;
	int rc, status = 0;

	if (!r)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mongo") && i + 3 < argc) {
			const char *session = NULL;

			if (i + 5 < argc && !strcmp(argv[i + 4], "--session"))
				session = argv[i + 5];
			rc = reader_add_mongo(r, argv[i + 1], argv[i + 2], argv[i + 3], session);
			i += session ? 5 : 3;
		} else if (!strcmp(argv[i], "--newest") && i + 1 < argc) {
			char path[PATH_MAX];

			rc = reader_newest_file(argv[++i], path, sizeof(path));
			if (!rc) {
				printf("{\"newest\":\"%s\"}\n", path);
				rc = reader_add_path(r, path);
			}
		} else {
			rc = reader_add_path(r, argv[i]);
		}
		if (rc) {
			fprintf(stderr, "reader_dump: %s: %s\n", argv[i], strerror(-rc));
			status = 1;
		}
	}
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0) {
			status = 1;
			continue;
		}
		dump(rec);
	}
	fprintf(stderr, "reader_dump: %ld errors\n", reader_errors(r));
	reader_free(r);
	return status;
}
