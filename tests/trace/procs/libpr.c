/*
 * libpr.c — the hooked functions of the process tests: a leaf, a call that forks
 * inside itself, a call that starts a program in one of five ways, and a call
 * that blocks until released (threads caught mid-call by a fork).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pr.h"

extern char **environ;

int pr_leaf(int x)
{
	return x * 10 + 1;
}

int pr_fork_inside(int x, int how)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		printf("child leaf %d\n", pr_leaf(x));
		fflush(stdout);
		if (how)
			_exit(6);
		exit(5);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int wait_for(pid_t pid)
{
	int status = 0;

	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int pr_spawn(const char *prog, const char *arg, int how)
{
	char *argv[] = { (char *)prog, (char *)"leaf", (char *)arg, NULL };
	char cmd[4096], line[256];
	pid_t pid;
	FILE *f;
	int rc;

	fflush(stdout);
	switch (how) {
	case PR_FORK_EXEC:
		pid = fork();
		if (pid == 0) {
			execv(prog, argv);
			_exit(127);
		}
		return wait_for(pid);
	case PR_POSIX_SPAWN:
		if (posix_spawn(&pid, prog, NULL, NULL, argv, environ))
			return -1;
		return wait_for(pid);
	case PR_SYSTEM:
		snprintf(cmd, sizeof(cmd), "%s leaf %s", prog, arg);
		rc = system(cmd);
		return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	case PR_POPEN:
		snprintf(cmd, sizeof(cmd), "%s leaf %s", prog, arg);
		f = popen(cmd, "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			printf("popen read: %s", line);
		rc = pclose(f);
		return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	case PR_VFORK_EXEC:
		pid = vfork();
		if (pid == 0) {
			execv(prog, argv);
			_exit(127);
		}
		return wait_for(pid);
	case PR_VFORK_CALL_EXEC:
		pid = vfork();
		if (pid == 0) {
			/* Shares the parent's memory: must not be recorded (as the parent's). */
			if (pr_leaf(9) != 91)
				_exit(126);
			execv(prog, argv);
			_exit(127);
		}
		return wait_for(pid);
	case PR_SPAWN_OWN_ENV: {
		/* An environment of its own, without LD_PRELOAD: the child is not traced. */
		char *env[] = { (char *)"ONLY=1", NULL };

		if (posix_spawn(&pid, prog, NULL, NULL, argv, env))
			return -1;
		return wait_for(pid);
	}
	case PR_POSIX_SPAWNP:
		if (posix_spawnp(&pid, prog, NULL, NULL, argv, environ))
			return -1;
		return wait_for(pid);
	default:
		return -1;
	}
}

int pr_block(int fd)
{
	char c;

	/* Returns when the main thread writes a byte (after its fork). */
	return (int)read(fd, &c, 1);
}
