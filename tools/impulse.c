/*
 * impulse.c — the `impulse` command: finds the subcommand named by argv[1] and
 * hands it the rest of the command line.
 *
 * Adding a subcommand is adding its file (tools/<family>/<name>.c, with cmd_<name>()
 * and its own --help), its declaration in base/tool.h and one line in the table below;
 * nothing here knows what a subcommand does.
 */
#include <stdio.h>
#include <string.h>

#include "base/tool.h"

static const struct subcommand commands[] = {
	{ "run", "run a program with libimpulse preloaded; say where its records went", cmd_run },
	{ "check", "check where each hook of hooks.conf goes in a program, without running it", cmd_check },
	{ "tree", "show the call tree of records, one line per call", cmd_tree },
	{ "stats", "per hook: calls, errors, total/self/mean/p50/p95/p99/max time", cmd_stats },
	{ "export", "write records as Chrome trace-event JSON (Perfetto) or OTLP/JSON", cmd_export },
	{ "tail", "show records as they land, one line each (-f to follow)", cmd_tail },
	{ "cat", "write record files as JSON Lines, binary ones (format = binary) rendered", cmd_cat },
	{ "push", "upload record files (.impulselogs, spill files) into MongoDB", cmd_push },
	{ "render-events", "render records again from an IMPULSE_DEBUG_EVENTS file (debugging)", cmd_render_events },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: impulse <command> [options] [-- program args...]\n"
		"\n"
		"Traces the calls named in hooks.conf: one JSON record per call in .impulselogs/.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"'impulse <command> --help' (or 'impulse help <command>') tells more about one.\n");
}

static const struct subcommand *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct subcommand *cmd;

	tool_mongoc_forget_counters();
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	/* `impulse help run` is `impulse run --help`, as in git. */
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		cmd = find_command(argv[2]);
		if (cmd) {
			char *help_argv[] = { argv[2], (char *)"--help", NULL };

			return cmd->main(2, help_argv);
		}
	} else {
		cmd = find_command(argv[1]);
		if (cmd)
			return cmd->main(argc - 1, argv + 1);
	}
	fprintf(stderr, "impulse: '%s' is not an impulse command; see 'impulse --help'\n",
		argv[argc >= 3 && !strcmp(argv[1], "help") ? 2 : 1]);
	return TOOL_EXIT_USAGE;
}
