/*
 * select_report.c — where each hook and each pattern was installed, and when
 * nowhere, why: at start-up (problems always, the rest with IMPULSE_VERBOSE=1) and
 * for `impulse check` (IMPULSE_CHECK=FD: the whole report to that descriptor).
 *
 * interpose.c notes every redirection and every import it left alone because of
 * [from=…]; the report reads those notes, the pattern decisions (select.c) and the
 * loaded modules' symbol tables. Install time only; lines are formatted into a
 * stack buffer and written with write(2), as diag.c does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "intercept/select.h"
#include "intercept/select_internal.h"

#define LINE_MAX_BYTES 1000
#define NAMES_SHOWN 5
#define LATER_DLOPEN "libraries loaded later with dlopen are checked when they load"

int select_check_fd = -1;

enum note_kind { NOTE_INSTALLED, NOTE_NOT_FROM, NOTE_UNRESOLVED };

struct note {
	const struct hook *hook;
	const struct module *mod;	/* the importer, or the dlsym caller (may be NULL) */
	const char *how;		/* "PLT slot", "GOT entry", "data pointer", "dlsym result" */
	void *where;			/* the word redirected, or NULL for a dlsym result */
	enum note_kind kind;
};

static struct note *notes;
static int nnotes, notes_cap;

static void add_note(const struct hook *hook, const struct module *mod, const char *how, void *where,
		     enum note_kind kind)
{
	pthread_mutex_lock(&select_lock);
	/* A dlsym result is handed out on every lookup: note it once. */
	for (int i = nnotes - 1; i >= 0 && !where; i--)
		if (notes[i].hook == hook && notes[i].mod == mod && notes[i].kind == kind && !notes[i].where &&
		    notes[i].how == how)
			goto out;
	if (nnotes == notes_cap) {
		int cap = notes_cap ? 2 * notes_cap : 64;
		struct note *n = realloc(notes, (size_t)cap * sizeof(*n));

		if (!n)
			goto out;	/* the report misses a line; tracing is unaffected */
		notes = n;
		notes_cap = cap;
	}
	notes[nnotes++] = (struct note){ hook, mod, how, where, kind };
out:
	pthread_mutex_unlock(&select_lock);
}

void select_forget_notes(const struct module *mod)
{
	int kept = 0;

	for (int i = 0; i < nnotes; i++)
		if (notes[i].mod != mod)
			notes[kept++] = notes[i];
	nnotes = kept;
}

void select_note_installed(const struct hook *hook, const struct module *mod, const struct import *imp)
{
	add_note(hook, mod, imp ? imp->how : "dlsym result", imp ? (void *)imp->where : NULL, NOTE_INSTALLED);
}

void select_note_not_from(const struct hook *hook, const struct module *mod)
{
	add_note(hook, mod, NULL, NULL, NOTE_NOT_FROM);
}

void select_note_unresolved(const struct hook *hook, const struct module *mod)
{
	add_note(hook, mod, NULL, NULL, NOTE_UNRESOLVED);
}

/* One line of the report, cut with "…" when it would not fit. */
struct line {
	char text[LINE_MAX_BYTES + 8];
	size_t len;
	bool full;
};

static void __attribute__((format(printf, 2, 3))) put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, LINE_MAX_BYTES - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || l->len + (size_t)n >= LINE_MAX_BYTES) {
		l->len = LINE_MAX_BYTES - 1;
		memcpy(l->text + l->len, "\xe2\x80\xa6", 4);	/* "…" */
		l->len += 3;
		l->full = true;
		return;
	}
	l->len += (size_t)n;
}

struct report {
	int fd;
	int total;		/* hooks and inclusion patterns reported */
	int nowhere;		/* of those, installed nowhere */
};

static void emit(struct report *r, struct line *l, bool problem)
{
	if (r->fd >= 0) {
		l->text[l->len++] = '\n';
		for (const char *p = l->text; l->len > 0;) {
			ssize_t w = write(r->fd, p, l->len);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			l->len -= (size_t)w;
		}
	} else if (problem) {
		diag_error("%s", l->text);
	} else {
		diag_note("%s", l->text);
	}
	l->len = 0;
	l->full = false;
	l->text[0] = '\0';
}

static const char *module_name(const struct module *m)
{
	return m ? m->file_name : "an unknown module";
}

static void put_callers(struct line *l, const struct cfg_hook *c)
{
	if (!c->ncallers)
		return;
	put(l, " [from=");
	for (int i = 0; i < c->ncallers; i++)
		put(l, "%s%s", i ? ", " : "", c->callers[i]);
	put(l, "]");
}

