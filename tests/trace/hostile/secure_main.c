/*
 * secure_main — the secure-execution test's program (test_hostile.py): made
 * set-user-ID by the test and run by an unprivileged user. Calls a few functions
 * the test's hooks.conf names and prints their results on stdout; on stderr it says
 * whether the kernel asked for secure execution (AT_SECURE) and whether libimpulse
 * is loaded in it (its impulse_log is found), so that the test knows the loader
 * did preload the tracer and the tracer chose to stay off.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(void)
{
	char buf[64];

	fprintf(stderr, "AT_SECURE=%lu libimpulse=%s\n", getauxval(AT_SECURE),
		dlsym(RTLD_DEFAULT, "impulse_log") ? "loaded" : "absent");
	snprintf(buf, sizeof(buf), "%d", atoi("41") + 1);
	printf("answer %s len %zu\n", buf, strlen(buf));
	return 7;
}
