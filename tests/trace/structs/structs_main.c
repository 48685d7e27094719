/*
 * structs_main.c — calls every libstructs function with values that show a misread
 * eightbyte, a register taken by the wrong class, a misplaced stack slot or a lost
 * hidden pointer, and prints each call as an oracle line (common/oracle.h): structs
 * as objects of their fields, char arrays as strings, a plain char as a character,
 * unions with every member read from the same bytes, long double as unsupported,
 * varargs under "varargs" last. Built -O0 and -O2, PIE and not, lazy and immediate
 * binding, -fno-plt; the records must be the same.
 */
#include <stdio.h>
#include <string.h>

#include "libstructs.h"
#include "oracle.h"

static struct jb a, r;

static const char ld_json[] = "{\"unsupported\":\"long double\"}";

static void j_char(struct jb *j, char c)
{
	jb_put(j, "\"%c\"", c);
}

static void j_pair(struct jb *j, struct pair_id p)
{
	jb_put(j, "{\"a\":"); jb_i(j, p.a);
	jb_put(j, ",\"b\":"); jb_d(j, p.b);
	jb_put(j, "}");
}

static void j_dd(struct jb *j, struct dd d)
{
	jb_put(j, "{\"x\":"); jb_d(j, d.x);
	jb_put(j, ",\"y\":"); jb_d(j, d.y);
	jb_put(j, "}");
}

static void j_fff(struct jb *j, struct fff v)
{
	jb_put(j, "{\"a\":"); jb_d(j, v.a);
	jb_put(j, ",\"b\":"); jb_d(j, v.b);
	jb_put(j, ",\"c\":"); jb_d(j, v.c);
	jb_put(j, "}");
}

static void j_mixed(struct jb *j, struct mixed m)
{
	jb_put(j, "{\"c\":"); j_char(j, m.c);
	jb_put(j, ",\"s\":"); jb_i(j, m.s);
	jb_put(j, ",\"i\":"); jb_i(j, m.i);
	jb_put(j, ",\"f\":"); jb_d(j, m.f);
	jb_put(j, "}");
}

static void j_ll(struct jb *j, struct ll l)
{
	jb_put(j, "{\"a\":"); jb_i(j, l.a);
	jb_put(j, ",\"b\":"); jb_i(j, l.b);
	jb_put(j, "}");
}

static void j_big(struct jb *j, const struct big *b)
{
	jb_put(j, "{\"name\":\"%s\",\"v\":[%d,%d,%d,%d],\"id\":", b->name, b->v[0], b->v[1],
	       b->v[2], b->v[3]);
	jb_i(j, b->id);
	jb_put(j, "}");
}

static void j_point(struct jb *j, struct point p)
{
	jb_put(j, "{\"x\":"); jb_d(j, p.x);
	jb_put(j, ",\"y\":"); jb_d(j, p.y);
	jb_put(j, "}");
}

static void j_nested(struct jb *j, struct nested n)
{
	jb_put(j, "{\"p\":"); j_point(j, n.p);
	jb_put(j, ",\"z\":"); jb_i(j, n.z);
	jb_put(j, "}");
}

static void j_arrs(struct jb *j, struct arrs x)
{
	jb_put(j, "{\"f\":["); jb_d(j, x.f[0]); jb_put(j, ","); jb_d(j, x.f[1]);
	jb_put(j, "],\"i\":[%d,%d]}", x.i[0], x.i[1]);
}

static void j_num(struct jb *j, union num u)
{
	jb_put(j, "{\"i\":"); jb_i(j, u.i);
	jb_put(j, ",\"f\":"); jb_d(j, u.f);
	jb_put(j, "}");
}

static void j_nine(struct jb *j, struct nine n)
{
	jb_put(j, "{\"s\":\"%.9s\"}", n.s);
}

static void j_ldbox(struct jb *j, struct ldbox b)
{
	jb_put(j, "{\"x\":%s,\"tag\":", ld_json);
	jb_i(j, b.tag);
	jb_put(j, "}");
}

