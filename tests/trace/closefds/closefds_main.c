/*
 * closefds_main.c — behaves like a daemon: closes every descriptor above stderr,
 * then opens a file of its own and spreads it over many numbers (the tracer's old
 * log descriptor among them), and writes to it while making hooked calls. The
 * tracer must never write into the program's file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cf_leaf(int x);

int main(int argc, char **argv)
{
	int fd, sum = 0;

	if (argc < 2)
		return 2;
	sum += cf_leaf(1);
	close_range(3, ~0u, 0);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int n = 3; n < 1024; n++)
		if (n != fd)
			dup2(fd, n);
	for (int i = 0; i < 20000; i++) {
		sum += cf_leaf(i);
		if (i % 1000 == 0 && write(fd, "program data\n", 13) != 13)
			return 1;
	}
	printf("sum %d\n", sum);
	return 0;
}
