/*
 * ovl_check DIR leaf|mix N T TIMEOUT_S: checks, while it is being written, the
 * one log file overload_main's traced run writes into DIR, record by record, and
 * frees what it has read (FALLOC_FL_PUNCH_HOLE): ten million records are ~13 GB of
 * JSON, which must neither be held in memory nor fill the disk. Python's json
 * module would take minutes for them; the test parses a sample and the root itself.
 *
 * Every record must be ovl_leaf or ovl_outer (or the root), status success, with
 * arguments t < T, i < N that no other record of its function has, the output its
 * arguments give (t * 1000003 + 3 * i, +1 for ovl_outer), the tid and thread name
 * "ovl-<t>" of its thread, and the root as first parent. In "mix" mode the odd i
 * are ovl_outer calls wrapping ovl_leaf: a recorded inner ovl_leaf names the outer
 * call as parent exactly when that call was recorded (a dropped call's callee is
 * attached to its caller), and the outer call lists it as its child.
 *
 * Prints "thread T tid TID leaf N outer N" per thread, "records N", "bytes N",
 * "root <the root record's line>", and "error: ..." lines (at most 20; exit 1).
 * Exit 0 when the root record was read and no error was found.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>

#define MAX_T 16
#define CHUNK (16u << 20)
#define SUCCESS_OUTPUT "},\"status\":\"success\",\"exception\":null,\"output\":"
#define ROOT_ONLY UINT64_MAX	/* a recorded inner ovl_leaf whose only parent is the root */

static long n_calls;
static int n_threads, mix;
static int errors;
static uint8_t *leaf_seen[MAX_T], *outer_seen[MAX_T];	/* one byte per i */
/* mix: per odd i (index i / 2), call sequence numbers; 0 = not recorded */
static uint64_t *inner_id[MAX_T], *inner_parent[MAX_T], *outer_id[MAX_T], *outer_child[MAX_T];
static long count_leaf[MAX_T], count_outer[MAX_T];
static long tid_of[MAX_T];
static long records;
static long long bytes;
static char *root_line;

