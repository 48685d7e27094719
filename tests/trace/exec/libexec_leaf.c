/* libexec_leaf.c — one hooked function for the exec test. */
int ex_leaf(int x);

int ex_leaf(int x)
{
	return x * 3;
}
