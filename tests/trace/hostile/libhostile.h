/* The hostile-input test library: functions that never read what their pointers
 * point at (so a bad pointer is the tracer's problem alone), one that does, a
 * variable, and functions that hooks.conf declares with the wrong prototype. */
#ifndef LIBHOSTILE_H
#define LIBHOSTILE_H

#include <stddef.h>

struct hs_pair {
	int a;
	const char *name;
};

extern int hs_counter;		/* a variable hooks.conf names as if it were a function */

int hs_text(const char *s, int tag);
int hs_pair(const struct hs_pair *p, int tag);
size_t hs_strlen(const char *s);
int hs_send(const char *buf, size_t n);
int hs_two(int a, int b);
int hs_int_ret(int x);

#endif
