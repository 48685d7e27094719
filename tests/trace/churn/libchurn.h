/* libchurn.h — the hooked leaf of the churn test. */
#ifndef LIBCHURN_H
#define LIBCHURN_H

int churn_leaf(int t, int i);

#endif
