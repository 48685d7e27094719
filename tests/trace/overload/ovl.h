/* The overload test's hooked functions: libovl_leaf.so and libovl.so. */
#ifndef OVL_H
#define OVL_H

/* t * 1000003 + 3 * i: every call's output is known from its arguments. */
long ovl_leaf(int t, long i);

/* ovl_leaf(t, i) + 1, called through libovl's PLT: a hooked call inside a hooked call. */
long ovl_outer(int t, long i);

#endif
