/* liberr.c — a hooked function that fails with the errno it is given. */
#include <errno.h>

int set_errno(int e);

int set_errno(int e)
{
	errno = e;
	return -1;
}
