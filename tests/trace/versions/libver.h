#ifndef LIBVER_H
#define LIBVER_H
int ver_fn(int x);
#endif
