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

#endif /* BENCH_WORK_H */
