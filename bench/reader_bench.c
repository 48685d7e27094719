/*
 * reader_bench.c — the record reader's throughput (make bench-reader): reads the
 * files given end to end with tools/reader.c and counts the records per hook, as
 * `impulse stats` will, then prints the counts and one line of figures:
 *
 *     reader: N records, M malformed, S s, R records/s, B MB/s, peak RSS K KiB
 *
 * The table of hooks holds one entry per distinct hook_id (decoded), so memory is the
 * reader's buffer and that table whatever the file's size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "reader.h"

#define MAX_HOOKS 4096	/* a power of two: the table's size */

struct hook_count {
	char *name;	/* decoded hook_id; NULL: free slot */
	size_t len;
	long calls;
};

static struct hook_count table[MAX_HOOKS];
static int nhooks;

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static void count(const struct record_str *hook)
{
	char buf[512];
	const char *p = hook->ptr;
	size_t n = hook->len;

	if (hook->escaped) {
		n = record_str_unescape(hook, buf, sizeof(buf));
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		p = buf;
	}
	for (uint64_t i = hash(p, n);; i++) {
		struct hook_count *h = &table[i & (MAX_HOOKS - 1)];

		if (!h->name) {
			if (nhooks == MAX_HOOKS / 2) {
				fprintf(stderr, "reader_bench: more than %d hooks\n", MAX_HOOKS / 2);
				exit(1);
			}
			h->name = malloc(n + 1);
			if (!h->name)
				exit(1);
			memcpy(h->name, p, n);
			h->name[n] = '\0';
			h->len = n;
			nhooks++;
		}
		if (h->len == n && !memcmp(h->name, p, n)) {
			h->calls++;
			return;
		}
	}
}

static void on_error(const struct reader_error *err, void *data)
{
	long *shown = data;

	if ((*shown)++ < 10)
		fprintf(stderr, "%s:%ld: %s\n", err->source, err->line, err->text);
}

int main(int argc, char **argv)
{
	long shown = 0, records = 0;
	uint64_t bytes = 0;
	struct reader *r = reader_new(on_error, &shown);
	const struct record *rec;
	struct timespec t0, t1;
	struct rusage ru;
	double secs;
	int rc;

	if (!r || argc < 2) {
		fprintf(stderr, "usage: reader_bench FILE|DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (reader_add_path(r, argv[i])) {
			fprintf(stderr, "reader_bench: cannot read %s\n", argv[i]);
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;
		count(&rec->hook_id);
		bytes += rec->text.len + 1;
		records++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	for (int i = 0; i < MAX_HOOKS; i++)
		if (table[i].name)
			printf("%10ld %s\n", table[i].calls, table[i].name);
	printf("reader: %ld records, %ld malformed, %.3f s, %.0f records/s, %.0f MB/s, "
	       "peak RSS %ld KiB\n", records, reader_errors(r), secs, records / secs,
	       (double)bytes / secs / 1e6, ru.ru_maxrss);
	reader_free(r);
	return 0;
}
