/* libvf.c — a hooked function called before and after a vfork. */
int vf_leaf(int x);

int vf_leaf(int x)
{
	return x + 100;
}
