/* libpb.c — the function whose address is taken, in the pointers test. */
int pb_add(int a, int b);

int pb_add(int a, int b)
{
	return a + b;
}
