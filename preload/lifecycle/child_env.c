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
#include <unistd.h>

#include "lifecycle/child_env.h"
#include "base/diag.h"
#include "base/tracer.h"

/* A path variable whose value at start was relative, and its absolute form. */
struct abs_var {
	const char *name;
	char orig[PATH_MAX];		/* the value as the process started with it */
	char entry[PATH_MAX + 32];	/* "NAME=/absolute", or "" when orig was absolute or unset */
};

static struct abs_var abs_vars[] = {
	{ .name = "IMPULSE_CONFIG" },
	{ .name = "IMPULSE_LOG_DIR" },
	{ .name = "IMPULSE_PROTO_DIR" },
};

static char log_dir_entry[PATH_MAX + 32];	/* "IMPULSE_LOG_DIR=/…" from hooks.conf, or "" */

static char self_path[PATH_MAX];	/* libimpulse as the loader named it */
static char self_real[PATH_MAX];	/* and with links resolved */

void child_env_take_paths(void)
{
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		return;	/* a removed directory: the paths stay as they are */
	for (size_t i = 0; i < sizeof(abs_vars) / sizeof(abs_vars[0]); i++) {
		struct abs_var *v = &abs_vars[i];
		const char *value = getenv(v->name);
		int n;

		v->entry[0] = '\0';
		if (!value || !*value || value[0] == '/' || strlen(value) >= sizeof(v->orig))
			continue;
		n = snprintf(v->entry, sizeof(v->entry), "%s=%s/%s", v->name, strcmp(cwd, "/") ? cwd : "",
			     value[0] == '.' && value[1] == '/' ? value + 2 : value);
		if (n < 0 || (size_t)n >= sizeof(v->entry)) {
			v->entry[0] = '\0';
			continue;
		}
		snprintf(v->orig, sizeof(v->orig), "%s", value);
	}
}

const char *child_env_path(const char *name)
{
	for (size_t i = 0; i < sizeof(abs_vars) / sizeof(abs_vars[0]); i++)
		if (!strcmp(abs_vars[i].name, name) && abs_vars[i].entry[0])
			return abs_vars[i].entry + strlen(name) + 1;
	return getenv(name);
}

void child_env_set_log_dir(const char *abs_dir)
{
	int n = snprintf(log_dir_entry, sizeof(log_dir_entry), "IMPULSE_LOG_DIR=%s", abs_dir);

	if (n < 0 || (size_t)n >= sizeof(log_dir_entry) || abs_dir[0] != '/')
		log_dir_entry[0] = '\0';
}

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

/*
 * entry ("LD_PRELOAD=…") with libimpulse's name made absolute, into buf, when the
 * loader was given a relative one (with a slash: looked up from the directory the
 * new image starts in, where a child that changed directory would not find it, and
 * the loader would say so on the program's stderr). entry itself when there is
 * nothing to change or the result would not fit.
 */
static char *self_absolute(char *entry, char *buf)
{
	static const char name[] = "LD_PRELOAD=";
	const char *p = entry + sizeof(name) - 1;
	size_t n = sizeof(name) - 1, self_len = strlen(self_path);
	bool changed = false;

	if (!self_real[0] || self_path[0] == '/' || !strchr(self_path, '/'))
		return entry;
	memcpy(buf, name, n);
	while (*p) {
		size_t sep = strspn(p, " :"), len = strcspn(p + sep, " :");
		const char *word = p + sep;
		size_t wlen = len;

		if (len == self_len && !memcmp(word, self_path, len)) {
			word = self_real;
			wlen = strlen(self_real);
			changed = true;
		}
		if (n + sep + wlen >= CHILD_ENV_PRELOAD_MAX)
			return entry;
		memcpy(buf + n, p, sep);
		memcpy(buf + n + sep, word, wlen);
		n += sep + wlen;
		p += sep + len;
	}
	buf[n] = '\0';
	return changed ? buf : entry;
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
	return n + 4;	/* two lineage variables, IMPULSE_LOG_DIR, NULL */
}

/*
 * entry, or our absolute form of it when it is one of the path variables with the
 * relative value the process started with (a value the program changed is its own).
 */
static char *absolute_entry(char *entry)
{
	for (size_t i = 0; i < sizeof(abs_vars) / sizeof(abs_vars[0]); i++) {
		struct abs_var *v = &abs_vars[i];
		size_t n = strlen(v->name);

		if (v->entry[0] && is_var(entry, v->name) && !strcmp(entry + n + 1, v->orig))
			return v->entry;
	}
	return entry;
}

/* envp's value of IMPULSE_CONFIG names the file this process read. */
static bool same_config(const char *value)
{
	const char *ours = child_env_path("IMPULSE_CONFIG");

	return value && ours && (!strcmp(value, ours) || !strcmp(value, abs_vars[0].orig));
}

char **child_env_build(struct child_env *ce, char *const envp[], char **arr,
		       const struct lineage_ref *ref)
{
	bool trace = tracer.cfg.settings.trace_exec, traced = false, has_log_dir = false;
	const char *config = NULL;
	size_t n = 0;

	/* Whether the new image will be traced decides what it may be handed. */
	for (size_t i = 0; trace && envp && envp[i]; i++)
		if (is_var(envp[i], "LD_PRELOAD"))
			traced = preloads_self(envp[i]);
	for (size_t i = 0; envp && envp[i]; i++) {
		char *e = envp[i];

		if (trace && (is_var(e, LINEAGE_TRACEPARENT) || is_var(e, LINEAGE_TRACESTATE)))
			continue;
		if (traced) {
			e = absolute_entry(e);
			if (is_var(e, "IMPULSE_LOG_DIR"))
				has_log_dir = true;
			if (is_var(e, "IMPULSE_CONFIG"))
				config = e + sizeof("IMPULSE_CONFIG");
		}
		if (is_var(e, "LD_PRELOAD")) {
			if (!trace) {
				e = without_self(e, ce->preload);
				if (!e)
					continue;
			} else if (traced) {
				e = self_absolute(e, ce->preload);
			}
		}
		arr[n++] = e;
	}
	/* Only for a program we will trace: any other would see them. */
	if (traced && !has_log_dir && log_dir_entry[0] && same_config(config))
		arr[n++] = log_dir_entry;
	if (traced && ref->set) {
		lineage_format(ref, ce->tp, ce->ts);
		arr[n++] = ce->tp;
		arr[n++] = ce->ts;
	}
	arr[n] = NULL;
	return arr;
}
