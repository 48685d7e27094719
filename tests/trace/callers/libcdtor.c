/*
 * Opened and closed with dlopen/dlclose: its destructor, which ld.so calls, ends in
 * a tail call through a data pointer, so the return address cl_leaf sees is in
 * ld.so.
 */
int cl_leaf(int x);

int (*volatile cl_dtor_target)(int) = cl_leaf;

__attribute__((destructor, optimize("O2"))) static void cl_dtor(void)
{
	cl_dtor_target(7);
}

int cl_dtor_loaded(void);

int cl_dtor_loaded(void)
{
	return 1;
}