/* Each struct class by value, as argument and return. */
static void call_classes(void)
{
	struct pair_id p = { -7, 2.5 };
	struct dd d1 = { 1.25, -3.5 }, d2 = { 1e100, 0.1 };
	struct fff v = { 1.5f, -2.25f, 1e10f };
	struct mixed m = { 'Q', -300, 123456, 0.125f };
	struct ll l = { 1L << 40, -2 };
	struct big b, rb;
	struct packed5 pk = { 'p', 0x7abbccdd };
	struct nested n = { { 9.5f, -1.0f }, -5000000000L };
	struct arrs ar = { { 3.5f, 7.25f }, { -1, 65536 } };
	union num u = { .i = 0x3f800001 };
	struct nine nine;

	jb_args(&a); jb_key(&a, "p"); j_pair(&a, p); jb_key(&a, "k"); jb_i(&a, 3);
	jb_value(&r); j_pair(&r, s_pair(p, 3));
	jb_emit("s_pair", &a, &r);

	jb_args(&a); jb_key(&a, "a"); j_dd(&a, d1); jb_key(&a, "b"); j_dd(&a, d2);
	jb_value(&r); j_dd(&r, s_dd(d1, d2));
	jb_emit("s_dd", &a, &r);

	jb_args(&a); jb_key(&a, "v"); j_fff(&a, v); jb_key(&a, "scale"); jb_d(&a, -0.5f);
	jb_value(&r); j_fff(&r, s_fff(v, -0.5f));
	jb_emit("s_fff", &a, &r);

	jb_args(&a); jb_key(&a, "m"); j_mixed(&a, m);
	jb_value(&r); j_mixed(&r, s_mixed(m));
	jb_emit("s_mixed", &a, &r);

	jb_args(&a); jb_key(&a, "a"); j_ll(&a, l);
	jb_value(&r); j_ll(&r, s_ll(l));
	jb_emit("s_ll", &a, &r);

	memset(&b, 0, sizeof(b));
	strcpy(b.name, "big-one");
	b.v[0] = 1; b.v[1] = -2; b.v[2] = 3; b.v[3] = 2000000000;
	b.id = 1L << 40;
	rb = s_big(b, 5);
	jb_args(&a); jb_key(&a, "b"); j_big(&a, &b); jb_key(&a, "add"); jb_i(&a, 5);
	jb_value(&r); j_big(&r, &rb);
	jb_emit("s_big", &a, &r);

	jb_args(&a); jb_key(&a, "p"); jb_put(&a, "{\"c\":\"p\",\"i\":%d}", pk.i);
	jb_key(&a, "x"); jb_i(&a, -9);
	jb_value(&r); jb_i(&r, s_packed(pk, -9));
	jb_emit("s_packed", &a, &r);

	jb_args(&a); jb_key(&a, "n"); j_nested(&a, n);
	jb_value(&r); j_nested(&r, s_nested(n));
	jb_emit("s_nested", &a, &r);

	jb_args(&a); jb_key(&a, "a"); j_arrs(&a, ar);
	jb_value(&r); j_arrs(&r, s_arrs(ar));
	jb_emit("s_arrs", &a, &r);

	jb_args(&a); jb_key(&a, "u"); j_num(&a, u);
	jb_value(&r); j_num(&r, s_union(u));
	jb_emit("s_union", &a, &r);

	/* The 'h' is byte 7 (rdi), the NUL byte 8 (rsi). */
	memcpy(nine.s, "abcdefgh", 9);
	jb_args(&a); jb_key(&a, "n"); j_nine(&a, nine);
	jb_value(&r); j_nine(&r, s_nine(nine));
	jb_emit("s_nine", &a, &r);
}

/* Structs after the registers run out, and the scalars after them. */
static void call_spills(void)
{
	struct ll l = { 100, -200 };
	struct pair_id p = { 11, 0.5 }, q = { -3, 1e-300 };
	struct dd d = { -1.5, 2.75 };
	struct fff v = { 0.25f, 0.5f, 0.75f };
	struct point pt = { -8.5f, 16.25f };
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };

	jb_args(&a);
	for (int i = 0; i < 5; i++) {
		jb_key(&a, names[i]); jb_i(&a, i + 1);
	}
	jb_key(&a, "s"); j_ll(&a, l);
	jb_key(&a, "g"); jb_i(&a, 7);
	jb_key(&a, "t"); j_pair(&a, p);
	jb_value(&r); jb_i(&r, s_after5(1, 2, 3, 4, 5, l, 7, p));
	jb_emit("s_after5", &a, &r);

	jb_args(&a);
	for (int i = 0; i < 6; i++) {
		jb_key(&a, names[i]); jb_i(&a, -(i + 1));
	}
	jb_key(&a, "t"); j_pair(&a, q);
	jb_key(&a, "x"); jb_d(&a, 99.0);
	jb_key(&a, "s"); j_ll(&a, l);
	jb_value(&r); jb_i(&r, s_after6(-1, -2, -3, -4, -5, -6, q, 99.0, l));
	jb_emit("s_after6", &a, &r);

	jb_args(&a);
	for (int i = 0; i < 8; i++) {
		jb_key(&a, names[i]); jb_d(&a, i + 0.5);
	}
	jb_key(&a, "s"); j_dd(&a, d);
	jb_key(&a, "i"); jb_d(&a, 9.5);
	jb_key(&a, "t"); j_pair(&a, p);
	jb_key(&a, "j"); jb_d(&a, 10.25f);
	jb_value(&r);
	jb_d(&r, s_after8(0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, d, 9.5, p, 10.25f));
	jb_emit("s_after8", &a, &r);

	jb_args(&a);
	jb_key(&a, "a"); jb_d(&a, 1.5f);
	jb_key(&a, "v"); j_fff(&a, v);
	jb_key(&a, "b"); jb_d(&a, -2.5);
	jb_key(&a, "p"); j_point(&a, pt);
	jb_key(&a, "c"); jb_d(&a, 3.25f);
	jb_key(&a, "d"); jb_d(&a, 1e30);
	jb_key(&a, "e"); jb_d(&a, -4.75f);
	jb_key(&a, "f"); jb_d(&a, 5.125);
	jb_key(&a, "g"); jb_d(&a, 6.0f);
	jb_key(&a, "h"); jb_d(&a, -7.0625);
	jb_key(&a, "i"); jb_d(&a, 8.5f);
	jb_value(&r);
	jb_d(&r, s_floats(1.5f, v, -2.5, pt, 3.25f, 1e30, -4.75f, 5.125, 6.0f, -7.0625, 8.5f));
	jb_emit("s_floats", &a, &r);
}

