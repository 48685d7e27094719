/*
 * select.h — which imports a hook serves: patterns ("sqlite3_*", "libcurl.so.4: *",
 * "!sqlite3_free") that make hooks for the symbols they match, and caller scoping
 * ([from=main, libfoo.so*]). Also the record of what was installed where, for the
 * start-up report and `impulse check` (select_report.c).
 *
 * Everything here runs at install time (start-up, after dlopen, inside dlsym), never
 * on the hot path. One internal lock serialises pattern decisions and the notes; it
 * is never held while calling the dynamic loader, so dlsym may use it from inside a
 * library constructor while another thread is in interpose_scan().
 */
#ifndef IMPULSE_SELECT_H
#define IMPULSE_SELECT_H

#include <stdbool.h>

#include "config.h"
#include "hooks/hooks.h"
#include "intercept/modules.h"

#pragma GCC visibility push(hidden)

/*
 * Builds the hook table (hooks/hooks.h) from cfg's declared hooks, leaving out,
 * with a message, those select_refusal() refuses; cfg is kept by the caller for the
 * process lifetime. At start-up, before select_setup(). 0 or -ENOMEM.
 */
int select_build(const struct cfg *cfg);

/* Remembers the configuration (kept by the tracer for the process lifetime). Call
 * once, after select_build() and before the first interpose_scan(). */
void select_setup(const struct cfg *cfg);

/*
 * Why libimpulse never hooks name, or NULL when it may. explicit_hook: the name is
 * declared in hooks.conf (a shorter list: functions that break under a trampoline,
 * such as vfork, setjmp or dlsym); otherwise a pattern matched it (the full list,
 * which adds what libimpulse wraps itself). The answer lives as long as the process.
 */
const char *select_refusal(const char *name, bool explicit_hook);

/* In a fork child: the decisions lock, as free as the child's one thread finds it. */
void select_reset_lock_in_child(void);

/* True when hook was declared in hooks.conf (by prototype or bare name), false when
 * a pattern made it. Explicit hooks always win over patterns and exclusions. */
bool select_is_explicit(const struct hook *hook);

/* A cheap first test on the name alone: could some pattern hook it? Lets callers
 * skip resolving the imports no pattern can want. */
bool select_name_may_match(const char *name);

/*
 * The hook a pattern gives name when it is defined in def (NULL: in no known module),
 * made on first use and remembered, with negative answers, per (name, defining
 * module). is_function: the importer's symbol table already says name is a function
 * (otherwise def's table is asked). NULL when no pattern hooks it: none matches, an
 * exclusion wins, or libimpulse never hooks that symbol through a pattern.
 */
const struct hook *select_pattern_hook(const char *name, const struct module *def, bool is_function);

/* [from=…]: true when hook serves calls made from mod (NULL: a caller in no known
 * module, which only a hook without [from] serves). */
bool select_caller_matches(const struct hook *hook, const struct module *mod);

/* For the report: hook was installed in mod through imp (NULL: a dlsym result). */
void select_note_installed(const struct hook *hook, const struct module *mod, const struct import *imp);

/* For the report: mod imports hook's symbol, but its [from=…] does not name mod. */
void select_note_not_from(const struct hook *hook, const struct module *mod);

/* For the report: mod imports hook's symbol, but no loaded object defines it. */
void select_note_unresolved(const struct hook *hook, const struct module *mod);

/* mod was unloaded (unload.c): forgets the decisions about its symbols and the notes
 * about its imports, so a reload of it decides and notes afresh. */
void select_forget_module(const struct module *mod);

/*
 * Says, per hook and per pattern, where it was installed and, when nowhere, why.
 * fd < 0: through diag (problems always, everything else only when verbose);
 * fd >= 0: every line to fd, then a summary line "#summary total=T nowhere=N"
 * (impulse check reads it). Returns the number of hooks and patterns installed nowhere.
 */
int select_report(int fd);

/* Check mode (IMPULSE_CHECK=FD, impulse check): the descriptor the report goes to
 * before main would run, or -1. */
extern int select_check_fd;

#pragma GCC visibility pop

#endif