/* "select_main (PLT slot at 0x…), libx.so (GOT entry at 0x…)"; the count of installs. */
static int put_installs(struct line *l, const struct hook *h)
{
	int n = 0;

	for (int i = 0; i < nnotes; i++) {
		const struct note *t = &notes[i];

		if (t->hook != h || t->kind != NOTE_INSTALLED)
			continue;
		put(l, "%s%s (%s", n++ ? ", " : "", module_name(t->mod), t->how);
		if (t->where)
			put(l, " at %p", t->where);
		put(l, ")");
	}
	return n;
}

static bool has_install(const struct hook *h)
{
	for (int i = 0; i < nnotes; i++)
		if (notes[i].hook == h && notes[i].kind == NOTE_INSTALLED)
			return true;
	return false;
}

/* Modules whose imports of h were left alone for kind; their count. */
static int put_skipped(struct line *l, const struct hook *h, enum note_kind kind)
{
	int n = 0;

	for (int i = 0; i < nnotes; i++)
		if (notes[i].hook == h && notes[i].kind == kind)
			put(l, "%s%s", n++ ? ", " : "", module_name(notes[i].mod));
	return n;
}

/* Why a symbol no module imports has no install: who defines it, if anyone. */
static void put_unimported(struct line *l, const char *name)
{
	const struct module *other = NULL;

	for (int i = 0; i < modules_count(); i++) {
		const struct module *m = modules_at(i);
		enum symbol_kind k;

		if (m->gone)
			continue;
		k = modules_symbol_kind(m, name);
		if (k == SYMBOL_FUNCTION) {
			put(l, "defined in %s and called only inside it (no PLT/GOT reference)", m->file_name);
			return;
		}
		if (k == SYMBOL_OTHER && !other)
			other = m;
	}
	if (other)
		put(l, "%s defines %s as a variable, not a function", other->file_name, name);
	else
		put(l, "not imported by the program or its libraries (" LATER_DLOPEN ")");
}

/* One hook, explicit or pattern-made: installed where, or why nowhere. Returns
 * whether it was installed somewhere. */
static bool put_hook_state(struct line *l, const struct hook *h)
{
	struct line where = { .len = 0 };

	if (put_installs(&where, h)) {
		struct line skipped = { .len = 0 };

		put(l, "installed in %s", where.text);
		if (put_skipped(&skipped, h, NOTE_NOT_FROM))
			put(l, "; not in %s ([from] does not name %s)", skipped.text,
			    strchr(skipped.text, ',') ? "them" : "it");
		return true;
	}
	put(l, "installed nowhere: ");
	{
		struct line who = { .len = 0 };

		if (put_skipped(&who, h, NOTE_NOT_FROM)) {
			put(l, "imported only by %s, which [from] does not name", who.text);
			return false;
		}
		if (put_skipped(&who, h, NOTE_UNRESOLVED)) {
			put(l, "imported by %s, but no loaded library defines it (" LATER_DLOPEN ")", who.text);
			return false;
		}
	}
	put_unimported(l, h->cfg->symbol);
	return false;
}

static void report_explicit(struct report *r, const struct cfg *cfg)
{
	for (int i = 0; i < cfg->nhooks; i++) {
		const struct cfg_hook *c = &cfg->hooks[i];
		const struct hook *h = hooks_find(c->symbol);
		struct line l = { .len = 0 };
		bool ok;

		put(&l, "hook %s", c->symbol);
		put_callers(&l, c);
		put(&l, " (%s:%d:%d%s): ", c->file, c->line, c->column, c->has_prototype ? "" : ", no prototype: timing only");
		if (!h || h->cfg != c) {
			const char *why = select_refusal(c->symbol, true);

			put(&l, "cannot be hooked: %s", why ? why : "libimpulse refused it at start");
			ok = false;
		} else {
			ok = put_hook_state(&l, h);
		}
		r->total++;
		if (!ok)
			r->nowhere++;
		emit(r, &l, !ok);
	}
}

