/*
 * abi_classify_test.c — arch_locate_args() against the System V AMD64 ABI (3.2.3,
 * "Parameter Passing"): the location of every parameter and of the return value for
 * struct shapes classified by hand from the document's rules, then arch_copy_arg,
 * arch_copy_ret and the vararg cursor on a frame whose every byte says where it came
 * from. abi_frame_test.c checks the same code against real calls compiled by gcc.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abi_types.h"
#include "arch.h"
#include "check.h"

#define G ARG_IN_GPR
#define X ARG_IN_XMM
#define NO ARG_UNSUPPORTED

static struct arg_loc locs[64];
static struct ret_loc ret;
static size_t stack;

static void locate(const struct cfg_hook *h)
{
	memset(locs, 0xee, sizeof(locs));
	stack = arch_locate_args(h, locs, &ret, NULL);
}

/* Parameter i is in registers: (w, ix) for eightbyte 0, (w2, ix2) for eightbyte 1. */
static void expect_regs(int line, int i, int w, int ix, int w2, int ix2, unsigned size)
{
	struct arg_loc l = locs[i];

	CHECK(l.where == w && l.index == ix && l.size == size &&
	      (size <= 8 || (l.where2 == w2 && l.index2 == ix2)),
	      "line %d: param %d: expected %d/%d %d/%d size %u, got %d/%d %d/%d size %u",
	      line, i, w, ix, w2, ix2, size, l.where, l.index, l.where2, l.index2, l.size);
}

static void expect_stack(int line, int i, int where, unsigned offset, unsigned size)
{
	struct arg_loc l = locs[i];

	CHECK(l.where == where && l.offset == offset && l.size == size,
	      "line %d: param %d: expected where %d stack +%u size %u, got where %d +%u size %u",
	      line, i, where, offset, size, l.where, l.offset, l.size);
}

static void expect_ret(int line, int where, int c0, int c1, unsigned size)
{
	CHECK(ret.where == where && ret.size == size &&
	      (where != RET_REGS || (ret.class0 == c0 && (size <= 8 || ret.class1 == c1))),
	      "line %d: return: expected %d (%d,%d) size %u, got %d (%d,%d) size %u",
	      line, where, c0, c1, size, ret.where, ret.class0, ret.class1, ret.size);
}

static void expect_stack_bytes(int line, size_t want)
{
	CHECK(stack == want, "line %d: stack bytes %zu, expected %zu", line, stack, want);
}

#define REGS(i, w, ix, w2, ix2, size) expect_regs(__LINE__, i, w, ix, w2, ix2, size)
#define REG1(i, w, ix, size) expect_regs(__LINE__, i, w, ix, NO, 0, size)
#define STACK(i, off, size) expect_stack(__LINE__, i, ARG_ON_STACK, off, size)
#define RET(where, c0, c1, size) expect_ret(__LINE__, where, c0, c1, size)
#define STACK_BYTES(n) expect_stack_bytes(__LINE__, n)

