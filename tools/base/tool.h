/*
 * tool.h — what the impulse subcommands share: the face of tools/base/.
 *
 * The command is git-style: tools/impulse.c holds the table of subcommands and
 * dispatches; each subcommand lives in the folder of its family (run/run.c,
 * tree/tree.c, ...) and is one struct subcommand entry plus its cmd_<name>() below,
 * declared here as git's builtin.h declares its commands, so that impulse.c needs
 * no header of the parts above base. The helpers of base/ (paths, settings, log
 * files, .diag files) follow, one job per file. Only tools/ may exit(), and there
 * only the subcommands' folders: the shared parts (base, reader, view) return 0 or
 * -errno and leave the message to the subcommand.
 */
#ifndef IMPULSE_TOOL_H
#define IMPULSE_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Exit status for a command line that makes no sense, as most Unix tools do. */
#define TOOL_EXIT_USAGE 2

/*
 * The exit statuses of the subcommands that read records (tree, stats, tail, export),
 * the same for each: 0 every input was read whole; 1 records were read but something
 * was skipped (a malformed or over-long line, an unreadable input or file); 2 a bad
 * command line (TOOL_EXIT_USAGE), or nothing could be read at all.
 */
#define TOOL_EXIT_SKIPPED 1
#define TOOL_EXIT_NOTHING_READ 2

/* The status for records read and inputs or lines skipped (errors), as above. An
 * empty input that was read whole is not a failure: 0. */
static inline int tool_read_status(long records, long errors)
{
	if (!errors)
		return 0;
	return records ? TOOL_EXIT_SKIPPED : TOOL_EXIT_NOTHING_READ;
}

/* "1 line" or "2 lines": one or other, by n. */
#define TOOL_PLURAL(n, one, many) ((n) == 1 ? (one) : (many))

struct subcommand {
	const char *name;	/* as typed: "run" */
	const char *summary;	/* one line for `impulse --help` */
	/* argv[0] is the subcommand's name; returns the exit status of `impulse` */
	int (*main)(int argc, char **argv);
};

/* The subcommands, one file each. */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_tail(int argc, char **argv);
int cmd_render_events(int argc, char **argv);
int cmd_cat(int argc, char **argv);

/*
 * Failures of impulse itself, as env(1) and timeout(1) number them, so that they
 * cannot be mistaken for a status of the program: 125 impulse failed, 126 the
 * program could not be executed (or traced), 127 it was not found.
 */
#define TOOL_EXIT_FAILED 125
#define TOOL_EXIT_CANNOT_EXEC 126
#define TOOL_EXIT_NOT_FOUND 127

/* settings.c */

struct cfg;

/*
 * Reads the hooks.conf settings into cfg (cfg_init'd here; cfg_free it): config, else
 * $IMPULSE_CONFIG, else ./hooks.conf when there is one, else the defaults. Sets
 * *path_read (may be NULL) to the file read, or NULL. Returns 0, or -1 with the
 * message (FILE:LINE:COLUMN for a configuration error) in msg.
 */
int tool_settings_read(struct cfg *cfg, const char *config, const char **path_read, char *msg,
		       size_t size);

/* Sets key to value unless value is NULL or empty; source ("IMPULSE_LOG_DIR",
 * "--mongo") names it in the message. 0, or -1 with msg. */
int tool_settings_set(struct cfg *cfg, const char *key, const char *value, const char *source,
		      char *msg, size_t size);

/* mongo_uri, mongo_database and mongo_collection from $IMPULSE_MONGO_*, then from the
 * options (NULL: not given). 0, or -1 with msg. */
int tool_settings_mongo(struct cfg *cfg, const char *uri, const char *database,
			const char *collection, char *msg, size_t size);

/* mongo_init.c */

/*
 * mongoc_init() without its shared-memory counters (/dev/shm/mongoc-<pid>, which
 * only mongoc_cleanup() removes: left behind by a tool that exits, they make a
 * later process with the same pid warn on stderr). Call instead of mongoc_init().
 */
void tool_mongoc_init(void);