static void error(const char *fmt, ...)
{
	va_list ap;

	if (++errors > 20)
		return;
	printf("error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The text after key in [p, end), or NULL. */
static const char *after(const char *p, const char *end, const char *key)
{
	size_t k = strlen(key);
	const char *at = p ? memmem(p, (size_t)(end - p), key, k) : NULL;

	return at ? at + k : NULL;
}

/* "<16 hex>-<16 hex>": the sequence part, or -1 (as uint64) when malformed. */
static uint64_t call_seq(const char *p, const char *end)
{
	uint64_t v = 0;

	if (end - p < 33 || p[16] != '-')
		return UINT64_MAX - 1;
	for (int i = 17; i < 33; i++) {
		char c = p[i];

		v = v * 16 + (uint64_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
	}
	return v;
}

static void check_line(const char *line, const char *end)
{
	const char *p, *name, *par, *par_end, *kids, *kids_end;
	long t, i, out, tid, want;
	uint64_t id, parents[3];
	int nparents = 0, nkids = 0, outer;
	uint64_t kid = 0;
	char *e;

	name = after(line, end, "\"function\":{\"type\":\"Function\",\"name\":\"");
	if (!name) {
		error("record without a function name: %.200s", line);
		return;
	}
	if (after(line, end, "\"thread_id\":\"root\",\"hook_id\":\"root\",\"tracer_metadata\"")) {
		if (root_line)
			error("a second root record");
		root_line = strndup(line, (size_t)(end - line));
		return;
	}
	records++;
	if (root_line)
		error("a record after the root record, which is written last");
	if (!strncmp(name, "ovl_leaf\"", 9))
		outer = 0;
	else if (!strncmp(name, "ovl_outer\"", 10))
		outer = 1;
	else {
		error("unexpected function %.40s", name);
		return;
	}
	p = after(name, end, "\"call_id\":\"");
	id = p ? call_seq(p, end) : UINT64_MAX - 1;
	p = p ? after(p, end, "\"arguments\":{\"t\":") : NULL;
	if (!p) {
		error("no call_id or arguments: %.300s", line);
		return;
	}
	t = strtol(p, &e, 10);
	if (strncmp(e, ",\"i\":", 5)) {
		error("arguments not {t, i}: %.300s", line);
		return;
	}
	i = strtol(e + 5, &e, 10);
	if (t < 0 || t >= n_threads || i < 0 || i >= n_calls || *e != '}') {
		error("arguments t=%ld i=%ld out of range", t, i);
		return;
	}
	if (strncmp(e, SUCCESS_OUTPUT, strlen(SUCCESS_OUTPUT))) {
		error("%s(%ld, %ld): not success with an output: %.120s", outer ? "ovl_outer" : "ovl_leaf",
		      t, i, e);
		return;
	}
	out = strtol(e + strlen(SUCCESS_OUTPUT), &e, 10);
	want = t * 1000003L + 3 * i + outer;
	if (out != want)
		error("%s(%ld, %ld): output %ld, expected %ld", outer ? "ovl_outer" : "ovl_leaf", t, i, out, want);
	par = after(e, end, "\"parents\":[");
	par_end = par ? after(par, end, "],\"children\":[") : NULL;
	kids_end = par_end ? after(par_end, end, "],\"children_omitted\":") : NULL;
	if (!kids_end) {
		error("no stack_trace parents/children: %.300s", line);
		return;
	}
	for (p = par; (p = after(p, par_end, "\"call_id\":\"")) != NULL; p += 33)
		if (nparents < 3)
			parents[nparents++] = call_seq(p, par_end);
		else
			nparents++;
	kids = par_end;
	for (p = kids; (p = after(p, kids_end, "\"call_id\":\"")) != NULL; p += 33) {
		kid = call_seq(p, kids_end);
		nkids++;
	}
	if (nparents < 1 || parents[0] != 0)
		error("%s(%ld, %ld): the root is not its first parent", outer ? "ovl_outer" : "ovl_leaf", t, i);
	p = after(kids_end, end, "\"process\":{\"pid\":");
	p = p ? after(p, end, ",\"tid\":") : NULL;
	if (!p) {
		error("no process.tid");
		return;
	}
	tid = strtol(p, &e, 10);
	{
		char want_name[64];

		snprintf(want_name, sizeof(want_name), ",\"thread_name\":\"ovl-%ld\"}", t);
		if (strncmp(e, want_name, strlen(want_name)))
			error("thread %ld: thread_name is not ovl-%ld: %.40s", t, t, e);
	}
	if (!tid_of[t])
		tid_of[t] = tid;
	else if (tid_of[t] != tid)
		error("thread %ld: records with tids %ld and %ld", t, tid_of[t], tid);

	if (outer) {
		if (!mix || !(i & 1)) {
			error("ovl_outer(%ld, %ld) was never called", t, i);
			return;
		}
		if (outer_seen[t][i]++)
			error("ovl_outer(%ld, %ld) recorded twice", t, i);
		count_outer[t]++;
		if (nparents != 1)
			error("ovl_outer(%ld, %ld): %d parents, expected the root only", t, i, nparents);
		if (nkids > 1)
			error("ovl_outer(%ld, %ld): %d children", t, i, nkids);
		outer_id[t][i / 2] = id;
		outer_child[t][i / 2] = nkids ? kid : 0;
		return;
	}
	if (leaf_seen[t][i]++)
		error("ovl_leaf(%ld, %ld) recorded twice", t, i);
	count_leaf[t]++;
	if (nkids)
		error("ovl_leaf(%ld, %ld) lists children", t, i);
	if (mix && (i & 1)) {
		if (nparents > 2)
			error("ovl_leaf(%ld, %ld): %d parents", t, i, nparents);
		inner_id[t][i / 2] = id;
		inner_parent[t][i / 2] = nparents == 2 ? parents[1] : ROOT_ONLY;
	} else if (nparents != 1) {
		error("ovl_leaf(%ld, %ld), called from the thread directly: %d parents", t, i, nparents);
	}
}

/* mix: each inner call's parent is the outer call exactly when that was recorded. */
static void check_nesting(void)
{
	for (int t = 0; t < n_threads; t++) {
		for (long k = 0; k < n_calls / 2; k++) {
			uint64_t in = inner_id[t][k], par = inner_parent[t][k];
			uint64_t out = outer_id[t][k], child = outer_child[t][k];
			long i = 2 * k + 1;

			if (in && par == ROOT_ONLY && out)
				error("ovl_leaf(%d, %ld): parent is the root, but ovl_outer(%d, %ld) was recorded",
				      t, i, t, i);
			if (in && par != ROOT_ONLY && par != out)
				error("ovl_leaf(%d, %ld): parent %" PRIx64 ", ovl_outer(%d, %ld) is %" PRIx64,
				      t, i, par, t, i, out);
			if (out && child != (in && par == out ? in : 0))
				error("ovl_outer(%d, %ld): child %" PRIx64 ", its recorded ovl_leaf is %" PRIx64,
				      t, i, child, in);
		}
	}
}

static int open_log(const char *dir)
{
	struct dirent *d;
	int fd = -1;
	DIR *dp = opendir(dir);

	if (!dp)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		char path[4096];

		size_t n = strlen(d->d_name);

		/* the record file, not the .diag file beside it */
		if (strncmp(d->d_name, "logs_", 5) || n < 5 || strcmp(d->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		fd = open(path, O_RDWR);
		break;
	}
	closedir(dp);
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *buf;
	size_t have = 0;
	off_t off = 0, punched = 0;
	double timeout, last_progress;
	int fd = -1;

	if (argc != 6 || (strcmp(argv[2], "leaf") && strcmp(argv[2], "mix"))) {
		fprintf(stderr, "usage: ovl_check DIR leaf|mix N T TIMEOUT_S\n");
		return 2;
	}
	mix = !strcmp(argv[2], "mix");
	n_calls = atol(argv[3]);
	n_threads = atoi(argv[4]);
	timeout = atof(argv[5]);
	if (n_calls < 1 || n_threads < 1 || n_threads > MAX_T)
		return 2;
	for (int t = 0; t < n_threads; t++) {
		leaf_seen[t] = calloc((size_t)n_calls, 1);
		outer_seen[t] = calloc((size_t)n_calls, 1);
		if (mix) {
			inner_id[t] = calloc((size_t)n_calls / 2 + 1, 8);
			inner_parent[t] = calloc((size_t)n_calls / 2 + 1, 8);
			outer_id[t] = calloc((size_t)n_calls / 2 + 1, 8);
			outer_child[t] = calloc((size_t)n_calls / 2 + 1, 8);
		}
	}
	buf = malloc(CHUNK + 1);
	last_progress = now();
	while (!root_line) {
		ssize_t n;
		char *p, *nl;

		if (fd < 0)
			fd = open_log(argv[1]);
		n = fd < 0 ? 0 : pread(fd, buf + have, CHUNK - have, off + (off_t)have);
		if (n < 0) {
			error("reading the log: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			if (now() - last_progress > timeout) {
				error("no root record after %.0f s without new data", timeout);
				break;
			}
			usleep(2000);
			continue;
		}
		last_progress = now();
		have += (size_t)n;
		bytes += n;
		for (p = buf; (nl = memchr(p, '\n', have - (size_t)(p - buf))) != NULL; p = nl + 1) {
			*nl = '\0';
			check_line(p, nl);
		}
		if (p == buf && have == CHUNK) {
			error("a line longer than %u bytes", CHUNK);
			break;
		}
		off += p - buf;
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		/* Read: give the memory or disk back (the file keeps its size). */
		if ((off & ~(off_t)4095) > punched) {
			off_t to = off & ~(off_t)4095;

			if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, punched, to - punched) == 0)
				punched = to;
		}
	}
	if (root_line) {
		/* The root is written last: nothing may follow it. */
		ssize_t n = pread(fd, buf, CHUNK, off + (off_t)have);

		if (have || n > 0)
			error("data after the root record");
	}
	if (mix)
		check_nesting();
	for (int t = 0; t < n_threads; t++)
		printf("thread %d tid %ld leaf %ld outer %ld\n", t, tid_of[t], count_leaf[t], count_outer[t]);
	printf("records %ld\nbytes %lld\n", records, bytes);
	if (root_line)
		printf("root %s\n", root_line);
	fflush(stdout);
	free(buf);
	free(root_line);
	for (int t = 0; t < n_threads; t++) {
		free(leaf_seen[t]);
		free(outer_seen[t]);
		free(inner_id[t]);
		free(inner_parent[t]);
		free(outer_id[t]);
		free(outer_child[t]);
	}
	return errors || !root_line ? 1 : 0;
}
