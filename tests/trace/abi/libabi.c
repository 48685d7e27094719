/*
 * libabi.c — the callee side of the ABI test. Each function folds its parameters
 * into its return value (so none is optimised away) and never dereferences a
 * pointer parameter. The caller, abi_main.c, prints what it passed and got.
 */
#include <stdarg.h>

#include "libabi.h"

long abi_ints8(long a, long b, long c, long d, long e, long f, long g, long h)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

double abi_dbl10(double a, double b, double c, double d, double e, double f, double g,
		 double h, double i, double j)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

float abi_flt10(float a, float b, float c, float d, float e, float f, float g, float h,
		float i, float j)
{
	return a + b + c + d + e + f + g + h + i + j;
}

double abi_mix(int a, double b, long c, float d, unsigned e, double f, char g, float h,
	       long long i, double j, short k, double l, int m, double n, long o, double p,
	       int q, double r)
{
	return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r;
}

long abi_widths(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f,
		int64_t g, uint64_t h)
{
	return a + b + c + d + e + (long)f + (long)(g >> 40) + (long)(h >> 40);
}

long abi_ctypes(char a, signed char b, unsigned char c, short d, unsigned short e, long f,
		unsigned long g, long long h)
{
	return a + b + c + d + e + f + (long)g + h;
}

long abi_ctypes2(unsigned long long a, bool b, bool c, enum color d, size_t e, ssize_t f,
		 unsigned int g, off_t h)
{
	return (long)a + b + c + d + (long)e + f + g + h;
}

long abi_typedefs(pid_t a, mode_t b, uid_t c, gid_t d, time_t e, intptr_t f, uintptr_t g,
		  ptrdiff_t h)
{
	return a + b + c + d + e + f + (long)g + h;
}

int abi_specials(double a, double b, double c, float d)
{
	return (a != a) + (b > 0) + (c < 0) + (d < 0);
}

long abi_dirty(uint8_t a, int16_t b, int32_t c, uint32_t d)
{
	return a + b + c + (long)d;
}

int8_t abi_ret_i8(void)
{
	return -5;
}

/* Narrow returns computed from a wide argument: the upper bits of rax are whatever
 * the argument had there, which the ABI allows; the tracer must ignore them. */
uint8_t abi_ret_u8(uint64_t x)
{
	return (uint8_t)x;
}

int16_t abi_ret_i16(uint64_t x)
{
	return (int16_t)x;
}

uint16_t abi_ret_u16(uint64_t x)
{
	return (uint16_t)x;
}

int32_t abi_ret_i32(uint64_t x)
{
	return (int32_t)x;
}

uint32_t abi_ret_u32(uint64_t x)
{
	return (uint32_t)x;
}

int64_t abi_ret_i64(void)
{
	return INT64_MIN;
}

uint64_t abi_ret_u64(void)
{
	return UINT64_MAX;
}

bool abi_ret_bool(int x)
{
	return x > 0;
}

enum color abi_ret_enum(int x)
{
	return x < 0 ? COLOR_RED : x == 0 ? COLOR_GREEN : COLOR_BLUE;
}

float abi_ret_float(float x)
{
	return x * 2;
}

double abi_ret_double(double x, int n)
{
	return x * n;
}

double abi_ret_special(int which)
{
	volatile double zero = 0.0;

	if (which == 0)
		return zero / zero;
	return which > 0 ? 1.0 / zero : -1.0 / zero;
}

const char *abi_ret_str(int which)
{
	return which ? "returned" : NULL;
}

static int abi_static_target;

void *abi_ret_ptr(int which)
{
	return which ? &abi_static_target : NULL;
}

void abi_ret_void(int x)
{
	abi_static_target = x;
}

long double abi_ret_ld(void)
{
	return 1.25L;
}

double abi_ld_args(long double x, int after, double y)
{
	return (double)x + after + y;
}

int abi_str(const char *s, int tag)
{
	(void)s;
	return tag;
}

int abi_ustr(const unsigned char *s, int tag)
{
	(void)s;
	return tag;
}

int abi_strs(const char *a, const char *b, const char *c, const char *d, const char *e,
	     const char *f, const char *g, int tag)
{
	return (a != NULL) + (b != NULL) + (c != NULL) + (d != NULL) + (e != NULL) +
	       (f != NULL) + (g != NULL) + tag;
}

int abi_ptr(const void *p, int *q, struct opaque *o)
{
	return (p != NULL) + 2 * (q != NULL) + 4 * (o != NULL);
}

int abi_var(int n, ...)
{
	va_list ap;
	int sum = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		sum += va_arg(ap, int);
	va_end(ap);
	return sum;
}
