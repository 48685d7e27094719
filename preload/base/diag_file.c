/*
 * diag_file.c — creating and appending to the .diag file; see diag_file.h.
 *
 * Everything here must work from a signal handler and from a vfork child: no
 * malloc, no stdio locks, no gmtime (glibc's takes the time-zone lock); the path
 * walk uses a static buffer, which only the holder of diag.c's flush lock touches.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/diag_file.h"
#include "base/logdir.h"

enum { FILE_NO_DIR, FILE_NOT_MADE, FILE_MADE, FILE_FAILED };

static char dir_path[PATH_MAX];		/* the log directory, as set */
static char file_path[PATH_MAX + 100];	/* the file, once made */
static int state;			/* enum above; atomic */

void diag_file_set_dir(const char *dir)
{
	if (snprintf(dir_path, sizeof(dir_path), "%s", dir) >= (int)sizeof(dir_path)) {
		__atomic_store_n(&state, FILE_FAILED, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&state, FILE_NOT_MADE, __ATOMIC_RELEASE);
}

bool diag_file_is_ready(void)
{
	return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == FILE_MADE;
}

void diag_file_forget_in_child(void)
{
	if (__atomic_load_n(&state, __ATOMIC_RELAXED) != FILE_NO_DIR)
		__atomic_store_n(&state, FILE_NOT_MADE, __ATOMIC_RELEASE);
	file_path[0] = '\0';
}

/*
 * The tracer's descriptors are opened here and nowhere else in this file, so that
 * placing them (fd_move_high(), branch i11-fds) is one change. They are closed
 * before the message is done, so none lives on among the program's.
 */
static int diag_file_open(int dfd, const char *name, int flags)
{
	return openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* The log directory, created 0700 where missing, no component a symbolic link. */
static int open_dir(void)
{
	static char walk[PATH_MAX];	/* under diag.c's flush lock */
	char *part, *next;
	int fd;

	memcpy(walk, dir_path, sizeof(walk));
	fd = open(walk[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (part = walk; fd >= 0 && part; part = next) {
		int sub;

		while (*part == '/')
			part++;
		next = strchr(part, '/');
		if (next)
			*next++ = '\0';
		if (!*part)
			continue;
		if (mkdirat(fd, part, 0700) && errno != EEXIST) {
			int err = -errno;

			close(fd);
			return err;
		}
		sub = diag_file_open(fd, part, O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = sub < 0 ? -errno : sub;
	}
	/* Not in a directory others could tamper with (logdir.h): the log file is not either. */
	if (fd >= 0 && logdir_check(fd, NULL, 0)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* y-m-d of days since 1970-01-01 (H. Hinnant's civil_from_days): gmtime without its lock. */
static void civil(long days, int *y, unsigned *m, unsigned *d)
{
	long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Makes logs_<UTC>_<pid>[_<n>].diag; 0 or -errno. */
static int create_file(void)
{
	struct timespec ts;
	unsigned mo, d;
	char name[96];
	int dfd, fd = -1, y, err = 0;
	long s;

	dfd = open_dir();
	if (dfd < 0)
		return dfd;
	clock_gettime(CLOCK_REALTIME, &ts);
	s = (long)ts.tv_sec;
	civil(s / 86400, &y, &mo, &d);
	s %= 86400;
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		int n = snprintf(name, sizeof(name), "logs_%04d%02u%02uT%02ld%02ld%02ldZ_%d", y, mo, d,
				 s / 3600, s / 60 % 60, s % 60, (int)getpid());

		snprintf(name + n, sizeof(name) - (size_t)n, attempt ? "_%d.diag" : ".diag", attempt);
		fd = diag_file_open(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		err = -errno;
	close(dfd);
	if (err)
		return err;
	close(fd);
	snprintf(file_path, sizeof(file_path), "%s/%s", dir_path, name);
	return 0;
}

int diag_file_append(const char *line, bool may_create)
{
	char buf[1100];
	size_t n = strlen(line);
	int fd, st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

	if (st == FILE_NO_DIR)
		return -EAGAIN;
	if (st == FILE_FAILED)
		return -EIO;
	if (st == FILE_NOT_MADE) {
		int err;

		if (!may_create)
			return -EAGAIN;
		err = create_file();
		if (err == -EMFILE || err == -ENFILE || err == -ENOMEM || err == -EINTR)
			return err;	/* may work next time */
		if (err) {
			__atomic_store_n(&state, FILE_FAILED, __ATOMIC_RELEASE);
			return err;
		}
		__atomic_store_n(&state, FILE_MADE, __ATOMIC_RELEASE);
	}
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	fd = diag_file_open(AT_FDCWD, file_path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -errno;
	/* One write of one line with O_APPEND: lines of two writers never mix. */
	while (write(fd, buf, n) < 0 && errno == EINTR)
		;
	close(fd);
	return 0;
}
