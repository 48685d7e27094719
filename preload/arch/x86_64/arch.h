/*
 * arch.h — what the generic preload code asks of the architecture (x86-64 here).
 *
 * Everything machine-specific sits in this folder: the trampoline and its frame,
 * the System V argument locations, the clock, fault recovery. A port is a new
 * folder with the same header.
 */
#ifndef IMPULSE_ARCH_H
#define IMPULSE_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "frame.h"
#include "config.h"

/* Where the ABI puts one declared parameter (or one eightbyte of it) at function entry. */
enum arg_where { ARG_IN_GPR, ARG_IN_XMM, ARG_ON_STACK, ARG_UNSUPPORTED };

/*
 * One parameter's location. Scalars use where/index (or offset on the stack).
 * A struct of up to 16 bytes passed in registers has one piece per eightbyte:
 * where/index for bytes 0–7 and where2/index2 for bytes 8–15 (classes may differ:
 * {int; double} is one GPR then one XMM). A struct passed in memory is ARG_ON_STACK
 * at offset with size bytes.
 */
struct arg_loc {
	uint8_t where;		/* enum arg_where of the first (or only) eightbyte */
	uint8_t index;		/* register number within its class */
	uint8_t where2;		/* second eightbyte of a 9–16 byte struct in registers */
	uint8_t index2;
	uint32_t offset;	/* ARG_ON_STACK: bytes from the first stack argument */
	uint32_t size;		/* bytes of the value as declared (8 for scalars and pointers);
				 * 32 bits: a prototype may claim a 200 KB struct by value */
};

/* Where a return value comes back. */
enum ret_where {
	RET_NONE,	/* void */
	RET_GPR,	/* integer class scalar in %rax */
	RET_XMM,	/* float/double in %xmm0 */
	RET_X87,	/* long double (or struct { long double; }) in st(0): recorded as
			 * unsupported; the trampoline keeps its bytes in f->ret_st0 */
	RET_REGS,	/* struct of up to 16 bytes: eightbyte 0 in rax or xmm0, eightbyte 1 in
			 * the next unused of rdx / xmm1 (classes per eightbyte) */
	RET_MEMORY,	/* struct returned through the hidden pointer: %rax holds it on return */
};

struct ret_loc {
	uint8_t where;		/* enum ret_where */
	uint8_t class0, class1;	/* RET_REGS: ARG_IN_GPR or ARG_IN_XMM for each eightbyte */
	uint8_t pad;
	uint32_t size;		/* bytes of the value */
};

/* Parameters whose locations are stored; later ones are not captured. */
#define ARCH_MAX_ARG_LOCS 32

/*
 * Most bytes of the caller's stack arguments the trampoline reserves and copies for
 * the real call, whatever the prototype claims: the copy costs the program this
 * much of its own stack (a coroutine's may be small), and a prototype claiming
 * more is far more likely wrong than a real function taking 4 KiB of arguments on
 * the stack. Parameters beyond it are recorded as unreadable. A multiple of 16.
 */
#define ARCH_STACK_COPY_MAX 4096

/*
 * Computes the location of each of hook's parameters into locs[0..min(nparams,
 * ARCH_MAX_ARG_LOCS)) and of
 * its return value into *ret. A struct returned in memory takes %rdi for the hidden
 * pointer, shifting every integer-class parameter by one register. Returns the bytes
 * of caller stack arguments the callee may read (a multiple of 16): exact for fixed
 * prototypes, a fixed window for variadic ones; never more than ARCH_STACK_COPY_MAX.
 * *declared (when not NULL) gets the bytes the declared parameters take, uncapped.
 */
size_t arch_locate_args(const struct cfg_hook *hook, struct arg_loc *locs, struct ret_loc *ret,
			size_t *declared);

/* Fault-tolerant copies (safe_copy.S); see there for the return values. */
long impulse_safe_strncpy(char *dst, const char *src, size_t max);
long impulse_safe_memcpy(void *dst, const void *src, size_t n);

/*
 * How many of the want bytes of stack arguments above the caller's return address
 * can be read: want, or less when they run into an unmapped or PROT_NONE page (the
 * top of a stack, a guard page). Probes one byte per page crossed with the
 * fault-tolerant copy: no system call. The return address's own page is readable.
 */
size_t arch_stack_readable(const struct arch_frame *f, size_t want);

/* True when loc's bytes on the caller's stack lie inside what f->stack_readable says exists. */
static inline bool arch_arg_on_readable_stack(const struct arch_frame *f, const struct arg_loc *loc)
{
	return (uint64_t)loc->offset + loc->size <= f->stack_readable;
}

/*
 * The raw 64-bit value of a scalar argument located by arch_locate_args(). A stack
 * argument past the readable stack (the prototype claims more than the caller
 * passed) reads as 0. A struct passed in memory gives its address on the caller's
 * stack: the record names it when its bytes cannot be read.
 */
