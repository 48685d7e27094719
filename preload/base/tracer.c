/*
 * tracer.c — the one tracer's state and the thread-local "busy" mark; see tracer.h.
 *
 * Defined here, at the bottom of the parts, because every part reads them: the
 * hot path on every hooked call, the logger, the interception and the lifecycle,
 * which sets the tracer up (lifecycle/init.c) and is the only part that changes
 * what it is doing. Nothing here may call up into another part.
 */
#include "base/tracer.h"

struct tracer tracer = { .exit_status = -1 };

/* Initial-exec: one %fs-relative access on the hot path, and no allocation (and so
 * no malloc recursion) when a thread first touches it. */
__thread int tls_busy __attribute__((tls_model("initial-exec")));
