/*
 * fd_high.c — moving a descriptor of ours above the program's; see fd_high.h.
 *
 * Not on the hot path: called when a descriptor is created. Keeps errno; never
 * leaves the program's resource limits changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/fd_high.h"

static int alone;	/* inside fd_high_begin_alone(): no program thread runs */

void fd_high_begin_alone(void)
{
	alone = 1;
}

void fd_high_end_alone(void)
{
	alone = 0;
}

bool fd_is_above_limit(int fd)
{
	struct rlimit rl;

	return !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY && (rlim_t)fd >= rl.rlim_cur;
}

/* The lowest free number at or above want, or -errno. */
static int dup_at(int fd, int want)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, want);

	return high < 0 ? -errno : high;
}

/*
 * Above the soft limit: raise it (and the hard one when it is in the way and we
 * are allowed) just long enough for the dup, then put both back as they were.
 */
static int dup_above_limit(int fd, const struct rlimit *was, int want)
{
	struct rlimit up = *was;
	int high;

	up.rlim_cur = (rlim_t)want + 64;
	if (up.rlim_max != RLIM_INFINITY && up.rlim_max < up.rlim_cur)
		up.rlim_max = up.rlim_cur;	/* EPERM unless CAP_SYS_RESOURCE */
	if (setrlimit(RLIMIT_NOFILE, &up))
		return -errno;
	high = dup_at(fd, want);
	/* Lowering is always allowed: the program sees exactly what it had. */
	setrlimit(RLIMIT_NOFILE, was);
	return high;
}

/* The highest free number below limit and above 2: the last one a program gets. */
static int dup_below_limit(int fd, rlim_t limit)
{
	for (rlim_t want = limit; want-- > 3 && limit - want <= 256;) {
		int high = dup_at(fd, (int)want);

		if (high != -EMFILE)
			return high;
	}
	return dup_at(fd, 3);
}

int fd_move_high(int fd)
{
	int saved = errno, high = -EMFILE;
	struct rlimit rl;
	rlim_t want;

	if (fd < 0)
		return -EBADF;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		rl.rlim_cur = rl.rlim_max = FD_HIGH_MAX;
	want = rl.rlim_cur < FD_HIGH_MAX ? rl.rlim_cur : FD_HIGH_MAX;
	if ((rlim_t)fd >= want) {
		errno = saved;
		return fd;
	}
	if (want < rl.rlim_cur)	/* FD_HIGH_MAX, inside the limit */
		high = dup_at(fd, (int)want);
	else if (alone)
		high = dup_above_limit(fd, &rl, (int)want);
	if (high < 0)
		high = dup_below_limit(fd, rl.rlim_cur < FD_HIGH_MAX ? rl.rlim_cur : FD_HIGH_MAX);
	if (high >= 0 && high < fd) {
		close(high);	/* never lower: fd was as high as it gets already */
		high = fd;
	}
	if (high >= 0 && high != fd)
		close(fd);
	errno = saved;
	return high;
}
