/*
 * modules.c — the table of loaded objects and the ELF reading behind it.
 *
 * Entries are published with a release store of the count, so the logger can map
 * a return address to a file without a lock. An unloaded object's entry stays,
 * marked gone, until the same path is loaded again: then it is reused, so that a
 * library loaded and unloaded in a loop keeps one entry (and what select.c and
 * slots.c keyed on it). Objects are identified by load bias, program headers,
 * name and, once patched, a patched word still holding what was written.
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "base/diag.h"
#include "intercept/elf_dynamic.h"
#include "hooks/hooks.h"
#include "intercept/modules.h"
#include "reloc_describe.h"
#include "intercept/unload.h"

#define MAX_MODULES 1024

static struct module table[MAX_MODULES];
static int ntable;

struct seen {
	uintptr_t base;
	const ElfW(Phdr) *phdr;
	int phnum;
	const char *name;
	int entry;		/* the live table entry it is, or -1: new */
};

struct collect {
	struct seen found[MAX_MODULES];
	int n;
};

static bool same_name(const struct module *m, const char *name)
{
	/* The executable and the vdso are listed as "" and never unloaded. */
	return !name || !name[0] || !strcmp(m->path, name);
}

/* True when addr lies in one of the object's loaded segments. */
static bool mapped_in(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= s && addr + sizeof(void *) <= s + ph->p_memsz)
			return true;
	}
	return false;
}

/* The live entry for this object, or -1. Runs inside dl_iterate_phdr, which holds
 * the loader's lock that dlclose takes before unmapping: the object stays mapped,
 * and its canary word is read only if it lies in it (the file may have changed). */
static int entry_of(const struct dl_phdr_info *info)
{
	for (int i = 0; i < ntable; i++) {
		const struct module *m = &table[i];

		if (m->gone || m->base != info->dlpi_addr || m->phdr != info->dlpi_phdr ||
		    !same_name(m, info->dlpi_name))
			continue;
		if (m->canary && (!mapped_in(info, (uintptr_t)m->canary) ||
				  __atomic_load_n(m->canary, __ATOMIC_RELAXED) != m->canary_value))
			continue;	/* unloaded and loaded again at the same place */
		return i;
	}
	return -1;
}

static int collect_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct collect *c = arg;

	(void)size;
	if (c->n < MAX_MODULES)
		c->found[c->n++] = (struct seen){ info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum,
						  info->dlpi_name, entry_of(info) };
	return 0;
}

/* Entries whose object is no longer loaded (dlclose) are marked gone, once. */
static void mark_gone(const struct collect *c)
{
	for (int i = 0; i < ntable; i++) {
		bool present = false;

		for (int j = 0; j < c->n && !present; j++)
			present = c->found[j].entry == i;
		if (present || table[i].gone)
			continue;
		__atomic_store_n(&table[i].gone, true, __ATOMIC_RELEASE);
		unload_forget(&table[i]);
	}
}

/* A gone entry for path, to be reused, or NULL. */
static struct module *gone_entry(const char *path)
{
	for (int i = 0; i < ntable; i++)
		if (table[i].gone && table[i].path == path)
			return &table[i];
	return NULL;
}

static void module_extent(struct module *m)
{
	m->start = UINTPTR_MAX;
	m->end = 0;
	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *ph = &m->phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (m->base + ph->p_vaddr < m->start)
			m->start = m->base + ph->p_vaddr;
		if (m->base + ph->p_vaddr + ph->p_memsz > m->end)
			m->end = m->base + ph->p_vaddr + ph->p_memsz;
	}
}

