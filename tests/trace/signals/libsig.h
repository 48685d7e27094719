#ifndef LIBSIG_H
#define LIBSIG_H
#include <stddef.h>
size_t sig_len(const char *s);
int sig_slow(int x);
int sig_leaf(int x);
#endif
