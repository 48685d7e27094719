/*
 * locate.c — where libimpulse.so and the shipped prototype files are, found from
 * the impulse executable's own place: beside it in the build tree (build/impulse,
 * build/libimpulse.so, build/protos/), or installed (PREFIX/bin/impulse,
 * PREFIX/lib/libimpulse.so, PREFIX/share/libimpulse/protos/). Prints nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tool.h"

/* The first of two candidates (relative to the executable's directory) that exists. */
static int locate(const char *beside, const char *installed, int mode, char *out, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	int err = path_self_dir(dir, sizeof(dir));

	if (err)
		return err;
	if (!strcmp(dir, "/"))
		dir[0] = '\0';
	if ((size_t)snprintf(out, size, "%s/%s", dir, beside) < size && !access(out, mode))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, installed);
	/* realpath() both checks that it exists and drops the "bin/.." for messages. */
	if (size >= PATH_MAX && realpath(path, out) && !access(out, mode))
		return 0;
	return -ENOENT;
}

int locate_library(char *out, size_t size)
{
	return locate(LIBIMPULSE_NAME, "../lib/" LIBIMPULSE_NAME, R_OK, out, size);
}

int locate_proto_dir(char *out, size_t size)
{
	const char *env = getenv("IMPULSE_PROTO_DIR");

	if (env && *env) {
		if ((size_t)snprintf(out, size, "%s", env) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	return locate("protos", "../share/libimpulse/protos", X_OK, out, size);
}
