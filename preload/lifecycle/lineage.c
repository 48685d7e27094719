/*
 * lineage.c — reading, writing and showing the parent call of a process image;
 * see lineage.h.
 *
 * Runs at start-up, on exec/spawn wrappers (where a vfork child may be the
 * caller: nothing here allocates) and on the logger thread (the root record).
 * A malformed variable is ignored, never an error: it may come from anywhere.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/clock.h"
#include "hooks/hooks.h"
#include "lifecycle/lineage.h"
#include "hot/thread_ctx.h"
#include "logger/logger.h"
#include "render/world.h"
#include "base/tracer.h"

char lineage_trace_id[33];
struct lineage_ref lineage_parent;

static const char hex_digits[] = "0123456789abcdef";

void lineage_random_hex(char *out, unsigned n)
{
	unsigned char bytes[32];
	size_t need = (n + 1) / 2;

	if (getrandom(bytes, need, GRND_NONBLOCK) != (ssize_t)need) {
		uint64_t seed = clock_ticks() ^ ((uint64_t)getpid() << 32);

		for (size_t i = 0; i < sizeof(bytes); i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			bytes[i] = (unsigned char)(seed >> 56);
		}
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = hex_digits[(bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[n] = '\0';
}

/* n lowercase hex digits at s; their value (of the last 16) in *v if v. */
static bool parse_hex(const char *s, unsigned n, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *d = s[i] ? strchr(hex_digits, s[i]) : NULL;

		if (!d)
			return false;
		x = x << 4 | (uint64_t)(d - hex_digits);
	}
	if (v)
		*v = x;
	return true;
}

/* "00-<32 hex>-<16 hex>-<2 hex>"; an all-zero trace id is invalid (W3C). */
static bool parse_traceparent(const char *v, char *trace_id, uint64_t *call)
{
	if (!v || strlen(v) != 55 || strncmp(v, "00-", 3) || v[35] != '-' || v[52] != '-')
		return false;
	if (!parse_hex(v + 3, 32, NULL) || !parse_hex(v + 36, 16, call) || !parse_hex(v + 53, 2, NULL))
		return false;
	if (strspn(v + 3, "0") >= 32)
		return false;
	memcpy(trace_id, v + 3, 32);
	trace_id[32] = '\0';
	return true;
}

/* Our member of a tracestate list: "impulse=<16 hex>:<name>" up to a ',' or the end. */
static bool parse_tracestate(const char *v, struct lineage_ref *ref)
{
	const char *m = v;
	size_t n;

	while (m && strncmp(m, "impulse=", 8)) {
		m = strchr(m, ',');
		if (m)
			m++;
	}
	if (!m || !parse_hex(m + 8, 16, NULL) || m[24] != ':')
		return false;
	m += 25;
	n = strcspn(m, ",");
	if (!n)
		return false;
	if (n > LINEAGE_NAME_MAX)
		n = LINEAGE_NAME_MAX;
	memcpy(ref->module, m - 17, 16);
	ref->module[16] = '\0';
	memcpy(ref->fn_name, m, n);
	ref->fn_name[n] = '\0';
	return true;
}

static void fill_world(struct render_world *rw);

void lineage_take_from_env(void)
{
	const char *tp = getenv(LINEAGE_TRACEPARENT), *ts = getenv(LINEAGE_TRACESTATE);
	struct lineage_ref ref = { 0 };

	if (parse_traceparent(tp, lineage_trace_id, &ref.call)) {
		/* A parent call without our state (another tracer's) keeps the trace only. */
		ref.set = ts && parse_tracestate(ts, &ref);
		lineage_parent = ref;
	} else {
		lineage_random_hex(lineage_trace_id, 32);
	}
	/* The program must see the environment it would see untraced. */
	if (tp)
		unsetenv(LINEAGE_TRACEPARENT);
	if (ts)
		unsetenv(LINEAGE_TRACESTATE);
	logger_set_lineage(fill_world);
}

static char *put_hex(char *p, uint64_t v, unsigned n)
{
	for (unsigned i = n; i-- > 0; v >>= 4)
		p[i] = hex_digits[v & 15];
	return p + n;
}

void lineage_format(const struct lineage_ref *ref, char *tp, char *ts)
{
	static const char tp_head[] = LINEAGE_TRACEPARENT "=00-";
	static const char ts_head[] = LINEAGE_TRACESTATE "=impulse=";
	char *p = tp;
	size_t n;

	memcpy(p, tp_head, sizeof(tp_head) - 1);
	p += sizeof(tp_head) - 1;
	memcpy(p, lineage_trace_id, 32);
	p += 32;
	*p++ = '-';
	p = put_hex(p, ref->call, 16);
	memcpy(p, "-01", 4);
	p = ts;
	memcpy(p, ts_head, sizeof(ts_head) - 1);
	p += sizeof(ts_head) - 1;
	memcpy(p, ref->module, 16);
	p += 16;
	*p++ = ':';
	/* tracestate values are printable ASCII without ',' and '=': others become '_'. */
	for (n = 0; ref->fn_name[n] && n < LINEAGE_NAME_MAX; n++) {
		unsigned char c = (unsigned char)ref->fn_name[n];

		*p++ = c > 0x20 && c < 0x7f && c != ',' && c != '=' ? (char)c : '_';
	}
	*p = '\0';
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n > LINEAGE_NAME_MAX)
		n = LINEAGE_NAME_MAX;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Frames this far below sp are on another stack (a sigaltstack handler's). */
#define SAME_STACK_WINDOW (8u << 20)

void lineage_current(struct lineage_ref *out, uintptr_t sp)
{
	const struct thread_ctx *ctx = tls_ctx;
	int d = ctx ? ctx->depth : 0;

	out->set = true;
	memcpy(out->module, tracer.tracer_id, 17);
	while (d > 0) {
		const struct call_frame *f = &ctx->stack[d - 1];

		/* A frame at or below our own stack pointer was left (longjmp). */
		if (f->entry_sp > sp || sp - f->entry_sp > SAME_STACK_WINDOW) {
			out->call = f->call_id;
			copy_name(out->fn_name, impulse_slots[f->slot].hook->cfg->symbol);
			return;
		}
		d--;
	}
	out->call = 0;
	copy_name(out->fn_name, tracer.program ? tracer.program : "");
}

/* The logger asks for these when it starts (a fork child's logger too, after
 * fork_child.c has set lineage_parent): pointers into our storage, which lives
 * as long as the process. */
static void fill_world(struct render_world *rw)
{
	rw->trace_id = lineage_trace_id;
	rw->root_parent = (struct render_parent){ .set = lineage_parent.set,
						  .module = lineage_parent.module,
						  .call = lineage_parent.call,
						  .fn_name = lineage_parent.fn_name };
}
