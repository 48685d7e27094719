/*
 * fds_main.c — programs that own every descriptor number, each a mode:
 *
 *   daemon OUT     close every descriptor (up to the soft limit, then
 *                  close_range to the end), open /dev/null, dup, dup: expects
 *                  0 1 2; writes what it got to OUT, exits 1 if not 0 1 2
 *   reopen OUT     close_range(1, ~0U), open OUT (expects 1) and printf into it
 *   forkrace N     N fork children, one after another, each making hooked calls
 *                  and at once closing 0-2 and reopening them, many times: each
 *                  must get 0 1 2 every time (its logger creates its file meanwhile)
 *   limit          opens /dev/null until EMFILE: prints how many and the limits
 *   lower N        sets both limits to N, then execs itself in "limit" mode
 *   listfds        prints its open descriptors (/proc/self/fd)
 *
 * Each makes hooked calls (fd_leaf) before, between and after, so that the
 * logger is writing while the program works.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fd_leaf(int x);

static int calls(int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += fd_leaf(i);
	return sum;
}

/* Gives a logger time to write (a tracer that reopened its file at the lowest
 * free number would do it now): widens the window, asserts nothing about time. */
static void settle(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int daemon_mode(const char *out)
{
	struct rlimit rl;
	int a, b, c, fd;
	char line[64];

	calls(100);
	getrlimit(RLIMIT_NOFILE, &rl);
	for (long n = (long)rl.rlim_cur - 1; n >= 0; n--)
		close((int)n);
	close_range(0, ~0u, 0);
	calls(100);
	settle();
	a = open("/dev/null", O_RDWR);
	b = dup(a);
	c = dup(a);
	calls(100);
	snprintf(line, sizeof(line), "%d %d %d\n", a, b, c);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		return 2;
	close(fd);
	return a == 0 && b == 1 && c == 2 ? 0 : 1;
}

static int reopen_mode(const char *out)
{
	int fd, sum = calls(100);

	close_range(1, ~0u, 0);
	sum += calls(100);
	settle();
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd != 1)
		return 10 + fd;
	for (int i = 0; i < 200; i++)
		printf("line %d sum %d\n", i, sum + calls(10));
	return fflush(stdout) ? 3 : 0;
}

/* Closes 0-2 and reopens them: 0 when it got 0 1 2. */
static int reopen_std(void)
{
	int got[3];

	close(0);
	close(1);
	close(2);
	got[0] = open("/dev/null", O_RDONLY);
	got[1] = open("/dev/null", O_WRONLY);
	got[2] = open("/dev/null", O_WRONLY);
	return got[0] == 0 && got[1] == 1 && got[2] == 2 ? 0 : 1;
}

static int forkrace_mode(int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (pid == 0) {
			int wrong = 0;

			/* The first hooked call makes the child's logger create its file:
			 * now, while the program reopens 0-2 over and over. */
			fd_leaf(i);
			for (int k = 0; k < 300; k++) {
				wrong += reopen_std();
				fd_leaf(k);
			}
			_exit(wrong ? 1 : 0);
		}
		calls(20);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	printf("children %d, wrong %d\n", n, bad);
	return bad ? 1 : 0;
}

static int limit_mode(void)
{
	struct rlimit rl;
	int n = 0, last = -1, fd;

	calls(50);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		last = fd;
		n++;
		calls(5);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("opened %d (last %d, then %s); limits %llu %llu\n", n, last, strerror(errno),
	       (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	return 0;
}

static int lower_mode(const char *self, int n)
{
	struct rlimit rl = { (rlim_t)n, (rlim_t)n };

	calls(10);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 2;
	execl(self, self, "limit", (char *)NULL);
	return 3;
}

static int listfds_mode(void)
{
	DIR *d;
	struct dirent *e;
	int fds[256], n = 0, self;

	calls(50);
	d = opendir("/proc/self/fd");
	if (!d)
		return 2;
	self = dirfd(d);
	while ((e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.' && atoi(e->d_name) != self)
			fds[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];

				fds[i] = fds[j];
				fds[j] = t;
			}
	printf("open:");
	for (int i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "daemon"))
		return daemon_mode(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "reopen"))
		return reopen_mode(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "forkrace"))
		return forkrace_mode(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "limit"))
		return limit_mode();
	if (argc >= 3 && !strcmp(argv[1], "lower"))
		return lower_mode(argv[0], atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "listfds"))
		return listfds_mode();
	fprintf(stderr, "usage: fds_main daemon|reopen OUT | forkrace N | limit | lower N | listfds\n");
	return 2;
}
