/* libcancel.h — hooked functions a thread exit (pthread_cancel, pthread_exit) leaves. */
#ifndef LIBCANCEL_H
#define LIBCANCEL_H

/* Returns cb(x) + 1. */
int cn_call(int (*cb)(int), int x);
/* Reads a byte from fd (a cancellation point); returns what read returned + x. */
int cn_wait(int fd, int x);
/* pthread_exit((void *)(long)x). */
int cn_exit(int x);
/* Returns x. */
int cn_note(int x);

#endif
