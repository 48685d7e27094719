#ifndef LIBREV_LEAF_H
#define LIBREV_LEAF_H
int rev_leaf(int t, int i);
#endif