/* Structs of up to 16 bytes: one class per eightbyte from the fields it holds. */
static void test_struct_classes(void)
{
	struct cfg_type i4 = ty_int(4), c1 = ty_int(1), s2 = ty_int(2), l8 = ty_int(8);
	struct cfg_type f = ty_float(), d = ty_double();

	/* {int; double}: INTEGER then SSE. */
	locate(HOOK("a", ty_void(), TY_STRUCT(i4, d)));
	REGS(0, G, 0, X, 0, 16);
	STACK_BYTES(0);
	/* {double; double}: SSE, SSE. */
	locate(HOOK("a", ty_void(), TY_STRUCT(d, d)));
	REGS(0, X, 0, X, 1, 16);
	/* {float; float; float}: two floats share xmm0's low 8 bytes, the third is xmm1. */
	locate(HOOK("a", ty_void(), TY_STRUCT(f, f, f)));
	REGS(0, X, 0, X, 1, 12);
	/* {char; short; int; float}: eightbyte 0 holds integers only, 1 the float. */
	locate(HOOK("a", ty_void(), TY_STRUCT(c1, s2, i4, f)));
	REGS(0, G, 0, X, 0, 12);
	/* {int; float}: one eightbyte, INTEGER wins the merge. */
	locate(HOOK("a", ty_void(), TY_STRUCT(i4, f)));
	REG1(0, G, 0, 8);
	/* {float; double}: the float alone in eightbyte 0, still SSE. */
	locate(HOOK("a", ty_void(), TY_STRUCT(f, d)));
	REGS(0, X, 0, X, 1, 16);
	/* {int; int}: 8 bytes, one GPR. */
	locate(HOOK("a", ty_void(), TY_STRUCT(i4, i4)));
	REG1(0, G, 0, 8);
	/* {char; char; char}: 3 bytes in one GPR. */
	locate(HOOK("a", ty_void(), TY_STRUCT(c1, c1, c1)));
	REG1(0, G, 0, 3);
	/* {long; long}: two GPRs in order. */
	locate(HOOK("a", ty_void(), ty_int(4), TY_STRUCT(l8, l8)));
	REG1(0, G, 0, 8);
	REGS(1, G, 1, G, 2, 16);
	/* {double; char}: 16 bytes with padding; SSE then INTEGER. */
	locate(HOOK("a", ty_void(), TY_STRUCT(d, c1)));
	REGS(0, X, 0, G, 0, 16);
	/* {pointer; double} and a string field. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_ptr(), d), TY_STRUCT(ty_string())));
	REGS(0, G, 0, X, 0, 16);
	REG1(1, G, 1, 8);
}

/* Larger than 16 bytes, unaligned, or with long double: MEMORY, on the stack. */
static void test_memory_class(void)
{
	struct cfg_type i4 = ty_int(4), c1 = ty_int(1), s2 = ty_int(2), l8 = ty_int(8);
	struct cfg_type d = ty_double();

	/* 24 bytes: on the stack, rounded to 8, registers untouched. */
	locate(HOOK("a", ty_void(), TY_STRUCT(l8, l8, l8), ty_int(4), d));
	STACK(0, 0, 24);
	REG1(1, G, 0, 8);
	REG1(2, X, 0, 8);
	STACK_BYTES(32);
	/* packed {char; int}: the int is unaligned: MEMORY (5 bytes in an 8-byte slot). */
	locate(HOOK("a", ty_void(), TY_PACKED(c1, i4), TY_PACKED(c1, i4)));
	STACK(0, 0, 5);
	STACK(1, 8, 5);
	STACK_BYTES(16);
	/* packed but every field aligned: classified as usual. */
	locate(HOOK("a", ty_void(), TY_PACKED(c1, c1, s2, i4)));
	REG1(0, G, 0, 8);
	locate(HOOK("a", ty_void(), TY_PACKED(d, c1)));
	REGS(0, X, 0, G, 0, 9);
	/* {long double}: X87 class is MEMORY as an argument; 16-aligned on the stack. */
	locate(HOOK("a", ty_void(), l8, l8, l8, l8, l8, l8, l8, TY_STRUCT(ty_ldouble())));
	STACK(6, 0, 8);
	STACK(7, 16, 16);
	STACK_BYTES(32);
	/* {long double; int}: 32 bytes. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_ldouble(), i4)));
	STACK(0, 0, 32);
	/* union {long double; long}: X87 merged with INTEGER is MEMORY. */
	locate(HOOK("a", ty_void(), TY_UNION(ty_ldouble(), l8)));
	STACK(0, 0, 16);
	/* {double[3]}: 24 bytes. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_array(d, 3))));
	STACK(0, 0, 24);
}

/* Nested structs, arrays and unions classify by the bytes their leaves occupy. */
static void test_nested_arrays_unions(void)
{
	struct cfg_type i4 = ty_int(4), c1 = ty_int(1), l8 = ty_int(8);
	struct cfg_type f = ty_float(), d = ty_double();
	struct cfg_type point = TY_STRUCT(f, f);

	/* {{float; float}; long}: SSE, INTEGER. */
	locate(HOOK("a", ty_void(), TY_STRUCT(point, l8)));
	REGS(0, X, 0, G, 0, 16);
	/* {int; {float; int}}: the float shares eightbyte 0 with an int: INTEGER, INTEGER. */
	locate(HOOK("a", ty_void(), TY_STRUCT(i4, TY_STRUCT(f, i4))));
	REGS(0, G, 0, G, 1, 12);
	/* {float[2]; int[2]}: SSE, INTEGER. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_array(f, 2), ty_array(i4, 2))));
	REGS(0, X, 0, G, 0, 16);
	/* {char[9]}: a 9-byte struct, INTEGER, INTEGER. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_array(c1, 9))));
	REGS(0, G, 0, G, 1, 9);
	/* {float[4]}: SSE, SSE. */
	locate(HOOK("a", ty_void(), TY_STRUCT(ty_array(f, 4))));
	REGS(0, X, 0, X, 1, 16);
	/* {{float[3]}; float}: nested array crossing the eightbyte boundary. */
	locate(HOOK("a", ty_void(), TY_STRUCT(TY_STRUCT(ty_array(f, 3)), f)));
	REGS(0, X, 0, X, 1, 16);
	/* union {int; float}: INTEGER. */
	locate(HOOK("a", ty_void(), TY_UNION(i4, f)));
	REG1(0, G, 0, 4);
	/* union {float[2]; double}: SSE only. */
	locate(HOOK("a", ty_void(), TY_UNION(ty_array(f, 2), d)));
	REG1(0, X, 0, 8);
	/* union {double; long}: INTEGER. */
	locate(HOOK("a", ty_void(), TY_UNION(d, l8)));
	REG1(0, G, 0, 8);
	/* union {double[2]; {long; double}}: INTEGER, SSE. */
	locate(HOOK("a", ty_void(), TY_UNION(ty_array(d, 2), TY_STRUCT(l8, d))));
	REGS(0, G, 0, X, 0, 16);
}

/* A struct takes registers only if all its eightbytes find one; else all of it is
 * on the stack, and later scalars still take the registers it left. */
static void test_register_exhaustion(void)
{
	struct cfg_type i4 = ty_int(4), l8 = ty_int(8), d = ty_double();
	struct cfg_type ll = TY_STRUCT(l8, l8), dd = TY_STRUCT(d, d), id = TY_STRUCT(i4, d);

	/* Five ints, then {long; long} needs two GPRs and only r9 is left. */
	locate(HOOK("a", ty_void(), i4, i4, i4, i4, i4, ll, i4));
	REG1(4, G, 4, 8);
	STACK(5, 0, 16);
	REG1(6, G, 5, 8);
	STACK_BYTES(16);
	/* Five ints then {int; double}: r9 and xmm0. */
	locate(HOOK("a", ty_void(), i4, i4, i4, i4, i4, id));
	REGS(5, G, 5, X, 0, 16);
	/* Six ints then {int; double}: no GPR left, so the double's XMM is not used either. */
	locate(HOOK("a", ty_void(), i4, i4, i4, i4, i4, i4, id, d));
	STACK(6, 0, 16);
	REG1(7, X, 0, 8);
	/* Eight doubles then {double; double}: stack; the next double too. */
	locate(HOOK("a", ty_void(), d, d, d, d, d, d, d, d, dd, d));
	REG1(7, X, 7, 8);
	STACK(8, 0, 16);
	STACK(9, 16, 8);
	STACK_BYTES(32);
	/* Seven doubles then {double; double}: one XMM is not enough; xmm7 goes to the
	 * double after it. */
	locate(HOOK("a", ty_void(), d, d, d, d, d, d, d, dd, d));
	STACK(7, 0, 16);
	REG1(8, X, 7, 8);
	STACK_BYTES(16);
	/* Integers and doubles spill independently. */
	locate(HOOK("a", ty_void(), l8, l8, l8, l8, l8, l8, l8, d, l8, ty_float()));
	STACK(6, 0, 8);
	REG1(7, X, 0, 8);
	STACK(8, 8, 8);
	REG1(9, X, 1, 8);
	STACK_BYTES(16);
}

/* long double parameters take 16 aligned stack bytes and no register. */
static void test_long_double_params(void)
{
	struct cfg_type l8 = ty_int(8), ld = ty_ldouble(), d = ty_double();

	locate(HOOK("a", ty_void(), ld, ty_int(4), d));
	expect_stack(__LINE__, 0, ARG_UNSUPPORTED, 0, 16);
	REG1(1, G, 0, 8);
	REG1(2, X, 0, 8);
	STACK_BYTES(16);
	locate(HOOK("a", ty_void(), l8, l8, l8, l8, l8, l8, l8, ld, l8));
	STACK(6, 0, 8);
	expect_stack(__LINE__, 7, ARG_UNSUPPORTED, 16, 16);
	STACK(8, 32, 8);
	STACK_BYTES(48);
}

/* Return values: scalars, structs in registers, in memory (hidden pointer in rdi). */
static void test_returns(void)
{
	struct cfg_type i4 = ty_int(4), c1 = ty_int(1), l8 = ty_int(8);
	struct cfg_type f = ty_float(), d = ty_double(), big = TY_STRUCT(l8, l8, l8);

	locate(HOOK0("a", ty_void()));
	RET(RET_NONE, 0, 0, 0);
	locate(HOOK0("a", ty_int(2)));
	RET(RET_GPR, 0, 0, 2);
	locate(HOOK0("a", ty_string()));
	RET(RET_GPR, 0, 0, 8);
	locate(HOOK0("a", f));
	RET(RET_XMM, 0, 0, 4);
	locate(HOOK0("a", ty_ldouble()));
	RET(RET_X87, 0, 0, 16);
	locate(HOOK0("a", TY_STRUCT(l8, d)));
	RET(RET_REGS, G, X, 16);
	locate(HOOK0("a", TY_STRUCT(d, l8)));
	RET(RET_REGS, X, G, 16);
	locate(HOOK0("a", TY_STRUCT(d, d)));
	RET(RET_REGS, X, X, 16);
	locate(HOOK0("a", TY_STRUCT(l8, l8)));
	RET(RET_REGS, G, G, 16);
	locate(HOOK0("a", TY_STRUCT(f, f, f)));
	RET(RET_REGS, X, X, 12);
	locate(HOOK0("a", TY_STRUCT(c1, c1, c1)));
	RET(RET_REGS, G, NO, 3);
	locate(HOOK0("a", TY_UNION(i4, f)));
	RET(RET_REGS, G, NO, 4);
	locate(HOOK0("a", TY_STRUCT(ty_ldouble())));
	RET(RET_X87, 0, 0, 16);
	locate(HOOK0("a", TY_PACKED(c1, i4)));
	RET(RET_MEMORY, 0, 0, 5);
	/* Hidden pointer: rdi is taken, the six ints are rsi..r9 and the stack. */
	locate(HOOK("a", big, i4, i4, i4, i4, i4, i4, d, TY_STRUCT(l8, l8)));
	RET(RET_MEMORY, 0, 0, 24);
	REG1(0, G, 1, 8);
	REG1(4, G, 5, 8);
	STACK(5, 0, 8);
	REG1(6, X, 0, 8);
	STACK(7, 8, 16);
	STACK_BYTES(32);
	/* ... and a struct that fits the remaining GPRs. */
	locate(HOOK("a", big, i4, i4, i4, TY_STRUCT(l8, i4)));
	REGS(3, G, 4, G, 5, 16);
}

static void test_variadic_window(void)
{
	struct cfg_type i4 = ty_int(4);

	locate(HOOK_VA("a", i4, ty_string()));
	REG1(0, G, 0, 8);
	STACK_BYTES(256);
	/* Variadic arguments start after the declared stack arguments. */
	locate(HOOK_VA("a", i4, i4, i4, i4, i4, i4, i4, i4));
	STACK_BYTES(16 + 256);
}

/* A frame whose every register and stack byte is distinct. */
static union {
	struct arch_frame f;
	uint8_t bytes[FRAME_SIZE + 16 + 512];
} frame __attribute__((aligned(16)));

static void fill_frame(void)
{
	for (size_t i = 0; i < sizeof(frame.bytes); i++)
		frame.bytes[i] = (uint8_t)(i * 7 + 3);
	/* The whole stack area exists (hook_enter sets this from arch_stack_readable). */
	frame.f.stack_readable = sizeof(frame.bytes) - F_STACK_ARGS;
}

static const uint8_t *stack_arg(unsigned off)
{
	return (const uint8_t *)arch_frame_stack_args(&frame.f) + off;
}

/* Compares n bytes of dst with src. */
static void expect_bytes(int line, const uint8_t *dst, const void *src, size_t n)
{
	CHECK(memcmp(dst, src, n) == 0, "line %d: %zu bytes differ from their source", line, n);
}

#define BYTES(dst, src, n) expect_bytes(__LINE__, dst, src, n)

static void test_copy_arg(void)
{
	struct cfg_type i4 = ty_int(4), l8 = ty_int(8), f = ty_float(), d = ty_double();
	uint8_t out[64];

	fill_frame();
	locate(HOOK("a", ty_void(), TY_STRUCT(i4, d), TY_STRUCT(f, f, f), TY_STRUCT(l8, l8, l8),
		    i4, i4, i4, TY_STRUCT(l8, i4), TY_STRUCT(ty_array(ty_int(1), 9))));
	/* {int; double} in rdi and xmm0. */
	arch_copy_arg(&frame.f, &locs[0], out);
	BYTES(out, &frame.f.gpr[0], 8);
	BYTES(out + 8, &frame.f.xmm[0][0], 8);
	/* {float x3} in xmm1 (8 bytes) and xmm2 (4). */
	memset(out, 0, sizeof(out));
	arch_copy_arg(&frame.f, &locs[1], out);
	BYTES(out, &frame.f.xmm[1][0], 8);
	BYTES(out + 8, &frame.f.xmm[2][0], 4);
	CHECK(out[12] == 0, "copied past the struct's 12 bytes");
	/* {long x3} on the stack at 0. */
	arch_copy_arg(&frame.f, &locs[2], out);
	BYTES(out, stack_arg(0), 24);
	/* Scalars: the whole register (params 3..5 are rsi, rdx, rcx). */
	arch_copy_arg(&frame.f, &locs[5], out);
	BYTES(out, &frame.f.gpr[3], 8);
	/* {long; int} fits the last two GPRs, r8 and r9. */
	REGS(6, G, 4, G, 5, 16);
	arch_copy_arg(&frame.f, &locs[6], out);
	BYTES(out, &frame.f.gpr[4], 8);
	BYTES(out + 8, &frame.f.gpr[5], 8);
	/* {char[9]} needs two GPRs and none is left: the stack, after the 24 bytes. */
	STACK(7, 24, 9);
	memset(out, 0, sizeof(out));
	arch_copy_arg(&frame.f, &locs[7], out);
	BYTES(out, stack_arg(24), 9);
	CHECK(out[9] == 0, "copied past the struct's 9 bytes");
	/* long double: not captured, zeros. */
	locate(HOOK("a", ty_void(), ty_ldouble()));
	memset(out, 0xff, sizeof(out));
	arch_copy_arg(&frame.f, &locs[0], out);
	CHECK(out[0] == 0 && out[15] == 0 && out[16] == 0xff, "long double: 16 zeros expected");
}

static void test_copy_ret(void)
{
	struct cfg_type l8 = ty_int(8), f = ty_float(), d = ty_double();
	uint8_t out[32];

	fill_frame();
	locate(HOOK0("a", TY_STRUCT(l8, d)));
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, &frame.f.ret_rax, 8);
	BYTES(out + 8, frame.f.ret_xmm0, 8);
	locate(HOOK0("a", TY_STRUCT(d, l8)));
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, frame.f.ret_xmm0, 8);
	BYTES(out + 8, &frame.f.ret_rax, 8);
	locate(HOOK0("a", TY_STRUCT(l8, l8)));
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, &frame.f.ret_rax, 8);
	BYTES(out + 8, &frame.f.ret_rdx, 8);
	locate(HOOK0("a", TY_STRUCT(f, f, f)));
	memset(out, 0, sizeof(out));
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, frame.f.ret_xmm0, 8);
	BYTES(out + 8, frame.f.ret_xmm1, 4);
	CHECK(out[12] == 0, "copied past the struct's 12 bytes");
	locate(HOOK0("a", TY_STRUCT(ty_int(2), ty_int(1))));
	memset(out, 0, sizeof(out));
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, &frame.f.ret_rax, 4);
	CHECK(out[4] == 0, "copied past the struct's 4 bytes");
	locate(HOOK0("a", ty_ldouble()));
	frame.f.ret_x87 = 1;
	arch_copy_ret(&frame.f, &ret, out);
	BYTES(out, frame.f.ret_st0, 10);
	CHECK(out[10] == 0 && out[15] == 0, "long double padding not zeroed");
}

