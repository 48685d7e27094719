/* libthr.h — the threads test: per-thread work with nested calls, and a hooked
 * function that starts a thread and waits for it. */
#ifndef LIBTHR_H
#define LIBTHR_H

int thr_leaf(int t, int i);
int thr_work(int t, int i);
int thr_spawn_join(int t);

#endif
