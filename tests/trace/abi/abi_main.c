/*
 * abi_main.c — calls every libabi function with values chosen to show a misread
 * register, a missed stack slot, a lost sign or leftover upper bits, and prints
 * each call as an oracle line (common/oracle.h). Built -O0 and -O2, PIE and not,
 * lazy and immediate binding, and -fno-plt; the records must be the same.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libabi.h"
#include "oracle.h"

static struct jb a, r;

static void call_ints(void)
{
	long v = abi_ints8(1, -2, 3, -4, 5, -6, 7000000000L, -8000000000L);

	jb_args(&a);
	jb_key(&a, "a"); jb_i(&a, 1);
	jb_key(&a, "b"); jb_i(&a, -2);
	jb_key(&a, "c"); jb_i(&a, 3);
	jb_key(&a, "d"); jb_i(&a, -4);
	jb_key(&a, "e"); jb_i(&a, 5);
	jb_key(&a, "f"); jb_i(&a, -6);
	jb_key(&a, "g"); jb_i(&a, 7000000000L);
	jb_key(&a, "h"); jb_i(&a, -8000000000L);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_ints8", &a, &r);
}

static void call_doubles(void)
{
	static const double d[10] = { 0.1, -2.5, 3e100, -4e-300, 5.0, 1.0 / 3, -7.25, 8.5,
				      9.75, -1.7976931348623157e308 };
	static const float f[10] = { 1.5f, -2.25f, 3.0f, 4.5f, -5.75f, 6.0f, 7.125f,
				     -8.5f, 9.25f, 1e10f };
	static const char *names = "abcdefghij";
	double dv = abi_dbl10(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9]);
	float fv = abi_flt10(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]);
	char key[2] = { 0, 0 };

	jb_args(&a);
	for (int i = 0; i < 10; i++) {
		key[0] = names[i];
		jb_key(&a, key);
		jb_d(&a, d[i]);
	}
	jb_value(&r); jb_d(&r, dv);
	jb_emit("abi_dbl10", &a, &r);

	jb_args(&a);
	for (int i = 0; i < 10; i++) {
		key[0] = names[i];
		jb_key(&a, key);
		jb_d(&a, f[i]);
	}
	jb_value(&r); jb_d(&r, fv);
	jb_emit("abi_flt10", &a, &r);
}

static void call_mix(void)
{
	double v = abi_mix(-1, 2.5, 3000000000L, -4.5f, 4000000000U, 6.25, 'G', 8.75f,
			   -9000000000LL, 10.5, -11, 12.125, 13, 14.5, -15, 16.75, 17, -18.25);

	jb_args(&a);
	jb_key(&a, "a"); jb_i(&a, -1);
	jb_key(&a, "b"); jb_d(&a, 2.5);
	jb_key(&a, "c"); jb_i(&a, 3000000000L);
	jb_key(&a, "d"); jb_d(&a, -4.5);
	jb_key(&a, "e"); jb_u(&a, 4000000000U);
	jb_key(&a, "f"); jb_d(&a, 6.25);
	jb_key(&a, "g"); jb_raw(&a, "\"G\"");	/* plain char: a character */
	jb_key(&a, "h"); jb_d(&a, 8.75);
	jb_key(&a, "i"); jb_i(&a, -9000000000LL);
	jb_key(&a, "j"); jb_d(&a, 10.5);
	jb_key(&a, "k"); jb_i(&a, -11);
	jb_key(&a, "l"); jb_d(&a, 12.125);
	jb_key(&a, "m"); jb_i(&a, 13);
	jb_key(&a, "n"); jb_d(&a, 14.5);
	jb_key(&a, "o"); jb_i(&a, -15);
	jb_key(&a, "p"); jb_d(&a, 16.75);
	jb_key(&a, "q"); jb_i(&a, 17);
	jb_key(&a, "r"); jb_d(&a, -18.25);
	jb_value(&r); jb_d(&r, v);
	jb_emit("abi_mix", &a, &r);
}

static void call_widths(int8_t i8, uint8_t u8, int16_t i16, uint16_t u16, int32_t i32,
			uint32_t u32, int64_t i64, uint64_t u64)
{
	long v = abi_widths(i8, u8, i16, u16, i32, u32, i64, u64);

	jb_args(&a);
	jb_key(&a, "a"); jb_i(&a, i8);
	jb_key(&a, "b"); jb_u(&a, u8);
	jb_key(&a, "c"); jb_i(&a, i16);
	jb_key(&a, "d"); jb_u(&a, u16);
	jb_key(&a, "e"); jb_i(&a, i32);
	jb_key(&a, "f"); jb_u(&a, u32);
	jb_key(&a, "g"); jb_i(&a, i64);
	jb_key(&a, "h"); jb_u(&a, u64);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_widths", &a, &r);
}

