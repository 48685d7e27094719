/* libb.h — the inner library of the nested-calls test. */
#ifndef LIBB_H
#define LIBB_H

int b_inner(int x, int k);
int b_bounce(int depth);

#endif
