/*
 * logdir.h — refusing a log directory that another user could tamper with.
 *
 * Anyone who may write to a directory without the sticky bit, and its owner
 * whatever its mode, can unlink or rename the files in it: the log and .diag files
 * could be deleted, or replaced by others before a tool reads them. A directory
 * we create is 0700 and ours; this is about one that exists already.
 */
#ifndef IMPULSE_LOGDIR_H
#define IMPULSE_LOGDIR_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/*
 * For the open directory dfd: 0 when it is owned by us (the effective uid) or
 * root and writable by no one else unless sticky; else -EPERM with the reason in
 * why (nothing written when why_size is 0: async-signal-safe then), or -errno of
 * fstat.
 */
int logdir_check(int dfd, char *why, size_t why_size);

#pragma GCC visibility pop

#endif