static void call_ctypes(void)
{
	long v = abi_ctypes('z', SCHAR_MIN, UCHAR_MAX, SHRT_MIN, USHRT_MAX, LONG_MIN, ULONG_MAX,
			    LLONG_MAX);

	jb_args(&a);
	jb_key(&a, "a"); jb_raw(&a, "\"z\"");	/* plain char: a character */
	jb_key(&a, "b"); jb_i(&a, SCHAR_MIN);
	jb_key(&a, "c"); jb_u(&a, UCHAR_MAX);
	jb_key(&a, "d"); jb_i(&a, SHRT_MIN);
	jb_key(&a, "e"); jb_u(&a, USHRT_MAX);
	jb_key(&a, "f"); jb_i(&a, LONG_MIN);
	jb_key(&a, "g"); jb_u(&a, ULONG_MAX);
	jb_key(&a, "h"); jb_i(&a, LLONG_MAX);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_ctypes", &a, &r);

	v = abi_ctypes2(ULLONG_MAX, true, false, COLOR_RED, SIZE_MAX, -1, UINT_MAX,
			(off_t)1 << 40);
	jb_args(&a);
	jb_key(&a, "a"); jb_u(&a, ULLONG_MAX);
	jb_key(&a, "b"); jb_b(&a, true);
	jb_key(&a, "c"); jb_b(&a, false);
	jb_key(&a, "d"); jb_i(&a, COLOR_RED);
	jb_key(&a, "e"); jb_u(&a, SIZE_MAX);
	jb_key(&a, "f"); jb_i(&a, -1);
	jb_key(&a, "g"); jb_u(&a, UINT_MAX);
	jb_key(&a, "h"); jb_i(&a, (off_t)1 << 40);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_ctypes2", &a, &r);

	v = abi_typedefs(-1234, 0644, 4000000000U, 65534, -1000000000000L, INTPTR_MIN,
			 UINTPTR_MAX, -7);
	jb_args(&a);
	jb_key(&a, "a"); jb_i(&a, -1234);
	jb_key(&a, "b"); jb_u(&a, 0644);
	jb_key(&a, "c"); jb_u(&a, 4000000000U);
	jb_key(&a, "d"); jb_u(&a, 65534);
	jb_key(&a, "e"); jb_i(&a, -1000000000000L);
	jb_key(&a, "f"); jb_i(&a, INTPTR_MIN);
	jb_key(&a, "g"); jb_u(&a, UINTPTR_MAX);
	jb_key(&a, "h"); jb_i(&a, -7);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_typedefs", &a, &r);
}

static void call_specials(void)
{
	int v = abi_specials(NAN, INFINITY, -INFINITY, -INFINITY);

	jb_args(&a);
	jb_key(&a, "a"); jb_d(&a, NAN);
	jb_key(&a, "b"); jb_d(&a, INFINITY);
	jb_key(&a, "c"); jb_d(&a, -INFINITY);
	jb_key(&a, "d"); jb_d(&a, -INFINITY);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_specials", &a, &r);
}

/* The ABI leaves the upper bits of a narrow argument's register undefined; calling
 * through a pointer of a wider type puts garbage there on purpose. */
typedef long (*dirty_fn)(uint64_t, uint64_t, uint64_t, uint64_t);

static void call_dirty(void)
{
	dirty_fn fn = (dirty_fn)(void (*)(void))abi_dirty;
	long v = fn(0xdeadbeef123456faULL, 0x1234567890ab8001ULL, 0xfedcba9880000000ULL,
		    0x12345678fffffffeULL);

	jb_args(&a);
	jb_key(&a, "a"); jb_u(&a, 0xfa);
	jb_key(&a, "b"); jb_i(&a, (int16_t)0x8001);
	jb_key(&a, "c"); jb_i(&a, INT32_MIN);
	jb_key(&a, "d"); jb_u(&a, 0xfffffffeU);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_dirty", &a, &r);
}

