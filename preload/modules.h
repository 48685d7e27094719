/*
 * modules.h — the loaded ELF objects, their dynamic relocations and GOT entries.
 *
 * Walks what the dynamic linker has loaded (dl_iterate_phdr), reads each object's
 * dynamic section, and reports every relocation that makes a GOT or data word hold
 * the address of a named function: PLT slots (lazy or -z now), GOT entries
 * (-fno-plt calls, address-taken functions) and function pointers in initialised
 * data. Which relocation types those are is the architecture's to say (arch.h).
 */
#ifndef IMPULSE_MODULES_H
#define IMPULSE_MODULES_H

#include <link.h>
#include <stdbool.h>
#include <stdint.h>

struct module {
	uintptr_t base;			/* load bias (dlpi_addr) */
	uintptr_t start, end;		/* extent of the PT_LOAD segments */
	const ElfW(Phdr) *phdr;
	int phnum;
	const char *path;		/* interned: the executable's real path for "" */
	const char *file_name;		/* the path's last component, inside path */
	bool is_main;			/* the program's executable ("main" in [from=…]) */
	bool is_self;			/* libimpulse itself */
	bool is_loader;			/* ld.so: never patched */
	bool gone;			/* unloaded: a reload at the same place is a new module */
};

enum import_kind { IMPORT_CALL, IMPORT_ADDRESS };

struct import {
	const char *name;
	const char *version;		/* e.g. "GLIBC_2.2.5", or NULL */
	void **where;			/* the GOT or data word to redirect */
	enum import_kind kind;		/* a PLT call slot, or an address taken */
	const char *how;		/* for reports: "PLT slot", "GOT entry" or "data pointer" */
	bool is_function;		/* the importer's symbol is typed a function (not STT_NOTYPE) */
	bool canonical_plt;		/* the importer (a non-PIE executable) made its PLT entry
					 * the function's address for every module */
};

/*
 * Adds the objects loaded since the last call to the table and returns how many
 * were new; *first gets the index of the first new one. Caller holds the install lock.
 */
int modules_refresh(int *first);

int modules_count(void);
struct module *modules_at(int i);

/* The module containing addr, or NULL. Lock-free: safe on the logger thread. */
const struct module *modules_find(uintptr_t addr);

/* Calls fn for each import of mod that names a function. */
void modules_for_each_import(const struct module *mod,
			     void (*fn)(const struct module *mod, const struct import *imp, void *arg),
			     void *arg);

/* What a module's dynamic symbol table says about a name. */
enum symbol_kind {
	SYMBOL_UNDEFINED,	/* not defined there (absent, or only referenced) */
	SYMBOL_FUNCTION,	/* a defined function (STT_FUNC or STT_GNU_IFUNC) */
	SYMBOL_OTHER,		/* defined, but not a function: a variable, TLS, a section */
};

/* Looks name up in mod's dynamic symbol table (module_symbols.c). Lock-free, no loader call. */
enum symbol_kind modules_symbol_kind(const struct module *mod, const char *name);

/* Stores value into *where, lifting RELRO protection around the store when needed. 0 or -errno. */
int modules_write_word(const struct module *mod, void **where, void *value);

#endif
