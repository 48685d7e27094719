/*
 * fd_high_test.c — fd_move_high() (preload/base/fd_high.c) and the fd thread
 * (preload/base/fd_thread.c): where our descriptors land, that the limits the
 * program set come back exactly, and that a file opened on the fd thread is out
 * of the program's table (not listed, not closed by close_range, not counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "base/fd_high.h"
#include "base/fd_thread.h"

__thread int tls_busy;	/* base/tracer.c's, which this test does not link */

static struct rlimit limits(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	return rl;
}

static void set_limits(rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
}

static int devnull(void)
{
	return open("/dev/null", O_RDONLY);
}

/* How many numbers below the soft limit the program can still open. */
static int count_free(void)
{
	int fds[1024], n = 0, fd;

	while (n < 1024 && (fd = devnull()) >= 0)
		fds[n++] = fd;
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

static void test_inside_limit(void)
{
	int fd = devnull(), high;

	set_limits(64, 128);
	high = fd_move_high(fd);
	/* Not alone: the highest free number below the limit, old one closed. */
	CHECK(high == 63, "not alone, soft 64: got %d, expected 63", high);
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "the old descriptor %d is still open", fd);
	CHECK(fcntl(high, F_GETFD) == FD_CLOEXEC, "close-on-exec not set on %d", high);
	CHECK(fd_move_high(high) == high, "a high descriptor moved again");
	CHECK(!fd_is_above_limit(high), "63 said above a limit of 64");
	close(high);
}

static void test_alone_above_limit(void)
{
	struct rlimit after;
	int fd = devnull(), high;

	int before;

	set_limits(64, 128);
	close(fd);
	before = count_free();
	fd = devnull();
	fd_high_begin_alone();
	high = fd_move_high(fd);
	fd_high_end_alone();
	after = limits();
	CHECK(high >= 64, "alone, soft 64 hard 128: got %d, expected at or above 64", high);
	CHECK(fd_is_above_limit(high), "%d not above the limit", high);
	CHECK(after.rlim_cur == 64 && after.rlim_max == 128, "limits not put back: %llu %llu",
	      (unsigned long long)after.rlim_cur, (unsigned long long)after.rlim_max);
	/* It costs the program nothing: every number below 64 can still be had. */
	CHECK(count_free() == before, "free numbers below the limit: %d, before %d", count_free(), before);
	close(high);
}

static void test_hard_equals_soft(void)
{
	struct rlimit after;
	int fd = devnull(), high;

	set_limits(32, 32);
	fd_high_begin_alone();
	high = fd_move_high(fd);
	fd_high_end_alone();
	after = limits();
	/* Above 31 with CAP_SYS_RESOURCE (hard raised for a moment), else 31. */
	CHECK(high >= 31, "hard == soft 32: got %d", high);
	CHECK(after.rlim_cur == 32 && after.rlim_max == 32, "limits not put back: %llu %llu",
	      (unsigned long long)after.rlim_cur, (unsigned long long)after.rlim_max);
	close(high);
}

static void test_no_room(void)
{
	int fds[5], n = 0, fd, high;

	set_limits(5, 5);
	while (n < 5 && (fd = devnull()) >= 0)
		fds[n++] = fd;
	/* 0-4 all taken (0-2 by stdio): nothing free above 2, fd stays. */
	high = fd_move_high(fds[n - 1]);
	CHECK(high == fds[n - 1] || high == -EMFILE, "no room: got %d", high);
	for (int i = 0; i < n; i++)
		if (fds[i] > 2)
			close(fds[i]);
	/* Never 0-2: a descriptor at 0 goes above 2 or stays where it is. */
	close(0);
	fd = devnull();	/* now 0 */
	high = fd_move_high(fd);
	CHECK(fd == 0 && high > 2, "from %d: got %d", fd, high);
	close(high);
}

static int open_here(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

struct write_req {
	int fd;
	const char *text;
};

static int write_here(void *arg)
{
	struct write_req *w = arg;

	return write(w->fd, w->text, strlen(w->text)) == (ssize_t)strlen(w->text) ? 0 : -errno;
}

static int close_here(void *arg)
{
	return close(*(int *)arg) ? -errno : 0;
}

static void test_fd_thread(void)
{
	char path[] = "/tmp/impulse-fdthread-XXXXXX", buf[64] = { 0 };
	struct write_req w;
	int tmp = mkstemp(path), fd, n, mine;

	close(tmp);
	set_limits(5, 5);
	if (!fd_thread_is_private()) {
		printf("fd_high_test: no CLOSE_RANGE_UNSHARE here: the fd thread checks skipped\n");
		unlink(path);
		return;
	}
	fd = fd_thread_call(open_here, path);
	CHECK(fd >= 0, "open on the fd thread: %s", strerror(-fd));
	/* The program's table: 0-2, and all of 3-4 free for it. */
	close_range(3, ~0u, 0);
	mine = devnull();
	n = devnull();
	CHECK(mine == 3 && n == 4, "the program got %d %d, expected 3 4", mine, n);
	close_range(3, ~0u, 0);
	w = (struct write_req){ fd, "kept\n" };
	CHECK(fd_thread_call(write_here, &w) == 0, "write after the program's close_range");
	CHECK(fd_thread_call(close_here, &fd) == 0, "close on the fd thread");
	tmp = open(path, O_RDONLY);
	CHECK(tmp >= 0 && read(tmp, buf, sizeof(buf) - 1) == 5 && !strcmp(buf, "kept\n"),
	      "the file holds %s", buf);
	close(tmp);
	unlink(path);
	CHECK(fd_thread_tid() > 0 && fd_thread_tid() != gettid(), "fd thread tid %d", (int)fd_thread_tid());
}

/* Each in a child of its own: a lowered hard limit cannot be raised again. */
static void in_child(void (*test)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		test();
		fflush(stdout);
		_exit(checks_failed ? 1 : 0);
	}
	checks_run++;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		check_fail(__FILE__, __LINE__, "a test in a child failed (above)");
}

int main(void)
{
	in_child(test_inside_limit);
	in_child(test_alone_above_limit);
	in_child(test_hard_equals_soft);
	in_child(test_no_room);
	in_child(test_fd_thread);
	return check_summary("fd_high_test");
}
