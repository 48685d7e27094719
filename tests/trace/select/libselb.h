/* libselb.h — the second library of the select case: what liba and the program call. */
#ifndef SELB_H
#define SELB_H

extern int sel_b_counter;	/* a variable: patterns must never try to hook it */

int sel_b_add(int a, int b);
int sel_b_mul(int a, int b);
int sel_b_secret(int x);
int sel_b_internal(int x);	/* exported, but called only inside libselb */

#endif
