/*
 * mongo_init.c — libmongoc's start-up for the impulse command: see tool.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include "base/tool.h"

void tool_mongoc_forget_counters(void)
{
	char name[32];

	snprintf(name, sizeof(name), "/mongoc-%d", (int)getpid());
	shm_unlink(name);
}

void tool_mongoc_init(void)
{
	/* The counters are for external monitoring (mongoc-stat), of no use to a tool
	 * that runs for seconds; without them nothing is left in /dev/shm. An explicit
	 * setting in the environment wins. */
	setenv("MONGOC_DISABLE_SHM", "1", 0);
	mongoc_init();
}
