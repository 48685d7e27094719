/*
 * status.h — whether a call failed, by its hook's [error=…] rule, and the
 * "exception" text of a failed call. Logger side only.
 */
#ifndef IMPULSE_STATUS_H
#define IMPULSE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "render/valw.h"

#pragma GCC visibility push(hidden)

/* True when raw_ret (the raw return register, read per hook->ret's size and
 * signedness) satisfies hook->error. False when the hook has no rule. */
bool status_is_error(const struct cfg_hook *hook, uint64_t raw_ret);

/*
 * Writes the exception of a failed call as a string: "ENOENT: No such file or
 * directory" from errno_value (CE_ERRNO), the return value (CE_RETURN) or its
 * negation (CE_NEG_RETURN); "returned -1" / "returned NULL" / "returned NAME" for
 * CE_NONE (the return value as its display shows it).
 */
void status_put_exception(struct valw *w, const struct cfg_hook *hook, uint64_t raw_ret,
			  int errno_value);

#pragma GCC visibility pop

#endif