const int *modules_refresh(int *added)
{
	static struct collect c;	/* large: kept off the stack; install lock held */
	static int fresh[MAX_MODULES];
	uintptr_t self = (uintptr_t)&modules_refresh;

	c.n = 0;
	*added = 0;
	/* Only copy inside the callback: it runs under the loader's lock. */
	dl_iterate_phdr(collect_one, &c);
	mark_gone(&c);
	for (int i = 0; i < c.n; i++) {
		struct seen *s = &c.found[i];
		struct module m = { .base = s->base, .phdr = s->phdr, .phnum = s->phnum };
		struct module *slot;
		char exe[PATH_MAX];

		if (s->entry >= 0)
			continue;
		module_extent(&m);
		if (s->name && s->name[0]) {
			m.path = hooks_intern_path(s->name);
		} else {
			ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

			exe[n > 0 ? n : 0] = '\0';
			m.path = hooks_intern_path(i == 0 ? exe : "[vdso]");
		}
		m.file_name = strrchr(m.path, '/') ? strrchr(m.path, '/') + 1 : m.path;
		/* dl_iterate_phdr lists the executable first, under the name "". */
		m.is_main = i == 0 && !(s->name && s->name[0]);
		m.is_self = self >= m.start && self < m.end;
		m.is_loader = strstr(m.path, "/ld-linux") != NULL || strstr(m.path, "linux-vdso") != NULL;
		unload_before_enter(&m);
		slot = gone_entry(m.path);
		if (slot) {
			/* Lock-free readers may see the old or the new extent for a moment. */
			*slot = m;
			fresh[(*added)++] = (int)(slot - table);
			continue;
		}
		if (ntable == MAX_MODULES - 1) {
			static bool warned;

			if (!warned)
				diag_error("more than %d different objects loaded over the run: later ones are not traced",
					   MAX_MODULES - 1);
			warned = true;
			break;
		}
		table[ntable] = m;
		fresh[(*added)++] = ntable;
		/* Pairs with modules_find()'s load-acquire. */
		__atomic_store_n(&ntable, ntable + 1, __ATOMIC_RELEASE);
	}
	return fresh;
}

int modules_count(void)
{
	return __atomic_load_n(&ntable, __ATOMIC_ACQUIRE);
}

struct module *modules_at(int i)
{
	return &table[i];
}

const struct module *modules_find(uintptr_t addr)
{
	int n = __atomic_load_n(&ntable, __ATOMIC_ACQUIRE);

	const struct module *gone = NULL;

	/* Loaded objects do not overlap; an unloaded one may lie under a later one. */
	for (int i = n - 1; i >= 0; i--) {
		if (addr < table[i].start || addr >= table[i].end)
			continue;
		if (!__atomic_load_n(&table[i].gone, __ATOMIC_ACQUIRE))
			return &table[i];
		if (!gone)
			gone = &table[i];
	}
	return gone;
}

/* glibc relocates some d_ptr values in place, other libcs do not: accept both. */
static uintptr_t dyn_ptr(const struct module *m, ElfW(Addr) p)
{
	return p < m->base ? m->base + p : p;
}

static const char *import_version(const ElfW(Versym) *versym, const ElfW(Verneed) *verneed,
				  const char *strtab, size_t symidx)
{
	ElfW(Half) want;

	if (!versym || !verneed)
		return NULL;
	want = versym[symidx] & 0x7fff;
	if (want < 2)
		return NULL;
	for (const ElfW(Verneed) *vn = verneed;;
	     vn = (const ElfW(Verneed) *)((const char *)vn + vn->vn_next)) {
		const ElfW(Vernaux) *va = (const ElfW(Vernaux) *)((const char *)vn + vn->vn_aux);

		for (unsigned j = 0; j < vn->vn_cnt; j++) {
			if ((va->vna_other & 0x7fff) == want)
				return strtab + va->vna_name;
			va = (const ElfW(Vernaux) *)((const char *)va + va->vna_next);
		}
		if (!vn->vn_next)
			break;
	}
	return NULL;
}

bool modules_read_dynamic(const struct module *m, struct dyninfo *d)
{
	const ElfW(Dyn) *dyn = NULL;

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < m->phnum; i++)
		if (m->phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(m->base + m->phdr[i].p_vaddr);
	if (!dyn)
		return false;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_SYMTAB: d->symtab = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_STRTAB: d->strtab = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_RELA: d->rela = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_RELASZ: d->relasz = dyn->d_un.d_val; break;
		case DT_JMPREL: d->jmprel = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_PLTRELSZ: d->jmprelsz = dyn->d_un.d_val; break;
		case DT_VERSYM: d->versym = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_VERNEED: d->verneed = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_GNU_HASH: d->gnu_hash = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		case DT_HASH: d->sysv_hash = (const void *)dyn_ptr(m, dyn->d_un.d_ptr); break;
		default: break;
		}
	}
	return d->symtab && d->strtab;
}

