/*
 * exception_text.h — the "exception" text of a call left by an unwind (EV_EXCEPTION).
 * Logger thread only.
 */
#ifndef IMPULSE_EXCEPTION_TEXT_H
#define IMPULSE_EXCEPTION_TEXT_H

#include <stddef.h>

#include "hooks/event.h"

#pragma GCC visibility push(hidden)

/* Room for any text exception_text() writes (a longer type name is cut). */
#define EXCEPTION_TEXT_MAX 512

/*
 * Writes into buf (EXCEPTION_TEXT_MAX bytes) what the record says about the unwind:
 * a C++ exception's demangled type name ("std::runtime_error"; the mangled name
 * when libstdc++ is not loaded); for a forced unwind, that a thread exit did it; for
 * another runtime's exception, its class. Returns buf, or NULL for no text. ASCII.
 */
const char *exception_text(const struct ev_exception *ev, char *buf);

/* The record's status for ev: "exception", or "unwound" for a forced unwind. */
const char *exception_status(const struct ev_exception *ev);

#pragma GCC visibility pop

#endif
