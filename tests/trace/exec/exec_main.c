/*
 * exec_main.c — calls ex_leaf, then replaces itself (execl, or execve) with a second
 * run of itself that calls ex_leaf again: the first image's records must all be
 * written before the exec, root included.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ex_leaf(int x);
extern char **environ;

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "second") == 0) {
		printf("second %d\n", ex_leaf(2));
		return 7;
	}
	printf("first %d\n", ex_leaf(1));
	fflush(stdout);
	if (argc > 1 && strcmp(argv[1], "execve") == 0) {
		char *args[] = { argv[0], (char *)"second", NULL };
		execve(argv[0], args, environ);
	} else {
		execl(argv[0], argv[0], "second", (char *)NULL);
	}
	perror("exec");
	return 1;
}
