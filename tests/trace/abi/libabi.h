/*
 * libabi.h — functions whose parameters and returns cover the System V AMD64
 * classes: integers of every width and sign in registers and on the stack,
 * float/double in xmm registers and on the stack, both interleaved, pointers,
 * strings, variadics, long double. hooks.conf declares each one.
 *
 * No function here dereferences a pointer it is given: the tests pass NULL,
 * (const char *)1 and pointers into unmapped pages.
 */
#ifndef LIBABI_H
#define LIBABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum color { COLOR_RED = -1, COLOR_GREEN = 0, COLOR_BLUE = 7 };
struct opaque;

long abi_ints8(long a, long b, long c, long d, long e, long f, long g, long h);
double abi_dbl10(double a, double b, double c, double d, double e, double f, double g,
		 double h, double i, double j);
float abi_flt10(float a, float b, float c, float d, float e, float f, float g, float h,
		float i, float j);
double abi_mix(int a, double b, long c, float d, unsigned e, double f, char g, float h,
	       long long i, double j, short k, double l, int m, double n, long o, double p,
	       int q, double r);
long abi_widths(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f,
		int64_t g, uint64_t h);
long abi_ctypes(char a, signed char b, unsigned char c, short d, unsigned short e, long f,
		unsigned long g, long long h);
long abi_ctypes2(unsigned long long a, bool b, bool c, enum color d, size_t e, ssize_t f,
		 unsigned int g, off_t h);
long abi_typedefs(pid_t a, mode_t b, uid_t c, gid_t d, time_t e, intptr_t f, uintptr_t g,
		  ptrdiff_t h);
int abi_specials(double a, double b, double c, float d);
long abi_dirty(uint8_t a, int16_t b, int32_t c, uint32_t d);

int8_t abi_ret_i8(void);
uint8_t abi_ret_u8(uint64_t x);
int16_t abi_ret_i16(uint64_t x);
uint16_t abi_ret_u16(uint64_t x);
int32_t abi_ret_i32(uint64_t x);
uint32_t abi_ret_u32(uint64_t x);
int64_t abi_ret_i64(void);
uint64_t abi_ret_u64(void);
bool abi_ret_bool(int x);
enum color abi_ret_enum(int x);
float abi_ret_float(float x);
double abi_ret_double(double x, int n);
double abi_ret_special(int which);
const char *abi_ret_str(int which);
void *abi_ret_ptr(int which);
void abi_ret_void(int x);
long double abi_ret_ld(void);
double abi_ld_args(long double x, int after, double y);

int abi_str(const char *s, int tag);
int abi_ustr(const unsigned char *s, int tag);
int abi_strs(const char *a, const char *b, const char *c, const char *d, const char *e,
	     const char *f, const char *g, int tag);
int abi_ptr(const void *p, int *q, struct opaque *o);
int abi_var(int n, ...);

#endif
