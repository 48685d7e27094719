/*
 * versions_main.c — calls both versions of ver_fn: the default one by name, the old
 * one through a .symver alias, and each again through dlvsym. Prints what each
 * returned (the oracle).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "libver.h"

int ver_fn_old(int x);
__asm__(".symver ver_fn_old, ver_fn@VER_1");

int main(void)
{
	int (*v1)(int) = (int (*)(int))dlvsym(RTLD_DEFAULT, "ver_fn", "VER_1");
	int (*v2)(int) = (int (*)(int))dlvsym(RTLD_DEFAULT, "ver_fn", "VER_2");

	printf("default %d\n", ver_fn(10));
	printf("old %d\n", ver_fn_old(20));
	if (!v1 || !v2)
		return 1;
	printf("dlvsym VER_1 %d\n", v1(30));
	printf("dlvsym VER_2 %d\n", v2(40));
	return 0;
}
