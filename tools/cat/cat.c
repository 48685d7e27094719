/*
 * cat.c — `impulse cat FILE|DIR...`: the records of record files on stdout as
 * JSON Lines. A binary file (format = binary, logs_*.impulse) is rendered with
 * libimpulse's renderer (reader/binary.h) into the records format = json would
 * have written for the same run; a JSON file (plain or gzip) is copied a record
 * at a time. A directory stands for its logs_* files, oldest first.
 *
 * A file cut short, a chunk that does not decode, a newer version: said once
 * per problem with the file and the byte offset, every readable chunk still
 * rendered, and the exit status 1 (base/tool.h's statuses).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tool.h"
#include "reader/binary.h"
#include "reader/reader.h"

struct cat {
	long records;
	long problems;
	const char *file;	/* the one being read */
};

static int put_records(void *arg, const char *p, size_t len)
{
	(void)arg;
	return fwrite(p, 1, len, stdout) == len ? 0 : -EIO;
}

static void said(void *arg, const char *text)
{
	struct cat *c = arg;

	fprintf(stderr, "impulse cat: %s: %s\n", c->file, text);
}

static void reader_said(const struct reader_error *err, void *data)
{
	(void)data;
	if (err->line)
		fprintf(stderr, "impulse cat: %s:%ld: %s\n", err->source, err->line, err->text);
	else
		fprintf(stderr, "impulse cat: %s: %s\n", err->source, err->text);
}

static bool is_binary(const char *path)
{
	unsigned char head[BINARY_MAGIC_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) && binary_is_magic(head, sizeof(head));
	close(fd);
	return yes;
}

static void cat_binary(struct cat *c, const char *path)
{
	struct binary_out o = { put_records, said, c };
	long n, records = 0;

	c->file = path;
	n = binary_render_file(path, &o, &records);
	c->records += records;
	if (n < 0) {
		fprintf(stderr, "impulse cat: %s: %s\n", path, strerror((int)-n));
		c->problems++;
	} else {
		c->problems += n;
	}
}

static void cat_json(struct cat *c, const char *path)
{
	struct reader *r = reader_new(reader_said, NULL);
	const struct record *rec;
	int rc;

	if (!r || reader_add_path(r, path)) {
		fprintf(stderr, "impulse cat: %s: cannot read it\n", path);
		c->problems++;
		reader_free(r);
		return;
	}
	while ((rc = reader_next(r, &rec)) != 0) {
		if (rc < 0)
			continue;	/* reported; the next input */
		fwrite(rec->text.ptr, 1, rec->text.len, stdout);
		putchar('\n');
		c->records++;
	}
	c->problems += reader_errors(r);
	reader_free(r);
}

static void cat_file(struct cat *c, const char *path)
{
	if (is_binary(path))
		cat_binary(c, path);
	else
		cat_json(c, path);
}

static int record_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return !strncmp(d->d_name, "logs_", 5) &&
	       ((n > 10 && !strcmp(d->d_name + n - 5, ".json")) ||
		(n > 13 && !strcmp(d->d_name + n - 8, ".json.gz")) ||
		(n > 13 && !strcmp(d->d_name + n - 8, ".impulse")));
}

static void cat_dir(struct cat *c, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, record_file, alphasort);

	if (n < 0) {
		fprintf(stderr, "impulse cat: %s: %s\n", dir, strerror(errno));
		c->problems++;
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		cat_file(c, path);
		free(names[i]);
	}
	free(names);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: impulse cat FILE|DIR...\n"
		"\n"
		"Writes the records of record files to stdout as JSON Lines. A binary file\n"
		"(format = binary: logs_*.impulse) is rendered into the records format = json\n"
		"would have written for the same run; a JSON file (plain or gzip) is copied.\n"
		"A directory stands for its logs_* files, oldest first.\n"
		"\n"
		"Exit status: 0 everything was read; 1 something was skipped (a file cut\n"
		"short, a corrupted chunk, a newer version: each said with the file and byte\n"
		"offset, every readable chunk still rendered); 2 a bad command line, or\n"
		"nothing could be read.\n");
}

int cmd_cat(int argc, char **argv)
{
	struct cat c = { 0 };

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "impulse cat: unknown option '%s'; see 'impulse cat --help'\n", argv[i]);
			return TOOL_EXIT_USAGE;
		}
		if (stat(argv[i], &st)) {
			fprintf(stderr, "impulse cat: %s: %s\n", argv[i], strerror(errno));
			c.problems++;
		} else if (S_ISDIR(st.st_mode)) {
			cat_dir(&c, argv[i]);
		} else {
			cat_file(&c, argv[i]);
		}
	}
	if (fflush(stdout)) {
		fprintf(stderr, "impulse cat: writing the records: %s\n", strerror(errno));
		return TOOL_EXIT_NOTHING_READ;
	}
	return tool_read_status(c.records, c.problems);
}
