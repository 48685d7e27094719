/*
 * diag.h — the tracer's own messages ("libimpulse[pid]: ...").
 *
 * The program's descriptors are the program's: by default nothing is written on
 * them. Errors go to a file beside the records (diag_file.c: created on the first
 * message, logs_<UTC>_<pid>.diag in the log directory) and into the root record
 * (diag_kept); with IMPULSE_VERBOSE=1 they, and the notes, also go to stderr as
 * they always did. Messages said before the log directory is known (a broken
 * hooks.conf) wait in a static buffer. Every function here is async-signal-safe,
 * allocates nothing, takes no lock that can be waited on, and keeps errno.
 */
#ifndef IMPULSE_DIAG_H
#define IMPULSE_DIAG_H


#include <stdbool.h>

/* Internal to libimpulse: direct, GOT-free access from the hot path. */
#pragma GCC visibility push(hidden)

/* IMPULSE_VERBOSE: notes are said at all, and everything also goes to stderr. */
extern bool diag_verbose_enabled;

/* impulse check: messages go to stderr only (the program never runs, and a check
 * leaves no file behind). */
extern bool diag_to_stderr_only;

void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The log directory (absolute) where the .diag file goes; messages kept so far
 * are written there. Called at start-up once the directory is known, and again in
 * a fork child. Not signal-safe (start-up only).
 */
void diag_set_dir(const char *abs_dir);

/* In a fork child: the parent's messages and file are the parent's. */
void diag_forget_in_child(void);

/*
 * What the root record's "diagnostics" shows: whether this process said anything
 * (false: no "diagnostics" at all), and then the first messages kept (at most max,
 * and DIAG_KEEP, 32), without their "libimpulse[pid]: " prefix, into text[0..*n),
 * and how many more there were in *omitted. The texts stay valid until the
 * process forgets its messages (diag_forget_in_child).
 */
bool diag_kept(const char **text, unsigned max, unsigned *n, unsigned long long *omitted);
/* The plural ending for a count in a message: "1 call", "2 calls", "0 calls". */
static inline const char *diag_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

#pragma GCC visibility pop

#endif
