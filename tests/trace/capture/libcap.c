/* libcap.c — the traced side of the capture test: small functions that read and
 * fill what they are given, deterministically. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcap.h"

struct handle {
	int n;
};

ssize_t cap_write(int fd, const void *buf, size_t count)
{
	(void)fd;
	(void)buf;
	return (ssize_t)count;
}

/* Fills buf with "r0r1…" up to count bytes; fd < 0 fails with EIO. */
ssize_t cap_read(int fd, void *buf, size_t count)
{
	char *p = buf;

	if (fd < 0) {
		errno = EIO;
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		p[i] = (char)('a' + i % 26);
	return (ssize_t)(count > 5 ? count - 5 : count);
}

size_t cap_fread(void *ptr, size_t size, size_t nmemb, void *f)
{
	(void)f;
	memset(ptr, 'z', size * nmemb);
	return nmemb > 1 ? nmemb - 1 : nmemb;
}

long cap_strtol(const char *s, char **end, int base)
{
	return strtol(s, end, base);
}

int cap_fill(struct point *p)
{
	p->x = 17;
	p->y = -4;
	strcpy(p->name, "pt");
	return 0;
}

int cap_open_handle(const char *name, struct handle **h)
{
	static struct handle one;

	one.n = (int)strlen(name);
	*h = &one;
	return 0;
}

int cap_getint(int *p)
{
	return *p * 2;
}

int cap_sum(int n, const int *v)
{
	int s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s;
}

int cap_argv(int argc, char **argv)
{
	(void)argv;
	return argc;
}

int cap_execv(const char *path, char *const argv[])
{
	int n = 0;

	(void)path;
	while (argv[n])
		n++;
	return n;
}

int cap_list(struct node *head)
{
	(void)head;
	return 0;
}

int cap_chunks(int n, const struct chunk *c)
{
	size_t s = 0;

	for (int i = 0; i < n; i++)
		s += c[i].len;
	return (int)s;
}

int cap_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n;
}

long cap_setopt(void *h, int option, ...)
{
	va_list ap;
	long r = 0;

	(void)h;
	va_start(ap, option);
	if (option == 1)
		r = (long)strlen(va_arg(ap, const char *));
	else if (option == 2 || option == 3)
		r = va_arg(ap, long);
	else if (option == 4)
		r = (long)va_arg(ap, double);
	else
		r = va_arg(ap, void *) != NULL;
	va_end(ap);
	return r;
}

int cap_display(int whence, int flags, unsigned mode, int c, unsigned h, char plain)
{
	return whence + flags + (int)mode + c + (int)h + plain;
}

unsigned cap_hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int cap_open(const char *path)
{
	if (strcmp(path, "/exists") != 0) {
		errno = ENOENT;
		return -1;
	}
	return 3;
}

int cap_lock(int code)
{
	errno = 0;
	return code;
}

void *cap_alloc(size_t n)
{
	static char pool[64];

	if (n > sizeof(pool)) {
		errno = ENOMEM;
		return NULL;
	}
	return pool;
}

struct ts cap_add_ts(struct ts a, struct ts b)
{
	struct ts r = { a.sec + b.sec, a.nsec + b.nsec };

	if (r.nsec >= 1000000000) {
		r.sec++;
		r.nsec -= 1000000000;
	}
	return r;
}

struct big cap_make_big(int seed)
{
	struct big b;

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "big%d", seed);
	for (int i = 0; i < 4; i++)
		b.v[i] = seed * (i + 1);
	b.ts.sec = seed;
	b.ts.nsec = 500;
	b.next = NULL;
	return b;
}

int cap_untyped(int x)
{
	return x + 1;
}

int cap_getinfo(void *h, int what, ...)
{
	static char text[] = "text";
	va_list ap;

	(void)h;
	va_start(ap, what);
	if (what == 1)
		*va_arg(ap, long *) = 77;
	else if (what == 2)
		*va_arg(ap, char **) = text;
	va_end(ap);
	return what;
}

int cap_named(struct named n)
{
	return n.v + (int)strlen(n.name);
}

static struct node found3 = { 3, "c", NULL }, found2 = { 2, "b", &found3 }, found1 = { 1, "a", &found2 };

struct node *cap_find(int id)
{
	return id == 1 ? &found1 : NULL;
}

int cap_make_list(struct node **out)
{
	*out = &found2;
	return 2;
}
