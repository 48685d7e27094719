/*
 * start.h: 100 functions, start_fn_0 .. start_fn_99, exported by libstart.so. The
 * start-up benchmark's program links them (so each has a PLT slot to hook) but never
 * calls them. START_EACH(X) expands X(n) for n = 0 .. 99.
 */
#ifndef BENCH_START_H
#define BENCH_START_H

#define START_TEN(p) X(p##0) X(p##1) X(p##2) X(p##3) X(p##4) \
		     X(p##5) X(p##6) X(p##7) X(p##8) X(p##9)
#define START_EACH START_TEN() START_TEN(1) START_TEN(2) START_TEN(3) START_TEN(4) \
		   START_TEN(5) START_TEN(6) START_TEN(7) START_TEN(8) START_TEN(9)

#define X(n) int start_fn_##n(int a, int b);
START_EACH
#undef X

#endif /* BENCH_START_H */
