/* libdisk.c — the hooked function of the disk-use tests: one record per call. */
int disk_leaf(int x);

int disk_leaf(int x)
{
	return x * 3 + 1;
}
