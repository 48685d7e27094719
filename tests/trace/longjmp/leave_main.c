/*
 * leave_main.c — hooked calls the program can no longer return to when it ends
 * (issue 12): jmp_call's callback faults, and the SIGSEGV handler siglongjmps back
 * to main, past jmp_call, with no hooked call after it. Then main returns
 * ("return"), or calls exit ("exit"), _exit ("_exit") or quick_exit ("quick"):
 * jmp_call must end "unwound". In "inside", the callback calls exit(3) itself:
 * jmp_call is still running, and ends "incomplete".
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libjmp.h"

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

static int fault(int x)
{
	volatile int *p = (volatile int *)(uintptr_t)(x - 1);	/* NULL for x = 1 */

	return *p;
}

static int leave_inside(int x)
{
	fflush(stdout);
	exit(x + 2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_segv };
	const char *how = argc > 1 ? argv[1] : "return";

	if (!strcmp(how, "inside")) {
		printf("calling exit inside jmp_call\n");
		return jmp_call(leave_inside, 1);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(env, 1)) {
		jmp_call(fault, 1);
		printf("not reached\n");
		return 1;
	}
	printf("back from the fault, leaving by %s\n", how);
	fflush(stdout);
	if (!strcmp(how, "exit"))
		exit(4);
	if (!strcmp(how, "_exit"))
		_exit(5);
	if (!strcmp(how, "quick"))
		quick_exit(6);
	return 7;
}
