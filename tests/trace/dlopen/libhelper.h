/* libhelper.h — a library loaded at start, called by the program and by a plugin
 * that is dlopen'ed later. */
#ifndef LIBHELPER_H
#define LIBHELPER_H

int help_add(int a, int b);
int help_mul(int a, int b);

#endif
