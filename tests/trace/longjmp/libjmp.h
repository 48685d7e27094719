/* libjmp.h — a hooked function that calls back into the program, and a leaf. */
#ifndef LIBJMP_H
#define LIBJMP_H

int jmp_call(int (*cb)(int), int x);
int jmp_leaf(int x);

#endif
