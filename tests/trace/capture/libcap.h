/* libcap.h — functions whose arguments exercise every capture of the plan. */
#ifndef LIBCAP_H
#define LIBCAP_H

#include <stddef.h>
#include <sys/types.h>

struct point {
	int x;
	int y;
	char name[8];
};

struct node {
	int id;
	const char *label;
	struct node *next;
};

struct ts {
	long sec;
	long nsec;
};

struct big {
	char name[16];
	int v[4];
	struct ts ts;
	struct big *next;
};

struct chunk {
	void *base;
	size_t len;
};

struct handle;

struct named {
	const char *name;
	int v;
};

ssize_t cap_write(int fd, const void *buf, size_t count);
ssize_t cap_read(int fd, void *buf, size_t count);
size_t cap_fread(void *ptr, size_t size, size_t nmemb, void *f);
long cap_strtol(const char *s, char **end, int base);
int cap_fill(struct point *p);
int cap_open_handle(const char *name, struct handle **h);
int cap_getint(int *p);
int cap_sum(int n, const int *v);
int cap_argv(int argc, char **argv);
int cap_execv(const char *path, char *const argv[]);
int cap_list(struct node *head);
int cap_chunks(int n, const struct chunk *c);
int cap_printf(const char *fmt, ...);
long cap_setopt(void *h, int option, ...);
int cap_display(int whence, int flags, unsigned mode, int c, unsigned h, char plain);
unsigned cap_hash(const char *s);
int cap_open(const char *path);
int cap_lock(int code);
void *cap_alloc(size_t n);
struct ts cap_add_ts(struct ts a, struct ts b);
struct big cap_make_big(int seed);
int cap_untyped(int x);
int cap_getinfo(void *h, int what, ...);
int cap_named(struct named n);
struct node *cap_find(int id);
int cap_make_list(struct node **out);

#endif
