/*
 * dlopen_main.c — calls libhelper directly, then opens libplugin.so (beside the
 * program) with dlopen and calls its functions through dlsym'd pointers, calls
 * help_add through a pointer from dlsym(RTLD_DEFAULT), closes the plugin, opens it
 * again and calls it once more. An oracle line per call made from here.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "libhelper.h"
#include "oracle.h"

typedef int (*int_fn)(int);
typedef int (*int2_fn)(int, int);

static struct jb a, r;

static void line1(const char *fn, int x, int ret)
{
	jb_args(&a); jb_key(&a, "x"); jb_i(&a, x);
	jb_value(&r); jb_i(&r, ret);
	jb_emit(fn, &a, &r);
}

static void line2(const char *fn, int x, int y, int ret)
{
	jb_args(&a); jb_key(&a, "a"); jb_i(&a, x); jb_key(&a, "b"); jb_i(&a, y);
	jb_value(&r); jb_i(&r, ret);
	jb_emit(fn, &a, &r);
}

static void *open_plugin(const char *dir)
{
	char path[PATH_MAX];
	void *h;

	snprintf(path, sizeof(path), "%s/libplugin.so", dir);
	h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		fprintf(stderr, "dlopen: %s\n", dlerror());
	return h;
}

static int use_plugin(void *h, int x)
{
	int_fn run = (int_fn)dlsym(h, "plug_run");
	int_fn leaf = (int_fn)dlsym(h, "plug_leaf");
	int_fn quiet = (int_fn)dlsym(h, "plug_quiet");

	if (!run || !leaf || !quiet) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 1;
	}
	line1("plug_run", x, run(x));
	line1("plug_leaf", x, leaf(x));
	printf("quiet %d\n", quiet(x));
	return 0;
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX], dir[PATH_MAX];
	int2_fn add;
	void *h;

	(void)argc;
	snprintf(buf, sizeof(buf), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s", dirname(buf));

	line2("help_add", 1, 2, help_add(1, 2));

	h = open_plugin(dir);
	if (!h || use_plugin(h, 10))
		return 1;

	add = (int2_fn)dlsym(RTLD_DEFAULT, "help_add");
	if (!add)
		return 1;
	line2("help_add", 5, 6, add(5, 6));

	dlclose(h);
	h = open_plugin(dir);
	if (!h || use_plugin(h, 20))
		return 1;
	dlclose(h);
	line2("help_mul", 3, 4, help_mul(3, 4));
	return 0;
}