/* long double parameters and fields: unsupported, the rest still right; MEMORY
 * returns shifting the integer parameters by one register. */
static void call_long_double_and_hidden(void)
{
	struct pair_id p = { 4, -0.25 };
	struct ldbox box = { 2.5L, 31 }, rbox;
	struct dd d = { 1000.0, 24.0 };
	struct big made;

	jb_args(&a);
	jb_key(&a, "x"); jb_raw(&a, ld_json);
	jb_key(&a, "p"); j_pair(&a, p);
	jb_key(&a, "y"); jb_raw(&a, ld_json);
	jb_key(&a, "b"); j_ldbox(&a, box);
	jb_key(&a, "z"); jb_d(&a, 0.125);
	jb_key(&a, "w"); jb_i(&a, -77);
	jb_value(&r); jb_d(&r, s_ld(1.5L, p, -0.5L, box, 0.125, -77));
	jb_emit("s_ld", &a, &r);

	rbox = s_ldbox(12);
	jb_args(&a); jb_key(&a, "tag"); jb_i(&a, 12);
	jb_value(&r); j_ldbox(&r, rbox);
	jb_emit("s_ldbox", &a, &r);

	made = s_make_big(-1, 10, 20, 30, 40, 50, d, -60);
	jb_args(&a);
	jb_key(&a, "seed"); jb_i(&a, -1);
	jb_key(&a, "a"); jb_i(&a, 10);
	jb_key(&a, "b"); jb_i(&a, 20);
	jb_key(&a, "c"); jb_i(&a, 30);
	jb_key(&a, "d"); jb_i(&a, 40);
	jb_key(&a, "e"); jb_i(&a, 50);
	jb_key(&a, "f"); j_dd(&a, d);
	jb_key(&a, "g"); jb_i(&a, -60);
	jb_value(&r); j_big(&r, &made);
	jb_emit("s_make_big", &a, &r);
}

/* More variadic arguments than registers of either class. */
static void call_varargs(void)
{
	static const char fmt[] = "%d %d %d %d %d %d %d|%f %f %f %f %f %f %f %f %f %f|%ld %s %c %Lf %d";
	int v = vsum(fmt, 1, -2, 3, -4, 5, -6, 7, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5,
		     10000000000L, "string", 'Z', 2.75L, -99);

	jb_args(&a);
	jb_key(&a, "fmt"); jb_put(&a, "\"%s\"", fmt);
	jb_key(&a, "varargs");
	jb_put(&a, "[1,-2,3,-4,5,-6,7,0.5,1.5,2.5,3.5,4.5,5.5,6.5,7.5,8.5,9.5,10000000000,"
		   "\"string\",\"Z\",%s,-99]", ld_json);
	jb_value(&r); jb_i(&r, v);
	jb_emit("vsum", &a, &r);

	v = vsum("%s=%d", "k", 42);
	jb_args(&a);
	jb_key(&a, "fmt"); jb_put(&a, "\"%%s=%%d\"");
	jb_key(&a, "varargs"); jb_put(&a, "[\"k\",42]");
	jb_value(&r); jb_i(&r, v);
	jb_emit("vsum", &a, &r);
}

int main(void)
{
	call_classes();
	call_spills();
	call_long_double_and_hidden();
	call_varargs();
	printf("done\n");
	return 0;
}