/* The vararg cursor follows va_arg: registers left by the declared parameters first,
 * each class on its own, then the stack in order; long double 16-aligned. */
static void test_va_cursor(void)
{
	struct cfg_type i4 = ty_int(4), l8 = ty_int(8), d = ty_double();
	const struct cfg_hook *h;
	struct arch_va va;
	uint64_t v = 0;
	int n;

	fill_frame();
	h = HOOK_VA("vsum", i4, ty_string());
	locate(h);
	arch_va_start(&va, h, locs, &ret, stack);
	CHECK(va.gpr == 1 && va.xmm == 0 && va.stack == 0 && va.stack_max == 256,
	      "va_start: %u %u %u %u", va.gpr, va.xmm, va.stack, va.stack_max);
	for (int i = 1; i < 6; i++)
		CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == frame.f.gpr[i], "va gpr %d", i);
	CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == *(const uint64_t *)stack_arg(0),
	      "va int from the stack");
	for (int i = 0; i < 8; i++)
		CHECK(arch_va_next(&frame.f, &va, VA_SSE, &v) && v == frame.f.xmm[i][0], "va xmm %d", i);
	CHECK(arch_va_next(&frame.f, &va, VA_SSE, &v) && v == *(const uint64_t *)stack_arg(8),
	      "va double from the stack");
	CHECK(arch_va_next(&frame.f, &va, VA_X87, &v) && v == *(const uint64_t *)stack_arg(16),
	      "va long double at 16");
	CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == *(const uint64_t *)stack_arg(32),
	      "va int after the long double");
	CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == *(const uint64_t *)stack_arg(40),
	      "va int at 40");
	CHECK(arch_va_next(&frame.f, &va, VA_X87, &v) && v == *(const uint64_t *)stack_arg(48),
	      "va long double aligned up to 48");
	for (n = 0; arch_va_next(&frame.f, &va, VA_INT, &v); n++)
		;
	CHECK(n == (256 - 64) / 8, "stack window: %d more ints, expected %d", n, (256 - 64) / 8);
	CHECK(!arch_va_next(&frame.f, &va, VA_SSE, &v), "read past the window");

	/* After a hidden pointer, {int; double} and a spilled {long; long}. */
	h = HOOK_VA("vf", TY_STRUCT(l8, l8, l8), TY_STRUCT(i4, d), i4, i4, i4, TY_STRUCT(l8, l8), d);
	locate(h);
	arch_va_start(&va, h, locs, &ret, stack);
	CHECK(va.gpr == 5 && va.xmm == 2 && va.stack == 16 && va.stack_max == 16 + 256,
	      "va_start after structs: %u %u %u %u", va.gpr, va.xmm, va.stack, va.stack_max);
	CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == frame.f.gpr[5], "va r9");
	CHECK(arch_va_next(&frame.f, &va, VA_INT, &v) && v == *(const uint64_t *)stack_arg(16),
	      "va int after the spilled struct");
}

