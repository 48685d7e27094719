/*
 * reloc_describe.h — how a redirected relocation is named in reports (x86-64).
 *
 * arch_reloc_kind() (arch.h) says what the tracer does with a relocation; this
 * says what the user sees it as: a PLT slot, a GOT entry (-fno-plt calls, an
 * address taken in another module) or a function pointer in initialised data.
 * Reports only: nothing here is used to decide anything.
 */
#ifndef IMPULSE_RELOC_DESCRIBE_H
#define IMPULSE_RELOC_DESCRIBE_H

#include <stdint.h>

static inline const char *arch_reloc_describe(uint32_t type)
{
	switch (type) {
	case 7:		/* R_X86_64_JUMP_SLOT */
		return "PLT slot";
	case 6:		/* R_X86_64_GLOB_DAT */
		return "GOT entry";
	case 1:		/* R_X86_64_64 */
		return "data pointer";
	default:
		return "relocation";
	}
}

#endif
