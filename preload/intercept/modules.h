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
	bool gone;			/* unloaded (dlclose); the entry is reused when the same
					 * path is loaded again, wherever it lands */
	void **canary;			/* a word libimpulse patched in this copy, and */
	void *canary_value;		/* the value written: a fresh copy at the same place
					 * does not hold it, so it is not mistaken for this one */
	unsigned settle_pass;		/* gone: until the logger's drain passes reach this,
					 * calls from here may wait to be named (unload.c); 0: none */
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
 * Brings the table up to date: marks the objects unloaded since the last call gone
 * (unload.c forgets what served them), adds the ones loaded since. Returns the
 * indexes of the new entries (a static array, until the next call), *added how
 * many. Caller holds the install lock.
 */
const int *modules_refresh(int *added);

int modules_count(void);
struct module *modules_at(int i);

/* The module containing addr, or NULL; a loaded one before an unloaded one that was
 * there. Lock-free: safe on the logger thread. */
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

/*
 * Remembers that value was written into *where, a word of mod neither the program
 * nor the loader writes again (a PLT slot, a RELRO word; modules_write_word notes
 * the latter itself): while it holds value, mod is the copy that was patched.
 */
void modules_note_patched(const struct module *mod, void **where, void *value);

/* Stores value into *where, lifting RELRO protection around the store when needed. 0 or -errno. */
int modules_write_word(const struct module *mod, void **where, void *value);

#endif
