/*
 * capture_main.c — calls every libcap function and prints, for each call, the
 * arguments and return as the record must show them (common/oracle.h), and a
 * STATUS line with the status and exception the record must carry. The limits
 * the expectations assume are those of hooks.conf (max_buffer 64, max_array 8,
 * max_depth 2, max_string 128).
 *
 * "capture_main big" instead writes a 1 MiB buffer 100 times (hooks_big.conf).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libcap.h"
#include "oracle.h"

static struct jb a, r;

static void status(const char *fn, const char *st, const char *exception_json)
{
	printf("STATUS\t%s\t\"%s\"\t%s\n", fn, st, exception_json);
	fflush(stdout);
}

static void emit(const char *fn)
{
	jb_emit(fn, &a, &r);
	status(fn, "success", "null");
}

static void base64(struct jb *j, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	jb_put(j, "{\"base64\":\"");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		jb_put(j, "%c%c%c%c", tab[v >> 18], tab[(v >> 12) & 63],
		       i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '=');
	}
	jb_put(j, "\"}");
}

static void *no_access_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? (void *)16 : p;
}

static void buffers(void)
{
	unsigned char bin[16];
	char text[100], rbuf[20];
	char fbuf[12];
	void *bad = no_access_page();
	ssize_t n;
	int e;

	n = cap_write(1, "hello\n", 6);
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 1);
	jb_key(&a, "buf"); jb_raw(&a, "\"hello\\n\"");
	jb_key(&a, "count"); jb_i(&a, 6);
	jb_value(&r); jb_i(&r, n);
	emit("cap_write");

	for (int i = 0; i < 16; i++)
		bin[i] = (unsigned char)i;
	n = cap_write(1, bin, sizeof(bin));
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 1);
	jb_key(&a, "buf"); base64(&a, bin, sizeof(bin));
	jb_key(&a, "count"); jb_i(&a, 16);
	jb_value(&r); jb_i(&r, n);
	emit("cap_write");

	memset(text, 'x', sizeof(text));
	n = cap_write(2, text, sizeof(text));
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 2);
	jb_key(&a, "buf"); jb_put(&a, "{\"value\":\"%.64s\",\"length\":100,\"truncated\":true}", text);
	jb_key(&a, "count"); jb_i(&a, 100);
	jb_value(&r); jb_i(&r, n);
	emit("cap_write");

	n = cap_write(1, (void *)16, 10);
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 1);
	jb_key(&a, "buf"); jb_unreadable(&a, (void *)16);
	jb_key(&a, "count"); jb_i(&a, 10);
	jb_value(&r); jb_i(&r, n);
	emit("cap_write");

	n = cap_write(1, bad, 10);
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 1);
	jb_key(&a, "buf"); jb_unreadable(&a, bad);
	jb_key(&a, "count"); jb_i(&a, 10);
	jb_value(&r); jb_i(&r, n);
	emit("cap_write");

	n = cap_read(0, rbuf, sizeof(rbuf));
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, 0);
	jb_key(&a, "buf"); jb_put(&a, "\"%.*s\"", (int)n, rbuf);
	jb_key(&a, "count"); jb_i(&a, 20);
	jb_value(&r); jb_i(&r, n);
	emit("cap_read");

	errno = 0;
	n = cap_read(-1, rbuf, sizeof(rbuf));
	e = errno;
	jb_args(&a);
	jb_key(&a, "fd"); jb_i(&a, -1);
	jb_key(&a, "buf"); jb_p(&a, rbuf);	/* a negative length: the address */
	jb_key(&a, "count"); jb_i(&a, 20);
	jb_value(&r); jb_i(&r, n);
	jb_emit("cap_read", &a, &r);
	status("cap_read", "error", "\"EIO: Input/output error\"");
	printf("errno after cap_read: %d\n", e);

	n = (ssize_t)cap_fread(fbuf, 4, 3, NULL);
	jb_args(&a);
	jb_key(&a, "ptr"); jb_raw(&a, "\"zzzzzzzz\"");
	jb_key(&a, "size"); jb_i(&a, 4);
	jb_key(&a, "nmemb"); jb_i(&a, 3);
	jb_key(&a, "f"); jb_p(&a, NULL);
	jb_value(&r); jb_i(&r, n);
	emit("cap_fread");
}

