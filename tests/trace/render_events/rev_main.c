/*
 * rev_main.c — the render_events case's program: three threads of nested calls
 * started inside a hooked call, a call of the main thread with a note, a failed
 * call, two pattern-hooked calls and a JSON note on the root.
 */
#include <stdio.h>

#include "impulse.h"
#include "librev.h"

int main(void)
{
	int sum = 0;

	sum += rev_spawn_join(3);
	sum += rev_work(9, 0);
	if (rev_fail("missing") != -1)
		return 1;
	sum += rev_pat_one(1) + rev_pat_two(2);
	impulse_log_json("{\"phase\": \"done\", \"n\": 3}");
	printf("sum %d\n", sum);
	return 0;
}