static inline uint64_t arch_arg_raw(const struct arch_frame *f, struct arg_loc loc)
{
	switch (loc.where) {
	case ARG_IN_GPR:
		return f->gpr[loc.index];
	case ARG_IN_XMM:
		return f->xmm[loc.index][0];
	case ARG_ON_STACK: {
		uint64_t v;

		if (loc.size > 8)
			return (uint64_t)(uintptr_t)arch_frame_stack_args(f) + loc.offset;
		/* Fault-tolerant even inside what the probe found: the probe and this
		 * read are not one atomic step. */
		if (!arch_arg_on_readable_stack(f, &loc) ||
		    impulse_safe_memcpy(&v, (const uint8_t *)arch_frame_stack_args(f) + loc.offset, 8) < 0)
			return 0;
		return v;
	}
	default:
		return 0;
	}
}

/* Copies loc->size bytes of an argument (a struct by value, or a scalar) to dst.
 * Valid at entry and, since the frame and the caller's stack arguments are kept
 * untouched during the call, at exit too. False (dst then undefined) when part of
 * it lies past the readable stack or could not be read. */
bool arch_copy_arg(const struct arch_frame *f, const struct arg_loc *loc, void *dst);

/* The raw return value of a scalar: integer class from %rax, SSE class from %xmm0. */
static inline uint64_t arch_ret_raw(const struct arch_frame *f, enum cfg_type_kind kind)
{
	return (kind == CT_FLOAT || kind == CT_DOUBLE) ? f->ret_xmm0[0] : f->ret_rax;
}

/* RET_REGS: copies the returned struct's ret->size bytes to dst. (RET_MEMORY: the
 * struct is at the address in f->ret_rax; copy it with impulse_safe_memcpy.)
 * Also RET_GPR/RET_XMM (the low ret->size bytes of rax/xmm0) and RET_X87 (the
 * 10-byte value, zero padded to ret->size); RET_NONE writes ret->size zeros. */
void arch_copy_ret(const struct arch_frame *f, const struct ret_loc *ret, void *dst);

/*
 * Walks the variadic arguments of a call, after the declared ones: each class takes
 * the next free register of its kind, then the next stack eightbyte(s), as va_arg
 * does. Only reads memory inside the frame and the caller's stack-argument window.
 */
struct arch_va {
	uint32_t gpr, xmm;	/* next free register of each class */
	uint32_t stack;		/* next stack byte offset */
	uint32_t stack_max;	/* bytes of stack arguments that may be read */
};

enum arch_va_class { VA_INT, VA_SSE, VA_X87 };

/* Starts after hook's declared parameters (as located by arch_locate_args); the
 * stack part ends at stack_window bytes (f->stack_readable: what exists). */
void arch_va_start(struct arch_va *va, const struct cfg_hook *hook, const struct arg_loc *locs,
		   const struct ret_loc *ret, size_t stack_window);

/* The next variadic argument of class cls (VA_X87: the low 8 bytes of the 16, for
 * skipping). Returns false when the readable window is exhausted. */
bool arch_va_next(const struct arch_frame *f, struct arch_va *va, enum arch_va_class cls,
		  uint64_t *value);

/* A cheap monotonic tick counter; see clock.c for how ticks become wall time. */
static inline uint64_t arch_read_ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* True when the tick counter is invariant (constant and non-stop) on this CPU. */
bool arch_ticks_are_invariant(void);


/*
 * Called from the SIGSEGV/SIGBUS handler with its ucontext: when the fault hit one
 * of the safe copies, redirects it to return -1 and returns true.
 */
bool arch_fault_fixup(void *ucontext);

/* What a dynamic relocation does with a function's address. */
enum arch_reloc {
	ARCH_RELOC_OTHER,	/* not a function address we redirect */
	ARCH_RELOC_CALL,	/* a PLT slot: only ever called through */
	ARCH_RELOC_ADDRESS,	/* a GOT or data word holding the address (-fno-plt calls, pointers) */
};

static inline enum arch_reloc arch_reloc_kind(uint32_t type, int64_t addend)
{
	switch (type) {
	case 7:		/* R_X86_64_JUMP_SLOT */
		return ARCH_RELOC_CALL;
	case 6:		/* R_X86_64_GLOB_DAT */
		return ARCH_RELOC_ADDRESS;
	case 1:		/* R_X86_64_64: a pointer in data, only without an offset */
		return addend ? ARCH_RELOC_OTHER : ARCH_RELOC_ADDRESS;
	default:
		return ARCH_RELOC_OTHER;
	}
}

/* True when code at p is a PLT entry: an optional endbr64 and bnd prefix, then jmp *disp(%rip). */
static inline bool arch_is_plt_entry(const void *code)
{
	const uint8_t *p = code;

	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	if (p[0] == 0xf2)
		p++;
	return p[0] == 0xff && p[1] == 0x25;
}

#endif
