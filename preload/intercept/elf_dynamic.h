/*
 * elf_dynamic.h — the parts of a loaded object's dynamic section that modules.c
 * and module_symbols.c read. Internal to those two files.
 */
#ifndef IMPULSE_ELF_DYNAMIC_H
#define IMPULSE_ELF_DYNAMIC_H

#include <link.h>
#include <stdbool.h>
#include <stdint.h>

#include "intercept/modules.h"

#pragma GCC visibility push(hidden)

struct dyninfo {
	const ElfW(Sym) *symtab;
	const char *strtab;
	const ElfW(Rela) *rela, *jmprel;
	size_t relasz, jmprelsz;
	const ElfW(Versym) *versym;
	const ElfW(Verneed) *verneed;
	const uint32_t *gnu_hash;	/* DT_GNU_HASH, or NULL */
	const uint32_t *sysv_hash;	/* DT_HASH, or NULL */
};

/* Fills *d from m's PT_DYNAMIC; false when it has none or no symbol table. */
bool modules_read_dynamic(const struct module *m, struct dyninfo *d);

#pragma GCC visibility pop

#endif
