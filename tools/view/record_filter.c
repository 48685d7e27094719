/*
 * record_filter.c — the --session, --thread and --hook filters of the subcommands;
 * see record_filter.h. Nothing here prints or exits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "view/record_filter.h"

bool record_filter_is_option(const char *option)
{
	return !strcmp(option, "--session") || !strcmp(option, "--thread") || !strcmp(option, "--hook");
}

int record_filter_add(struct record_filter *f, const char *option, const char *value)
{
	const char **list;
	size_t *n;

	if (!strcmp(option, "--session")) {
		list = f->sessions;
		n = &f->nsessions;
	} else if (!strcmp(option, "--thread")) {
		list = f->threads;
		n = &f->nthreads;
	} else if (!strcmp(option, "--hook")) {
		list = f->hooks;
		n = &f->nhooks;
	} else {
		return -EINVAL;
	}
	if (*n == RECORD_FILTER_MAX)
		return -E2BIG;
	list[(*n)++] = value;
	return 0;
}

static bool any_equal(const struct record_str *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (record_str_eq(s, list[i]))
			return true;
	return false;
}

bool record_filter_session_ok(const struct record_filter *f, const struct record *rec)
{
	return !f->nsessions || any_equal(&rec->session_id, f->sessions, f->nsessions);
}

bool record_filter_thread_ok(const struct record_filter *f, const struct record *rec)
{
	return !f->nthreads || any_equal(&rec->thread_id, f->threads, f->nthreads);
}

bool record_filter_hook_ok(const struct record_filter *f, const struct record *rec)
{
	return !f->nhooks || any_equal(&rec->hook_id, f->hooks, f->nhooks) ||
	       any_equal(&rec->name, f->hooks, f->nhooks);
}

const char *record_filter_one_session(const struct record_filter *f)
{
	return f->nsessions == 1 ? f->sessions[0] : NULL;
}

static size_t put_list(char *out, size_t size, size_t len, const char *what,
		       const char *const *list, size_t n)
{
	if (!n)
		return len;
	len += (size_t)snprintf(out + (len < size ? len : size), len < size ? size - len : 0, "%s%s ",
				len ? ", " : "", what);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + (len < size ? len : size), len < size ? size - len : 0,
					"%s%s", i ? " or " : "", list[i]);
	return len;
}

void record_filter_describe(const struct record_filter *f, char *out, size_t size)
{
	size_t len = 0;

	if (size)
		out[0] = '\0';
	len = put_list(out, size, len, "session", f->sessions, f->nsessions);
	len = put_list(out, size, len, "thread group", f->threads, f->nthreads);
	put_list(out, size, len, "hook", f->hooks, f->nhooks);
}
