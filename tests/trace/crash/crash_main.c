/*
 * crash_main.c — a program that dies, or nearly, inside hooked calls. argv[1]
 * names the scenario; stdout is unbuffered, so that what was printed before the
 * death is there untraced and traced alike.
 *
 *   segv bus fpe ill abrt trap sent-segv
 *                 two completed calls, then cr_outer -> cr_inner dies that way
 *   handler-reraise  its own SIGSEGV handler prints, resets SIG_DFL, raises
 *                 (held back until the handler returns), prints again
 *   handler-return   its own SA_RESETHAND SIGSEGV handler prints and returns:
 *                 the fault happens again under the default action
 *   abrt-handler  its own SIGABRT handler prints and returns inside abort()
 *   recover       its own SIGSEGV handler siglongjmps out: the program goes on
 *   thread-segv   a second thread dies while main waits in cr_join
 *   double-segv   two threads die at once while main waits in cr_join
 *   block         prints "blocking" and waits in cr_read on a pipe (SIGTERM test)
 *   ign-exec      SIGINT ignored from the start: stays ignored, here and in an
 *                 exec'd shell
 *   restart | norestart
 *                 a SIGUSR1 handler with or without SA_RESTART interrupts cr_read
 *   sigmask       SIGTERM blocked, sent to the process, then taken by sigwait
 *   views         what sigaction() and signal() report back: the program's own view
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libcr.h"

static sigjmp_buf recover;

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(99);
}

static void completed_calls(void)
{
	printf("cr_add(1, 2) = %d\n", cr_add(1, 2));
	printf("cr_add(3, 4) = %d\n", cr_add(3, 4));
}

static int die_by(int mode)
{
	completed_calls();
	printf("cr_outer = %d\n", cr_outer(mode, 10));
	return 0;
}

static void reraise(int sig)
{
	say("handler: caught SIGSEGV\n");
	signal(sig, SIG_DFL);
	raise(sig);
	say("handler: after raise\n");	/* SIGSEGV is blocked while this handler runs */
}

static void print_and_return(int sig)
{
	(void)sig;
	say("handler: caught, returning\n");
}

static void jump_back(int sig)
{
	(void)sig;
	siglongjmp(recover, 1);
}

static int on_segv(void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSEGV, &sa, NULL);
}

static void *crash_later(void *arg)
{
	struct timespec ts = { 0, 100000000 };

	(void)arg;
	nanosleep(&ts, NULL);
	printf("thread: cr_add(5, 6) = %d\n", cr_add(5, 6));
	cr_outer(CR_SEGV, 20);
	return NULL;
}

static pthread_barrier_t together;

static void *crash_together(void *arg)
{
	struct timespec ts = { 0, 100000000 };

	nanosleep(&ts, NULL);	/* main is inside cr_join by now */
	pthread_barrier_wait(&together);
	cr_outer(CR_SEGV, (int)(long)arg);
	return NULL;
}

static int double_segv(void)
{
	pthread_t t[2];

	pthread_barrier_init(&together, NULL, 2);
	pthread_create(&t[0], NULL, crash_together, (void *)30L);
	pthread_create(&t[1], NULL, crash_together, (void *)40L);
	printf("cr_join = %d\n", cr_join((unsigned long)t[0]));
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	say("handler: SIGUSR1\n");
}

static int pipe_fds[2];

static void *interrupt_then_write(void *arg)
{
	struct timespec ts = { 0, 200000000 };

	nanosleep(&ts, NULL);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	nanosleep(&ts, NULL);
	if (write(pipe_fds[1], "x", 1) != 1)
		_exit(98);
	return NULL;
}

static int restart(int flags)
{
	struct sigaction sa;
	pthread_t self = pthread_self(), t;
	long n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(pipe_fds))
		return 1;
	pthread_create(&t, NULL, interrupt_then_write, &self);
	errno = 0;
	n = cr_read(pipe_fds[0]);
	printf("cr_read = %ld (%s)\n", n, n < 0 ? strerror(errno) : "ok");
	if (n < 0)	/* interrupted: the byte is still coming */
		printf("cr_read again = %ld\n", cr_read(pipe_fds[0]));
	pthread_join(t, NULL);
	return 0;
}

static int ign_exec(char **argv)
{
	struct sigaction old;
	static char sh[] = "sh", c[] = "-c", script[] = "kill -INT $$; echo shell: survived SIGINT";
	static char path[] = "PATH=/usr/bin:/bin";
	char *sh_argv[] = { sh, c, script, NULL };
	char *no_env[] = { path, NULL };

	(void)argv;
	sigaction(SIGINT, NULL, &old);
	printf("SIGINT is %s\n", old.sa_handler == SIG_IGN ? "ignored" : "not ignored");
	raise(SIGINT);
	printf("survived SIGINT, cr_add(1, 1) = %d\n", cr_add(1, 1));
	/* An untraced shell: what it inherits is the kernel's disposition. */
	execve("/bin/sh", sh_argv, no_env);
	return 1;
}

