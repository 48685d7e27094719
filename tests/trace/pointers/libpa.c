/*
 * libpa.c — calls a function through a pointer it is given, and hands out the
 * address of pb_add as this library sees it (its own GOT entry for pb_add).
 */
int pb_add(int a, int b);
int pa_apply(int (*fn)(int, int), int x);
void *pa_address(void);

int pa_apply(int (*fn)(int, int), int x)
{
	volatile int r = fn(x, x);	/* not a tail call: the caller is this library */

	return r;
}

void *pa_address(void)
{
	return (void *)pb_add;
}
