/*
 * machine.c — CPU feature checks and fault redirection for x86-64.
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "arch.h"

extern char impulse_safe_copy_begin[] __attribute__((visibility("hidden")));
extern char impulse_safe_copy_end[] __attribute__((visibility("hidden")));
void impulse_safe_copy_fixup(void) __attribute__((visibility("hidden")));

bool arch_ticks_are_invariant(void)
{
	unsigned a, b, c, d;

	/* CPUID 0x80000007 EDX bit 8: invariant TSC (constant rate, runs in C-states). */
	if (__get_cpuid_max(0x80000000, NULL) < 0x80000007)
		return false;
	__cpuid(0x80000007, a, b, c, d);
	return (d >> 8) & 1;
}

bool arch_fault_fixup(void *ucontext)
{
	ucontext_t *uc = ucontext;
	uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];

	if (rip < (uintptr_t)impulse_safe_copy_begin || rip >= (uintptr_t)impulse_safe_copy_end)
		return false;
	/* Leaf functions: returning from the fixup returns to the copy's caller. */
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)impulse_safe_copy_fixup;
	return true;
}
