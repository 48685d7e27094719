/* libfdl.c — the one hooked function of the fds case. */
int fd_leaf(int x);

int fd_leaf(int x)
{
	return x + 1;
}
