/* libcf.c — a hooked function for the close-every-descriptor test. */
int cf_leaf(int x);

int cf_leaf(int x)
{
	return x * 7;
}
