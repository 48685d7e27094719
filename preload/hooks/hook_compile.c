/*
 * hook_compile.c — one hook compiled from its configuration: where its arguments
 * are (arch_locate_args), its capture plan (capture_plan.c), its events' sizes and
 * its parameter keys. Reads no state of the tracer: libimpulse compiles its hooks
 * with it (hooks.c), and `impulse render-events` compiles the same hooks again
 * from the same hooks.conf to render a recorded event stream (tools/debug/).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "hooks/capture_plan.h"
#include "hooks/event.h"
#include "hooks/hooks.h"

/*
 * The renderer writes parameter names on every record: quote them once here, as
 * "name": back to back. No escaping is needed: the configuration only accepts C
 * identifiers as parameter names, or names them "argN" (config/proto.c). Out of
 * memory (at start-up or a pattern's first match): empty keys, NULL and every end
 * 0, as the JSON buffer this replaced left them.
 */
static void hook_keys(struct hook *h)
{
	size_t len = 0, size = 0;
	char *keys;

	for (uint32_t i = 0; i < h->nparams; i++)
		size += strlen(h->cfg->params[i].name) + 3;
	keys = size ? malloc(size) : NULL;
	for (uint32_t i = 0; keys && i < h->nparams; i++) {
		size_t n = strlen(h->cfg->params[i].name);

		keys[len++] = '"';
		memcpy(keys + len, h->cfg->params[i].name, n);
		len += n;
		keys[len++] = '"';
		keys[len++] = ':';
		h->key_end[i] = (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX);
	}
	if (!keys)
		memset(h->key_end, 0, sizeof(h->key_end));
	h->arg_keys = keys;
}

/* True when name is in the comma-separated list. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

void hook_compile(struct hook *h, const struct cfg_hook *c, const struct cfg_settings *settings,
		  size_t max_string, size_t buffer_size)
{
	struct cfg_settings limits = *settings;
	uint32_t enter_data, exit_data;
	size_t declared;

	limits.max_string = max_string;
	cap_limits_init(&limits, buffer_size);
	h->cfg = c;
	/* Without a prototype: timing and tree only, no argument is read. */
	h->nparams = !c->has_prototype ? 0 :
		     c->nparams < HOOK_MAX_PARAMS ? (uint32_t)c->nparams : HOOK_MAX_PARAMS;
	h->stack_copy = (uint32_t)arch_locate_args(c, h->locs, &h->ret_loc, &declared);
	/* Said once, at start: every call's record then shows the parameters past the
	 * copy as unreadable, and the real call gets the caller's registers and the
	 * stack bytes that exist, as without us (arch.h, ARCH_STACK_COPY_MAX). */
	if (declared > ARCH_STACK_COPY_MAX)
		diag_error("%s:%d:%d: %s's prototype puts %zu bytes of arguments on the stack, more than the %d the tracer copies: those past it are recorded as unreadable (is the prototype right?)",
			   c->file, c->line, c->column, c->symbol, declared, ARCH_STACK_COPY_MAX);
	h->redact_mask = 0;
	for (uint32_t i = 0; i < h->nparams; i++)
		if (listed(settings->redact, c->params[i].name))
			h->redact_mask |= 1u << i;	/* secrets never reach the ring */
	h->plan = cap_plan_compile(c, h->redact_mask, &enter_data, &exit_data);
	h->exit_args = h->plan && (h->plan->nexit || h->plan->vararg_after);
	h->string_mask = cap_plan_simple_strings(h->plan, enter_data);
	h->enter_blobs = !h->string_mask && h->plan &&
			 (h->plan->nentry || h->plan->format_param >= 0 || h->plan->vararg_param >= 0);
	h->exit_blobs = h->plan && (h->exit_args || h->plan->ret_node || h->plan->ret_by_value);
	h->reads_errno = c->has_prototype && c->error.nconds && c->error.errno_source == CE_ERRNO;
	h->enter_max = ev_align(sizeof(struct ev_enter) + 8u * h->nparams + enter_data);
	h->exit_max = ev_align(sizeof(struct ev_exit) + (h->exit_args ? 8u * (h->nparams + 1) : 0) + exit_data);
	hook_keys(h);
}
