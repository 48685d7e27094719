/*
 * callers: who a record names as the caller when the return address misleads.
 * Prints "CALL fn(args) = ret" oracle lines for the calls it makes itself.
 */
#include <dlfcn.h>
#include <stdio.h>

int cl_leaf(int x);
int cl_tail(int x);

int (*volatile main_target)(int) = cl_leaf;

int main(int argc, char **argv)
{
	void *h;

	(void)argc;
	printf("CALL cl_leaf(x=2) = %d\n", main_target(2));
	printf("CALL cl_tail(x=3) = %d\n", cl_tail(3));
	h = dlopen(argc > 1 ? argv[1] : "libcdtor.so", RTLD_NOW);
	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	dlclose(h);
	printf("done\n");
	fflush(stdout);
	return 0;
}
