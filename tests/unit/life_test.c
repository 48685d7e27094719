/*
 * life_test.c — base/life.c: the lifecycle events reach their receivers in the
 * order life.h promises (enum life_receiver's, not the order they registered
 * in), with the event's argument, and the first error stops the event.
 */
#include <errno.h>
#include <string.h>

#include "base/life.h"
#include "check.h"

static char calls[16];	/* who was called, in order: 'i'ntercept, 'h'ot, 'l'ogger */
static size_t ncalls;
static const void *seen_arg;
static int logger_error, hot_error;

static void note(char who, const void *arg)
{
	if (ncalls < sizeof(calls) - 1)
		calls[ncalls++] = who;
	seen_arg = arg;
}

static int by_intercept(const void *arg)
{
	note('i', arg);
	return 0;
}

static int by_hot(const void *arg)
{
	note('h', arg);
	return hot_error;
}

static int by_logger(const void *arg)
{
	note('l', arg);
	return logger_error;
}

static int by_logger_again(const void *arg)
{
	note('L', arg);
	return 0;
}

static void reset(void)
{
	memset(calls, 0, sizeof(calls));
	ncalls = 0;
	seen_arg = NULL;
}

int main(void)
{
	static const char text[] = "SIGSEGV";
	int rc;

	/* Nobody registered: nothing is called, and the event succeeds. */
	reset();
	rc = life_raise(LIFE_SHUTDOWN, NULL);
	CHECK(rc == 0 && ncalls == 0, "an event without receivers: rc 0, no call (rc %d, calls '%s')",
	      rc, calls);

	/* Registered upside down; called in life.h's order. */
	life_register(LIFE_FORK_CHILD, LIFE_LOGGER, by_logger);
	life_register(LIFE_FORK_CHILD, LIFE_HOT, by_hot);
	life_register(LIFE_FORK_CHILD, LIFE_INTERCEPT, by_intercept);
	reset();
	rc = life_raise(LIFE_FORK_CHILD, NULL);
	CHECK(rc == 0 && !strcmp(calls, "ihl"), "fork child: intercept, hot, logger (got '%s', rc %d)",
	      calls, rc);

	/* Only the receivers of the event raised; the argument reaches them. */
	life_register(LIFE_DYING, LIFE_LOGGER, by_logger);
	reset();
	rc = life_raise(LIFE_DYING, text);
	CHECK(rc == 0 && !strcmp(calls, "l"), "dying: the logger alone (got '%s')", calls);
	CHECK(seen_arg == text, "dying: the exception text is the receiver's argument");

	/* The first error stops the event and is what raising it returns. */
	hot_error = -ENOMEM;
	reset();
	rc = life_raise(LIFE_FORK_CHILD, NULL);
	CHECK(rc == -ENOMEM && !strcmp(calls, "ih"), "an error stops the event (got '%s', rc %d)",
	      calls, rc);
	hot_error = 0;
	logger_error = -EIO;
	reset();
	rc = life_raise(LIFE_FORK_CHILD, NULL);
	CHECK(rc == -EIO && !strcmp(calls, "ihl"), "the last receiver's error is returned (rc %d)", rc);
	logger_error = 0;

	/* Registering again replaces. */
	life_register(LIFE_FORK_CHILD, LIFE_LOGGER, by_logger_again);
	reset();
	rc = life_raise(LIFE_FORK_CHILD, NULL);
	CHECK(rc == 0 && !strcmp(calls, "ihL"), "a second registration replaces the first (got '%s')",
	      calls);
	return check_summary("life_test");
}
