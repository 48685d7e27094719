/*
 * restart_main.c — SA_RESTART as the program sets it: a SIGUSR1 handler that
 * writes one byte into a pipe, sent by a helper thread while main is blocked in
 * read() on that pipe. Installed with SA_RESTART the read is restarted and returns
 * the handler's byte; without, it fails with EINTR and the byte is read next.
 * The helper sends only once main's state in /proc is "S" (asleep: in the read).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static pthread_t main_thread;
static pid_t main_tid;
static volatile int reading;

static void on_usr1(int sig)
{
	(void)sig;
	if (write(fds[1], "x", 1) != 1)
		_exit(3);
}

static char main_state(void)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)main_tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

static void *sender(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	while (!reading)
		nanosleep(&ms, NULL);
	/* Asleep twice in a row, 1 ms apart: blocked in the read. */
	for (int asleep = 0; asleep < 2; nanosleep(&ms, NULL))
		asleep = main_state() == 'S' ? asleep + 1 : 0;
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

static void one(int restart)
{
	struct sigaction sa;
	pthread_t th;
	char c = 0;
	ssize_t n;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	reading = 0;
	pthread_create(&th, NULL, sender, NULL);
	reading = 1;
	n = read(fds[0], &c, 1);
	err = n < 0 ? errno : 0;
	pthread_join(th, NULL);
	printf("%s: read %zd (%s) byte %c\n", restart ? "SA_RESTART" : "no SA_RESTART", n,
	       err ? strerror(err) : "no error", n == 1 ? c : '-');
	if (n < 0) {
		n = read(fds[0], &c, 1);
		printf("then read %zd byte %c\n", n, n == 1 ? c : '-');
	}
	fflush(stdout);
}

int main(void)
{
	main_thread = pthread_self();
	main_tid = (pid_t)syscall(SYS_gettid);
	if (pipe(fds))
		return 1;
	one(1);
	one(0);
	return 0;
}
