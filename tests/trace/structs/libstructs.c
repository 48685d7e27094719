/*
 * libstructs.c — the callee side of the structs test. Each function builds its
 * return value from its parameters, so a parameter misread by the tracer, or
 * passed on wrongly by the trampoline, shows in the program's oracle line too.
 */
#include <stdarg.h>
#include <string.h>

#include "libstructs.h"

struct pair_id s_pair(struct pair_id p, int k)
{
	return (struct pair_id){ p.a * k, p.b * k };
}

struct dd s_dd(struct dd a, struct dd b)
{
	return (struct dd){ a.x + b.x, a.y - b.y };
}

struct fff s_fff(struct fff v, float scale)
{
	return (struct fff){ v.a * scale, v.b * scale, v.c * scale };
}

struct mixed s_mixed(struct mixed m)
{
	return (struct mixed){ (char)(m.c + 1), (short)(m.s * 2), m.i - 1, m.f * 4 };
}

struct ll s_ll(struct ll a)
{
	return (struct ll){ a.b, a.a };
}

struct big s_big(struct big b, int add)
{
	for (int i = 0; i < 4; i++)
		b.v[i] += add;
	b.id = -b.id;
	b.name[0] = 'B';
	return b;
}

int s_packed(struct packed5 p, int x)
{
	return p.c + p.i + x;
}

struct nested s_nested(struct nested n)
{
	return (struct nested){ { n.p.y, n.p.x }, n.z + 1 };
}

struct arrs s_arrs(struct arrs a)
{
	return (struct arrs){ { a.f[1], a.f[0] }, { a.i[0] * 3, a.i[1] * 3 } };
}

union num s_union(union num u)
{
	u.i ^= 1;
	return u;
}

struct nine s_nine(struct nine n)
{
	for (int i = 0; i < 8 && n.s[i]; i++)
		n.s[i] = (char)(n.s[i] - 'a' + 'A');
	return n;
}

long s_after5(int a, int b, int c, int d, int e, struct ll s, int g, struct pair_id t)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * s.a + 7 * s.b + 8 * g + 9 * t.a + (long)t.b;
}

long s_after6(int a, int b, int c, int d, int e, int f, struct pair_id t, double x, struct ll s)
{
	return a + b + c + d + e + f + t.a + (long)t.b + (long)x + s.a - s.b;
}

double s_after8(double a, double b, double c, double d, double e, double f, double g, double h,
		struct dd s, double i, struct pair_id t, float j)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * s.x + 10 * s.y +
	       11 * i + 12 * t.a + 13 * t.b + 14 * j;
}

float s_floats(float a, struct fff v, double b, struct point p, float c, double d, float e,
	       double f, float g, double h, float i)
{
	return a + v.a + v.b + v.c + (float)b + p.x + p.y + c + (float)d + e + (float)f + g +
	       (float)h + i;
}

double s_ld(long double x, struct pair_id p, long double y, struct ldbox b, double z, int w)
{
	return (double)(x + y + b.x) + p.a + p.b + b.tag + z + w;
}

struct ldbox s_ldbox(int tag)
{
	return (struct ldbox){ 0.5L * tag, tag };
}

struct big s_make_big(int seed, long a, long b, long c, long d, long e, struct dd f, long g)
{
	struct big r;

	memset(&r, 0, sizeof(r));
	strcpy(r.name, "made");
	r.v[0] = seed;
	r.v[1] = (int)(a + b);
	r.v[2] = (int)(c + d + e);
	r.v[3] = (int)(f.x + f.y);
	r.id = g;
	return r;
}

/* A printf-like sum: %d %ld %c add their value, %f %Lf their integer part, %s its
 * length; other characters are skipped. */
int vsum(const char *fmt, ...)
{
	va_list ap;
	long sum = 0;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == 'd' || *p == 'c')
			sum += va_arg(ap, int);
		else if (p[0] == 'l' && p[1] == 'd')
			sum += va_arg(ap, long), p++;
		else if (*p == 'f')
			sum += (long)va_arg(ap, double);
		else if (p[0] == 'L' && p[1] == 'f')
			sum += (long)va_arg(ap, long double), p++;
		else if (*p == 's')
			sum += (long)strlen(va_arg(ap, const char *));
		else if (!*p)
			break;
	}
	va_end(ap);
	return (int)sum;
}
