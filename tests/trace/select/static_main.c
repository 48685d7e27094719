/* static_main.c — a statically linked program: impulse check must refuse it. */
#include <stdio.h>

int main(void)
{
	puts("static");
	return 0;
}
