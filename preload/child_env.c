/*
 * child_env.c — the environment handed to a new program image; see child_env.h.
 *
 * Never allocates and never changes the program's environ: the caller owns the
 * array and the strings we add live in its struct child_env.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child_env.h"
#include "diag.h"
#include "tracer.h"

static char self_path[PATH_MAX];	/* libimpulse as the loader named it */
static char self_real[PATH_MAX];	/* and with links resolved */

void child_env_setup(void)
{
	Dl_info info;

	/* Any function of ours names our file. */
	if (!dladdr((void *)child_env_setup, &info) || !info.dli_fname)
		return;
	snprintf(self_path, sizeof(self_path), "%s", info.dli_fname);
	if (!realpath(self_path, self_real))
		self_real[0] = '\0';
}

static bool is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(entry, name, n) && entry[n] == '=';
}

/* One LD_PRELOAD entry, len bytes at p: is it libimpulse? */
static bool is_self(const char *p, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];

	if (!self_path[0] || len >= sizeof(path))
		return false;
	if (strlen(self_path) == len && !memcmp(self_path, p, len))
		return true;
	memcpy(path, p, len);
	path[len] = '\0';
	return self_real[0] && realpath(path, real) && !strcmp(real, self_real);
}

/*
 * entry ("LD_PRELOAD=…") without libimpulse, into buf: entries are separated by
 * blanks or colons, the separator before each kept one is kept. NULL when nothing
 * is left; entry itself when it is too long to edit.
 */
static char *without_self(char *entry, char *buf)
{
	static const char name[] = "LD_PRELOAD=";
	const char *p = entry + sizeof(name) - 1;
	size_t n = sizeof(name) - 1, kept = 0;

	if (strlen(entry) >= CHILD_ENV_PRELOAD_MAX) {
		static bool warned;

		if (!warned)
			diag_error("trace_exec = false: LD_PRELOAD is too long to edit: started programs are traced");
		warned = true;
		return entry;
	}
	memcpy(buf, name, n);
	while (*p) {
		size_t sep = strspn(p, " :"), len = strcspn(p + sep, " :");

		if (len && !is_self(p + sep, len)) {
			if (kept++ && sep)
				buf[n++] = p[sep - 1];
			memcpy(buf + n, p + sep, len);
			n += len;
		}
		p += sep + len;
	}
	buf[n] = '\0';
	return kept ? buf : NULL;
}

/* entry ("LD_PRELOAD=…") names libimpulse. */
static bool preloads_self(const char *entry)
{
	const char *p = entry + 11;

	while (*p) {
		size_t sep = strspn(p, " :"), len = strcspn(p + sep, " :");

		if (len && is_self(p + sep, len))
			return true;
		p += sep + len;
	}
	return false;
}

size_t child_env_slots(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n + 3;
}

char **child_env_build(struct child_env *ce, char *const envp[], char **arr,
		       const struct lineage_ref *ref)
{
	bool trace = tracer.cfg.settings.trace_exec, traced = false;
	size_t n = 0;

	for (size_t i = 0; envp && envp[i]; i++) {
		char *e = envp[i];

		if (trace && (is_var(e, LINEAGE_TRACEPARENT) || is_var(e, LINEAGE_TRACESTATE)))
			continue;
		if (is_var(e, "LD_PRELOAD")) {
			if (trace) {
				traced = preloads_self(e);
			} else {
				e = without_self(e, ce->preload);
				if (!e)
					continue;
			}
		}
		arr[n++] = e;
	}
	/* Only for a program we will trace: any other would see them. */
	if (traced && ref->set) {
		lineage_format(ref, ce->tp, ce->ts);
		arr[n++] = ce->tp;
		arr[n++] = ce->ts;
	}
	arr[n] = NULL;
	return arr;
}
