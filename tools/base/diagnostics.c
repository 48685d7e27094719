/*
 * diagnostics.c — libimpulse's messages of a run, shown once: read from the .diag
 * files beside the records (logs_<UTC>_<pid>[_<n>].diag, one per process image
 * that said anything, one "libimpulse[pid]: text" line each) and printed with
 * each distinct text once, however many processes said it.
 *
 * libimpulse writes nothing on the traced program's descriptors by default, so
 * these lines are how `impulse run`, `tree` and `stats` tell the user what went
 * wrong. Files are only read here, never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/tool.h"

struct diag_text {
	char *text;		/* without "libimpulse[pid]: "; owned */
	int processes;		/* how many files said it */
	int last_file;		/* the file that counted it last, to count each once */
};

struct diagnostics {
	struct diag_text *texts;
	size_t n, cap;
	long messages;		/* lines read, repeats included */
	int files;		/* .diag files read: processes that said anything */
	char **seen;		/* paths already read (a DIR and a FILE in it may both be named) */
	size_t nseen;
};

struct diagnostics *diagnostics_new(void)
{
	return calloc(1, sizeof(struct diagnostics));
}

void diagnostics_free(struct diagnostics *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->texts[i].text);
	for (size_t i = 0; i < d->nseen; i++)
		free(d->seen[i]);
	free(d->texts);
	free(d->seen);
	free(d);
}

static void add_text(struct diagnostics *d, const char *text)
{
	size_t i;

	d->messages++;
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->texts[i].text, text))
			break;
	if (i == d->n) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? 2 * d->cap : 16;
			struct diag_text *more = realloc(d->texts, cap * sizeof(*more));

			if (!more)
				return;
			d->texts = more;
			d->cap = cap;
		}
		d->texts[i].text = strdup(text);
		if (!d->texts[i].text)
			return;
		d->texts[i].processes = 0;
		d->texts[i].last_file = -1;
		d->n++;
	}
	if (d->texts[i].last_file != d->files) {
		d->texts[i].processes++;
		d->texts[i].last_file = d->files;
	}
}

static void read_file(struct diagnostics *d, const char *path)
{
	char line[4096];
	char **more;
	FILE *f;

	for (size_t i = 0; i < d->nseen; i++)
		if (!strcmp(d->seen[i], path))
			return;
	more = realloc(d->seen, (d->nseen + 1) * sizeof(*more));
	if (!more)
		return;
	d->seen = more;
	d->seen[d->nseen] = strdup(path);
	if (!d->seen[d->nseen])
		return;
	d->nseen++;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *text = strstr(line, "]: ");
		size_t n;

		text = text && !strncmp(line, "libimpulse[", 11) ? text + 3 : line;
		n = strlen(text);
		while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
		if (n)
			add_text(d, text);
	}
	fclose(f);
	d->files++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .diag files in dir (of process pid only, when pid > 0; created at or after
 * since, when since is not NULL), read oldest name first. */
static int add_dir(struct diagnostics *d, const char *dir, int pid, const struct timespec *since)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		int p = logfiles_pid_in_name(e->d_name, ".diag");
		char *path;
		struct stat st;

		if (p < 0 || (pid > 0 && p != pid))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			break;
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    (since && (st.st_mtim.tv_sec < since->tv_sec ||
			       (st.st_mtim.tv_sec == since->tv_sec && st.st_mtim.tv_nsec < since->tv_nsec)))) {
			free(path);
			continue;
		}
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*more));

			if (!more) {
				free(path);
				break;
			}
			names = more;
		}
		names[n++] = path;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		read_file(d, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

int diagnostics_add_since(struct diagnostics *d, const char *dir, const struct timespec *since)
{
	return add_dir(d, dir, 0, since);
}

int diagnostics_add_path(struct diagnostics *d, const char *path)
{
	char dir[4096];
	const char *slash, *base;
	struct stat st;
	int pid;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return add_dir(d, path, 0, NULL);
	/* A record file: the messages of the process that wrote it, from its directory. */
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	pid = logfiles_pid_in_name(base, ".json");
	if (pid < 0)
		pid = logfiles_pid_in_name(base, ".json.gz");
	if (pid < 0)
		pid = logfiles_pid_in_name(base, ".impulse");
	if (pid < 0)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	return add_dir(d, dir, pid, NULL);
}

long diagnostics_print(const struct diagnostics *d, FILE *out)
{
	if (!d || !d->messages)
		return 0;
	fprintf(out, "libimpulse: %ld diagnostic%s from %d process%s:\n", d->messages,
		d->messages == 1 ? "" : "s", d->files, d->files == 1 ? "" : "es");
	for (size_t i = 0; i < d->n; i++) {
		if (d->texts[i].processes > 1)
			fprintf(out, "  %s (%d processes)\n", d->texts[i].text, d->texts[i].processes);
		else
			fprintf(out, "  %s\n", d->texts[i].text);
	}
	return d->messages;
}