static void call_returns(void)
{
	const uint64_t junk = 0xa5a5a5a5a5a5a5a5ULL;

	jb_args(&a); jb_value(&r); jb_i(&r, abi_ret_i8());
	jb_emit("abi_ret_i8", &a, &r);

#define NARROW(fn, wide, jbfn) do {						\
		uint64_t x_ = (wide);						\
		jb_args(&a); jb_key(&a, "x"); jb_u(&a, x_);			\
		jb_value(&r); jbfn(&r, fn(x_));					\
		jb_emit(#fn, &a, &r);						\
	} while (0)
	NARROW(abi_ret_u8, (junk & ~0xffULL) | 0xfa, jb_u);
	NARROW(abi_ret_i16, (junk & ~0xffffULL) | 0x8000, jb_i);
	NARROW(abi_ret_u16, (junk & ~0xffffULL) | 0xfffe, jb_u);
	NARROW(abi_ret_i32, (junk & ~0xffffffffULL) | 0x80000001, jb_i);
	NARROW(abi_ret_u32, (junk & ~0xffffffffULL) | 0xfffffffe, jb_u);
#undef NARROW

	jb_args(&a); jb_value(&r); jb_i(&r, abi_ret_i64());
	jb_emit("abi_ret_i64", &a, &r);
	jb_args(&a); jb_value(&r); jb_u(&r, abi_ret_u64());
	jb_emit("abi_ret_u64", &a, &r);

	for (int x = -1; x <= 1; x += 2) {
		jb_args(&a); jb_key(&a, "x"); jb_i(&a, x);
		jb_value(&r); jb_b(&r, abi_ret_bool(x));
		jb_emit("abi_ret_bool", &a, &r);
	}
	for (int x = -1; x <= 1; x++) {
		jb_args(&a); jb_key(&a, "x"); jb_i(&a, x);
		jb_value(&r); jb_i(&r, abi_ret_enum(x));
		jb_emit("abi_ret_enum", &a, &r);
	}
	jb_args(&a); jb_key(&a, "x"); jb_d(&a, -3.25f);
	jb_value(&r); jb_d(&r, abi_ret_float(-3.25f));
	jb_emit("abi_ret_float", &a, &r);

	jb_args(&a); jb_key(&a, "x"); jb_d(&a, 0.1); jb_key(&a, "n"); jb_i(&a, 3);
	jb_value(&r); jb_d(&r, abi_ret_double(0.1, 3));
	jb_emit("abi_ret_double", &a, &r);

	for (int w = -1; w <= 1; w++) {
		jb_args(&a); jb_key(&a, "which"); jb_i(&a, w);
		jb_value(&r); jb_d(&r, abi_ret_special(w));
		jb_emit("abi_ret_special", &a, &r);
	}
	for (int w = 0; w <= 1; w++) {
		const char *s = abi_ret_str(w);

		jb_args(&a); jb_key(&a, "which"); jb_i(&a, w);
		jb_value(&r); jb_raw(&r, s ? "\"returned\"" : "null");
		jb_emit("abi_ret_str", &a, &r);
	}
	for (int w = 0; w <= 1; w++) {
		jb_args(&a); jb_key(&a, "which"); jb_i(&a, w);
		jb_value(&r); jb_p(&r, abi_ret_ptr(w));
		jb_emit("abi_ret_ptr", &a, &r);
	}
	abi_ret_void(42);
	jb_args(&a); jb_key(&a, "x"); jb_i(&a, 42);
	jb_value(&r);
	jb_emit("abi_ret_void", &a, &r);

	{
		long double ld = abi_ret_ld();

		jb_args(&a);
		jb_value(&r); jb_raw(&r, ld == 1.25L ? "{\"unsupported\":\"long double\"}" : "0");
		jb_emit("abi_ret_ld", &a, &r);
	}
	jb_args(&a);
	jb_key(&a, "x"); jb_raw(&a, "{\"unsupported\":\"long double\"}");
	jb_key(&a, "after"); jb_i(&a, -5);
	jb_key(&a, "y"); jb_d(&a, 2.5);
	jb_value(&r); jb_d(&r, abi_ld_args(0.5L, -5, 2.5));
	jb_emit("abi_ld_args", &a, &r);
}

static void str_call(const char *s, const char *expected_json)
{
	static int tag;
	int v = abi_str(s, ++tag);

	jb_args(&a);
	jb_key(&a, "s"); jb_raw(&a, expected_json);
	jb_key(&a, "tag"); jb_i(&a, tag);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_str", &a, &r);
}

