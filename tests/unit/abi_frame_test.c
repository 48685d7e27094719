/*
 * abi_frame_test.c — the ABI code against gcc: real calls, with struct arguments of
 * every class, spills, long double, a hidden return pointer and varargs, go through
 * the real trampoline (trampoline.S, stub 0) to C functions compiled here.
 *
 * This file supplies impulse_hook_enter/exit. Entry reads every argument with
 * arch_copy_arg (and the varargs with the cursor) at the locations arch_locate_args
 * computed from a hand-built prototype, and compares them with the values the
 * caller passed; exit does the same for the return value with arch_copy_ret, then
 * clobbers rdx, xmm0, xmm1 and the whole x87 stack, as any C code may. The callee
 * checks it received its arguments intact and the caller checks the returned value:
 * so the trampoline passes everything through (rdi, stack arguments, %al) and
 * restores rax, rdx, xmm0, xmm1, st(0) and st(1).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unwind.h>

#include "abi_types.h"
#include "arch.h"
#include "check.h"

long impulse_hook_enter(struct arch_frame *f);
void impulse_hook_exit(struct arch_frame *f);

/* The trampoline's FDE names libimpulse's personality routine (unwind.c); nothing
 * unwinds through the trampoline here, so a neutral one does. */
_Unwind_Reason_Code impulse_unwind_personality(int version, _Unwind_Action actions,
					       _Unwind_Exception_Class cls,
					       struct _Unwind_Exception *ue,
					       struct _Unwind_Context *uc);
_Unwind_Reason_Code impulse_unwind_personality(int version, _Unwind_Action actions,
					       _Unwind_Exception_Class cls,
					       struct _Unwind_Exception *ue,
					       struct _Unwind_Context *uc)
{
	(void)version, (void)actions, (void)cls, (void)ue, (void)uc;
	return _URC_CONTINUE_UNWIND;
}

/* The shapes, as C types and as hooks.conf would describe them. */
struct s_id { int a; double b; };
struct s_dd { double a, b; };
struct s_fff { float a, b, c; };
struct s_csif { char c; short s; int i; float f; };
struct s_big { long a, b, c; };
struct __attribute__((packed)) s_pk { char c; int i; };
struct s_pt { float x, y; };
struct s_nest { struct s_pt p; long z; };
struct s_arr { float f[2]; int i[2]; };
union u_if { int i; float f; };
struct s_c9 { char c[9]; };
struct s_ll { long a, b; };
struct s_ld { long double x; };
struct s_ldi { long double x; int i; };
struct s_dl { double d; long l; };
struct s_c3 { char a, b, c; };
struct s_fd { float f; double d; };

static struct cfg_type T_id, T_dd, T_fff, T_csif, T_big, T_pk, T_nest, T_arr, T_if, T_c9, T_ll,
	T_ld, T_ldi, T_dl, T_c3, T_fd;

static void check_layout(const char *name, const struct cfg_type *t, size_t size, size_t nfields,
			 const size_t *offsets)
{
	CHECK(t->size == size, "%s: record size %u, C size %zu", name, t->size, size);
	CHECK(t->record->nfields == (int)nfields, "%s: %d fields, expected %zu", name,
	      t->record->nfields, nfields);
	for (size_t i = 0; i < nfields && i < (size_t)t->record->nfields; i++)
		CHECK(t->record->fields[i].offset == offsets[i], "%s: field %zu at %u, C at %zu",
		      name, i, t->record->fields[i].offset, offsets[i]);
}

#define LAYOUT(T, C, ...) check_layout(#C, &T, sizeof(C), \
	sizeof((size_t[]){ __VA_ARGS__ }) / sizeof(size_t), (size_t[]){ __VA_ARGS__ })

