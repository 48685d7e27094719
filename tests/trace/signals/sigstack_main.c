/*
 * sigstack_main.c — signal handlers that call hooked functions while a hooked
 * call runs on the same thread:
 *   SA_SIGINFO handler, on the same stack, for a signal raised inside sig_raise_in;
 *   plain handler for a timer signal that interrupts sigsuspend inside sig_wait_in;
 *   handlers on an alternate stack (sigaltstack, SA_ONSTACK) calling sig_pair:
 *     a static array (main thread), an alternate stack mapped just above a
 *     thread's own stack, and one just below it;
 *   and, above and below, a handler left by siglongjmp from inside sig_longjmp_in.
 * Every value it prints is the same traced or not.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "libsig.h"

#define ALT_SIZE (256u << 10)
#define STACK_SIZE (2u << 20)

static char static_alt[ALT_SIZE];
static volatile sig_atomic_t info_leaf, alarm_leaf;

/* What the SIGUSR2 handler does next, set by the thread about to raise it. */
static volatile int alt_base, alt_jump;
static volatile int alt_was_on_alt, alt_result;
static char *alt_lo;
static sigjmp_buf jump_env;

static void on_usr1_info(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	info_leaf = sig_leaf(100 + (info->si_signo == sig ? sig : 0));
}

static void on_alarm(int sig)
{
	(void)sig;
	alarm_leaf = sig_leaf(200);
}

static void on_usr2_alt(int sig, siginfo_t *info, void *uc)
{
	char here;

	(void)sig;
	(void)info;
	(void)uc;
	alt_was_on_alt = &here >= alt_lo && &here < alt_lo + ALT_SIZE;
	if (alt_jump)
		sig_longjmp_in(&jump_env, alt_base);
	alt_result = sig_pair(alt_base);
}

static void use_alt_stack(char *lo)
{
	stack_t ss = { .ss_sp = lo, .ss_size = ALT_SIZE, .ss_flags = 0 };

	alt_lo = lo;
	if (sigaltstack(&ss, NULL))
		perror("sigaltstack");
}

/* A handler on the alternate stack calling sig_pair(k * 100) inside sig_raise_in(k). */
static void alt_pair(int k)
{
	int r;

	alt_base = k * 100;
	alt_jump = 0;
	r = sig_raise_in(SIGUSR2, k);
	printf("alt %d: raise_in %d, pair %d, handler on the alternate stack %d\n", k, r,
	       alt_result, (int)alt_was_on_alt);
}

/* The handler leaves by siglongjmp from sig_longjmp_in(k * 100); then sig_leaf(k * 100 + 1). */
static void alt_jump_out(int k)
{
	int r;

	alt_base = k * 100;
	alt_jump = 1;
	if (!sigsetjmp(jump_env, 1))
		sig_raise_in(SIGUSR2, k);
	r = sig_leaf(k * 100 + 1);
	printf("alt %d: left by siglongjmp, then leaf %d\n", k, r);
}

/* Thread on a stack of our own, with its alternate stack right above or below it. */
struct placed {
	char *stack, *alt;
	int k;
};

static void *placed_thread(void *arg)
{
	struct placed *p = arg;

	use_alt_stack(p->alt);
	alt_pair(p->k);
	alt_jump_out(p->k + 1);
	return NULL;
}

static int run_placed(int above, int k)
{
	char *region = mmap(NULL, STACK_SIZE + ALT_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct placed p;
	pthread_attr_t attr;
	pthread_t th;

	if (region == MAP_FAILED)
		return -1;
	p.k = k;
	p.stack = above ? region : region + ALT_SIZE;
	p.alt = above ? region + STACK_SIZE : region;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, p.stack, STACK_SIZE);
	if (pthread_create(&th, &attr, placed_thread, &p))
		return -1;
	pthread_join(th, NULL);
	return 0;
}

int main(void)
{
	struct sigaction sa;
	struct itimerval t = { { 0, 0 }, { 0, 20000 } };
	sigset_t alrm;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	r = sig_raise_in(SIGUSR1, 1);
	printf("raise_in(1) = %d, handler leaf %d\n", r, (int)info_leaf);

	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);	/* delivered only inside sigsuspend */
	setitimer(ITIMER_REAL, &t, NULL);
	r = sig_wait_in(2);
	printf("wait_in(2) = %d, handler leaf %d\n", r, (int)alarm_leaf);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);

	sa.sa_sigaction = on_usr2_alt;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGUSR2, &sa, NULL);
	use_alt_stack(static_alt);
	alt_pair(3);
	fflush(stdout);
	if (run_placed(1, 4) || run_placed(0, 6)) {
		perror("placed thread");
		return 1;
	}
	return 0;
}
