/*
 * module_symbols.c — what a loaded object defines, read from its dynamic symbol
 * table through its GNU or SysV hash table.
 *
 * Used to tell a function from a variable before a pattern hooks a symbol, and to
 * explain in reports why a hook found no import ("defined in libX.so and called only
 * inside it"). Reads memory the loader mapped read-only; never calls the loader,
 * takes no lock and allocates nothing.
 */
#include <elf.h>
#include <link.h>
#include <string.h>

#include "intercept/elf_dynamic.h"
#include "intercept/modules.h"

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static uint32_t sysv_hash(const char *s)
{
	uint32_t h = 0, g;

	while (*s) {
		h = (h << 4) + (unsigned char)*s++;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static enum symbol_kind kind_of(const ElfW(Sym) *sym)
{
	int type = ELF64_ST_TYPE(sym->st_info);

	if (sym->st_shndx == SHN_UNDEF)
		return SYMBOL_UNDEFINED;
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return SYMBOL_FUNCTION;
	return SYMBOL_OTHER;
}

/*
 * GNU hash: buckets hold the first symbol index of each chain; chain words hold
 * the hashes of symbols from symoffset on, the low bit marking a chain's end.
 */
static enum symbol_kind lookup_gnu(const struct dyninfo *d, const char *name)
{
	const uint32_t *h = d->gnu_hash;
	uint32_t nbuckets = h[0], symoffset = h[1], bloom_words = h[2];
	const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(h + 4) + bloom_words);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t want = gnu_hash(name);
	enum symbol_kind best = SYMBOL_UNDEFINED;

	if (!nbuckets)
		return SYMBOL_UNDEFINED;
	for (uint32_t i = buckets[want % nbuckets]; i >= symoffset && i; i++) {
		uint32_t got = chain[i - symoffset];

		/* Several versions of one name may be defined: any function wins. */
		if ((got | 1) == (want | 1) && !strcmp(d->strtab + d->symtab[i].st_name, name)) {
			enum symbol_kind k = kind_of(&d->symtab[i]);

			if (k == SYMBOL_FUNCTION)
				return k;
			if (k == SYMBOL_OTHER)
				best = k;
		}
		if (got & 1)
			break;
	}
	return best;
}

static enum symbol_kind lookup_sysv(const struct dyninfo *d, const char *name)
{
	const uint32_t *h = d->sysv_hash;
	uint32_t nbuckets = h[0];
	const uint32_t *buckets = h + 2, *chain = buckets + nbuckets;
	enum symbol_kind best = SYMBOL_UNDEFINED;

	if (!nbuckets)
		return SYMBOL_UNDEFINED;
	for (uint32_t i = buckets[sysv_hash(name) % nbuckets]; i; i = chain[i]) {
		if (!strcmp(d->strtab + d->symtab[i].st_name, name)) {
			enum symbol_kind k = kind_of(&d->symtab[i]);

			if (k == SYMBOL_FUNCTION)
				return k;
			if (k == SYMBOL_OTHER)
				best = k;
		}
	}
	return best;
}

enum symbol_kind modules_symbol_kind(const struct module *mod, const char *name)
{
	struct dyninfo d;

	if (!modules_read_dynamic(mod, &d))
		return SYMBOL_UNDEFINED;
	if (d.gnu_hash)
		return lookup_gnu(&d, name);
	if (d.sysv_hash)
		return lookup_sysv(&d, name);
	return SYMBOL_UNDEFINED;
}
