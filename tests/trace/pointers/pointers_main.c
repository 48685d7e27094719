/*
 * pointers_main.c — pb_add called through pointers taken in the program and in
 * another library; and function-pointer equality across modules, which the tracer
 * must not break (the program prints whether the two addresses are equal).
 */
#include <stdio.h>

int pb_add(int a, int b);
int pa_apply(int (*fn)(int, int), int x);
void *pa_address(void);

int main(void)
{
	int (*volatile f)(int, int) = pb_add;

	printf("direct pointer %d\n", f(1, 2));
	printf("through libpa %d\n", pa_apply(pb_add, 5));
	printf("same address %d\n", pa_address() == (void *)pb_add);
	return 0;
}
