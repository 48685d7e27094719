/*
 * altstack.h — each thread's alternate signal stack, as the hot path needs it to
 * tell a signal handler's calls (nested) from frames left by longjmp (gone).
 *
 * Learnt from the program's sigaltstack() calls (a wrapper) and, once per thread,
 * asked of the kernel when the thread gets its context. A stack set with a raw
 * system call after that is not seen (doc/limits.md).
 */
#ifndef IMPULSE_ALTSTACK_H
#define IMPULSE_ALTSTACK_H

#include <signal.h>
#include <stdint.h>
#include <stddef.h>

#pragma GCC visibility push(hidden)

/* The calling thread's alternate stack: [lo, lo + size), size 0 when none; kept
 * here for threads without a context yet, and copied into the context's alt_lo
 * and alt_size (thread_ctx.h), which the hot path reads. */
extern __thread uintptr_t tls_alt_lo __attribute__((tls_model("initial-exec")));
extern __thread size_t tls_alt_size __attribute__((tls_model("initial-exec")));

struct thread_ctx;

/* Reads the calling thread's alternate stack from the kernel (one system call)
 * into ctx, the thread's new context. */
void altstack_learn(struct thread_ctx *ctx);

/* The sigaltstack() the program calls (wrappers.c's table). */
int altstack_wrap_sigaltstack(const stack_t *ss, stack_t *old);

#pragma GCC visibility pop

#endif
