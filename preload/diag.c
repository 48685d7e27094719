/*
 * diag.c — writes the tracer's diagnostics with write(2), never through stdio,
 * so that a program's stdout/stderr buffering and hooked stdio calls are untouched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

bool diag_verbose_enabled;

static void diag_vwrite(const char *fmt, va_list ap)
{
	char buf[1024];
	int saved_errno = errno;
	int n = snprintf(buf, sizeof(buf), "libimpulse[%d]: ", (int)getpid());
	int m;

	if (n < 0)
		n = 0;
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	for (char *p = buf; n > 0;) {
		ssize_t w = write(STDERR_FILENO, p, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (int)w;
	}
	errno = saved_errno;
}

void diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vwrite(fmt, ap);
	va_end(ap);
}

void diag_note(const char *fmt, ...)
{
	va_list ap;

	if (!diag_verbose_enabled)
		return;
	va_start(ap, fmt);
	diag_vwrite(fmt, ap);
	va_end(ap);
}
