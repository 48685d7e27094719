/*
 * guard_main.c — reads of the program's memory at capture must be bounded by what
 * exists (issue 11, points 5 and 6).
 *
 *   guard_main coroutine   a makecontext coroutine whose stack ends right under a
 *                          PROT_NONE page calls printf with enough varargs that some
 *                          are on the stack, at the very top of it: a variadic hook
 *                          copying a fixed window above the caller's stack pointer
 *                          reads the guard page.
 *   guard_main lie         calls atoi, which hooks.conf declares as taking a 200 KB
 *                          struct by value: the "stack argument" it claims runs far
 *                          past the top of the stack.
 *
 * Each prints what it did (CALL lines for the test's oracle) and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static ucontext_t main_ctx, co_ctx;

/* Runs on the guarded stack: the variadic call is its first and only call, so the
 * caller's stack arguments sit right under the PROT_NONE page. */
static void coroutine(void)
{
	printf("CALL printf %d %d %d %d %d %d %d %d %s %.2f\n", 1, 2, 3, 4, 5, 6, 7, 8, "eight", 2.5);
}

static int run_coroutine(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t stack_size = 4 * (size_t)page;
	char *base = mmap(NULL, stack_size + (size_t)page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED || mprotect(base + stack_size, (size_t)page, PROT_NONE)) {
		perror("guard_main: mmap");
		return 1;
	}
	if (getcontext(&co_ctx)) {
		perror("guard_main: getcontext");
		return 1;
	}
	co_ctx.uc_stack.ss_sp = base;
	co_ctx.uc_stack.ss_size = stack_size;
	co_ctx.uc_link = &main_ctx;
	makecontext(&co_ctx, coroutine, 0);
	if (swapcontext(&main_ctx, &co_ctx)) {
		perror("guard_main: swapcontext");
		return 1;
	}
	fflush(stdout);
	printf("back from the coroutine\n");
	return 0;
}

/* Through a pointer: at -O2 glibc's stdlib.h inlines atoi as strtol, and the
 * address taken keeps a real call to atoi (through its GOT entry). */
static int (*volatile convert)(const char *) = atoi;

static int run_lie(void)
{
	int v = convert("12345");

	printf("CALL atoi %d\n", v);
	return v == 12345 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "coroutine"))
		return run_coroutine();
	if (argc > 1 && !strcmp(argv[1], "lie"))
		return run_lie();
	fprintf(stderr, "usage: guard_main coroutine|lie\n");
	return 2;
}
