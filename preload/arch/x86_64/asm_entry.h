/*
 * asm_entry.h — ENTRY and END for every .S file of libimpulse: a global, hidden
 * function aligned to 16, with its type and size (endbr64 stays the first
 * instruction each entry writes itself, beside its .cfi_startproc).
 */
#ifndef IMPULSE_ASM_ENTRY_H
#define IMPULSE_ASM_ENTRY_H

#define ENTRY(name)			\
	.globl name;			\
	.hidden name;			\
	.type name, @function;		\
	.balign 16;			\
name:

#define END(name) .size name, . - name

#endif
