/*
 * stackswitch_main.c — a coroutine made with makecontext (hooked: it does not
 * return twice), on a stack of its own, resumed ROUNDS times by swapcontext; it
 * and main call the hooked ss_leaf in turn, never with a hooked call open across a
 * switch. The coroutine's stack lies right under a PROT_NONE guard page, as a
 * coroutine library lays it out.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define ROUNDS 4
#define STACK_SIZE (64 * 1024)

int ss_leaf(int x);

static ucontext_t main_uc, co_uc;
static volatile int shared;

static void coroutine(int base, int step)
{
	for (int i = 0; i < ROUNDS; i++) {
		shared = ss_leaf(base + i * step);
		swapcontext(&co_uc, &main_uc);	/* yield */
	}
	shared = -1;	/* then uc_link: back to main */
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, STACK_SIZE + (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED || mprotect(map, (size_t)page, PROT_NONE))
		return 1;
	getcontext(&co_uc);
	co_uc.uc_stack.ss_sp = map + page;	/* the guard page is below it */
	co_uc.uc_stack.ss_size = STACK_SIZE;
	co_uc.uc_link = &main_uc;
	makecontext(&co_uc, (void (*)(void))coroutine, 2, 100, 10);
	for (int i = 0; i <= ROUNDS; i++) {
		swapcontext(&main_uc, &co_uc);	/* resume */
		printf("round %d: coroutine gave %d, main %d\n", i, shared, ss_leaf(i));
	}
	return 0;
}
