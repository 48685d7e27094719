/*
 * exits.h — ends of the process that pass neither through exit()'s destructors
 * nor through main's return: quick_exit, and the main thread's pthread_exit.
 */
#ifndef IMPULSE_EXITS_H
#define IMPULSE_EXITS_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/* Registers our at_quick_exit handler (first registered, it runs last) and, when
 * the logger needs one, an atexit handler. After logger_start(). */
void exits_setup(void);

/* The wrappers (wrappers.c's table). */
void exits_quick_exit(int status) __attribute__((noreturn));
void exits_pthread_exit(void *retval) __attribute__((noreturn));

#pragma GCC visibility pop

#endif
