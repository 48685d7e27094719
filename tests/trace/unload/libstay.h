/* libstay.h — a library loaded at start that stays loaded. */
#ifndef TESTS_UNLOAD_LIBSTAY_H
#define TESTS_UNLOAD_LIBSTAY_H

int stay_add(int a, int b);
int stay_event(int code);
int stay_relay(int code);

#endif
