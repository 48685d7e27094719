/*
 * abi_types.h — builds the config structures the parser would (struct cfg_type,
 * cfg_record with x86-64 LP64 layout, cfg_hook) by hand, for the ABI unit tests.
 * Test code.
 */
#ifndef IMPULSE_TESTS_ABI_TYPES_H
#define IMPULSE_TESTS_ABI_TYPES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Allocations come from a static arena, never freed: each test is a short process,
 * and LeakSanitizer (SAN builds) then has nothing to report. */
static inline void *abi_alloc(size_t n)
{
	static _Alignas(16) unsigned char arena[1 << 20];
	static size_t used;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(arena) - used) {
		fputs("abi_types.h: arena exhausted\n", stderr);
		exit(2);
	}
	p = arena + used;
	used += n;
	memset(p, 0, n);
	return p;
}

static inline struct cfg_type ty_int(unsigned size)
{
	return (struct cfg_type){ .kind = CT_INT, .size = size, .align = size, .is_signed = true };
}

static inline struct cfg_type ty_float(void)
{
	return (struct cfg_type){ .kind = CT_FLOAT, .size = 4, .align = 4 };
}

static inline struct cfg_type ty_double(void)
{
	return (struct cfg_type){ .kind = CT_DOUBLE, .size = 8, .align = 8 };
}

static inline struct cfg_type ty_ldouble(void)
{
	return (struct cfg_type){ .kind = CT_LONG_DOUBLE, .size = 16, .align = 16 };
}

static inline struct cfg_type ty_ptr(void)
{
	return (struct cfg_type){ .kind = CT_POINTER, .size = 8, .align = 8 };
}

static inline struct cfg_type ty_string(void)
{
	return (struct cfg_type){ .kind = CT_STRING, .size = 8, .align = 8 };
}

static inline struct cfg_type ty_void(void)
{
	return (struct cfg_type){ .kind = CT_VOID };
}

static inline struct cfg_type ty_array(struct cfg_type elem, unsigned n)
{
	struct cfg_type *e = abi_alloc(sizeof(*e));

	*e = elem;
	return (struct cfg_type){ .kind = CT_ARRAY, .size = elem.size * n, .align = elem.align,
				  .pointee = e, .array_len = n };
}

/* A struct or union of the n field types, laid out as gcc does on x86-64: each field
 * at its alignment ([packed]: none), the size rounded up to the largest alignment. */
static inline struct cfg_type ty_record(bool is_union, bool packed, int n, const struct cfg_type *fields)
{
	struct cfg_record *r = abi_alloc(sizeof(*r));
	unsigned off = 0, size = 0, align = 1;

	r->name = (char *)"t";
	r->is_union = is_union;
	r->packed = packed;
	r->complete = true;
	r->nfields = n;
	r->fields = abi_alloc(sizeof(*r->fields) * (size_t)n);
	for (int i = 0; i < n; i++) {
		unsigned a = packed ? 1 : fields[i].align;

		if (is_union)
			off = 0;
		off = (off + a - 1) / a * a;
		r->fields[i].name = (char *)"f";
		r->fields[i].type = fields[i];
		r->fields[i].offset = off;
		off += fields[i].size;
		if (off > size)
			size = off;
		if (a > align)
			align = a;
	}
	size = (size + align - 1) / align * align;
	r->size = size;
	r->align = align;
	return (struct cfg_type){ .kind = CT_STRUCT, .size = size, .align = align, .record = r };
}

#define TY_STRUCT(...) ty_record(false, false, \
	(int)(sizeof((struct cfg_type[]){ __VA_ARGS__ }) / sizeof(struct cfg_type)), \
	(struct cfg_type[]){ __VA_ARGS__ })
#define TY_PACKED(...) ty_record(false, true, \
	(int)(sizeof((struct cfg_type[]){ __VA_ARGS__ }) / sizeof(struct cfg_type)), \
	(struct cfg_type[]){ __VA_ARGS__ })
#define TY_UNION(...) ty_record(true, false, \
	(int)(sizeof((struct cfg_type[]){ __VA_ARGS__ }) / sizeof(struct cfg_type)), \
	(struct cfg_type[]){ __VA_ARGS__ })

/* A hook "ret name(params...)" (variadic when asked); the types are copied. */
static inline struct cfg_hook *hook_new(const char *name, struct cfg_type ret, bool variadic, int n,
					const struct cfg_type *params)
{
	struct cfg_hook *h = abi_alloc(sizeof(*h));

	h->symbol = (char *)name;
	h->ret = ret;
	h->variadic = variadic;
	h->has_prototype = true;
	h->format_param = -1;
	h->vararg_param = -1;
	h->nparams = n;
	h->params = abi_alloc(sizeof(*h->params) * (size_t)n);
	for (int i = 0; i < n; i++) {
		h->params[i].name = (char *)"p";
		h->params[i].type = params[i];
	}
	return h;
}

#define HOOK(name, ret, ...) hook_new(name, ret, false, \
	(int)(sizeof((struct cfg_type[]){ __VA_ARGS__ }) / sizeof(struct cfg_type)), \
	(struct cfg_type[]){ __VA_ARGS__ })
#define HOOK_VA(name, ret, ...) hook_new(name, ret, true, \
	(int)(sizeof((struct cfg_type[]){ __VA_ARGS__ }) / sizeof(struct cfg_type)), \
	(struct cfg_type[]){ __VA_ARGS__ })
#define HOOK0(name, ret) hook_new(name, ret, false, 0, NULL)

#endif