static void scan_relocs(const struct module *m, const struct dyninfo *d, const ElfW(Rela) *r,
			size_t bytes,
			void (*fn)(const struct module *, const struct import *, void *), void *arg)
{
	for (size_t i = 0; i < bytes / sizeof(*r); i++) {
		enum arch_reloc kind = arch_reloc_kind(ELF64_R_TYPE(r[i].r_info), r[i].r_addend);
		size_t symidx = ELF64_R_SYM(r[i].r_info);
		const ElfW(Sym) *sym;
		struct import imp;

		if (kind == ARCH_RELOC_OTHER || !symidx)
			continue;
		sym = &d->symtab[symidx];
		if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC && ELF64_ST_TYPE(sym->st_info) != STT_GNU_IFUNC &&
		    ELF64_ST_TYPE(sym->st_info) != STT_NOTYPE)
			continue;
		imp.name = d->strtab + sym->st_name;
		imp.version = import_version(d->versym, d->verneed, d->strtab, symidx);
		imp.where = (void **)(m->base + r[i].r_offset);
		imp.kind = kind == ARCH_RELOC_CALL ? IMPORT_CALL : IMPORT_ADDRESS;
		imp.how = arch_reloc_describe(ELF64_R_TYPE(r[i].r_info));
		imp.is_function = ELF64_ST_TYPE(sym->st_info) != STT_NOTYPE;
		imp.canonical_plt = sym->st_shndx == SHN_UNDEF && sym->st_value != 0;
		fn(m, &imp, arg);
	}
}

void modules_for_each_import(const struct module *mod,
			     void (*fn)(const struct module *mod, const struct import *imp, void *arg),
			     void *arg)
{
	struct dyninfo d;

	if (!modules_read_dynamic(mod, &d))
		return;
	if (d.jmprel)
		scan_relocs(mod, &d, d.jmprel, d.jmprelsz, fn, arg);
	if (d.rela)
		scan_relocs(mod, &d, d.rela, d.relasz, fn, arg);
}

/* True when addr lies in the module's PT_GNU_RELRO range (read-only after relocation). */
static bool in_relro(const struct module *m, uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *ph = &m->phdr[i];
		uintptr_t s, e;

		if (ph->p_type != PT_GNU_RELRO)
			continue;
		s = m->base + ph->p_vaddr;
		e = s + ph->p_memsz;
		if (addr >= s && addr < e) {
			*lo = s & ~(uintptr_t)(page - 1);
			*hi = (e + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
			return true;
		}
	}
	return false;
}

void modules_note_patched(const struct module *mod, void **where, void *value)
{
	struct module *m;

	if (mod < table || mod >= table + MAX_MODULES)
		return;
	m = &table[mod - table];
	if (!m->canary) {
		m->canary_value = value;
		m->canary = where;
	}
}

int modules_write_word(const struct module *mod, void **where, void *value)
{
	uintptr_t lo, hi, page = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (!in_relro(mod, (uintptr_t)where, &lo, &hi)) {
		/* One aligned 8-byte store: a concurrent caller sees the old or the new target. */
		__atomic_store_n(where, value, __ATOMIC_RELEASE);
		return 0;
	}
	lo = (uintptr_t)where & ~(page - 1);
	if (mprotect((void *)lo, page, PROT_READ | PROT_WRITE))
		return -errno;
	__atomic_store_n(where, value, __ATOMIC_RELEASE);
	mprotect((void *)lo, page, PROT_READ);
	/* Read-only to the program from now on: a word to tell this copy by. */
	modules_note_patched(mod, where, value);
	return 0;
}
