/* libsela.h — the first library of the select case. */
#ifndef SELA_H
#define SELA_H

int sel_a_one(int x);
int sel_a_two(int x);
int sel_a_three(const char *s);
int sel_a_calls_b(int x);	/* calls sel_b_mul(x, 10): the same function, from a library */

#endif
