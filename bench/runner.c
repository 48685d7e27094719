/*
 * runner.c: runs one program and reports what it cost, for bench.py.
 *
 *     runner RESULT_FILE [-e NAME=VALUE]... -- PROGRAM [ARG...]
 *
 * Forks, sets the -e variables in the child only (so LD_PRELOAD reaches the program
 * and not the runner), execs PROGRAM (stdin, stdout and stderr inherited), reaps it
 * with wait4 and
 * writes one line to RESULT_FILE: "wall_ns cpu_ns maxrss_kib status", where cpu_ns is
 * user + sys of the child and of the children it reaped (a tracer's recorder counts),
 * and status is the exit code, or -SIGNAL.
 *
 * Why not fork from Python: a child's ru_maxrss starts from the RSS of the process it
 * was forked from (the kernel keeps the high-water mark across exec), so a child of a
 * 100 MB Python reports at least 100 MB. Forked from this small program, it reports
 * its own. Exit status: 0 when the line was written, 1 otherwise (the program could
 * not be started: status 127).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long timeval_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

static int usage_error(void)
{
	fprintf(stderr, "usage: runner RESULT_FILE [-e NAME=VALUE]... -- PROGRAM [ARG...]\n");
	return 1;
}

/* In the child, between fork and exec: the runner has one thread, so putenv is safe. */
static void child_exec(char **env, int nenv, char **prog)
{
	for (int i = 0; i < nenv; i++)
		putenv(env[i]);
	execvp(prog[0], prog);
	perror("runner: exec");
	_exit(127);
}

int main(int argc, char **argv)
{
	struct rusage usage;
	long long start, end;
	int wstatus, status, i, nenv = 0;
	char **env = &argv[2];
	FILE *out;
	pid_t pid;

	if (argc < 4)
		return usage_error();
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
		if (strcmp(argv[i], "-e") != 0 || i + 1 >= argc || !strchr(argv[i + 1], '='))
			return usage_error();
		env[nenv++] = argv[i + 1];	/* compact in place: argv[2..] is ours */
	}
	if (i + 1 >= argc)
		return usage_error();
	start = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("runner: fork");
		return 1;
	}
	if (pid == 0)
		child_exec(env, nenv, &argv[i + 1]);
	if (wait4(pid, &wstatus, 0, &usage) < 0) {
		perror("runner: wait4");
		return 1;
	}
	end = now_ns();
	status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);

	out = fopen(argv[1], "w");
	if (!out) {
		perror("runner: result file");
		return 1;
	}
	fprintf(out, "%lld %lld %ld %d\n", end - start,
		timeval_ns(usage.ru_utime) + timeval_ns(usage.ru_stime), usage.ru_maxrss, status);
	return fclose(out) == 0 ? 0 : 1;
}
