/* libpool.h — a small thread pool for the context API test (libpool.c). */
#ifndef LIBPOOL_H
#define LIBPOOL_H

/* Not hooked: the pool itself. */
int pool_start(int nworkers);
void pool_wait_idle(void);
void pool_stop(void);
long pool_sum(void);
int pool_attach_checks_failed(void);

/* Hooked. */
int pool_submit(int k, int wait);
int pool_batch(int b, int n);
int pool_drop(int k);
int pool_task(int k);
int pool_leaf(int k, int i);

#endif