/* Issue 11, point 6: a prototype claiming a 200 KB struct by value. The struct keeps
 * its true size and place (32-bit fields), the window the trampoline copies is capped
 * at ARCH_STACK_COPY_MAX, and reads stop at what f->stack_readable says exists. */
static void test_bounded_by_what_exists(void)
{
	struct cfg_type l8 = ty_int(8);
	const struct cfg_hook *h;
	struct arch_va va;
	size_t declared = 0;
	uint64_t v = 0;
	uint8_t out[64];
	int n;

	h = HOOK("atoi", ty_int(4), TY_STRUCT(ty_array(ty_int(1), 204800)), l8, l8, l8, l8, l8, l8, l8);
	memset(locs, 0xee, sizeof(locs));
	stack = arch_locate_args(h, locs, &ret, &declared);
	CHECK(stack == ARCH_STACK_COPY_MAX, "copy window %zu, expected the cap %d", stack,
	      ARCH_STACK_COPY_MAX);
	CHECK(declared == 204800 + 8, "declared stack bytes %zu, expected %d", declared, 204800 + 8);
	STACK(0, 0, 204800);
	/* Six longs in registers, the seventh on the stack after the struct. */
	STACK(7, 204800, 8);
	fill_frame();
	CHECK(!arch_copy_arg(&frame.f, &locs[0], out), "a 200 KB struct copied from 512 bytes");
	CHECK(arch_arg_raw(&frame.f, locs[7]) == 0, "a stack argument past what exists read as %#llx",
	      (unsigned long long)arch_arg_raw(&frame.f, locs[7]));
	CHECK(arch_arg_raw(&frame.f, locs[0]) == (uint64_t)(uintptr_t)stack_arg(0),
	      "a struct in memory: its address expected");

	/* {long x3} at 0 exists only when its 24 bytes do. */
	h = HOOK("s3", ty_void(), TY_STRUCT(l8, l8, l8));
	locate(h);
	frame.f.stack_readable = 16;
	CHECK(!arch_copy_arg(&frame.f, &locs[0], out), "24 bytes copied from 16 that exist");
	frame.f.stack_readable = 24;
	CHECK(arch_copy_arg(&frame.f, &locs[0], out), "24 bytes not copied from 24 that exist");

	/* A variadic walk stops where the stack ends, not at the 256-byte window. */
	h = HOOK_VA("vsum", ty_int(4), ty_string());
	locate(h);
	frame.f.stack_readable = 24;
	arch_va_start(&va, h, locs, &ret, frame.f.stack_readable);
	for (int i = 1; i < 6; i++)
		arch_va_next(&frame.f, &va, VA_INT, &v);
	for (n = 0; arch_va_next(&frame.f, &va, VA_INT, &v); n++)
		;
	CHECK(n == 3, "%d stack varargs read from 24 bytes, expected 3", n);
	fill_frame();
}

int main(void)
{
	test_struct_classes();
	test_memory_class();
	test_nested_arrays_unions();
	test_register_exhaustion();
	test_long_double_params();
	test_returns();
	test_variadic_window();
	test_copy_arg();
	test_copy_ret();
	test_va_cursor();
	test_bounded_by_what_exists();
	return check_summary("abi_classify_test");
}
