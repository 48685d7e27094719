/*
 * threads.h — whether the process is down to the calling thread (threads.c).
 */
#ifndef IMPULSE_THREADS_H
#define IMPULSE_THREADS_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/*
 * Whether main has ended its thread with pthread_exit (tracer.main_thread_gone)
 * and no thread but the caller is left, libimpulse's fd thread aside (the logger
 * asks: it must not keep the process alive).
 */
bool threads_only_caller_left(void);

#pragma GCC visibility pop

#endif
