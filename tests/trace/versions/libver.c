/*
 * libver.c — one symbol, two versions: ver_fn@VER_1 adds 1, ver_fn@@VER_2 (the
 * default) adds 2, so a record's output tells which one the caller reached.
 */
int ver_fn_1(int x);
int ver_fn_2(int x);

__asm__(".symver ver_fn_1, ver_fn@VER_1");
__asm__(".symver ver_fn_2, ver_fn@@VER_2");

int ver_fn_1(int x)
{
	return x + 1;
}

int ver_fn_2(int x)
{
	return x + 2;
}
