/*
 * fd_thread.c — the thread with libimpulse's own descriptor table; see fd_thread.h.
 *
 * The thread is made with pthread_create (it shares the program's table, like
 * any thread) and its first act is close_range(0, ~0U, CLOSE_RANGE_UNSHARE):
 * the kernel gives it a new, empty table without taking a reference to any of
 * the program's files (it copies only the numbers below 0), so no pipe end or
 * socket of the program is held open for even a moment. From then on nothing it
 * opens is visible to the program and nothing the program does reaches it.
 *
 * It blocks every signal (a signal for the process goes to a program thread, as
 * without us) and is busy for its whole life (nothing it does is recorded).
 * Requests are handed over under a mutex: never from a signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fd_thread.h"
#include "base/tracer.h"

enum { FDT_NONE, FDT_PRIVATE, FDT_SHARED };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* any change below: broadcast */
	pthread_t thread;
	pid_t tid;			/* the thread's, once it runs */
	int state;			/* FDT_*; FDT_SHARED: fn runs on the caller */
	int (*fn)(void *);		/* the request being served */
	void *arg;
	int ret;
	unsigned asked, answered;	/* requests made and served */
} fdt = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .state = FDT_NONE };

static void *fd_thread_main(void *unused)
{
	/* An empty table of our own: none of the program's descriptors is copied. */
	bool own = syscall(SYS_close_range, 0u, ~0u, CLOSE_RANGE_UNSHARE) == 0;

	(void)unused;
	tls_busy = 1;	/* for ever: nothing this thread does is the program's */
	/*
	 * 2 of our table holds a descriptor nothing can be written to (O_PATH), so
	 * that a stray write to "stderr" from this thread fails instead of landing in
	 * a log file that took number 2 here. One slot only: 0 and 1 stay free for our
	 * files (under a very low RLIMIT_NOFILE, which limits this table too).
	 */
	if (own && open("/", O_PATH | O_CLOEXEC) == 0 && open("/", O_PATH | O_CLOEXEC) == 1 &&
	    open("/", O_PATH | O_CLOEXEC) == 2) {
		close(0);
		close(1);
	}
	pthread_mutex_lock(&fdt.lock);
	fdt.tid = gettid();
	__atomic_store_n(&fdt.state, own ? FDT_PRIVATE : FDT_SHARED, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&fdt.cond);
	while (own) {
		while (fdt.asked == fdt.answered)
			pthread_cond_wait(&fdt.cond, &fdt.lock);
		fdt.ret = fdt.fn(fdt.arg);
		fdt.answered++;
		pthread_cond_broadcast(&fdt.cond);
	}
	pthread_mutex_unlock(&fdt.lock);
	return NULL;
}

/* With fdt.lock held. */
static void start_locked(void)
{
	sigset_t all, was;

	if (fdt.state != FDT_NONE)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	if (pthread_create(&fdt.thread, NULL, fd_thread_main, NULL)) {
		fdt.state = FDT_SHARED;
	} else {
		pthread_detach(fdt.thread);
		while (fdt.state == FDT_NONE)
			pthread_cond_wait(&fdt.cond, &fdt.lock);
	}
	pthread_sigmask(SIG_SETMASK, &was, NULL);
}

/* Whether this is the fd thread (then it runs fn with fdt.lock held). Relaxed: the
 * fd thread reads its own store; any other thread reads false either way. */
static bool on_fd_thread(void)
{
	return __atomic_load_n(&fdt.state, __ATOMIC_RELAXED) == FDT_PRIVATE &&
	       pthread_equal(pthread_self(), fdt.thread);
}

int fd_thread_call(int (*fn)(void *arg), void *arg)
{
	unsigned mine;
	int ret;

	if (on_fd_thread())
		return fn(arg);	/* from fn itself */
	pthread_mutex_lock(&fdt.lock);
	start_locked();
	if (fdt.state != FDT_PRIVATE) {
		pthread_mutex_unlock(&fdt.lock);
		return fn(arg);
	}
	while (fdt.asked != fdt.answered)	/* another caller's request */
		pthread_cond_wait(&fdt.cond, &fdt.lock);
	fdt.fn = fn;
	fdt.arg = arg;
	mine = ++fdt.asked;
	pthread_cond_broadcast(&fdt.cond);
	while (fdt.answered != mine)
		pthread_cond_wait(&fdt.cond, &fdt.lock);
	ret = fdt.ret;
	pthread_mutex_unlock(&fdt.lock);
	return ret;
}

bool fd_thread_is_private(void)
{
	bool private;

	if (on_fd_thread())
		return true;	/* from fn, which runs with the lock held */
	pthread_mutex_lock(&fdt.lock);
	start_locked();
	private = fdt.state == FDT_PRIVATE;
	pthread_mutex_unlock(&fdt.lock);
	return private;
}

pid_t fd_thread_tid(void)
{
	return __atomic_load_n(&fdt.tid, __ATOMIC_RELAXED);
}

void fd_thread_forget_in_child(void)
{
	/* The parent's lock may have been held at the fork: new ones, the old leaked. */
	pthread_mutex_init(&fdt.lock, NULL);
	pthread_cond_init(&fdt.cond, NULL);
	fdt.tid = 0;
	fdt.state = FDT_NONE;
	fdt.asked = fdt.answered = 0;
}