static int by_name(const void *a, const void *b)
{
	const struct decision *x = *(const struct decision *const *)a, *y = *(const struct decision *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return strcmp(x->def ? x->def->file_name : "", y->def ? y->def->file_name : "");
}

/* Every decision, sorted by symbol name, in *out (caller frees); their count. */
static int sorted_decisions(struct decision ***out)
{
	int n = 0, k = 0;
	struct decision **all;

	for (int b = 0; b < DECISION_BUCKETS; b++)
		for (struct decision *d = select_decisions[b]; d; d = d->next)
			n++;
	all = calloc((size_t)n + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (int b = 0; b < DECISION_BUCKETS; b++)
		for (struct decision *d = select_decisions[b]; d; d = d->next)
			all[k++] = d;
	qsort(all, (size_t)n, sizeof(*all), by_name);
	*out = all;
	return n;
}

static void pattern_title(struct line *l, const struct cfg_pattern *p)
{
	put(l, "%s %s%s%s%s", p->exclude ? "exclusion" : "pattern", p->exclude ? "!" : "",
	    p->library ? p->library : "", p->library ? ": " : "", p->symbol);
	if (p->ncallers) {
		put(l, " [from=");
		for (int i = 0; i < p->ncallers; i++)
			put(l, "%s%s", i ? ", " : "", p->callers[i]);
		put(l, "]");
	}
	put(l, " (%s:%d:%d): ", p->file, p->line, p->column);
}

/* "3 from libsel_a.so (sel_a_one, sel_a_two, …), 1 from libc.so.6 (puts)" for the
 * decisions that select() picks; their total. */
static int put_by_library(struct line *l, struct decision **all, int n, int pattern,
			  bool (*select)(const struct decision *, int))
{
	int total = 0, groups = 0;
	bool *done = calloc((size_t)n + 1, sizeof(*done));

	if (!done)
		return 0;
	for (int i = 0; i < n; i++) {
		int count = 0, shown = 0;

		if (done[i] || !select(all[i], pattern))
			continue;
		for (int j = i; j < n; j++)
			if (!done[j] && select(all[j], pattern) && all[j]->def == all[i]->def)
				count++;
		put(l, "%s%d from %s (", groups++ ? ", " : "", count, module_name(all[i]->def));
		for (int j = i; j < n; j++) {
			if (done[j] || !select(all[j], pattern) || all[j]->def != all[i]->def)
				continue;
			done[j] = true;
			if (shown < NAMES_SHOWN)
				put(l, "%s%s", shown ? ", " : "", all[j]->name);
			else if (shown == NAMES_SHOWN)
				put(l, ", \xe2\x80\xa6");
			shown++;
		}
		put(l, ")");
		total += count;
	}
	free(done);
	return total;
}

static bool is_hooked_by(const struct decision *d, int pattern)
{
	return d->pattern == pattern && d->hook;
}

static bool is_excluded_by(const struct decision *d, int pattern)
{
	return d->excluded_by == pattern && d->pattern >= 0;
}

static void report_pattern(struct report *r, const struct cfg *cfg, int i, struct decision **all, int n)
{
	const struct cfg_pattern *p = &cfg->patterns[i];
	struct line l = { .len = 0 };
	int matched, installed = 0;

	pattern_title(&l, p);
	if (p->exclude) {
		struct line names = { .len = 0 };
		int kept = put_by_library(&names, all, n, i, is_excluded_by);

		if (kept)
			put(&l, "kept %d symbol%s from being hooked: %s", kept, kept == 1 ? "" : "s", names.text);
		else
			put(&l, "excluded nothing that a pattern matched");
		emit(r, &l, false);
		return;
	}
	{
		struct line names = { .len = 0 };

		matched = put_by_library(&names, all, n, i, is_hooked_by);
		if (matched)
			put(&l, "%d symbol%s: %s", matched, matched == 1 ? "" : "s", names.text);
	}
	for (int j = 0; j < n; j++)
		if (is_hooked_by(all[j], i) && has_install(all[j]->hook))
			installed++;
	if (!matched)
		put(&l, "matched no symbol imported by the program or its libraries (" LATER_DLOPEN ")");
	else if (!installed)
		put(&l, "; installed nowhere: [from] names none of the modules that import them");
	r->total++;
	if (!installed)
		r->nowhere++;
	emit(r, &l, !installed);

	/* The details: each symbol's installs, and what the pattern matched but did not hook. */
	for (int j = 0; j < n; j++) {
		const struct decision *d = all[j];

		if (d->pattern != i)
			continue;
		put(&l, "  %s", d->name);
		if (d->def)
			put(&l, " (%s)", d->def->file_name);
		put(&l, ": ");
		if (d->excluded_by >= 0) {
			const struct cfg_pattern *x = &cfg->patterns[d->excluded_by];

			put(&l, "excluded by pattern at %s:%d:%d", x->file, x->line, x->column);
		} else if (d->refused) {
			put(&l, "never hooked through a pattern: %s", d->refused);
		} else if (d->hook) {
			if (!d->hook->cfg->has_prototype)
				put(&l, "no prototype, timing only; ");
			put_hook_state(&l, d->hook);
		} else {
			put(&l, "not hooked: too many symbols matched");
		}
		emit(r, &l, false);
	}
}

int select_report(int fd)
{
	const struct cfg *cfg = select_cfg;
	struct report r = { .fd = fd };
	struct decision **all = NULL;
	int n;

	if (!cfg)
		return 0;
	pthread_mutex_lock(&select_lock);
	report_explicit(&r, cfg);
	n = cfg->npatterns ? sorted_decisions(&all) : 0;
	for (int i = 0; i < cfg->npatterns && n >= 0; i++)
		report_pattern(&r, cfg, i, all, n);
	free(all);
	if (fd >= 0) {
		struct line l = { .len = 0 };

		put(&l, "#summary total=%d nowhere=%d", r.total, r.nowhere);
		emit(&r, &l, false);
	}
	pthread_mutex_unlock(&select_lock);
	return r.nowhere;
}
