/*
 * vfork_main.c — vfork, then exec (execv, through the PLT) in the child, and a
 * second vfork whose child calls a hooked function (not recorded) and _exit; the
 * parent goes on making hooked calls. Neither child may stop the parent's tracing
 * or hang on it.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int vf_leaf(int x);

int main(void)
{
	int status = 0;
	pid_t pid;

	printf("before %d\n", vf_leaf(1));
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { (char *)"/bin/true", NULL };

		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("exec child status %d\n", WEXITSTATUS(status));
	pid = vfork();
	if (pid == 0)
		_exit(vf_leaf(3) - 100);	/* not recorded: the child shares our memory */
	waitpid(pid, &status, 0);
	printf("exit child status %d\n", WEXITSTATUS(status));
	printf("after %d\n", vf_leaf(2));
	return 0;
}
