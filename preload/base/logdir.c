/*
 * logdir.c — whether an existing log directory is safe to keep records in; see
 * logdir.h.
 *
 * The rule is ssh's for ~/.ssh: refuse, with the reason, rather than make a
 * private sub-directory. A sub-directory would move the records somewhere the
 * user did not ask for (tools and scripts look in log_dir), and one made inside a
 * directory another user controls could itself be renamed away by that user.
 * Only the directory that holds the files is checked: the parents are the
 * user's business, as a path like /tmp/x (/tmp: root, 1777) must work.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/logdir.h"

int logdir_check(int dfd, char *why, size_t why_size)
{
	struct stat st;
	uid_t me = geteuid();

	if (fstat(dfd, &st))
		return -errno;
	/* Its owner can unlink or rename anything in it, sticky bit or not. */
	if (st.st_uid != me && st.st_uid != 0) {
		if (why_size)	/* none from diag_file.c: it may run in a signal handler */
			snprintf(why, why_size, "owned by uid %u, neither yours (uid %u) nor root's: its owner "
				 "could delete or replace the log files; make it yours or choose another log_dir",
				 (unsigned)st.st_uid, (unsigned)me);
		return -EPERM;
	}
	/* Without the sticky bit, anyone who may write to it may unlink our files. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		if (why_size)
			snprintf(why, why_size, "writable by %s (mode %04o) without the sticky bit: others could "
				 "delete or replace the log files; chmod go-w or +t it, or choose another log_dir",
				 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}