static void build_types(void)
{
	struct cfg_type c1 = ty_int(1), s2 = ty_int(2), i4 = ty_int(4), l8 = ty_int(8);
	struct cfg_type f = ty_float(), d = ty_double(), ld = ty_ldouble();

	T_id = TY_STRUCT(i4, d);
	T_dd = TY_STRUCT(d, d);
	T_fff = TY_STRUCT(f, f, f);
	T_csif = TY_STRUCT(c1, s2, i4, f);
	T_big = TY_STRUCT(l8, l8, l8);
	T_pk = TY_PACKED(c1, i4);
	T_nest = TY_STRUCT(TY_STRUCT(f, f), l8);
	T_arr = TY_STRUCT(ty_array(f, 2), ty_array(i4, 2));
	T_if = TY_UNION(i4, f);
	T_c9 = TY_STRUCT(ty_array(c1, 9));
	T_ll = TY_STRUCT(l8, l8);
	T_ld = TY_STRUCT(ld);
	T_ldi = TY_STRUCT(ld, i4);
	T_dl = TY_STRUCT(d, l8);
	T_c3 = TY_STRUCT(c1, c1, c1);
	T_fd = TY_STRUCT(f, d);
	/* The hand-built records must be the C types, or the comparisons mean nothing. */
	LAYOUT(T_id, struct s_id, offsetof(struct s_id, a), offsetof(struct s_id, b));
	LAYOUT(T_csif, struct s_csif, offsetof(struct s_csif, c), offsetof(struct s_csif, s),
	       offsetof(struct s_csif, i), offsetof(struct s_csif, f));
	LAYOUT(T_pk, struct s_pk, offsetof(struct s_pk, c), offsetof(struct s_pk, i));
	LAYOUT(T_nest, struct s_nest, offsetof(struct s_nest, p), offsetof(struct s_nest, z));
	LAYOUT(T_arr, struct s_arr, offsetof(struct s_arr, f), offsetof(struct s_arr, i));
	LAYOUT(T_if, union u_if, 0, 0);
	LAYOUT(T_c9, struct s_c9, 0);
	LAYOUT(T_ld, struct s_ld, 0);
	LAYOUT(T_ldi, struct s_ldi, offsetof(struct s_ldi, x), offsetof(struct s_ldi, i));
	LAYOUT(T_dl, struct s_dl, offsetof(struct s_dl, d), offsetof(struct s_dl, l));
	LAYOUT(T_c3, struct s_c3, 0, 1, 2);
	LAYOUT(T_fd, struct s_fd, offsetof(struct s_fd, f), offsetof(struct s_fd, d));
	LAYOUT(T_fff, struct s_fff, 0, 4, 8);
	LAYOUT(T_big, struct s_big, 0, 8, 16);
	LAYOUT(T_dd, struct s_dd, 0, 8);
	LAYOUT(T_ll, struct s_ll, 0, 8);
}

/* True when a and b hold the same value of type t: padding bytes are ignored (their
 * contents are unspecified when a struct travels in registers). */
static bool same_value(const struct cfg_type *t, const uint8_t *a, const uint8_t *b)
{
	switch (t->kind) {
	case CT_STRUCT:
		for (int i = 0; i < t->record->nfields; i++) {
			unsigned off = t->record->fields[i].offset;

			if (!same_value(&t->record->fields[i].type, a + off, b + off))
				return false;
		}
		return true;
	case CT_ARRAY:
		for (unsigned i = 0; i < t->array_len; i++)
			if (!same_value(t->pointee, a + i * t->pointee->size, b + i * t->pointee->size))
				return false;
		return true;
	case CT_LONG_DOUBLE:
		return memcmp(a, b, 10) == 0;
	default:
		return memcmp(a, b, t->size) == 0;
	}
}

#define MAX_ARGS 48

/* The call under test, set up before it is made through stub 0. */
static struct {
	const char *name;
	const struct cfg_hook *hook;
	struct arg_loc locs[MAX_ARGS];
	struct ret_loc ret;
	size_t stack;
	void *real;
	const void *want[MAX_ARGS];	/* each declared argument's value */
	const void *want_ret;
	int nva;			/* varargs to read with the cursor */
	int nva_readable;		/* of which inside the window */
	enum arch_va_class va_cls[MAX_ARGS];
	uint64_t va_want[MAX_ARGS];
	int entered, exited;
} cur;

