/*
 * api_main.c — the in-program API: notes outside any hooked call (the root's),
 * from a callback inside a hooked call, from a library, nested; impulse_logf cut
 * at 4096 bytes; JSON notes valid and not; the session id changed mid-run; flush.
 * The API's return values go to the file named by $API_RESULTS (stdout must not
 * change with the tracer): 0 or -errno traced, -38 (-ENOSYS) untraced. After
 * impulse_flush() succeeds it counts the record lines already in $IMPULSE_LOG_DIR.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impulse.h"
#include "libapi.h"

static FILE *results;

static void result(const char *what, int v)
{
	if (results)
		fprintf(results, "%s %d\n", what, v);
}

static int cb_notes(int x)
{
	result("log_cb", impulse_log("in callback"));
	result("logf_cb", impulse_logf("cb x=%d", x));
	result("json_ok", impulse_log_json("{\"k\": [1, 2], \"s\": \"v\"}"));
	result("json_bad", impulse_log_json("{not json"));
	return x + 1;
}

static int cb_nested(int x)
{
	int v = api_self_log(x);

	result("log_after", impulse_log("after inner"));
	return v;
}

static int cb_long(int x)
{
	static char big[5001];

	memset(big, 'L', 5000);
	result("logf_long", impulse_logf("%s", big));
	return x;
}

/* Lines in the log files now: what impulse_flush() promised is on disk. */
static long count_lines(const char *dir)
{
	char path[4096];
	struct dirent *e;
	long n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		FILE *f;
		int c;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while ((c = getc(f)) != EOF)
			n += c == '\n';
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(void)
{
	const char *rpath = getenv("API_RESULTS");
	int flushed;

	results = rpath ? fopen(rpath, "w") : NULL;
	result("log_root", impulse_log("root note 1"));
	printf("call %d\n", api_call(cb_notes, 1));
	printf("self %d\n", api_self_log(2));
	printf("nested %d\n", api_call(cb_nested, 3));
	printf("long %d\n", api_call(cb_long, 4));
	result("session", impulse_set_session_id("sess-2", "{\"user\": \"x\"}"));
	printf("after session %d\n", api_self_log(5));
	result("session_bad", impulse_set_session_id("sess-3", "[1]"));
	printf("after bad session %d\n", api_self_log(6));
	flushed = impulse_flush();
	result("flush", flushed);
	if (flushed == 0 && getenv("IMPULSE_LOG_DIR"))
		result("lines_after_flush", (int)count_lines(getenv("IMPULSE_LOG_DIR")));
	result("log_root_end", impulse_log("root note end"));
	if (results)
		fclose(results);
	return 0;
}
