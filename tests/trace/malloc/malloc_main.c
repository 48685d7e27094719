/*
 * malloc_main.c — ROUNDS rounds of BATCH mallocs of sizes 1000..1099, each block
 * written and summed, then freed: 1,000,000 mallocs and frees made by the program
 * itself. It prints with write(2) only, so that stdio makes no allocations of its
 * own, and the pointers escape into a global so the compiler keeps every call.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 10000
#define BATCH 100
#define FIRST_SIZE 1000

char *malloc_test_slots[BATCH];

static void put(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(1, s, n);

		if (w <= 0)
			_exit(3);
		s += w;
		n -= (size_t)w;
	}
}

static void put_num(const char *label, unsigned long v)
{
	char buf[32];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(label);
	put(buf + i);
	put("\n");
}

int main(void)
{
	unsigned long mallocs = 0, frees = 0, sum = 0;

	put("start\n");
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < BATCH; i++) {
			size_t size = FIRST_SIZE + (size_t)i;
			char *p = malloc(size);

			if (!p) {
				put("malloc failed\n");
				return 1;
			}
			mallocs++;
			p[0] = (char)i;
			p[size - 1] = (char)round;
			malloc_test_slots[i] = p;
		}
		for (int i = 0; i < BATCH; i++) {
			char *p = malloc_test_slots[i];

			sum += (unsigned char)p[0] + (unsigned char)p[FIRST_SIZE + i - 1];
			free(p);
			frees++;
		}
	}
	put_num("mallocs ", mallocs);
	put_num("frees ", frees);
	put_num("sum ", sum);
	return 0;
}