static void out_params(void)
{
	char *end = NULL;
	struct point p;
	struct handle *h = NULL;
	int v = 21;
	long l;
	int ret;

	l = cap_strtol("123abc", &end, 10);
	jb_args(&a);
	jb_key(&a, "s"); jb_raw(&a, "\"123abc\"");
	jb_key(&a, "end"); jb_put(&a, "\"%s\"", end);
	jb_key(&a, "base"); jb_i(&a, 10);
	jb_value(&r); jb_i(&r, l);
	emit("cap_strtol");

	ret = cap_fill(&p);
	jb_args(&a);
	jb_key(&a, "p"); jb_put(&a, "{\"x\":%d,\"y\":%d,\"name\":\"%s\"}", p.x, p.y, p.name);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_fill");

	ret = cap_open_handle("abc", &h);
	jb_args(&a);
	jb_key(&a, "name"); jb_raw(&a, "\"abc\"");
	jb_key(&a, "h"); jb_p(&a, h);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_open_handle");

	ret = cap_getint(&v);
	jb_args(&a);
	jb_key(&a, "p"); jb_i(&a, v);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_getint");
}

static void int_list(struct jb *j, const int *v, int n, int shown)
{
	if (n > shown)
		jb_put(j, "{\"items\":");
	jb_put(j, "[");
	for (int i = 0; i < n && i < shown; i++)
		jb_put(j, "%s%d", i ? "," : "", v[i]);
	jb_put(j, "]");
	if (n > shown)
		jb_put(j, ",\"length\":%d,\"truncated\":true}", n);
}

static void str_list(struct jb *j, char *const *v, int n, int shown)
{
	if (n > shown)
		jb_put(j, "{\"items\":");
	jb_put(j, "[");
	for (int i = 0; i < n && i < shown; i++)
		jb_put(j, "%s\"%s\"", i ? "," : "", v[i]);
	jb_put(j, "]");
	if (n > shown)
		jb_put(j, ",\"length\":%d,\"truncated\":true}", n);
}

static void arrays(void)
{
	int five[5] = { 1, 2, 3, 4, 5 }, ten[10];
	static char prog[] = "prog", opt[] = "-v", file[] = "file", sa[] = "a", sb[] = "b";
	char *args3[] = { prog, opt, file };
	char *nt2[] = { sa, sb, NULL };
	char *nt10[11];
	int ret;

	ret = cap_sum(5, five);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 5);
	jb_key(&a, "v"); int_list(&a, five, 5, 8);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_sum");

	for (int i = 0; i < 10; i++)
		ten[i] = i * i;
	ret = cap_sum(10, ten);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 10);
	jb_key(&a, "v"); int_list(&a, ten, 10, 8);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_sum");

	ret = cap_argv(3, args3);
	jb_args(&a);
	jb_key(&a, "argc"); jb_i(&a, 3);
	jb_key(&a, "argv"); str_list(&a, args3, 3, 8);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_argv");

	ret = cap_execv("/bin/x", nt2);
	jb_args(&a);
	jb_key(&a, "path"); jb_raw(&a, "\"/bin/x\"");
	jb_key(&a, "argv"); str_list(&a, nt2, 2, 8);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_execv");

	for (int i = 0; i < 10; i++) {
		static char names[10][4];

		snprintf(names[i], sizeof(names[i]), "a%d", i);
		nt10[i] = names[i];
	}
	nt10[10] = NULL;
	ret = cap_execv("/bin/y", nt10);
	jb_args(&a);
	jb_key(&a, "path"); jb_raw(&a, "\"/bin/y\"");
	jb_key(&a, "argv"); str_list(&a, nt10, 10, 8);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_execv");
}

