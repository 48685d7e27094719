/*
 * dlopen_caller.c — dlopen as the program's caller would see it, though libimpulse's
 * wrapper is the one that calls dlopen.
 *
 * glibc resolves a bare name given to dlopen (no '/') with the search path of the
 * object that called dlopen, found from the return address: that object's
 * DT_RPATH (and the executable's) or DT_RUNPATH, with LD_LIBRARY_PATH between them;
 * "$ORIGIN" in the name is the caller's directory too. From our wrapper the caller
 * would be libimpulse.so, which has no run path: a program that dlopens
 * "libplugin.so" from its $ORIGIN run path would fail under the tracer. So for a
 * bare name we ask ld.so for the caller's own search list (dlinfo
 * RTLD_DI_SERINFO on the caller's link map), try its directories before the system
 * ones (RPATH, LD_LIBRARY_PATH, RUNPATH) in order, and leave the rest (ld.so.cache
 * and the system directories, the same for every caller) to dlopen itself.
 *
 * Runs in the wrapper, on the program's thread, outside the hot path: it may
 * allocate. errno is dlopen's.
 */

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intercept/dlopen_caller.h"

/* The link map of the object containing addr, or NULL. */
static struct link_map *object_of(const void *addr)
{
	struct link_map *lm = NULL;
	Dl_info info;

	if (!addr || !dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP))
		return NULL;
	return lm;
}

/* The directory of the object lm (the program's when its name is ""), in out. */
static bool object_dir(const struct link_map *lm, char *out, size_t size)
{
	char path[PATH_MAX];
	const char *name = lm->l_name;
	char *slash;

	if (!name || !name[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		if (n <= 0)
			return false;
		path[n] = '\0';
		name = path;
	}
	if (snprintf(out, size, "%s", name) >= (int)size || !(slash = strrchr(out, '/')))
		return false;
	*slash = '\0';
	return true;
}

/* file with "$ORIGIN" / "${ORIGIN}" replaced by the caller's directory, in out. */
static const char *expand_origin(const char *file, const struct link_map *lm, char *out, size_t size)
{
	char dir[PATH_MAX];
	size_t o = 0;

	if (!strstr(file, "$ORIGIN") && !strstr(file, "${ORIGIN}"))
		return file;
	if (!lm || !object_dir(lm, dir, sizeof(dir)))
		return file;
	for (const char *p = file; *p;) {
		size_t skip = !strncmp(p, "${ORIGIN}", 9) ? 9 : !strncmp(p, "$ORIGIN", 7) ? 7 : 0;
		const char *part = skip ? dir : p;
		size_t n = skip ? strlen(dir) : 1;

		if (o + n + 1 > size)
			return file;
		memcpy(out + o, part, n);
		o += n;
		p += skip ? skip : 1;
	}
	out[o] = '\0';
	return out;
}

/* ld.so's search list for a dlopen from lm (dlinfo RTLD_DI_SERINFO), malloc'd, or NULL. */
static Dl_serinfo *search_list(struct link_map *lm)
{
	Dl_serinfo size_info, *si;

	if (dlinfo(lm, RTLD_DI_SERINFOSIZE, &size_info) || !size_info.dls_cnt)
		return NULL;
	si = malloc(size_info.dls_size);
	if (!si)
		return NULL;
	si->dls_size = size_info.dls_size;
	si->dls_cnt = size_info.dls_cnt;
	if (dlinfo(lm, RTLD_DI_SERINFOSIZE, si) || dlinfo(lm, RTLD_DI_SERINFO, si)) {
		free(si);
		return NULL;
	}
	return si;
}

/*
 * How many entries at the end of the caller's list are the system directories,
 * searched after ld.so.cache and the same for every caller: the entries it shares,
 * from the end, with our own list (libimpulse has no run path of its own; this
 * glibc leaves dls_flags 0, so they cannot tell).
 */
static unsigned common_tail(const Dl_serinfo *caller, const Dl_serinfo *ours)
{
	unsigned m = 0;

	while (m < caller->dls_cnt && m < ours->dls_cnt &&
	       !strcmp(caller->dls_serpath[caller->dls_cnt - 1 - m].dls_name,
		       ours->dls_serpath[ours->dls_cnt - 1 - m].dls_name))
		m++;
	return m;
}

/*
 * dlopen(dir/file) for the first directory of the caller's own part of its search
 * list (RPATH, LD_LIBRARY_PATH, RUNPATH: before the cache and the system
 * directories) that holds file and whose file ld.so accepts; NULL when none does.
 */
static void *open_on_caller_path(struct link_map *lm, const char *file, int mode)
{
	struct link_map *self = object_of((const void *)open_on_caller_path);
	Dl_serinfo *si = search_list(lm), *own = self ? search_list(self) : NULL;
	void *h = NULL;

	if (si && own) {
		unsigned n = si->dls_cnt - common_tail(si, own);

		for (unsigned i = 0; i < n && !h; i++) {
			char full[PATH_MAX];
			const char *dir = si->dls_serpath[i].dls_name;

			if (snprintf(full, sizeof(full), "%s/%s", dir[0] ? dir : ".", file) >= (int)sizeof(full) ||
			    access(full, F_OK))
				continue;
			/* a file of another class or machine: ld.so's search skips it too */
			h = dlopen(full, mode);
		}
	}
	free(si);
	free(own);
	return h;
}

void *dlopen_caller_open(const char *file, int mode, const void *caller)
{
	char expanded[PATH_MAX];
	struct link_map *lm;
	void *h;

	if (!file)
		return dlopen(file, mode);
	lm = object_of(caller);
	file = expand_origin(file, lm, expanded, sizeof(expanded));
	if (strchr(file, '/') || !lm)
		return dlopen(file, mode);
	/* Loaded already (by name or soname): the search never runs. */
	h = dlopen(file, mode | RTLD_NOLOAD);
	if (h) {
		if (!(mode & RTLD_NOLOAD)) {
			/* the same handle, with the reference and flags the call asks for */
			dlclose(h);
			h = dlopen(file, mode);
		}
		return h;
	}
	if (mode & RTLD_NOLOAD)
		return NULL;
	h = open_on_caller_path(lm, file, mode);
	return h ? h : dlopen(file, mode);
}
