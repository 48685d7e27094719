/*
 * life.c — the table of lifecycle receivers; see life.h.
 *
 * Written at start-up only, before any thread of the program or any signal
 * handler of ours can raise an event, and read without a lock afterwards: a
 * signal handler or a fork child may raise an event at any point, and must find
 * the table whole.
 */
#include <stddef.h>

#include "base/life.h"

static life_fn receivers[LIFE_NEVENTS][LIFE_NRECEIVERS];

void life_register(enum life_event event, enum life_receiver who, life_fn fn)
{
	receivers[event][who] = fn;
}

int life_raise(enum life_event event, const void *arg)
{
	for (int who = 0; who < LIFE_NRECEIVERS; who++) {
		life_fn fn = receivers[event][who];
		int err = fn ? fn(arg) : 0;

		if (err)
			return err;
	}
	return 0;
}