static void call_strings(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map, *hole, *none, *edge;
	char buf[64];

	/* Three pages: the middle one unmapped, the last one PROT_NONE. */
	map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	hole = map + page;
	none = map + 2 * page;
	munmap(hole, page);
	mprotect(none, page, PROT_NONE);
	/* No NUL before the unmapped page: a reader must stop at the fault. */
	edge = hole - 3;
	memcpy(edge, "xyz", 3);

	str_call("hello", "\"hello\"");
	str_call("", "\"\"");
	str_call(NULL, "null");
	snprintf(buf, sizeof(buf), "{\"unreadable\":\"%p\"}", (const void *)1);
	str_call((const char *)1, buf);
	snprintf(buf, sizeof(buf), "{\"unreadable\":\"%p\"}", (void *)(hole + 100));
	str_call(hole + 100, buf);
	snprintf(buf, sizeof(buf), "{\"unreadable\":\"%p\"}", (void *)none);
	str_call(none, buf);
	/* max_string = 16 in hooks.conf. */
	str_call("0123456789abcdef", "\"0123456789abcdef\"");
	str_call("0123456789abcdefg",
		 "{\"value\":\"0123456789abcdef\",\"truncated\":true,\"invalid_utf8\":false}");
	str_call("abcdefghijklmnopqrstuvwxyz0123456789ABCD",
		 "{\"value\":\"abcdefghijklmnop\",\"truncated\":true,\"invalid_utf8\":false}");
	str_call("ab\xff\xfe" "cd",
		 "{\"value\":\"ab\\\\xff\\\\xfecd\",\"truncated\":false,\"invalid_utf8\":true}");
	str_call("x\xc0\xaf" "y",
		 "{\"value\":\"x\\\\xc0\\\\xafy\",\"truncated\":false,\"invalid_utf8\":true}");
	str_call("abc\xff" "defghijklmnopqrstu",
		 "{\"value\":\"abc\\\\xffdefghijklmno\",\"truncated\":true,\"invalid_utf8\":true}");
	str_call("h\xc3\xa9llo \xe2\x9c\x93", "\"h\xc3\xa9llo \xe2\x9c\x93\"");
	str_call("q\"b\\n\nt\t\x01", "\"q\\\"b\\\\n\\nt\\t\\u0001\"");
	/* The tracer may show this one either way, but must not crash reading it. */
	str_call(edge, "\"__any__\"");

	{
		const unsigned char u[] = { 'u', 0xc3, 0xa9, 0 };
		int v = abi_ustr(u, 1);

		jb_args(&a);
		jb_key(&a, "s"); jb_raw(&a, "\"u\xc3\xa9\"");
		jb_key(&a, "tag"); jb_i(&a, 1);
		jb_value(&r); jb_i(&r, v);
		jb_emit("abi_ustr", &a, &r);
	}
	{
		int v = abi_strs("s1", NULL, "s3", "s4", "s5", "s6", "seventh", 7);

		jb_args(&a);
		jb_key(&a, "a"); jb_raw(&a, "\"s1\"");
		jb_key(&a, "b"); jb_raw(&a, "null");
		jb_key(&a, "c"); jb_raw(&a, "\"s3\"");
		jb_key(&a, "d"); jb_raw(&a, "\"s4\"");
		jb_key(&a, "e"); jb_raw(&a, "\"s5\"");
		jb_key(&a, "f"); jb_raw(&a, "\"s6\"");
		jb_key(&a, "g"); jb_raw(&a, "\"seventh\"");
		jb_key(&a, "tag"); jb_i(&a, 7);
		jb_value(&r); jb_i(&r, v);
		jb_emit("abi_strs", &a, &r);
	}
	munmap(map, page);
	munmap(none, page);
}

static void call_pointers(void)
{
	int local = 5;
	struct opaque *o = (struct opaque *)(uintptr_t)0x1000;
	int v;

	v = abi_ptr(&local, NULL, o);
	jb_args(&a);
	jb_key(&a, "p"); jb_p(&a, &local);
	jb_key(&a, "q"); jb_p(&a, NULL);
	jb_key(&a, "o"); jb_p(&a, o);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_ptr", &a, &r);

	v = abi_ptr(NULL, &local, NULL);
	jb_args(&a);
	jb_key(&a, "p"); jb_p(&a, NULL);
	jb_key(&a, "q"); jb_p(&a, &local);
	jb_key(&a, "o"); jb_p(&a, NULL);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_ptr", &a, &r);

	v = abi_var(3, 10, 20, 30);
	jb_args(&a);
	jb_key(&a, "n"); jb_i(&a, 3);
	jb_value(&r); jb_i(&r, v);
	jb_emit("abi_var", &a, &r);
}

int main(void)
{
	call_ints();
	call_doubles();
	call_mix();
	call_widths(INT8_MIN, UINT8_MAX, INT16_MIN, UINT16_MAX, INT32_MIN, UINT32_MAX,
		    INT64_MIN, UINT64_MAX);
	call_widths(INT8_MAX, 1, INT16_MAX, 2, INT32_MAX, 3, INT64_MAX, 4);
	call_widths(-1, 0, -1, 0, -1, 0, -1, 0);
	call_ctypes();
	call_specials();
	call_dirty();
	call_returns();
	call_strings();
	call_pointers();
	printf("done\n");
	return 0;
}
