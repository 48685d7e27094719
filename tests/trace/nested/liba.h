/* liba.h — the outer library of the nested-calls test: its functions call libb's. */
#ifndef LIBA_H
#define LIBA_H

int a_outer(int x);
int a_many(int n);
int a_recurse(int depth);
void a_exit(int code) __attribute__((noreturn));

#endif
