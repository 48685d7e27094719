/*
 * libstructs.h — functions taking and returning structs and unions by value, one of
 * each System V AMD64 class: INTEGER/SSE eightbytes in every combination, MEMORY
 * (large, packed, holding a long double), returns in rax/rdx/xmm0/xmm1 and through
 * the hidden pointer, structs spilled after the registers run out, long double
 * among them, and a printf-like variadic. hooks.conf declares each one.
 */
#ifndef LIBSTRUCTS_H
#define LIBSTRUCTS_H

struct pair_id { int a; double b; };		/* INTEGER, SSE */
struct dd { double x; double y; };		/* SSE, SSE */
struct fff { float a; float b; float c; };	/* SSE, SSE (12 bytes) */
struct mixed { char c; short s; int i; float f; };	/* INTEGER, SSE */
struct ll { long a; long b; };			/* INTEGER, INTEGER */
struct big { char name[16]; int v[4]; long id; };	/* MEMORY: 40 bytes */
struct __attribute__((packed)) packed5 { char c; int i; };	/* MEMORY: unaligned int */
struct point { float x; float y; };
struct nested { struct point p; long z; };	/* SSE, INTEGER */
struct arrs { float f[2]; int i[2]; };		/* SSE, INTEGER */
union num { int i; float f; };			/* INTEGER */
struct nine { char s[9]; };			/* INTEGER, INTEGER (9 bytes) */
struct ldbox { long double x; int tag; };	/* MEMORY: holds a long double */

struct pair_id s_pair(struct pair_id p, int k);
struct dd s_dd(struct dd a, struct dd b);
struct fff s_fff(struct fff v, float scale);
struct mixed s_mixed(struct mixed m);
struct ll s_ll(struct ll a);
struct big s_big(struct big b, int add);
int s_packed(struct packed5 p, int x);
struct nested s_nested(struct nested n);
struct arrs s_arrs(struct arrs a);
union num s_union(union num u);
struct nine s_nine(struct nine n);
long s_after5(int a, int b, int c, int d, int e, struct ll s, int g, struct pair_id t);
long s_after6(int a, int b, int c, int d, int e, int f, struct pair_id t, double x, struct ll s);
double s_after8(double a, double b, double c, double d, double e, double f, double g, double h,
		struct dd s, double i, struct pair_id t, float j);
float s_floats(float a, struct fff v, double b, struct point p, float c, double d, float e,
	       double f, float g, double h, float i);
double s_ld(long double x, struct pair_id p, long double y, struct ldbox b, double z, int w);
struct ldbox s_ldbox(int tag);
struct big s_make_big(int seed, long a, long b, long c, long d, long e, struct dd f, long g);
int vsum(const char *fmt, ...);

#endif
