/*
 * clone_main.c — children made without fork(), none of which runs the
 * pthread_atfork handlers: MODE is
 *
 *   syscall   syscall(SYS_clone, SIGCHLD, 0, …): a fork-like child on our stack
 *   clone     clone(fn, stack, SIGCHLD, …): a fork-like child on a stack of its own
 *   _Fork     glibc's _Fork()
 *   inline    a clone system call made by a syscall instruction here (libc never sees it)
 *   vm        clone(fn, stack, CLONE_VM | SIGCHLD, …) while we go on calling
 *   vmvfork   clone(fn, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, …)
 *   race      two threads at once, one forking with fork(), one with
 *             syscall(SYS_clone), RACE_FORKS times each, calling the hooked
 *             function between; the children exit at once
 *
 * Each child makes CHILD_CALLS hooked calls (many ring buffers' worth) and exits
 * with a status computed from their results; the parent calls the hooked function
 * before and after (and, for vm, PARENT_CALLS times while the child runs) and prints
 * what it saw.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_CALLS 20000
#define PARENT_CALLS 3000
#define RACE_FORKS 40

int cl_leaf(int x);
pid_t _Fork(void);

static char child_stack[1 << 18] __attribute__((aligned(16)));

static int child_work(void)
{
	long sum = 0;

	for (int i = 0; i < CHILD_CALLS; i++)
		sum += cl_leaf(i);
	return (int)(sum % 97);
}

static int child_fn(void *arg)
{
	(void)arg;
	return child_work();
}

static long inline_clone(void)
{
	long ret;

	/* clone(SIGCHLD, stack 0, …): the child goes on from here on a copy of our stack. */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"((long)SIGCHLD), "S"(0L), "d"(0L)
			 : "rcx", "r11", "r8", "r9", "r10", "memory");
	return ret;
}

/* RACE_FORKS children, by fork() (arg NULL) or a raw clone; their exit statuses' sum. */
static void *forker(void *arg)
{
	long sum = 0;

	for (int i = 0; i < RACE_FORKS; i++) {
		pid_t pid = arg ? (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) : fork();
		int status = 0;

		if (pid == 0)
			_exit(i % 7);
		if (pid < 0)
			return (void *)-1L;
		cl_leaf(arg ? 2000 + i : 3000 + i);
		waitpid(pid, &status, 0);
		sum += WEXITSTATUS(status);
	}
	return (void *)sum;
}

static int race(void)
{
	pthread_t a, b;
	void *ra, *rb;

	if (pthread_create(&a, NULL, forker, NULL) || pthread_create(&b, NULL, forker, (void *)1))
		return 1;
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	printf("race %ld %ld\n", (long)ra, (long)rb);
	printf("after %d\n", cl_leaf(-20));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "syscall";
	void *top = child_stack + sizeof(child_stack);
	long parent_sum = 0;
	int status = 0;
	pid_t pid;

	printf("before %d\n", cl_leaf(-10));
	fflush(stdout);
	if (!strcmp(mode, "race"))
		return race();
	if (!strcmp(mode, "syscall"))
		pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	else if (!strcmp(mode, "_Fork"))
		pid = _Fork();
	else if (!strcmp(mode, "inline"))
		pid = (pid_t)inline_clone();
	else if (!strcmp(mode, "clone"))
		pid = clone(child_fn, top, SIGCHLD, NULL);
	else if (!strcmp(mode, "vm"))
		pid = clone(child_fn, top, CLONE_VM | SIGCHLD, NULL);
	else if (!strcmp(mode, "vmvfork"))
		pid = clone(child_fn, top, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	else
		return 2;
	if (pid < 0) {
		perror("clone");
		return 1;
	}
	if (pid == 0)
		_exit(child_work());	/* the modes whose child goes on here */
	if (!strcmp(mode, "vm"))
		for (int i = 0; i < PARENT_CALLS; i++)
			parent_sum += cl_leaf(1000000 + i);
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	printf("child status %d%s\n", WEXITSTATUS(status), WIFSIGNALED(status) ? " (signal)" : "");
	printf("parent sum %ld\n", parent_sum);
	printf("after %d\n", cl_leaf(-20));
	return 0;
}