static void *prepare(const char *name, const struct cfg_hook *hook, void *real)
{
	memset(&cur, 0, sizeof(cur));
	cur.name = name;
	cur.hook = hook;
	cur.real = real;
	cur.stack = arch_locate_args(hook, cur.locs, &cur.ret, NULL);
	return impulse_tramp_stubs;
}

/* Calls fn through the trampoline, with the hook h describing it. */
#define TRACED(fn, h) ((__typeof__(&fn))prepare(#fn, h, (void *)fn))

static void want_va(enum arch_va_class cls, uint64_t value)
{
	cur.va_cls[cur.nva] = cls;
	cur.va_want[cur.nva++] = value;
}

static void finish(void)
{
	CHECK(cur.entered == 1 && cur.exited == 1, "%s: entered %d, exited %d", cur.name,
	      cur.entered, cur.exited);
}

long impulse_hook_enter(struct arch_frame *f)
{
	uint8_t buf[64];

	f->real = (uint64_t)cur.real;
	cur.entered++;
	/* As the real hook_enter: what exists of the window bounds the reads and the
	 * trampoline's copy. On a thread's ordinary stack all of it does. */
	f->stack_readable = arch_stack_readable(f, cur.stack);
	CHECK(f->stack_readable == cur.stack, "%s: %llu of %zu stack bytes readable", cur.name,
	      (unsigned long long)f->stack_readable, cur.stack);
	for (int i = 0; i < cur.hook->nparams; i++) {
		const struct cfg_type *t = &cur.hook->params[i].type;

		if (t->kind == CT_LONG_DOUBLE || !cur.want[i])
			continue;	/* not captured; its place is checked by the next ones */
		memset(buf, 0xa5, sizeof(buf));
		arch_copy_arg(f, &cur.locs[i], buf);
		CHECK(same_value(t, buf, cur.want[i]), "%s: argument %d differs (where %d/%d +%u)",
		      cur.name, i, cur.locs[i].where, cur.locs[i].index, cur.locs[i].offset);
	}
	if (cur.nva) {
		struct arch_va va;

		arch_va_start(&va, cur.hook, cur.locs, &cur.ret, cur.stack);
		for (int i = 0; i < cur.nva; i++) {
			uint64_t v = 0;
			bool ok = arch_va_next(f, &va, cur.va_cls[i], &v);

			if (i < cur.nva_readable)
				CHECK(ok && v == cur.va_want[i], "%s: vararg %d: %s %#llx, expected %#llx",
				      cur.name, i, ok ? "read" : "not read", (unsigned long long)v,
				      (unsigned long long)cur.va_want[i]);
			else
				CHECK(!ok, "%s: vararg %d read past the window", cur.name, i);
		}
	}
	return (long)cur.stack + 1;
}

/* What any C code may do to the return registers: the trampoline must restore them. */
static void clobber_return_registers(void)
{
	__asm__ volatile("xorl %%edx, %%edx\n\t"
			 "xorps %%xmm0, %%xmm0\n\t"
			 "xorps %%xmm1, %%xmm1\n\t"
			 /* Eight pushes need the whole x87 stack: with a value left on it,
			  * the last push overflows onto it and it is lost. */
			 "fldpi\n\tfldpi\n\tfldpi\n\tfldpi\n\tfldpi\n\tfldpi\n\tfldpi\n\tfldpi\n\t"
			 "fstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\t"
			 "fstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\t"
			 ::: "rdx", "xmm0", "xmm1", "st", "st(1)", "st(2)", "st(3)", "st(4)",
			 "st(5)", "st(6)", "st(7)", "memory");
}

void impulse_hook_exit(struct arch_frame *f)
{
	uint8_t buf[64];

	cur.exited++;
	if (cur.want_ret) {
		const struct cfg_type *t = &cur.hook->ret;

		memset(buf, 0xa5, sizeof(buf));
		if (cur.ret.where == RET_MEMORY)
			memcpy(buf, (const void *)f->ret_rax, cur.ret.size);
		else
			arch_copy_ret(f, &cur.ret, buf);
		CHECK(same_value(t, buf, cur.want_ret), "%s: return value differs (where %d)",
		      cur.name, cur.ret.where);
	}
	clobber_return_registers();
}

