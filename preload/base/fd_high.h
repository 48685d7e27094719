/*
 * fd_high.h — keeping a descriptor of ours out of the program's way, in the
 * program's own descriptor table.
 *
 * Most of libimpulse's descriptors live in a table of their own (fd_thread.h),
 * which the program can neither see nor close. A descriptor that must be in the
 * program's table (one written from any thread, before the fd thread exists, or
 * when it could not be had) is moved here to a high number: never 0–2, far from
 * the low numbers the kernel hands out first, and when possible at or above the
 * soft RLIMIT_NOFILE, where it does not count against the program's limit (the
 * kernel fails an open only when the lowest free number is at or above the limit).
 */
#ifndef IMPULSE_FD_HIGH_H
#define IMPULSE_FD_HIGH_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/* Numbers at or above this are high enough whatever the limit is (a bigger fd
 * table only costs kernel memory and fork time: 8 bytes a number). */
#define FD_HIGH_MAX 65536

/*
 * Moves fd to a high number with close-on-exec set: at or above the soft
 * RLIMIT_NOFILE when that is at most FD_HIGH_MAX, else at or above FD_HIGH_MAX.
 * Placing it above the soft limit needs the limit raised for a moment; that is
 * done only inside fd_high_begin_alone()/fd_high_end_alone(), when no program
 * thread can call getrlimit meanwhile, and the limits are put back exactly (the
 * hard limit too, raised only when we may: CAP_SYS_RESOURCE). Otherwise, or
 * when the hard limit leaves no room, the highest free number below the soft
 * limit (and never 0-2). Returns the new descriptor (fd is closed; fd itself
 * when it is high already), or -errno with fd left as it was: -EMFILE (no free
 * number above 2), -EBADF.
 */
int fd_move_high(int fd);

/*
 * Brackets code during which no thread of the program can run (start-up before
 * main, a fork child's atfork handler): fd_move_high() may then raise the limit
 * for a moment. Not nested; the same thread calls both.
 */
void fd_high_begin_alone(void);
void fd_high_end_alone(void);

/* Whether fd is at or above the soft RLIMIT_NOFILE (costs the program nothing). */
bool fd_is_above_limit(int fd);

#pragma GCC visibility pop

#endif
