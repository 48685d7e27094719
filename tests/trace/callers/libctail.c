/*
 * A hooked function that ends in a tail call through a data pointer (patched by
 * libimpulse to an address-taken stub): `jmp *leaf(%rip)` leaves cl_tail's own
 * return address, which is libimpulse's trampoline, on the stack.
 */
int cl_leaf(int x);
int cl_tail(int x);

int (*volatile cl_tail_target)(int) = cl_leaf;

__attribute__((optimize("O2"), noinline)) int cl_tail(int x)
{
	return cl_tail_target(x + 1);
}
