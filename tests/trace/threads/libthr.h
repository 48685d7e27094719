/* libthr.h — the threads test: per-thread work with nested calls, a hooked
 * function that starts a thread and waits for it, one that ends its thread, one
 * that blocks until cancelled, one that starts threads making no hooked call. */
#ifndef LIBTHR_H
#define LIBTHR_H

int thr_leaf(int t, int i);
int thr_work(int t, int i);
int thr_spawn_join(int t);
int thr_exit_in(int t);
int thr_block(int t, int fd, void *inside);
int thr_spawn_nocall(int n);

#endif
