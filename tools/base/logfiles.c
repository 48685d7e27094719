/*
 * logfiles.c — the record files in a log directory: which ones a run created, and
 * how many records each holds (one JSON object per line).
 *
 * libimpulse names its files logs_<UTC>_<pid>.json (logs_<UTC>_<pid>_<n>.json when
 * that name is taken) and writes whole lines with O_APPEND, so a line is a record.
 * Files are only read here, never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tool.h"

/* The last line may be long (a root's argv): its first LAST_LINE_MAX bytes suffice. */
#define LAST_LINE_MAX 65536

/* A JSON integer after key in line, or -1. Our own writer: no blanks. */
static long number_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The string after key in line, escapes kept, cut to size - 1 bytes. */
static void string_after(const char *line, const char *key, char *out, size_t size)
{
	const char *p = strstr(line, key);
	size_t n = 0;

	if (p)
		for (p += strlen(key); *p && *p != '"' && n + 1 < size; p++)
			out[n++] = *p == '\\' && p[1] ? *++p : *p;
	out[n] = '\0';
}

/* What the root record (the file's last line, as libimpulse writes it) says. */
static void read_root(const char *line, struct log_file *f)
{
	if (!strstr(line, "\"thread_id\":\"root\""))
		return;
	f->dropped = number_after(line, "\"dropped\":{\"total\":");
	if (strstr(line, "\"status\":\"crashed\""))
		string_after(line, "\"exception\":\"", f->died, sizeof(f->died));
}

/* Appends n bytes of the line being read to last (its first LAST_LINE_MAX bytes). */
static void keep(char *last, size_t *len, const char *p, size_t n)
{
	if (n > LAST_LINE_MAX - *len)
		n = LAST_LINE_MAX - *len;
	memcpy(last + *len, p, n);
	*len += n;
}

long logfiles_count_records(const char *path, struct log_file *f)
{
	static char last[LAST_LINE_MAX + 1];
	char buf[65536];
	size_t last_len = 0;
	bool complete = false;	/* last holds a whole line: the next byte starts another */
	long lines = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (f) {
		f->dropped = -1;
		f->died[0] = '\0';
	}
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		const char *p = buf, *nl, *end = buf + n;

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			close(fd);
			return -err;
		}
		for (; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (complete) {
				last_len = 0;
				complete = false;
			}
			keep(last, &last_len, p, (size_t)((nl ? nl : end) - p));
			if (!nl)
				break;
			lines++;
			complete = true;
		}
	}
	close(fd);
	/* The last complete line is the root when the process ended normally. */
	if (f && complete) {
		last[last_len] = '\0';
		read_root(last, f);
	}
	return lines;
}

int logfiles_pid_in_name(const char *name, const char *ext)
{
	size_t len = strlen(name), el = strlen(ext);
	const char *p;
	char *end;
	long pid;

	if (strncmp(name, "logs_", 5) || len < 6 + el || strcmp(name + len - el, ext))
		return -1;
	p = strchr(name + 5, '_');
	if (!p)
		return -1;
	pid = strtol(p + 1, &end, 10);
	if (end == p + 1 || (*end != '_' && *end != '.') || pid <= 0 || pid > 0x7fffffff)
		return -1;
	return (int)pid;
}

/*
 * When the file was created: its birth time where the filesystem keeps one, else
 * its last modification. The kernel stamps files from its coarse clock (or a finer
 * one, never behind it), and `since` is read from that same coarse clock before the
 * program starts, so a file the run created is never dated before it.
 */
static int creation_time(int dfd, const char *name, struct timespec *out)
{
	struct statx stx;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_MTIME | STATX_TYPE, &stx))
		return -errno;
	if (!S_ISREG(stx.stx_mode))
		return -EINVAL;
	if (stx.stx_mask & STATX_BTIME) {
		out->tv_sec = stx.stx_btime.tv_sec;
		out->tv_nsec = stx.stx_btime.tv_nsec;
	} else {
		out->tv_sec = stx.stx_mtime.tv_sec;
		out->tv_nsec = stx.stx_mtime.tv_nsec;
	}
	return 0;
}

static bool is_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct log_file *)a)->path, ((const struct log_file *)b)->path);
}

void logfiles_free(struct log_file *files, int n)
{
	for (int i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

int logfiles_list_since(const char *dir, const struct timespec *since, struct log_file **out)
{
	struct log_file *files = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	*out = NULL;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		struct timespec born;
		int pid = logfiles_pid_in_name(e->d_name, ".json");
		bool binary = pid < 0 && (pid = logfiles_pid_in_name(e->d_name, ".impulse")) >= 0;

		if (pid < 0 || creation_time(dirfd(d), e->d_name, &born) || is_before(&born, since))
			continue;
		if (n == cap) {
			struct log_file *more = realloc(files, (size_t)(cap = cap ? 2 * cap : 8) * sizeof(*files));

			if (!more)
				goto nomem;
			files = more;
		}
		if (asprintf(&files[n].path, "%s/%s", dir, e->d_name) < 0)
			goto nomem;
		files[n].pid = pid;
		files[n].binary = binary;
		files[n].dropped = -1;
		files[n].died[0] = '\0';
		/* Counting a binary file's records is rendering it: left to the readers. */
		files[n].records = binary ? 0 : logfiles_count_records(files[n].path, &files[n]);
		n++;
	}
	closedir(d);
	if (n)	/* qsort's array must not be NULL, even for no elements */
		qsort(files, (size_t)n, sizeof(*files), by_path);
	*out = files;
	return n;

nomem:
	closedir(d);
	logfiles_free(files, n);
	return -ENOMEM;
}
