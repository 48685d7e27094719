/*
 * unload_main.c — libux.so (beside the program) opened and closed again and again.
 *
 *   unload_main cycles N M [global] [move]
 *     thread A calls libstay's stay_add(i, 1000000) for i < M while thread B, N
 *     times: dlopen(libux), calls x_twice(c) through a dlsym'd pointer, checks the
 *     constructor ran (x_generation), dlclose, then checks libux really left
 *     (dlopen RTLD_NOLOAD). "global": RTLD_LAZY | RTLD_GLOBAL instead of RTLD_NOW |
 *     RTLD_LOCAL. "move": keep a page mapped where libux's last copy ended, so that
 *     every load lands somewhere new (the number of distinct load addresses goes to
 *     stderr: it differs with and without the tracer).
 *   unload_main race N
 *     two threads, each N times: dlopen(libux), x_twice(t * N + c), dlclose. One
 *     thread's dlclose may unload libux and the other's dlopen load it again, at
 *     the same place, before the first one's dlclose returns.
 *   unload_main stale
 *     calls x_twice through a pointer kept after dlclose: the program's bug; it
 *     dies of SIGSEGV, traced or not.
 *
 * Results go to stdout (compared with an untraced run); the test reads the records.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libstay.h"

typedef int (*int_fn)(int);

static char lib_path[PATH_MAX];
static int cycles, calls, open_flags = RTLD_NOW | RTLD_LOCAL, move;
static pthread_barrier_t start;
static char result_a[200], result_b[200];	/* printed by main after both joined */

static void *caller_a(void *arg)
{
	long sum = 0;

	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < calls; i++)
		sum += stay_add(i, 1000000);
	snprintf(result_a, sizeof(result_a), "a: %d calls, sum %ld", calls, sum);
	return NULL;
}

static int cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static int distinct(uintptr_t *v, int n)
{
	int d = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_addr);
	for (int i = 0; i < n; i++)
		d += i == 0 || v[i] != v[i - 1];
	return d;
}

static void *cycler_b(void *arg)
{
	uintptr_t *bases = calloc((size_t)cycles, sizeof(*bases));
	long sum = 0;
	int unloaded = 0, ctor_ok = 0;

	(void)arg;
	pthread_barrier_wait(&start);
	for (int c = 0; c < cycles; c++) {
		void *h = dlopen(lib_path, open_flags);
		struct link_map *lm = NULL;
		int_fn twice, gen;

		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			exit(2);
		}
		twice = (int_fn)dlsym(h, "x_twice");
		gen = (int_fn)dlsym(h, "x_generation");
		if (!twice || !gen) {
			fprintf(stderr, "dlsym: %s\n", dlerror());
			exit(2);
		}
		if (!dlinfo(h, RTLD_DI_LINKMAP, &lm) && bases)
			bases[c] = lm->l_addr;
		ctor_ok += gen(0) == 21;
		sum += twice(c);
		if (dlclose(h)) {
			fprintf(stderr, "dlclose: %s\n", dlerror());
			exit(2);
		}
		h = dlopen(lib_path, RTLD_LAZY | RTLD_NOLOAD);
		if (h)
			dlclose(h);
		else
			unloaded++;
		/* Where the copy just unloaded ended: the next one cannot fit there. */
		if (move && lm && mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			exit(3);
	}
	snprintf(result_b, sizeof(result_b), "b: %d cycles, sum %ld, constructor ran %d, unloaded %d",
		 cycles, sum, ctor_ok, unloaded);
	if (bases)
		fprintf(stderr, "distinct load addresses: %d\n", distinct(bases, cycles));
	free(bases);
	return NULL;
}

static int run_cycles(void)
{
	pthread_t a, b;

	pthread_barrier_init(&start, NULL, 2);
	if (pthread_create(&a, NULL, caller_a, NULL) || pthread_create(&b, NULL, cycler_b, NULL))
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("%s\n%s\n", result_a, result_b);
	return 0;
}

static void *racer(void *arg)
{
	long t = (long)arg, sum = 0;

	pthread_barrier_wait(&start);
	for (int c = 0; c < cycles; c++) {
		void *h = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
		int_fn twice = h ? (int_fn)dlsym(h, "x_twice") : NULL;

		if (!twice)
			exit(2);
		sum += twice((int)t * cycles + c);
		dlclose(h);
	}
	snprintf(t ? result_b : result_a, sizeof(result_a), "racer %ld: sum %ld", t, sum);
	return NULL;
}

static int run_race(void)
{
	pthread_t a, b;

	pthread_barrier_init(&start, NULL, 2);
	if (pthread_create(&a, NULL, racer, (void *)0L) || pthread_create(&b, NULL, racer, (void *)1L))
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("%s\n%s\n", result_a, result_b);
	return 0;
}

static int run_stale(void)
{
	void *h = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
	int_fn twice = h ? (int_fn)dlsym(h, "x_twice") : NULL;

	if (!twice)
		return 1;
	printf("before dlclose %d\n", twice(1));
	dlclose(h);
	h = dlopen(lib_path, RTLD_LAZY | RTLD_NOLOAD);
	printf("unloaded %s\n", h ? "no" : "yes");
	fflush(stdout);
	printf("after dlclose %d\n", twice(2));	/* the program's bug: libux is gone */
	return 0;
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", argv[0]);
	snprintf(lib_path, sizeof(lib_path), "%s/libux.so", dirname(buf));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "cycles")) {
		cycles = atoi(argv[2]);
		calls = atoi(argv[3]);
		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "global"))
				open_flags = RTLD_LAZY | RTLD_GLOBAL;
			else if (!strcmp(argv[i], "move"))
				move = 1;
		}
		return run_cycles();
	}
	if (argc == 3 && !strcmp(argv[1], "race")) {
		cycles = atoi(argv[2]);
		return run_race();
	}
	if (argc == 2 && !strcmp(argv[1], "stale"))
		return run_stale();
	fprintf(stderr, "usage: %s cycles N M [global] [move] | race N | stale\n", argv[0]);
	return 64;
}
