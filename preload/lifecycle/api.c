/*
 * api.c — the functions a traced program calls (include/impulse.h).
 *
 * They run on the program's threads: no waiting on I/O (except impulse_flush,
 * which exists to wait), nothing recorded as the program's own calls, never a
 * failure the program must handle beyond the documented return values.
 */
#define IMPULSE_BUILDING_LIBRARY 1
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "hooks/event.h"
#include "impulse.h"
#include "logger/logger.h"
#include "render/record.h"
#include "render/redact.h"
#include "hot/thread_ctx.h"
#include "base/tracer.h"

#define LOG_MAX 4096

static int emit_log(const char *text, size_t len, uint16_t kind)
{
	struct thread_ctx *ctx;
	struct ev_log *ev;
	int rc = -ENOSPC;

	/* Busy: a signal handler interrupted tracer code on this thread, whose ring
	 * reservation must not be disturbed; the note is dropped. */
	if (!text || !tracer_is_active() || tls_busy)
		return -ENOSPC;
	if (len > LOG_MAX) {
		len = LOG_MAX;
		kind |= EV_LOG_CUT;	/* redaction must know: a secret may go on past the cut */
	}
	tls_busy++;
	ctx = tls_ctx ? tls_ctx : thread_ctx_attach();
	if (ctx) {
		ev = thread_ctx_reserve(ctx, ev_align(sizeof(*ev) + len));
		if (ev) {
			ev->h = (struct ev_head){ .size = ev_align(sizeof(*ev) + len), .type = EV_LOG, .flags = kind };
			ev->call_id = thread_ctx_current_call(ctx);
			ev->ticks = clock_ticks();
			ev->len = (uint32_t)len;
			memcpy(ev->data, text, len);
			ring_commit(&ctx->ring, ev->h.size);
			rc = 0;
		}
	}
	tls_busy--;
	return rc;
}

int impulse_log(const char *text)
{
	return text ? emit_log(text, strlen(text), EV_LOG_TEXT) : -ENOSPC;
}

int impulse_log_json(const char *json)
{
	return json ? emit_log(json, strlen(json), EV_LOG_JSON) : -ENOSPC;
}

int impulse_logf(const char *fmt, ...)
{
	char buf[LOG_MAX + 1];
	va_list ap;
	int n;

	if (!fmt)
		return -ENOSPC;
	tls_busy++;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tls_busy--;
	if (n < 0)
		return -ENOSPC;
	/* n is the length before the cut: emit_log cuts it and says so */
	return emit_log(buf, (size_t)n, EV_LOG_TEXT);
}

int impulse_set_session_id(const char *id, const char *metadata_json)
{
	struct session *s;
	int rc = 0;

	if (!id || !tracer_is_active())
		return -EINVAL;
	tls_busy++;
	s = calloc(1, sizeof(*s));
	if (!s) {
		tls_busy--;
		return -ENOMEM;
	}
	s->id = strdup(id);
	if (!s->id) {
		free(s);
		tls_busy--;
		return -ENOMEM;
	}
	if (metadata_json) {
		json_error_t err;
		json_t *v = json_loads(metadata_json, 0, &err);

		if (v && json_is_object(v)) {
			/* masked now, once: records carry it as raw JSON */
			redact_json(v);
			s->metadata_json = json_dumps(v, JSON_COMPACT);
		}
		else
			rc = -EINVAL;
		json_decref(v);
	}
	/* Pairs with the hot path's load-acquire: the session is complete when seen. */
	__atomic_store_n(&tracer.session, s, __ATOMIC_RELEASE);
	tls_busy--;
	return rc;
}

int impulse_flush(void)
{
	int rc;

	tls_busy++;
	rc = logger_flush();
	tls_busy--;
	return rc;
}
