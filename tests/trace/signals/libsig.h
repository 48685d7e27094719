#ifndef LIBSIG_H
#define LIBSIG_H
#include <stddef.h>
size_t sig_len(const char *s);
int sig_slow(int x);
int sig_leaf(int x);
int sig_pair(int x);
int sig_raise_in(int sig, int x);
int sig_wait_in(int x);
void sig_longjmp_in(void *env, int x);
#endif
