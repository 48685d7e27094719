/* libtl.c — the hooked function of the tail test: a call that returns its argument. */
int tl_step(int i);

int tl_step(int i)
{
	return i * 10;
}
