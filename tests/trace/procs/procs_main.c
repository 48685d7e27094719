/*
 * procs_main.c — a program that starts processes in every way libimpulse follows;
 * argv[1] picks the scenario (see test_procs.py). The same program is the child
 * image ("leaf N": one hooked call, exit status N; "leaf env": its environment).
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pr.h"

extern char **environ;

/* What the test harness itself sets differs traced/untraced (and the shell's PWD:
 * the runs have different directories): left out. */
static int harness_var(const char *e)
{
	return !strncmp(e, "LD_PRELOAD=", 11) || !strncmp(e, "IMPULSE_CONFIG=", 15) ||
	       !strncmp(e, "IMPULSE_LOG_DIR=", 16) || !strncmp(e, "PWD=", 4);
}

static void print_env(char **envp)
{
	printf("environ:\n");
	for (char **e = environ; *e; e++)
		if (!harness_var(*e))
			printf("  %s\n", *e);
	printf("envp:\n");
	for (char **e = envp; *e; e++)
		if (!harness_var(*e))
			printf("  %s\n", *e);
	printf("getenv traceparent: %s, tracestate: %s\n", getenv("IMPULSE_TRACEPARENT") ? "set" : "unset",
	       getenv("IMPULSE_TRACESTATE") ? "set" : "unset");
}

/* LD_PRELOAD's entries by file name, libimpulse's apart (trace_exec = false). */
static void print_preload(void)
{
	const char *v = getenv("LD_PRELOAD");
	char buf[8192], *save = NULL;
	int ours = 0;

	snprintf(buf, sizeof(buf), "%s", v ? v : "");
	printf("preload others:");
	for (char *t = strtok_r(buf, " :", &save); t; t = strtok_r(NULL, " :", &save)) {
		const char *base = strrchr(t, '/') ? strrchr(t, '/') + 1 : t;

		if (!strcmp(base, "libimpulse.so"))
			ours++;
		else
			printf(" %s", base);
	}
	printf("\npreload libimpulse: %s\n", ours ? "yes" : "no");
}

static int status_of(pid_t pid)
{
	int status = 0;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int blocked_pipe[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int about_to_block;
static int block_result[3];

static void *blocker(void *arg)
{
	int id = (int)(long)arg;

	for (int i = 0; i < 20; i++)
		pr_leaf(200 + id * 20 + i);
	pthread_mutex_lock(&mu);
	about_to_block++;
	pthread_mutex_unlock(&mu);
	block_result[id] = pr_block(blocked_pipe[0]);
	return NULL;
}

static int fork_threads(void)
{
	pthread_t t[3];
	int ready = 0;

	if (pipe(blocked_pipe))
		return 1;
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, blocker, (void *)i);
	while (ready < 3) {
		usleep(1000);
		pthread_mutex_lock(&mu);
		ready = about_to_block;
		pthread_mutex_unlock(&mu);
	}
	usleep(50000);	/* they are inside pr_block's read now */
	/* A burst the logger has likely not drained when the fork comes. */
	for (int i = 0; i < 100; i++)
		pr_leaf(1000 + i);
	printf("fork_inside %d\n", pr_fork_inside(7, 0));
	fflush(stdout);
	if (write(blocked_pipe[1], "abc", 3) != 3)
		return 1;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 3; i++)
		printf("thread %d block %d\n", i, block_result[i]);
	printf("after %d\n", pr_leaf(8));
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int how = argc > 2 ? atoi(argv[2]) : 0;
	pid_t pid;

	if (!strcmp(mode, "leaf") && argc > 2 && !strcmp(argv[2], "env")) {
		print_env(envp);
		return 0;
	}
	if (!strcmp(mode, "leaf") && argc > 2 && !strcmp(argv[2], "preload")) {
		print_preload();
		return 0;
	}
	if (!strcmp(mode, "leaf")) {
		printf("leaf %d %d\n", how, pr_leaf(how));
		return how;
	}
	if (!strcmp(mode, "env") || !strcmp(mode, "preload")) {
		if (!strcmp(mode, "env"))
			print_env(envp);
		printf("spawned %d\n", pr_spawn(argv[0], mode, how));
		return 0;
	}
	if (!strcmp(mode, "fork_inside")) {
		printf("first %d\n", pr_leaf(1));
		printf("fork_inside %d\n", pr_fork_inside(2, how));
		printf("last %d\n", pr_leaf(3));
		return 0;
	}
	if (!strcmp(mode, "fork_outside")) {
		printf("first %d\n", pr_leaf(1));
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			printf("child %d\n", pr_leaf(4));
			return 9;
		}
		printf("child status %d\n", status_of(pid));
		printf("last %d\n", pr_leaf(5));
		return 0;
	}
	if (!strcmp(mode, "fork_threads"))
		return fork_threads();
	if (!strcmp(mode, "spawn")) {
		printf("first %d\n", pr_leaf(1));
		printf("spawned %d\n", pr_spawn(argv[0], "7", how));
		printf("last %d\n", pr_leaf(2));
		return 0;
	}
	if (!strcmp(mode, "fork_exec_outside")) {
		char *args[] = { argv[0], (char *)"leaf", (char *)"8", NULL };

		printf("first %d\n", pr_leaf(1));
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			execv(argv[0], args);
			_exit(127);
		}
		printf("spawned %d\n", status_of(pid));
		return 0;
	}
	if (!strcmp(mode, "exec_fail")) {
		char *args[] = { (char *)"impulse-no-such-program", NULL };
		char **before = environ;
		int rc, err;

		printf("first %d\n", pr_leaf(1));
		errno = 0;
		rc = how ? execvp(args[0], args) : execv("/nonexistent/impulse-no-such-program", args);
		err = errno;
		printf("exec rc %d errno %d environ %s\n", rc, err, environ == before ? "same" : "changed");
		printf("after %d\n", pr_leaf(2));
		return 3;
	}
	fprintf(stderr, "unknown mode '%s'\n", mode);
	return 2;
}