static void structs_behind_pointers(void)
{
	struct node n4 = { 4, "four", NULL }, n3 = { 3, "three", &n4 }, n2 = { 2, "two", &n3 },
		    n1 = { 1, "one", &n2 };
	struct node loop = { 9, "loop", NULL };
	static const char b2[2] = { 0, 1 };
	static char abc[] = "abc";
	struct chunk ch[2] = { { abc, 3 }, { (void *)b2, 2 } };
	int ret;

	loop.next = &loop;
	ret = cap_list(&n1);
	jb_args(&a);
	/* max_depth 2: the head and its next are followed, the third is an address. */
	jb_key(&a, "head");
	jb_put(&a, "{\"id\":1,\"label\":\"one\",\"next\":{\"id\":2,\"label\":\"two\",\"next\":\"%p\"}}",
	       (void *)&n3);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_list");

	ret = cap_list(&loop);
	jb_args(&a);
	jb_key(&a, "head");
	jb_put(&a, "{\"id\":9,\"label\":\"loop\",\"next\":{\"id\":9,\"label\":\"loop\",\"next\":\"%p\"}}",
	       (void *)&loop);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_list");

	ret = cap_list((struct node *)16);
	jb_args(&a);
	jb_key(&a, "head"); jb_unreadable(&a, (void *)16);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_list");

	ret = cap_list(NULL);
	jb_args(&a);
	jb_key(&a, "head"); jb_p(&a, NULL);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_list");

	ret = cap_chunks(2, ch);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 2);
	jb_key(&a, "c");
	jb_put(&a, "[{\"base\":\"abc\",\"len\":3},{\"base\":");
	base64(&a, (const unsigned char *)b2, 2);
	jb_put(&a, ",\"len\":2}]");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_chunks");
}

static void varargs(void)
{
	static const char fmt1[] = "%d %s %.*s %c %x %p %ld %n%%";
	static const char fmt2[] = "%d %d %d %d %d %d %d %d %f %f %f %f %f %f %f %f %f %f %s";
	static const char fmt3[] = "%s|%.2s|%Lf|%hhd|%lu";
	void *h = (void *)0x1234;
	int count = 0;
	long l;
	int ret;

	ret = cap_printf(fmt1, 42, "str", 3, "abcdef", 'A', 255, h, -5L, &count);
	jb_args(&a);
	jb_key(&a, "fmt"); jb_raw(&a, "\"%d %s %.*s %c %x %p %ld %n%%\"");
	jb_key(&a, "varargs"); jb_put(&a, "[42,\"str\",\"abc\",\"A\",255,\"%p\",-5]", h);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_printf");

	ret = cap_printf(fmt2, 1, -2, 3, -4, 5, -6, 7, -8, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5,
			 8.5, -9.25, "stack");
	jb_args(&a);
	jb_key(&a, "fmt"); jb_put(&a, "\"%s\"", fmt2);
	jb_key(&a, "varargs");
	jb_raw(&a, "[1,-2,3,-4,5,-6,7,-8,0.5,1.5,2.5,3.5,4.5,5.5,6.5,7.5,8.5,-9.25,\"stack\"]");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_printf");

	ret = cap_printf(fmt3, (char *)NULL, "xyz", 1.5L, 300, 7UL);
	jb_args(&a);
	jb_key(&a, "fmt"); jb_put(&a, "\"%s\"", fmt3);
	jb_key(&a, "varargs"); jb_raw(&a, "[null,\"xy\",{\"unsupported\":\"long double\"},44,7]");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_printf");

	l = cap_setopt(h, 1, "http://x");
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, h);
	jb_key(&a, "option"); jb_i(&a, 1);
	jb_key(&a, "varargs"); jb_raw(&a, "[\"http://x\"]");
	jb_value(&r); jb_i(&r, l);
	emit("cap_setopt");

	l = cap_setopt(h, 3, 99L);
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, h);
	jb_key(&a, "option"); jb_i(&a, 3);
	jb_key(&a, "varargs"); jb_raw(&a, "[99]");
	jb_value(&r); jb_i(&r, l);
	emit("cap_setopt");

	l = cap_setopt(h, 4, 2.5);
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, h);
	jb_key(&a, "option"); jb_i(&a, 4);
	jb_key(&a, "varargs"); jb_raw(&a, "[2.5]");
	jb_value(&r); jb_i(&r, l);
	emit("cap_setopt");

	l = cap_setopt(h, 77, h);
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, h);
	jb_key(&a, "option"); jb_i(&a, 77);
	jb_key(&a, "varargs"); jb_put(&a, "[\"%p\"]", h);
	jb_value(&r); jb_i(&r, l);
	emit("cap_setopt");
}

