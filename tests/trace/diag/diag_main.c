/*
 * diag_main.c — a program that moves away from the directory it started in.
 *
 *   diag_main parent SUBDIR   puts, chdir(SUBDIR), then a fork child that puts and
 *                             exits, then execs itself as "child"
 *   diag_main child           puts once more and exits
 *
 * With a relative IMPULSE_CONFIG and log_dir, every one of the three processes must
 * read the same hooks.conf and write into the one log directory of the start
 * directory: nothing may appear in SUBDIR, and nothing on stderr.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc > 1 && !strcmp(argv[1], "child")) {
		puts("child image");
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "parent")) {
		fputs("usage: diag_main parent SUBDIR | child\n", stderr);
		return 2;
	}
	puts("parent");
	fflush(stdout);
	if (chdir(argv[2])) {
		perror(argv[2]);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		puts("fork child");
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status) {
		fputs("fork child failed\n", stderr);
		return 1;
	}
	execl("/proc/self/exe", argv[0], "child", (char *)NULL);
	perror("execl");
	return 1;
}