/* ---- the callees: each checks what it received against these ---- */

static struct s_id a_id = { -7, 2.5 };
static struct s_dd a_dd = { 1.25, -3.5 };
static struct s_fff a_fff = { 1.5f, -2.5f, 4.75f };
static struct s_csif a_csif = { 'Q', -300, 123456, 0.125f };
static struct s_big a_big = { 1L << 40, -2, 3 };
static struct s_pk a_pk = { 'p', 0x7abbccdd };
static struct s_nest a_nest = { { 9.5f, -1.0f }, -5000000000L };
static struct s_arr a_arr = { { 3.5f, 7.25f }, { -1, 65536 } };
static union u_if a_if = { .i = 0x3f800001 };
static struct s_c9 a_c9 = { "abcdefgh" };
static struct s_ll a_ll = { 111, -222 };
static struct s_ld a_ld = { 1.0L / 3 };
static struct s_ldi a_ldi = { -2.0L / 7, 77 };
static long double a_ldv = 6.02214076e23L;
static int callee_ok;

#define EQ(x, y) (memcmp(&(x), &(y), sizeof(x)) == 0)
#define SAME(T, x, y) same_value(&T, (const uint8_t *)&(x), (const uint8_t *)&(y))

__attribute__((noinline)) struct s_id f_regs(struct s_id a, struct s_dd b, struct s_fff c,
					     struct s_csif d);
__attribute__((noinline)) struct s_id f_regs(struct s_id a, struct s_dd b, struct s_fff c,
					     struct s_csif d)
{
	callee_ok = SAME(T_id, a, a_id) && EQ(b, a_dd) && EQ(c, a_fff) && SAME(T_csif, d, a_csif);
	return (struct s_id){ a.a + d.i, b.a + c.c };
}

__attribute__((noinline)) struct s_big f_hidden(struct s_big a, struct s_pk b, struct s_nest c,
						struct s_arr d, union u_if e, struct s_c9 g);
__attribute__((noinline)) struct s_big f_hidden(struct s_big a, struct s_pk b, struct s_nest c,
						struct s_arr d, union u_if e, struct s_c9 g)
{
	callee_ok = EQ(a, a_big) && EQ(b, a_pk) && EQ(c, a_nest) && EQ(d, a_arr) && EQ(e, a_if) &&
		    EQ(g, a_c9);
	return (struct s_big){ a.a + b.i, c.z, d.i[1] + g.c[7] };
}

__attribute__((noinline)) long f_gpr_spill(int a, int b, int c, int d, int e, struct s_ll s, int g,
					   struct s_id t);
__attribute__((noinline)) long f_gpr_spill(int a, int b, int c, int d, int e, struct s_ll s, int g,
					   struct s_id t)
{
	callee_ok = a == 1 && b == 2 && c == 3 && d == 4 && e == 5 && EQ(s, a_ll) && g == 7 &&
		    SAME(T_id, t, a_id);
	return a + b + c + d + e + s.a + s.b + g + t.a;
}

__attribute__((noinline)) struct s_dl f_xmm_spill(double a, double b, double c, double d, double e,
						  double f, double g, double h, struct s_dd s,
						  double i, struct s_id t, float j);
__attribute__((noinline)) struct s_dl f_xmm_spill(double a, double b, double c, double d, double e,
						  double f, double g, double h, struct s_dd s,
						  double i, struct s_id t, float j)
{
	callee_ok = a == 1 && b == 2 && c == 3 && d == 4 && e == 5 && f == 6 && g == 7 && h == 8 &&
		    EQ(s, a_dd) && i == 9 && SAME(T_id, t, a_id) && j == 10.5f;
	return (struct s_dl){ a + s.b + i + j, t.a };
}

__attribute__((noinline)) struct s_fff f_ld(long double x, int a, struct s_ld y, double b,
					    struct s_ldi z, float c);
__attribute__((noinline)) struct s_fff f_ld(long double x, int a, struct s_ld y, double b,
					    struct s_ldi z, float c)
{
	callee_ok = x == a_ldv && a == -42 && y.x == a_ld.x && b == 0.75 && z.x == a_ldi.x &&
		    z.i == a_ldi.i && c == -0.5f;
	return (struct s_fff){ (float)b, c, (float)a };
}

