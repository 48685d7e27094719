/*
 * nested_main.c — top-level calls into liba (whose functions call libb) and libb.
 *   nested_main            a_outer(1), a_outer(2), b_inner(7, 7), a_recurse(3)
 *   nested_main many N     a_many(N)
 *   nested_main exit N     a_exit(N): exits inside a hooked call, status N
 * Prints an oracle line per top-level call (common/oracle.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liba.h"
#include "libb.h"
#include "oracle.h"

static struct jb a, r;

static void one_int(const char *fn, const char *key, int x, int ret)
{
	jb_args(&a);
	jb_key(&a, key);
	jb_i(&a, x);
	jb_value(&r);
	jb_i(&r, ret);
	jb_emit(fn, &a, &r);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "many") == 0) {
		int n = atoi(argv[2]);

		one_int("a_many", "n", n, a_many(n));
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
		printf("exiting with %d\n", atoi(argv[2]));
		fflush(stdout);
		a_exit(atoi(argv[2]));
	}
	one_int("a_outer", "x", 1, a_outer(1));
	one_int("a_outer", "x", 2, a_outer(2));
	jb_args(&a);
	jb_key(&a, "x"); jb_i(&a, 7);
	jb_key(&a, "k"); jb_i(&a, 7);
	jb_value(&r); jb_i(&r, b_inner(7, 7));
	jb_emit("b_inner", &a, &r);
	one_int("a_recurse", "depth", 3, a_recurse(3));
	return 0;
}
