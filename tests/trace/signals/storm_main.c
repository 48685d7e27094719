/*
 * storm_main.c — 20,000 SIGUSR1s, each sent by a second thread only once the
 * handler of the one before has run (signals do not queue), to a main thread that
 * makes hooked calls (sig_leaf) in a tight loop, at most BURST after each signal
 * (then it spins without calls): many signals land while main runs inside a
 * hooked call or inside libimpulse itself. The handler makes one hooked
 * call (sig_len). Every one of those calls must be recorded or counted, and so
 * must main's. Main's call count changes from run to run: it goes to
 * $STORM_RESULTS, not stdout (which must not change with the tracer).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "libsig.h"

#define SIGNALS 20000
#define BURST 8

static unsigned handled;	/* atomic */
static pthread_t main_thread;

static void on_usr1(int sig)
{
	(void)sig;
	sig_len("handler");
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELEASE);
}

static void *sender(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < SIGNALS; i++) {
		pthread_kill(main_thread, SIGUSR1);
		while (__atomic_load_n(&handled, __ATOMIC_ACQUIRE) < i + 1)
			sched_yield();
	}
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long calls = 0;
	const char *path = getenv("STORM_RESULTS");
	pthread_t t;
	long sum = 0;
	unsigned seen = 0, burst = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	if (pthread_create(&t, NULL, sender, NULL))
		return 1;
	for (;;) {
		unsigned h = __atomic_load_n(&handled, __ATOMIC_ACQUIRE);

		if (h >= SIGNALS)
			break;
		if (h != seen) {
			seen = h;
			burst = 0;
		}
		/* At most BURST calls per signal: the record file stays small. */
		if (burst < BURST) {
			sum += sig_leaf(1);
			calls++;
			burst++;
		} else {
			__builtin_ia32_pause();
		}
	}
	pthread_join(t, NULL);
	printf("%u signals handled, sum matches calls: %d\n", SIGNALS, sum == (long)calls * 2);
	if (path) {
		FILE *f = fopen(path, "w");

		if (f) {
			fprintf(f, "%lu\n", calls);
			fclose(f);
		}
	}
	return 0;
}
