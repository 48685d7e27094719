/*
 * outparam_main.c — out-parameters of failed and successful calls (issue 12, point 10).
 *
 * fstatat on a missing path and waitpid with no child fail without touching their
 * out-parameter, which holds a known pattern the program filled beforehand; the
 * record must not show it as the call's result. A successful fstatat and waitpid
 * fill theirs: the program prints the values it got (OUT lines) for the test to
 * compare with the record. nanosleep with a bad tv_nsec fails (EINVAL) and its rem
 * is [out=always]: recorded as the memory holds it, the pattern.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	struct timespec req = { 0, 2000000000L }, rem = { 4242, 4343 };
	int status = 12345, r;
	pid_t pid;

	(void)argc;
	memset(&st, 0x5a, sizeof(st));
	r = fstatat(AT_FDCWD, "/nonexistent/impulse-outparam", &st, 0);
	printf("OUT fstatat_missing %d %d\n", r, errno);

	memset(&st, 0x5a, sizeof(st));
	r = fstatat(AT_FDCWD, argv[0], &st, 0);
	printf("OUT fstatat_ok %d %llu %llu %o %lld %llu\n", r, (unsigned long long)st.st_dev,
	       (unsigned long long)st.st_ino, (unsigned)st.st_mode, (long long)st.st_size,
	       (unsigned long long)st.st_nlink);

	r = waitpid(-1, &status, 0);
	printf("OUT waitpid_none %d %d %d\n", r, errno, status);

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(7);
	status = 12345;
	r = waitpid(pid, &status, 0);
	printf("OUT waitpid_ok %d %d\n", r == pid, status);

	r = nanosleep(&req, &rem);
	printf("OUT nanosleep_einval %d %d %lld %ld\n", r, errno, (long long)rem.tv_sec, rem.tv_nsec);
	return 0;
}
