#ifndef LIBREV_H
#define LIBREV_H
int rev_work(int t, int i);
int rev_spawn_join(int n);
int rev_fail(const char *what);
int rev_pat_one(int x);
int rev_pat_two(int x);
#endif
