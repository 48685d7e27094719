/*
 * child_env.h — the environment handed to a program this process starts (exec,
 * posix_spawn, system, popen): the program's own, plus the lineage variables
 * naming the calling call (lineage.h), or, with trace_exec = false, without
 * libimpulse in LD_PRELOAD.
 *
 * Builds into memory the caller provides, so that a vfork child (which shares
 * its parent's heap) need not allocate.
 */
#ifndef IMPULSE_CHILD_ENV_H
#define IMPULSE_CHILD_ENV_H

#include <stddef.h>

#include "lifecycle/lineage.h"

#pragma GCC visibility push(hidden)

#define CHILD_ENV_PRELOAD_MAX 4096	/* longer LD_PRELOAD values are left as they are */

struct child_env {
	char tp[LINEAGE_TP_SIZE];		/* "IMPULSE_TRACEPARENT=…" */
	char ts[LINEAGE_TS_SIZE];		/* "IMPULSE_TRACESTATE=…" */
	char preload[CHILD_ENV_PRELOAD_MAX];	/* "LD_PRELOAD=…" without us, or with our name made absolute */
};

/*
 * At start-up, before anything reads them: the path variables (IMPULSE_CONFIG,
 * IMPULSE_LOG_DIR, IMPULSE_PROTO_DIR) that hold a relative path are made absolute
 * against the directory the process starts in. The program's environ is left as
 * it is; libimpulse reads the absolute forms (child_env_path) and hands them to
 * the programs it starts, so a child that changed directory reads the same files.
 */
void child_env_take_paths(void);

/* name's value for libimpulse: its absolute form when child_env_take_paths made
 * one, else getenv(name). */
const char *child_env_path(const char *name);

/*
 * The log directory this process uses (absolute), when it came from hooks.conf:
 * a traced child that reads the same hooks.conf and sets no IMPULSE_LOG_DIR is
 * handed this one, so that a relative log_dir means the same directory for the
 * whole run.
 */
void child_env_set_log_dir(const char *abs_dir);

/* At start-up: notes where libimpulse is, to find it in LD_PRELOAD. */
void child_env_setup(void);

/* Entries of the array child_env_build() needs for envp (NULL: empty). */
size_t child_env_slots(char *const envp[]);

/*
 * Fills arr (child_env_slots(envp) entries) with envp's entries for a new image
 * whose parent call is ref: the two lineage variables replaced by ours when envp's
 * LD_PRELOAD names libimpulse (else left out: the program would not be traced, and
 * would see them), with the path variables and a relative LD_PRELOAD name of
 * libimpulse made absolute (child_env_take_paths), or with trace_exec = false, LD_PRELOAD without libimpulse
 * (dropped when nothing else is left in it). The strings added live in ce.
 * Returns arr.
 */
char **child_env_build(struct child_env *ce, char *const envp[], char **arr,
		       const struct lineage_ref *ref);

#pragma GCC visibility pop

#endif
