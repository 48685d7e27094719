/*
 * work.h: the functions the benchmark traces, exported by libwork.so.
 * They live in their own shared object so the driver reaches them through the PLT
 * and the compiler can neither inline nor elide the calls.
 */
#ifndef BENCH_WORK_H
#define BENCH_WORK_H

#include <stddef.h>

int work_add(int a, int b);
size_t work_len(const char *s);	/* the benchmark passes 32-byte strings */

/* Issue 3's capture costs: a 16-byte struct by value (one GPR, one XMM) and a
 * 256-byte binary buffer with its length in another parameter. */
struct work_pair {
	long a;
	double b;
};

double work_pair(struct work_pair p);
size_t work_buf(const void *buf, size_t n);	/* the benchmark passes 256 bytes */

#endif /* BENCH_WORK_H */
