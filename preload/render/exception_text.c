/*
 * exception_text.c — the "exception" text of a call left by an unwind (EV_EXCEPTION).
 *
 * The hot path copied the exception's mangled type name (type_info::name()); here,
 * on the logger thread, it is demangled with the program's own C++ runtime
 * (__cxa_demangle, looked up when needed: libimpulse.so does not link libstdc++).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/exception_text.h"

typedef char *(*demangle_fn)(const char *mangled, char *out, size_t *len, int *status);

static demangle_fn find_demangler(void)
{
	static demangle_fn found;	/* the logger's, or the thread running shutdown's */
	demangle_fn fn = __atomic_load_n(&found, __ATOMIC_RELAXED);

	/* Looked up again until found: a C program may load a C++ library later. */
	if (!fn) {
		fn = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
		__atomic_store_n(&found, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

/* Copies s into buf, anything but printable ASCII as '?': the name came from the
 * program's memory and the record's text must be valid UTF-8. */
static void copy_printable(char *buf, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = 0;
}

static const char *cxx_type_text(const struct ev_exception *ev, char *buf)
{
	char mangled[EV_EXC_NAME_MAX + 1];
	size_t n = (size_t)ev->name_len, skip;
	demangle_fn demangle = find_demangler();
	char *plain;
	int status = -1;

	if (ev->name_len <= 0)
		return "C++ exception (type unknown)";
	memcpy(mangled, ev->name, n);
	mangled[n] = 0;
	/* libstdc++ marks names that must be compared by address with a leading '*'. */
	skip = mangled[0] == '*';
	plain = demangle && !ev->name_cut ? demangle(mangled + skip, NULL, NULL, &status) : NULL;
	if (plain && status == 0)
		copy_printable(buf, EXCEPTION_TEXT_MAX, plain, strlen(plain));
	else
		copy_printable(buf, EXCEPTION_TEXT_MAX, mangled + skip, n - skip);
	free(plain);
	return buf;
}

const char *exception_text(const struct ev_exception *ev, char *buf)
{
	switch (ev->h.flags) {
	case EV_EXC_CXX:
		return cxx_type_text(ev, buf);
	case EV_EXC_FORCED:
		/* glibc's thread exit unwinds with class 0; pthread_exit and pthread_cancel
		 * look the same from here. */
		if (ev->exception_class == 0)
			return "thread exit (pthread_exit or pthread_cancel)";
		snprintf(buf, EXCEPTION_TEXT_MAX, "forced unwind (exception class %016llx)",
			 (unsigned long long)ev->exception_class);
		return buf;
	default:
		snprintf(buf, EXCEPTION_TEXT_MAX, "foreign exception (exception class %016llx)",
			 (unsigned long long)ev->exception_class);
		return buf;
	}
}

const char *exception_status(const struct ev_exception *ev)
{
	return ev->h.flags == EV_EXC_FORCED ? "unwound" : "exception";
}
