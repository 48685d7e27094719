/*
 * render_events.c — `impulse render-events FILE`: renders again the records a
 * traced process rendered, from the file IMPULSE_DEBUG_EVENTS=FILE made it write,
 * and writes them to stdout as JSON Lines: the same bytes as the process's record
 * file. A debugging aid for the renderer.
 *
 * The file is format = binary's stream (render/event_file.h), rendered by the
 * reader's binary.h with libimpulse's own renderer; here the problems are fatal
 * (status 1): a debugging aid wants to know.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/tool.h"
#include "reader/binary.h"

static int put_records(void *arg, const char *p, size_t len)
{
	(void)arg;
	return fwrite(p, 1, len, stdout) == len ? 0 : -EIO;
}

static void said(void *arg, const char *text)
{
	fprintf(stderr, "impulse render-events: %s: %s\n", (const char *)arg, text);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: impulse render-events FILE\n"
		"\n"
		"Renders the records again from FILE, which a process traced with\n"
		"IMPULSE_DEBUG_EVENTS=FILE wrote: what its renderer was fed. Writes them to\n"
		"stdout as JSON Lines, as the process wrote its record file. A debugging aid\n"
		"(impulse cat reads the same stream, the record files of format = binary).\n");
}

int cmd_render_events(int argc, char **argv)
{
	struct binary_out o;
	long n, records = 0;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	o = (struct binary_out){ put_records, said, argv[1] };
	n = binary_render_file(argv[1], &o, &records);
	if (fflush(stdout)) {
		fprintf(stderr, "impulse render-events: writing the records: %s\n", strerror(errno));
		return TOOL_EXIT_FAILED;
	}
	if (n < 0) {
		fprintf(stderr, "impulse render-events: %s: %s\n", argv[1], strerror((int)-n));
		return TOOL_EXIT_FAILED;
	}
	return n ? TOOL_EXIT_FAILED : 0;
}
