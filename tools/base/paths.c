/*
 * paths.c — where the tool is, absolute paths for the traced program's environment,
 * and short paths for messages. String work plus getcwd/readlink: it prints nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/tool.h"

int path_self_dir(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	/* The kernel gives an absolute path, so there is a slash; "/impulse" lives in "/". */
	if (!slash)
		return -ENOENT;
	if (slash == exe)
		slash++;
	*slash = '\0';
	if (strlen(exe) >= size)
		return -ENAMETOOLONG;
	strcpy(out, exe);
	return 0;
}

int path_absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/') {
		n = snprintf(out, size, "%s", path);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	/* "./x" and "x" are the same place; keep the absolute path free of "/./". */
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/'; path++)
			;
	if (!strcmp(path, ".") || !path[0])
		n = snprintf(out, size, "%s", cwd);
	else
		n = snprintf(out, size, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *path_for_display(const char *path)
{
	char cwd[PATH_MAX];
	size_t len;

	if (!getcwd(cwd, sizeof(cwd)) || !strcmp(cwd, "/"))
		return path;
	len = strlen(cwd);
	if (!strncmp(path, cwd, len) && path[len] == '/' && path[len + 1])
		return path + len + 1;
	return path;
}
