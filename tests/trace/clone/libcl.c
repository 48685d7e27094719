/* libcl.c — the hooked function the clone children and their parent call. */
int cl_leaf(int x);

int cl_leaf(int x)
{
	return x + 1;
}