/*
 * Debian's libmongoc initialises itself when it is loaded, before main, and so
 * creates /dev/shm/mongoc-<pid> whatever tool_mongoc_init() later asks; only its
 * cleanup at a normal exit removes it, and `impulse run` may die of its program's
 * signal. Left behind, the name makes a later process with the same pid warn on
 * stderr. Unlinking it first thing in main leaves nothing behind (the mapping stays).
 */
void tool_mongoc_forget_counters(void);

/* locate.c */

#define LIBIMPULSE_NAME "libimpulse.so"

/* The libimpulse.so this impulse goes with, beside it or in ../lib. 0 or -ENOENT
 * (or the -errno of finding the executable). */
int locate_library(char *out, size_t size);

/* The shipped prototype files: $IMPULSE_PROTO_DIR, else protos/ beside impulse, else
 * ../share/libimpulse/protos. 0 or -ENOENT / -ENAMETOOLONG. */
int locate_proto_dir(char *out, size_t size);

/* paths.c */

/*
 * Writes the directory of the running executable (from /proc/self/exe) to out.
 * Returns 0, -ENAMETOOLONG when it does not fit, or the -errno of readlink().
 */
int path_self_dir(char *out, size_t size);

/*
 * Writes path made absolute against the current directory to out, without
 * resolving symbolic links and without requiring it to exist (a log directory
 * does not exist before the first run). Returns 0, -ENAMETOOLONG, or -errno of getcwd().
 */
int path_absolute(const char *path, char *out, size_t size);

/* path without the current directory in front when it is inside it: for messages. */
const char *path_for_display(const char *path);

/* diagnostics.c: libimpulse's messages of a run, from the .diag files beside the records */

struct diagnostics;

struct diagnostics *diagnostics_new(void);	/* NULL when out of memory */
void diagnostics_free(struct diagnostics *d);

/* The .diag files in dir created (last written) at or after since; 0 or -errno of opendir(). */
int diagnostics_add_since(struct diagnostics *d, const char *dir, const struct timespec *since);

/* For a directory, its .diag files; for a record file logs_<UTC>_<pid>*.json[.gz], those
 * of the same pid beside it. 0 or -errno. A file read twice counts once. */
int diagnostics_add_path(struct diagnostics *d, const char *path);

/* "libimpulse: N diagnostics from M processes:" and each distinct text once, on out;
 * nothing when there were none. Returns N. */
long diagnostics_print(const struct diagnostics *d, FILE *out);

/* logfiles.c */

struct log_file {
	char *path;		/* <dir>/logs_<UTC>_<pid>[_<n>].json; owned */
	int pid;		/* the process that wrote it, from the name */
	long records;		/* complete lines, or -errno when it could not be read */
	long dropped;		/* the root record's arguments.dropped.total, or -1 */
	char died[96];		/* the root's exception when its status is "crashed", else "" */
	bool binary;		/* logs_*.impulse (format = binary): records not counted (0) */
};

/*
 * Lists the record files (logs_*.json) in dir created at or after since, a
 * CLOCK_REALTIME_COARSE time, sorted by name (creation time, then pid), and counts
 * the records in each. Returns how many were found, with *out owned by the caller
 * (logfiles_free()), or -errno of opendir() (-ENOENT: nothing was ever written there)
 * or -ENOMEM.
 */
int logfiles_list_since(const char *dir, const struct timespec *since, struct log_file **out);

void logfiles_free(struct log_file *files, int n);

/* The pid in logs_<UTC>_<pid>[_<n>]<ext> (ext ".json", ".json.gz", ".diag"), or -1
 * when name is not such a file. */
int logfiles_pid_in_name(const char *name, const char *ext);

/*
 * Complete (newline-terminated) lines in the file at path, or -errno; with f not
 * NULL, also what its last line, the root record, says (f->dropped, f->died).
 */
long logfiles_count_records(const char *path, struct log_file *f);

/* The plural ending for a count in a message: "1 record", "2 records", "0 records". */
static inline const char *tool_s(long long n)
{
	return n == 1 ? "" : "s";
}

#endif
