/*
 * signals_main.c — a program with its own SIGSEGV handler, installed after
 * libimpulse's: bad pointers passed to a hooked function must stay harmless, and a
 * real fault of the program's must still reach the program's handler. A SIGALRM
 * handler makes a hooked call while another hooked call runs on the same thread.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libsig.h"

static sigjmp_buf recover;
static volatile sig_atomic_t faults, in_alarm;

static void on_segv(int sig)
{
	(void)sig;
	faults++;
	siglongjmp(recover, 1);
}

static void on_alarm(int sig)
{
	(void)sig;
	in_alarm = sig_leaf(41);
}

int main(void)
{
	struct sigaction sa;
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGALRM, on_alarm);

	/* Unreadable pointers handed to a hooked function: recorded, never read by it. */
	printf("len(prot_none) = %zu\n", sig_len(page + 123));
	printf("len(ok) = %zu\n", sig_len("hello"));

	/* The program's own fault, handled by its own handler. */
	if (!sigsetjmp(recover, 1)) {
		volatile char *bad = (volatile char *)page;

		printf("never %d\n", *bad);
	}
	printf("faults seen by the program: %d\n", (int)faults);

	printf("slow = %d, alarm leaf = %d\n", sig_slow(5), (int)in_alarm);
	return 0;
}
