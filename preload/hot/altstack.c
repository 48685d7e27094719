/*
 * altstack.c — keeping each thread's alternate signal stack in thread-local
 * storage for the hot path's resync (hot_path.c).
 *
 * A handler installed with SA_ONSTACK runs on that stack, which may lie anywhere
 * relative to the frames it interrupted: knowing its range is what lets the hot
 * path treat the handler's calls as nested instead of popping the interrupted
 * frames as if a longjmp had left them. errno is the real sigaltstack()'s.
 */
#include <errno.h>

#include "hot/altstack.h"
#include "hot/thread_ctx.h"

__thread uintptr_t tls_alt_lo __attribute__((tls_model("initial-exec")));
__thread size_t tls_alt_size __attribute__((tls_model("initial-exec")));

static void set_range(const stack_t *ss)
{
	struct thread_ctx *ctx = tls_ctx;

	if (ss->ss_flags & SS_DISABLE) {
		tls_alt_size = 0;
		tls_alt_lo = 0;
	} else {
		tls_alt_lo = (uintptr_t)ss->ss_sp;
		tls_alt_size = ss->ss_size;
	}
	/* Only this thread's hot path reads them, and not while this runs. */
	if (ctx) {
		ctx->alt_lo = tls_alt_lo;
		ctx->alt_size = tls_alt_size;
	}
}

void altstack_learn(struct thread_ctx *ctx)
{
	int saved_errno = errno;
	stack_t cur;

	/* Disabled may only mean disarmed while a handler runs on it (SS_AUTODISARM):
	 * keep what the wrapper saw. */
	if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE))
		set_range(&cur);
	ctx->alt_lo = tls_alt_lo;
	ctx->alt_size = tls_alt_size;
	errno = saved_errno;
}

int altstack_wrap_sigaltstack(const stack_t *ss, stack_t *old)
{
	int rc = sigaltstack(ss, old);

	if (rc == 0 && ss)
		set_range(ss);
	return rc;
}
