/*
 * libwork.c: the traced library, as cheap as a call can be so that the benchmark
 * measures the tracer. Built without loop-idiom recognition so work_len stays a loop
 * and makes no call of its own (a strlen through libwork's PLT would add a hop).
 */
#include "work.h"

int work_add(int a, int b)
{
	return a + b;
}

size_t work_len(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

double work_pair(struct work_pair p)
{
	return (double)p.a + p.b;
}

/* Reads only the first byte: the cost measured is the tracer's copy of the buffer. */
size_t work_buf(const void *buf, size_t n)
{
	return n + *(const unsigned char *)buf;
}
