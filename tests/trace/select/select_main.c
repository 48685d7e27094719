/*
 * select_main.c — calls every function of libsela and libselb that the select
 * tests choose among, plus strtol from the C library, and states each top-level call
 * in an oracle line (common/oracle.h), so that a test can compare what a pattern
 * hooked with what the program called.
 *   select_main            the calls below
 *   select_main dlsym      sel_b_add looked up with dlsym and called through the pointer
 * A constructor and main each create $SELECT_MARK.ctor / $SELECT_MARK.main when
 * SELECT_MARK is set: impulse check must run neither.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libsela.h"
#include "libselb.h"
#include "oracle.h"

static struct jb a, r;

/* A function pointer in initialised data: a data-pointer relocation in a PIE. */
static int (*volatile one_ptr)(int) = sel_a_one;

static void mark(const char *what)
{
	const char *base = getenv("SELECT_MARK");
	char path[4096];
	int fd;

	if (!base)
		return;
	snprintf(path, sizeof(path), "%s.%s", base, what);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

__attribute__((constructor)) static void program_constructor(void)
{
	mark("ctor");
}

static void int1(const char *fn, const char *k, int x, int ret)
{
	jb_args(&a);
	jb_key(&a, k); jb_i(&a, x);
	jb_value(&r); jb_i(&r, ret);
	jb_emit(fn, &a, &r);
}

static void int2(const char *fn, int x, int y, int ret)
{
	jb_args(&a);
	jb_key(&a, "a"); jb_i(&a, x);
	jb_key(&a, "b"); jb_i(&a, y);
	jb_value(&r); jb_i(&r, ret);
	jb_emit(fn, &a, &r);
}

int main(int argc, char **argv)
{
	mark("main");
	if (argc >= 2 && !strcmp(argv[1], "dlsym")) {
		int (*add)(int, int) = (int (*)(int, int))dlsym(RTLD_DEFAULT, "sel_b_add");

		int2("sel_b_add", 20, 22, add(20, 22));
		return 0;
	}
	int1("sel_a_one", "x", 1, sel_a_one(1));
	int1("sel_a_one", "x", 11, one_ptr(11));
	int1("sel_a_two", "x", 2, sel_a_two(2));
	jb_args(&a);
	jb_key(&a, "s"); jb_raw(&a, "\"three\"");
	jb_value(&r); jb_i(&r, sel_a_three("three"));
	jb_emit("sel_a_three", &a, &r);
	int1("sel_a_calls_b", "x", 4, sel_a_calls_b(4));
	int2("sel_b_add", 5, 6, sel_b_add(5, 6));
	int2("sel_b_mul", 7, 8, sel_b_mul(7, 8));
	int1("sel_b_secret", "x", 9, sel_b_secret(9));
	jb_args(&a);
	jb_key(&a, "nptr"); jb_raw(&a, "\"42\"");
	jb_key(&a, "endptr"); jb_raw(&a, "null");
	jb_key(&a, "base"); jb_i(&a, 10);
	jb_value(&r); jb_i(&r, strtol("42", NULL, 10));
	jb_emit("strtol", &a, &r);
	printf("counter %d\n", sel_b_counter);
	return 0;
}