static void display(void)
{
	int ret;
	unsigned hv;

	ret = cap_display(2, 0101, 0644, 'A', 0x1f, 'z');
	jb_args(&a);
	jb_key(&a, "whence"); jb_raw(&a, "\"SEEK_END\"");
	jb_key(&a, "flags"); jb_raw(&a, "\"O_WRONLY|O_CREAT\"");
	jb_key(&a, "mode"); jb_raw(&a, "\"0644\"");
	jb_key(&a, "c"); jb_raw(&a, "\"A\"");
	jb_key(&a, "h"); jb_raw(&a, "\"0x1f\"");
	jb_key(&a, "plain"); jb_raw(&a, "\"z\"");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_display");

	ret = cap_display(7, 0, 0, '\n', 0, 1);
	jb_args(&a);
	jb_key(&a, "whence"); jb_i(&a, 7);
	jb_key(&a, "flags"); jb_raw(&a, "\"O_RDONLY\"");
	jb_key(&a, "mode"); jb_raw(&a, "\"0\"");
	jb_key(&a, "c"); jb_raw(&a, "\"\\\\n\"");
	jb_key(&a, "h"); jb_raw(&a, "\"0x0\"");
	jb_key(&a, "plain"); jb_raw(&a, "\"\\\\x01\"");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_display");

	ret = cap_display(0, 0x80041, 0755, '"', 0xdeadbeef, '\\');
	jb_args(&a);
	jb_key(&a, "whence"); jb_raw(&a, "\"SEEK_SET\"");
	jb_key(&a, "flags"); jb_raw(&a, "\"O_WRONLY|O_CREAT|0x80000\"");
	jb_key(&a, "mode"); jb_raw(&a, "\"0755\"");
	jb_key(&a, "c"); jb_raw(&a, "\"\\\"\"");
	jb_key(&a, "h"); jb_raw(&a, "\"0xdeadbeef\"");
	jb_key(&a, "plain"); jb_raw(&a, "\"\\\\\"");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_display");

	hv = cap_hash("abc");
	jb_args(&a);
	jb_key(&a, "s"); jb_raw(&a, "\"abc\"");
	jb_value(&r); jb_put(&r, "\"0x%x\"", hv);
	emit("cap_hash");
}

static void errors(void)
{
	void *p;
	int ret, e;

	errno = 0;
	ret = cap_open("/missing");
	e = errno;
	jb_args(&a);
	jb_key(&a, "path"); jb_raw(&a, "\"/missing\"");
	jb_value(&r); jb_i(&r, ret);
	jb_emit("cap_open", &a, &r);
	status("cap_open", "error", "\"ENOENT: No such file or directory\"");
	printf("errno after cap_open: %d\n", e);

	ret = cap_open("/exists");
	jb_args(&a);
	jb_key(&a, "path"); jb_raw(&a, "\"/exists\"");
	jb_value(&r); jb_i(&r, ret);
	emit("cap_open");

	ret = cap_lock(EBUSY);
	jb_args(&a);
	jb_key(&a, "code"); jb_i(&a, EBUSY);
	jb_value(&r); jb_i(&r, ret);
	jb_emit("cap_lock", &a, &r);
	status("cap_lock", "error", "\"EBUSY: Device or resource busy\"");

	ret = cap_lock(0);
	jb_args(&a);
	jb_key(&a, "code"); jb_i(&a, 0);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_lock");

	p = cap_alloc(1000);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 1000);
	jb_value(&r); jb_p(&r, p);
	jb_emit("cap_alloc", &a, &r);
	status("cap_alloc", "error", "\"returned NULL\"");

	p = cap_alloc(8);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 8);
	jb_value(&r); jb_p(&r, p);
	emit("cap_alloc");
}