__attribute__((noinline)) struct s_ld f_ret_ld(int a);
__attribute__((noinline)) struct s_ld f_ret_ld(int a)
{
	callee_ok = a == 3;
	return (struct s_ld){ a_ld.x * a };
}

__attribute__((noinline)) _Complex long double f_ret_cld(double a, long double b);
__attribute__((noinline)) _Complex long double f_ret_cld(double a, long double b)
{
	callee_ok = a == 1.5 && b == a_ldv;
	return b + a * 1.0il;
}

__attribute__((noinline)) union u_if f_ret_if(void);
__attribute__((noinline)) union u_if f_ret_if(void)
{
	callee_ok = 1;
	return a_if;
}

__attribute__((noinline)) struct s_c3 f_ret_c3(char a);
__attribute__((noinline)) struct s_c3 f_ret_c3(char a)
{
	callee_ok = a == 'x';
	return (struct s_c3){ a, 'y', 'z' };
}

__attribute__((noinline)) struct s_fd f_ret_fd(struct s_fd x);
__attribute__((noinline)) struct s_fd f_ret_fd(struct s_fd x)
{
	callee_ok = x.f == 0.25f && x.d == -8.0;
	return (struct s_fd){ x.f * 2, x.d * 2 };
}

__attribute__((noinline)) struct s_pk f_ret_pk(struct s_c3 c);
__attribute__((noinline)) struct s_pk f_ret_pk(struct s_c3 c)
{
	callee_ok = c.a == 'x' && c.b == 'y' && c.c == 'z';
	return a_pk;
}

__attribute__((noinline)) struct s_csif f_ret_csif(struct s_csif x);
__attribute__((noinline)) struct s_csif f_ret_csif(struct s_csif x)
{
	callee_ok = SAME(T_csif, x, a_csif);
	x.i++;
	return x;
}

__attribute__((noinline)) struct s_ll f_ret_ll(struct s_ll x);
__attribute__((noinline)) struct s_ll f_ret_ll(struct s_ll x)
{
	callee_ok = EQ(x, a_ll);
	return (struct s_ll){ x.b, x.a };
}

/* A printf-like sum: 'l' long, 'd' double, 'L' long double (its integer part). */
__attribute__((noinline)) long vsum(const char *fmt, ...);
__attribute__((noinline)) long vsum(const char *fmt, ...)
{
	va_list ap;
	long sum = 0;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p == 'l')
			sum += va_arg(ap, long);
		else if (*p == 'd')
			sum += (long)va_arg(ap, double);
		else if (*p == 'L')
			sum += (long)va_arg(ap, long double);
	}
	va_end(ap);
	callee_ok = 1;
	return sum;
}

/* Declared struct parameters before the varargs: the cursor starts after them. */
__attribute__((noinline)) long vmix(struct s_big b, struct s_id s, int n, ...);
__attribute__((noinline)) long vmix(struct s_big b, struct s_id s, int n, ...)
{
	va_list ap;
	long sum = b.c + s.a;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		sum += va_arg(ap, long);
	va_end(ap);
	callee_ok = EQ(b, a_big) && SAME(T_id, s, a_id);
	return sum;
}

