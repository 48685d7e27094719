/*
 * debug_bson.h — an internal testing aid, not documented: with
 * IMPULSE_DEBUG_BSON_FILE=PATH in the environment, every record is also built as
 * BSON and the documents are written back to back to PATH (created 0600, O_EXCL;
 * "%p" in PATH is the pid). Logger thread only.
 */
#ifndef IMPULSE_DEBUG_BSON_H
#define IMPULSE_DEBUG_BSON_H

#include <sys/types.h>

#include "render/record.h"

#pragma GCC visibility push(hidden)

/* Opens the file when the variable asks for one (pid fills "%p"); turns BSON on. */
void debug_bson_open(pid_t pid);
void debug_bson_write(const struct render_world *rw, struct call *c, const struct record_end *end);
void debug_bson_close(void);
/* In a fork child: forgets the parent's debug file (our copy of its descriptor is
 * closed) and opens the child's own. */
void debug_bson_reopen_in_child(pid_t pid);

#pragma GCC visibility pop

#endif