static void by_value(void)
{
	struct ts x = { 1, 600000000 }, y = { 2, 700000000 }, s;
	struct big b;

	s = cap_add_ts(x, y);
	jb_args(&a);
	jb_key(&a, "a"); jb_put(&a, "{\"sec\":%ld,\"nsec\":%ld}", x.sec, x.nsec);
	jb_key(&a, "b"); jb_put(&a, "{\"sec\":%ld,\"nsec\":%ld}", y.sec, y.nsec);
	jb_value(&r); jb_put(&r, "{\"sec\":%ld,\"nsec\":%ld}", s.sec, s.nsec);
	emit("cap_add_ts");

	b = cap_make_big(3);
	jb_args(&a);
	jb_key(&a, "seed"); jb_i(&a, 3);
	jb_value(&r);
	jb_put(&r, "{\"name\":\"%s\",\"v\":[%d,%d,%d,%d],\"ts\":{\"sec\":%ld,\"nsec\":%ld},\"next\":null}",
	       b.name, b.v[0], b.v[1], b.v[2], b.v[3], b.ts.sec, b.ts.nsec);
	emit("cap_make_big");
}

static void more(void)
{
	static char xname[] = "xyz";
	struct named nm = { xname, 5 };
	struct node *n = NULL;
	char *text = NULL;
	long l = 0;
	int ret;

	ret = cap_getinfo((void *)0x10, 1, &l);
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, (void *)0x10);
	jb_key(&a, "what"); jb_i(&a, 1);
	jb_key(&a, "varargs"); jb_put(&a, "[%ld]", l);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_getinfo");

	ret = cap_getinfo((void *)0x10, 2, &text);
	jb_args(&a);
	jb_key(&a, "h"); jb_p(&a, (void *)0x10);
	jb_key(&a, "what"); jb_i(&a, 2);
	jb_key(&a, "varargs"); jb_put(&a, "[\"%s\"]", text);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_getinfo");

	ret = cap_named(nm);
	jb_args(&a);
	jb_key(&a, "n"); jb_put(&a, "{\"name\":\"%s\",\"v\":%d}", nm.name, nm.v);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_named");

	/* A returned struct pointer: followed at exit, max_depth levels. */
	n = cap_find(1);
	jb_args(&a);
	jb_key(&a, "id"); jb_i(&a, 1);
	jb_value(&r);
	jb_put(&r, "{\"id\":%d,\"label\":\"%s\",\"next\":{\"id\":%d,\"label\":\"%s\",\"next\":\"%p\"}}",
	       n->id, n->label, n->next->id, n->next->label, (void *)n->next->next);
	emit("cap_find");

	n = cap_find(2);
	jb_args(&a);
	jb_key(&a, "id"); jb_i(&a, 2);
	jb_value(&r); jb_p(&r, n);
	emit("cap_find");

	/* struct node ** [out]: the pointee is a struct pointer, one level spent on it. */
	ret = cap_make_list(&n);
	jb_args(&a);
	jb_key(&a, "out");
	jb_put(&a, "{\"id\":%d,\"label\":\"%s\",\"next\":\"%p\"}", n->id, n->label, (void *)n->next);
	jb_value(&r); jb_i(&r, ret);
	emit("cap_make_list");
}

static void bare(void)
{
	int ret = cap_untyped(5);

	jb_args(&a);
	jb_value(&r);
	jb_emit("cap_untyped", &a, &r);
	status("cap_untyped", "success", "null");
	printf("cap_untyped: %d\n", ret);
}

/* 100 writes of 1 MiB: each record holds at most max_capture bytes of it. */
static int big(void)
{
	size_t n = 1u << 20;
	char *buf = malloc(n);
	long sum = 0;

	if (!buf)
		return 1;
	memset(buf, 'q', n);
	for (int i = 0; i < 100; i++)
		sum += cap_write(1, buf, n);
	printf("wrote %ld\n", sum);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "big"))
		return big();
	buffers();
	out_params();
	arrays();
	structs_behind_pointers();
	varargs();
	display();
	errors();
	by_value();
	more();
	bare();
	return 0;
}