static uint64_t bits_of_double(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

static uint64_t low_bits_of_ld(long double x)
{
	uint64_t u;

	memcpy(&u, &x, 8);
	return u;
}

static void want_args(int n, ...)
{
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		cur.want[i] = va_arg(ap, const void *);
	va_end(ap);
}

/* Struct arguments of each register class; a struct returned in rax and xmm0. */
static void test_struct_args_in_registers(void)
{
	struct s_id r, want = { a_id.a + a_csif.i, a_dd.a + a_fff.c };
	__typeof__(&f_regs) fn = TRACED(f_regs, HOOK("f_regs", T_id, T_id, T_dd, T_fff, T_csif));

	want_args(4, &a_id, &a_dd, &a_fff, &a_csif);
	cur.want_ret = &want;
	r = fn(a_id, a_dd, a_fff, a_csif);
	finish();
	CHECK(cur.ret.where == RET_REGS && cur.locs[3].where == ARG_IN_GPR &&
	      cur.locs[3].where2 == ARG_IN_XMM, "f_regs: unexpected locations");
	CHECK(callee_ok && SAME(T_id, r, want), "f_regs: callee %d, return %d %g", callee_ok, r.a, r.b);
}

/* MEMORY-class arguments on the stack, the return buffer's pointer in rdi. */
static void test_hidden_pointer(void)
{
	struct s_big r, want = { a_big.a + a_pk.i, a_nest.z, a_arr.i[1] + a_c9.c[7] };
	__typeof__(&f_hidden) fn = TRACED(f_hidden, HOOK("f_hidden", T_big, T_big, T_pk, T_nest,
							 T_arr, T_if, T_c9));

	want_args(6, &a_big, &a_pk, &a_nest, &a_arr, &a_if, &a_c9);
	cur.want_ret = &want;
	r = fn(a_big, a_pk, a_nest, a_arr, a_if, a_c9);
	finish();
	CHECK(cur.ret.where == RET_MEMORY && cur.locs[2].where2 == ARG_IN_GPR &&
	      cur.locs[2].index2 == 1 && cur.locs[5].index == 4 && cur.stack == 32,
	      "f_hidden: unexpected locations");
	CHECK(callee_ok && EQ(r, want), "f_hidden: callee %d, return %ld %ld %ld", callee_ok,
	      r.a, r.b, r.c);
}

/* A struct that no longer fits the GPRs goes to the stack; the int after it does not. */
static void test_gpr_spill(void)
{
	struct cfg_type i4 = ty_int(4);
	int v[] = { 1, 2, 3, 4, 5, 7 };
	long want = 1 + 2 + 3 + 4 + 5 + a_ll.a + a_ll.b + 7 + a_id.a, r;
	__typeof__(&f_gpr_spill) fn = TRACED(f_gpr_spill, HOOK("f_gpr_spill", ty_int(8), i4, i4, i4,
							       i4, i4, T_ll, i4, T_id));

	want_args(8, &v[0], &v[1], &v[2], &v[3], &v[4], &a_ll, &v[5], &a_id);
	cur.want_ret = &want;
	r = fn(1, 2, 3, 4, 5, a_ll, 7, a_id);
	finish();
	CHECK(cur.locs[5].where == ARG_ON_STACK && cur.locs[6].where == ARG_IN_GPR &&
	      cur.locs[7].where == ARG_ON_STACK, "f_gpr_spill: unexpected locations");
	CHECK(callee_ok && r == want, "f_gpr_spill: callee %d, return %ld", callee_ok, r);
}

/* After eight doubles: {double; double} and {int; double} on the stack, and the
 * scalars after them; a struct returned in xmm0 and rax. */
static void test_xmm_spill(void)
{
	struct cfg_type d = ty_double();
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	float j = 10.5f;
	struct s_dl r, want = { 1 + a_dd.b + 9 + 10.5, a_id.a };
	__typeof__(&f_xmm_spill) fn = TRACED(f_xmm_spill, HOOK("f_xmm_spill", T_dl, d, d, d, d, d,
							       d, d, d, T_dd, d, T_id, ty_float()));

	want_args(12, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &a_dd, &v[8], &a_id, &j);
	cur.want_ret = &want;
	r = fn(1, 2, 3, 4, 5, 6, 7, 8, a_dd, 9, a_id, 10.5f);
	finish();
	CHECK(cur.locs[8].where == ARG_ON_STACK && cur.locs[10].where == ARG_ON_STACK &&
	      cur.locs[11].where == ARG_ON_STACK && cur.ret.class0 == ARG_IN_XMM &&
	      cur.ret.class1 == ARG_IN_GPR, "f_xmm_spill: unexpected locations");
	CHECK(callee_ok && SAME(T_dl, r, want), "f_xmm_spill: callee %d, return %g %ld", callee_ok,
	      r.d, r.l);
}

/* long double and structs holding one: stack, 16-aligned; the rest still right. */
static void test_long_double(void)
{
	int a = -42;
	double b = 0.75;
	float c = -0.5f;
	struct s_fff r, want = { 0.75f, -0.5f, -42.0f };
	__typeof__(&f_ld) fn = TRACED(f_ld, HOOK("f_ld", T_fff, ty_ldouble(), ty_int(4), T_ld,
						 ty_double(), T_ldi, ty_float()));

	want_args(6, NULL, &a, &a_ld, &b, &a_ldi, &c);
	cur.want_ret = &want;
	r = fn(a_ldv, -42, a_ld, 0.75, a_ldi, -0.5f);
	finish();
	CHECK(cur.locs[2].offset == 16 && cur.locs[4].offset == 32 && cur.stack == 64,
	      "f_ld: unexpected locations");
	CHECK(callee_ok && EQ(r, want), "f_ld: callee %d, return %g %g %g", callee_ok, r.a, r.b, r.c);
}

/* st(0) (and st(1)) survive impulse_hook_exit's use of the whole x87 stack. */
static void test_x87_returns(void)
{
	int three = 3;
	double a = 1.5;
	struct s_ld r, want = { a_ld.x * 3 };
	_Complex long double z;
	__typeof__(&f_ret_ld) fn = TRACED(f_ret_ld, HOOK("f_ret_ld", T_ld, ty_int(4)));

	want_args(1, &three);
	cur.want_ret = &want;
	r = fn(3);
	finish();
	CHECK(cur.ret.where == RET_X87, "f_ret_ld: return where %d", cur.ret.where);
	CHECK(callee_ok && r.x == want.x, "f_ret_ld: callee %d, return %Lg", callee_ok, r.x);

	/* _Complex long double: st(0) real, st(1) imaginary. Described as returning a
	 * long double, which locates the same way and checks st(0). */
	__typeof__(&f_ret_cld) fc = TRACED(f_ret_cld, HOOK("f_ret_cld", ty_ldouble(), ty_double(),
							   ty_ldouble()));
	want_args(1, &a);
	cur.want_ret = &a_ldv;
	z = fc(1.5, a_ldv);
	finish();
	CHECK(callee_ok && __real__ z == a_ldv && __imag__ z == 1.5L,
	      "f_ret_cld: callee %d, return %Lg%+Lgi", callee_ok, __real__ z, __imag__ z);

	/* An x87 value around a call that returns none: nothing may be pushed or lost. */
	{
		volatile long double keep = a_ldv;
		long double sum = keep * 2;
		__typeof__(&f_ret_if) fi = TRACED(f_ret_if, HOOK0("f_ret_if", T_if));
		union u_if u;

		cur.want_ret = &a_if;
		u = fi();
		finish();
		sum += keep;
		CHECK(callee_ok && EQ(u, a_if) && sum == a_ldv * 3, "f_ret_if: callee %d, x87 sum %Lg",
		      callee_ok, sum);
	}
}

/* Small struct returns of each class pair. */
static void test_small_returns(void)
{
	char x = 'x';
	struct s_c3 c3, want_c3 = { 'x', 'y', 'z' };
	struct s_fd fd, arg_fd = { 0.25f, -8.0 }, want_fd = { 0.5f, -16.0 };
	struct s_pk pk;
	struct s_csif csif, want_csif = a_csif;
	struct s_ll ll, want_ll = { a_ll.b, a_ll.a };
	__typeof__(&f_ret_c3) f1 = TRACED(f_ret_c3, HOOK("f_ret_c3", T_c3, ty_int(1)));

	want_args(1, &x);
	cur.want_ret = &want_c3;
	c3 = f1('x');
	finish();
	CHECK(callee_ok && EQ(c3, want_c3), "f_ret_c3: callee %d", callee_ok);

	__typeof__(&f_ret_fd) f2 = TRACED(f_ret_fd, HOOK("f_ret_fd", T_fd, T_fd));
	want_args(1, &arg_fd);
	cur.want_ret = &want_fd;
	fd = f2(arg_fd);
	finish();
	CHECK(callee_ok && SAME(T_fd, fd, want_fd), "f_ret_fd: callee %d", callee_ok);

	__typeof__(&f_ret_pk) f3 = TRACED(f_ret_pk, HOOK("f_ret_pk", T_pk, T_c3));
	want_args(1, &want_c3);
	cur.want_ret = &a_pk;
	pk = f3(want_c3);
	finish();
	CHECK(callee_ok && EQ(pk, a_pk) && cur.ret.where == RET_MEMORY, "f_ret_pk: callee %d",
	      callee_ok);

	want_csif.i++;
	__typeof__(&f_ret_csif) f4 = TRACED(f_ret_csif, HOOK("f_ret_csif", T_csif, T_csif));
	want_args(1, &a_csif);
	cur.want_ret = &want_csif;
	csif = f4(a_csif);
	finish();
	CHECK(callee_ok && SAME(T_csif, csif, want_csif), "f_ret_csif: callee %d", callee_ok);

	__typeof__(&f_ret_ll) f5 = TRACED(f_ret_ll, HOOK("f_ret_ll", T_ll, T_ll));
	want_args(1, &a_ll);
	cur.want_ret = &want_ll;
	ll = f5(a_ll);
	finish();
	CHECK(callee_ok && EQ(ll, want_ll), "f_ret_ll: callee %d", callee_ok);
}

/* Varargs past every register, with a long double among them. */
static void test_varargs(void)
{
	static const char fmt[] = "llllllllddddddddddLlld";
	const char *pfmt = fmt;
	long want = 0, r;
	__typeof__(&vsum) fn = TRACED(vsum, HOOK_VA("vsum", ty_int(8), ty_string()));

	want_args(1, &pfmt);
	for (int i = 1; i <= 8; i++) {
		want_va(VA_INT, (uint64_t)(i * 1000));
		want += i * 1000;
	}
	for (int i = 1; i <= 10; i++) {
		want_va(VA_SSE, bits_of_double(i + 0.25));
		want += i;
	}
	want_va(VA_X87, low_bits_of_ld(a_ldv));
	want += (long)a_ldv;
	want_va(VA_INT, (uint64_t)-9);
	want_va(VA_INT, 99);
	want_va(VA_SSE, bits_of_double(-4.0));
	want += -9 + 99 - 4;
	cur.nva_readable = cur.nva;
	cur.want_ret = &want;
	r = fn(fmt, 1000L, 2000L, 3000L, 4000L, 5000L, 6000L, 7000L, 8000L,
	       1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 8.25, 9.25, 10.25,
	       a_ldv, -9L, 99L, -4.0);
	finish();
	CHECK(callee_ok && r == want, "vsum: callee %d, return %ld, expected %ld", callee_ok, r, want);
}

/* Struct parameters before "...", and the window's end. */
static void test_varargs_after_structs(void)
{
	long want = a_big.c + a_id.a, r;
	int n = 36;
	__typeof__(&vmix) fn = TRACED(vmix, HOOK_VA("vmix", ty_int(8), T_big, T_id, ty_int(4)));

	want_args(3, &a_big, &a_id, &n);
	/* rsi..r9 hold four, then the stack after s_big's 24 bytes: the window
	 * (round16(24) + 256 bytes) holds 35 eightbytes from offset 24. */
	for (int i = 0; i < 40; i++)
		want_va(VA_INT, (uint64_t)(i + 1));
	for (int i = 0; i < 36; i++)
		want += i + 1;
	cur.nva_readable = 4 + (32 + 256 - 24) / 8;
	cur.want_ret = &want;
	r = fn(a_big, a_id, 36, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L,
	       16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L, 31L, 32L,
	       33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L);
	finish();
	CHECK(callee_ok && r == want, "vmix: callee %d, return %ld, expected %ld", callee_ok, r, want);
}

int main(void)
{
	build_types();
	test_struct_args_in_registers();
	test_hidden_pointer();
	test_gpr_spill();
	test_xmm_spill();
	test_long_double();
	test_x87_returns();
	test_small_returns();
	test_varargs();
	test_varargs_after_structs();
	return check_summary("abi_frame_test");
}
