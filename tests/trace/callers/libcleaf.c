/* The hooked leaf every caller reaches. */
int cl_leaf(int x);

int cl_leaf(int x)
{
	return x * 10 + 1;
}
