/*
 * disk_main.c — makes many hooked calls, for the tests of what reaches the log
 * file when it cannot take them all (a full filesystem, max_log_size,
 * min_free_space) and of a program that chroots and closes every descriptor.
 *
 *   disk_main calls N            N calls of disk_leaf
 *   disk_main chroot DIR N1 N2   N1 calls, chroot(DIR), close every descriptor, N2 calls
 *
 * Prints the sum of the results (before closing its descriptors, in chroot mode)
 * so that a changed call would show; exits 0, or 1 when chroot fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int disk_leaf(int x);

static long calls(long n)
{
	long sum = 0;

	for (long i = 0; i < n; i++)
		sum += disk_leaf((int)(i & 0xffff));
	return sum;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "calls")) {
		printf("sum %ld\n", calls(atol(argv[2])));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "chroot")) {
		long sum = calls(atol(argv[3]));

		if (chroot(argv[2]) || chdir("/")) {
			perror("chroot");
			return 1;
		}
		printf("sum before %ld\n", sum);
		fflush(stdout);
		for (int fd = 0; fd < 1024; fd++)
			close(fd);
		sum = calls(atol(argv[4]));
		return sum == 0;	/* 0: the calls ran */
	}
	fprintf(stderr, "usage: disk_main calls N | chroot DIR N1 N2\n");
	return 2;
}