static int blocked_term(void)
{
	sigset_t set, pending;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	sigpending(&pending);
	printf("SIGTERM pending: %d\n", sigismember(&pending, SIGTERM));
	sigwait(&set, &sig);
	printf("sigwait: %d, cr_add(2, 2) = %d\n", sig, cr_add(2, 2));
	return 0;
}

static void mine(int sig)
{
	(void)sig;
}

static const char *name_of(__sighandler_t h)
{
	return h == SIG_DFL ? "SIG_DFL" : h == SIG_IGN ? "SIG_IGN" : h == mine ? "mine" : "another";
}

static int views(void)
{
	struct sigaction sa, old;

	sigaction(SIGTERM, NULL, &old);
	printf("SIGTERM at start: %s\n", name_of(old.sa_handler));
	sigaction(SIGSEGV, NULL, &old);
	printf("SIGSEGV at start: %s\n", name_of(old.sa_handler));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mine;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGSEGV, &sa, &old);
	printf("SIGSEGV before mine: %s\n", name_of(old.sa_handler));
	sigaction(SIGSEGV, NULL, &old);
	printf("SIGSEGV now: %s, flags restart %d nodefer %d, mask has SIGUSR2 %d\n", name_of(old.sa_handler),
	       !!(old.sa_flags & SA_RESTART), !!(old.sa_flags & SA_NODEFER), sigismember(&old.sa_mask, SIGUSR2));
	printf("signal(SIGTERM, SIG_IGN) was %s\n", name_of(signal(SIGTERM, SIG_IGN)));
	kill(getpid(), SIGTERM);
	printf("SIGTERM ignored: survived\n");
	printf("signal(SIGTERM, mine) was %s\n", name_of(signal(SIGTERM, mine)));
	kill(getpid(), SIGTERM);
	printf("signal(SIGTERM, SIG_DFL) was %s\n", name_of(signal(SIGTERM, SIG_DFL)));
	printf("signal(SIGSEGV, SIG_DFL) was %s\n", name_of(signal(SIGSEGV, SIG_DFL)));
	printf("cr_add(8, 9) = %d\n", cr_add(8, 9));
	kill(getpid(), SIGTERM);
	printf("never\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int mode; } deaths[] = {
		{ "segv", CR_SEGV }, { "bus", CR_BUS }, { "fpe", CR_FPE }, { "ill", CR_ILL },
		{ "abrt", CR_ABRT }, { "trap", CR_TRAP }, { "sent-segv", CR_SENT_SEGV },
	};
	const char *how = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; i < sizeof(deaths) / sizeof(deaths[0]); i++)
		if (!strcmp(how, deaths[i].name))
			return die_by(deaths[i].mode);
	if (!strcmp(how, "handler-reraise")) {
		on_segv(reraise, 0);
		return die_by(CR_SEGV);
	}
	if (!strcmp(how, "handler-return")) {
		on_segv(print_and_return, SA_RESETHAND);
		return die_by(CR_SEGV);
	}
	if (!strcmp(how, "abrt-handler")) {
		signal(SIGABRT, print_and_return);
		return die_by(CR_ABRT);
	}
	if (!strcmp(how, "recover")) {
		on_segv(jump_back, 0);
		completed_calls();
		if (!sigsetjmp(recover, 1))
			printf("never %d\n", cr_outer(CR_SEGV, 10));
		printf("recovered, cr_add(5, 6) = %d\n", cr_add(5, 6));
		return 0;
	}
	if (!strcmp(how, "thread-segv")) {
		pthread_t t;

		completed_calls();
		pthread_create(&t, NULL, crash_later, NULL);
		printf("cr_join = %d\n", cr_join((unsigned long)t));
		return 0;
	}
	if (!strcmp(how, "double-segv"))
		return double_segv();
	if (!strcmp(how, "block")) {
		if (pipe(pipe_fds))
			return 1;
		completed_calls();
		say("blocking\n");
		printf("cr_read = %ld\n", cr_read(pipe_fds[0]));
		return 0;
	}
	if (!strcmp(how, "ign-exec"))
		return ign_exec(argv);
	if (!strcmp(how, "restart"))
		return restart(SA_RESTART);
	if (!strcmp(how, "norestart"))
		return restart(0);
	if (!strcmp(how, "views"))
		return views();
	if (!strcmp(how, "sigmask"))
		return blocked_term();
	fprintf(stderr, "usage: crash_main SCENARIO\n");
	return 2;
}
