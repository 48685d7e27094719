/*
 * diag.c — the tracer's diagnostics: formatted, kept, and sent where diag.h says.
 *
 * A message is formatted into a stack buffer (never through stdio, so that the
 * program's buffers and hooked stdio calls are untouched), copied into the next
 * free slot of a static table, and the table is flushed to the .diag file
 * (diag_file.c). Slots are reserved with an atomic add and published with a
 * release flag; the flush is a try-lock that never waits, so a message said in a
 * signal handler that interrupted a flush is written by the flush it interrupted
 * (which looks again before it lets go). Nothing here allocates or keeps errno
 * changed, and nothing is ever written on the program's descriptors unless
 * IMPULSE_VERBOSE asks for it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/diag_file.h"

#define DIAG_KEEP 32		/* messages kept for the root record and the file */
#define DIAG_TEXT 1024		/* bytes of one message, "libimpulse[pid]: " included */

bool diag_verbose_enabled;
bool diag_to_stderr_only;

static struct {
	char text[DIAG_KEEP][DIAG_TEXT];	/* NUL-terminated, no newline */
	unsigned char ready[DIAG_KEEP];		/* text[i] complete; release, pairs with the flush's acquire */
	unsigned taken;				/* slots handed out (may pass DIAG_KEEP); atomic */
	unsigned published;			/* slots made ready; atomic */
	unsigned long long omitted;		/* messages past DIAG_KEEP; atomic */
	unsigned flushed;			/* slots written to the file; under flushing */
	int flushing;				/* the try-lock of diag_flush(); atomic */
} kept;

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Writes the published slots not yet in the file. Whoever holds the lock writes
 * for everyone; after letting go it looks once more, so that a slot published
 * while it wrote (by another thread, or by a signal handler that found the lock
 * taken) is not left behind.
 */
static void diag_flush(void)
{
	for (;;) {
		unsigned n, seen;

		if (__atomic_exchange_n(&kept.flushing, 1, __ATOMIC_ACQUIRE))
			return;
		seen = __atomic_load_n(&kept.published, __ATOMIC_ACQUIRE);
		n = __atomic_load_n(&kept.taken, __ATOMIC_ACQUIRE);
		if (n > DIAG_KEEP)
			n = DIAG_KEEP;
		while (kept.flushed < n && __atomic_load_n(&kept.ready[kept.flushed], __ATOMIC_ACQUIRE)) {
			if (diag_file_append(kept.text[kept.flushed], true))
				break;	/* no directory yet, or no file possible now: kept for later */
			kept.flushed++;
		}
		__atomic_store_n(&kept.flushing, 0, __ATOMIC_RELEASE);
		/* Only what was published while we held the lock can be waiting for us. */
		if (__atomic_load_n(&kept.published, __ATOMIC_ACQUIRE) == seen)
			return;
	}
}

/* line: "libimpulse[pid]: text", NUL-terminated, no newline; len its length. */
static void diag_keep(const char *line, size_t len)
{
	unsigned i = __atomic_fetch_add(&kept.taken, 1, __ATOMIC_ACQ_REL);

	if (i >= DIAG_KEEP) {
		__atomic_fetch_add(&kept.omitted, 1, __ATOMIC_RELAXED);
		/* Not in the root record, but still in the file once it exists. */
		diag_file_append(line, false);
		return;
	}
	memcpy(kept.text[i], line, len + 1);
	__atomic_store_n(&kept.ready[i], 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&kept.published, 1, __ATOMIC_RELEASE);
	diag_flush();
}

static void diag_vsay(bool error, const char *fmt, va_list ap)
{
	char buf[DIAG_TEXT + 1];
	int saved_errno = errno;
	int n = snprintf(buf, DIAG_TEXT, "libimpulse[%d]: ", (int)getpid());
	int m;

	if (n < 0)
		n = 0;
	m = vsnprintf(buf + n, (size_t)(DIAG_TEXT - n), fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > DIAG_TEXT - 1)
		n = DIAG_TEXT - 1;
	buf[n] = '\0';
	if (error && !diag_to_stderr_only)
		diag_keep(buf, (size_t)n);
	if (diag_verbose_enabled || diag_to_stderr_only) {
		buf[n] = '\n';
		write_all(STDERR_FILENO, buf, (size_t)n + 1);
	}
	errno = saved_errno;
}

void diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vsay(true, fmt, ap);
	va_end(ap);
}

/* Notes (where each hook went, delivery figures) are for IMPULSE_VERBOSE only. */
void diag_note(const char *fmt, ...)
{
	va_list ap;

	if (!diag_verbose_enabled)
		return;
	va_start(ap, fmt);
	diag_vsay(false, fmt, ap);
	va_end(ap);
}

void diag_set_dir(const char *abs_dir)
{
	int saved_errno = errno;

	if (diag_to_stderr_only)
		return;
	diag_file_set_dir(abs_dir);
	diag_flush();
	errno = saved_errno;
}

void diag_forget_in_child(void)
{
	/* The parent's other threads are gone: nobody holds the lock here. */
	memset(kept.ready, 0, sizeof(kept.ready));
	kept.taken = 0;
	kept.published = 0;
	kept.omitted = 0;
	kept.flushed = 0;
	kept.flushing = 0;
	diag_file_forget_in_child();
}

bool diag_kept(const char **text, unsigned max, unsigned *n, unsigned long long *omitted)
{
	unsigned taken = __atomic_load_n(&kept.taken, __ATOMIC_ACQUIRE);

	*n = 0;
	*omitted = 0;
	if (taken == 0)
		return false;
	if (taken > DIAG_KEEP)
		taken = DIAG_KEEP;
	for (unsigned i = 0; i < taken && *n < max; i++) {
		const char *t = kept.text[i], *colon;

		if (!__atomic_load_n(&kept.ready[i], __ATOMIC_ACQUIRE))
			continue;
		/* The record names the process already: drop "libimpulse[pid]: ". */
		colon = strstr(t, "]: ");
		text[(*n)++] = colon ? colon + 3 : t;
	}
	*omitted = __atomic_load_n(&kept.omitted, __ATOMIC_RELAXED);
	return true;
}
