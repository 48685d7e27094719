/* libss.c — the hooked function a coroutine and its caller both call. */
int ss_leaf(int x);

int ss_leaf(int x)
{
	return x + 1000;
}
