/*
 * tree_print.c — `impulse tree`'s output: each process (its root record) and thread a
 * subtree, the calls under them parents first by following the links in the spool;
 * child processes under the call that started them; the filters (--hook, --min-duration,
 * --depth) and the folding of runs of like siblings applied as the lines go out.
 * Recursion is as deep as the tree; nothing else is kept.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "view/call_line.h"

/* --------------------------------------------------------------- printing */

static void out_line(struct tree *t, enum call_colour c, bool bold, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One line of output: cut to the width (by characters), coloured whole. */
static void out_line(struct tree *t, enum call_colour c, bool bold, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	size_t n, chars = 0, i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (t->o.width) {
		for (i = 0; i < n; i++) {
			if (((unsigned char)line[i] & 0xc0) != 0x80 && ++chars >= t->o.width)
				break;
		}
		/* cut: the last column says so */
		if (i < n && i + 1 < n && i + 4 < sizeof(line)) {
			memcpy(line + i, "\xe2\x80\xa6", 3);
			n = i + 3;
		}
	}
	if (t->o.colour && (c != CALL_PLAIN || bold))
		fprintf(t->out, "%s%s%.*s%s\n", bold ? "\033[1m" : "", call_colour_start(c),
			(int)n, line, CALL_COLOUR_END);
	else
		fprintf(t->out, "%.*s\n", (int)n, line);
	/* the pager quit (or the pipe closed): nobody reads the rest */
	if (ferror(t->out))
		exit(0);
}

/* The node's text into t->text (NUL-terminated). */
static void read_text(struct tree *t, uint64_t off, const struct node *n)
{
	size_t len = n->text_len < sizeof(t->text) - 1 ? n->text_len : sizeof(t->text) - 1;

	tree_spool_check(spool_read(&t->sp, off + sizeof(*n), t->text, len));
	t->text[len] = '\0';
}

#define INDENT(level) ((int)(level) * 2), ""

static void print_process(struct tree *t, struct process *p, unsigned indent, const char *note);

/* The processes started by the call whose call_id hashes to h, under it. */
static void print_children_procs(struct tree *t, uint64_t h, unsigned indent)
{
	size_t i;
	bool any = false;

	if (!h || !t->parent_cap)
		return;
	for (i = h % t->parent_cap; t->parent_set[i]; i = (i + 1) % t->parent_cap)
		if (t->parent_set[i] == h)
			any = true;
	if (!any)
		return;
	/* few processes: look at each, in start order (procs is sorted by then) */
	for (i = 0; i < t->nprocs; i++)
		if (!t->procs[i]->placed && t->procs[i]->parent_hash == h)
			print_process(t, t->procs[i], indent, NULL);
}

static void print_list(struct tree *t, uint64_t first, unsigned indent, long depth,
		       bool filter);

static void print_node(struct tree *t, uint64_t off, const struct node *n, unsigned indent,
		       long depth, bool filter)
{
	char dur[32];
	char *nl, *line;

	read_text(t, off, n);
	call_format_duration(n->end_ns - n->start_ns, dur, sizeof(dur));
	nl = strchr(t->text, '\n');
	if (nl)
		*nl = '\0';
	out_line(t, call_colour_of(n->status), false, "%s  %*s%s", dur, INDENT(indent), t->text);
	/* the trace logs, one per line, under the call */
	for (line = nl ? nl + 1 : NULL; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		out_line(t, CALL_PLAIN, false, "%9s  %*s\xc2\xbb %s", "", INDENT(indent + 1), line);
	}
	if (n->first_child) {
		if (t->o.max_depth >= 0 && depth + 1 >= t->o.max_depth)
			out_line(t, CALL_PLAIN, false, "%9s  %*s\xe2\x80\xa6 %u call%s below (--depth %ld)",
				 "", INDENT(indent + 1), n->descendants,
				 n->descendants == 1 ? "" : "s", t->o.max_depth);
		else
			print_list(t, n->first_child, indent + 1, depth + 1,
				   filter && !(n->flags & NODE_MATCH));
	}
	print_children_procs(t, n->call_hash, indent + 1);
}

/* The function name of a rendered line: up to its '('. */
static void name_of_text(const char *text, char *out, size_t size)
{
	size_t n = strcspn(text, "(\n");

	if (n >= size)
		n = size - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}

static bool visible(const struct tree *t, const struct node *n, bool filter)
{
	if (filter && !(n->flags & NODE_SUB_MATCH))
		return false;
	return n->end_ns - n->start_ns >= t->o.min_ns;
}

/*
 * A list of siblings, in order. Calls the --hook filter leaves out are skipped
 * silently; calls shorter than --min-duration are counted into one line at the end;
 * runs of more than FOLD_MIN visible siblings with one fold key show the first, then
 * one line for the rest.
 */
static void print_list(struct tree *t, uint64_t first, unsigned indent, long depth, bool filter)
{
	uint64_t x = first, hidden = 0;
	int64_t hidden_ns = 0;
	struct node n, m;

	while (x) {
		uint64_t y, run = 1, after;
		int64_t total, min, max;
		char name[256], a[32], b[32], c[32];

		tree_read_node(t, x, &n);
		if (filter && !(n.flags & NODE_SUB_MATCH)) {
			x = n.next;
			continue;
		}
		if (n.end_ns - n.start_ns < t->o.min_ns) {
			hidden += 1 + n.descendants;
			hidden_ns += n.end_ns - n.start_ns;
			x = n.next;
			continue;
		}
		/* how long is the run of visible siblings like this one? */
		total = min = max = n.end_ns - n.start_ns;
		for (y = n.next; y; y = m.next) {
			int64_t dn;

			tree_read_node(t, y, &m);
			if (!visible(t, &m, filter) || m.fold_key != n.fold_key)
				break;
			dn = m.end_ns - m.start_ns;
			total += dn;
			min = dn < min ? dn : min;
			max = dn > max ? dn : max;
			run++;
		}
		after = y;
		if (run > FOLD_MIN) {
			/* the name before print_node() reuses t->text for the callees */
			read_text(t, x, &n);
			name_of_text(t->text, name, sizeof(name));
		}
		print_node(t, x, &n, indent, depth, filter);
		if (run <= FOLD_MIN) {
			x = n.next;
			continue;
		}
		total -= n.end_ns - n.start_ns;
		/* min and max over the folded ones: walk them again (bounded work, no memory) */
		min = INT64_MAX;
		max = 0;
		for (y = n.next; y != after; y = m.next) {
			int64_t dn;

			tree_read_node(t, y, &m);
			dn = m.end_ns - m.start_ns;
			min = dn < min ? dn : min;
			max = dn > max ? dn : max;
		}
		call_format_duration(total, a, sizeof(a));
		call_format_duration(min, b, sizeof(b));
		call_format_duration(max, c, sizeof(c));
		out_line(t, call_colour_of(n.status), false,
			 "%s  %*s\xe2\x80\xa6 \xc3\x97%llu more %s (min %s, max %s)", a, INDENT(indent),
			 (unsigned long long)(run - 1), name, b + strspn(b, " "), c + strspn(c, " "));
		x = after;
	}
	if (hidden) {
		char a[32];

		call_format_duration(hidden_ns, a, sizeof(a));
		out_line(t, CALL_PLAIN, false, "%s  %*s\xe2\x80\xa6 %llu call%s shorter than --min-duration hidden",
			 a, INDENT(indent), (unsigned long long)hidden, hidden == 1 ? "" : "s");
	}
}

static int cmp_threads(const void *a, const void *b)
{
	const struct thread *x = *(struct thread *const *)a, *y = *(struct thread *const *)b;

	/* the main thread first, then by the start of their first call */
	if ((x->tid == x->proc->pid) != (y->tid == y->proc->pid))
		return x->tid == x->proc->pid ? -1 : 1;
	if (x->first_start != y->first_start)
		return x->first_start < y->first_start ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void print_thread(struct tree *t, struct thread *th, unsigned indent)
{
	char dur[32];
	unsigned k;
	struct level all;

	call_format_duration(th->last_end - th->first_start, dur, sizeof(dur));
	out_line(t, CALL_PLAIN, true, "%s  %*sthread %lld \"%s\"  (%llu call%s)", dur, INDENT(indent),
		 (long long)th->tid, th->name, (unsigned long long)th->calls,
		 th->calls == 1 ? "" : "s");
	/* the thread's top-level calls, and calls whose parent is missing, by start time */
	memset(&all, 0, sizeof(all));
	for (k = 0; k < th->top; k++)
		if (th->lv[k].first)
			all = tree_level_merge(t, &all, &th->lv[k]);
	if (all.first)
		print_list(t, all.first, indent + 1, 0, t->o.filter.nhooks != 0);
}

static void print_process(struct tree *t, struct process *p, unsigned indent, const char *note)
{
	char dur[32];
	struct thread **ths, *th;
	unsigned i = 0;

	p->placed = true;
	call_format_duration(p->has_root || p->end_ns ? p->end_ns - p->start_ns : 0, dur,
			     sizeof(dur));
	if (p->has_root)
		out_line(t, call_colour_of(p->status), true, "%s  %*sprocess %s  pid %lld  tracer %s  %s%s",
			 dur, INDENT(indent), p->program, (long long)p->pid, p->tracer,
			 p->exit_text, note ? note : "");
	else
		out_line(t, CALL_YELLOW, true,
			 "%s  %*sprocess pid %lld  tracer %s  (no root record: still running, "
			 "killed, or its file is not in the input)", dur, INDENT(indent),
			 (long long)p->pid, p->tracer);
	ths = tree_xcalloc(p->nthreads + 1, sizeof(*ths));
	for (th = p->threads; th; th = th->next)
		ths[i++] = th;
	qsort(ths, p->nthreads, sizeof(*ths), cmp_threads);
	for (i = 0; i < p->nthreads; i++)
		if (!t->o.filter.nhooks || ths[i]->match)
			print_thread(t, ths[i], indent + 1);
	free(ths);
	/* processes started outside any hooked call: under the root */
	print_children_procs(t, p->root_call_hash, indent + 1);
}

static int cmp_procs(const void *a, const void *b)
{
	const struct process *x = *(struct process *const *)a, *y = *(struct process *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return strcmp(x->tracer, y->tracer);
}

void tree_print(struct tree *t)
{
	size_t i, j;

	/* compact the process table into an array sorted by start time */
	for (i = j = 0; i < t->procs_cap; i++)
		if (t->procs[i])
			t->procs[j++] = t->procs[i];
	qsort(t->procs, t->nprocs, sizeof(*t->procs), cmp_procs);
	t->parent_cap = t->nprocs * 2 + 2;
	t->parent_set = tree_xcalloc(t->parent_cap, sizeof(*t->parent_set));
	for (i = 0; i < t->nprocs; i++) {
		uint64_t h = t->procs[i]->parent_hash;

		if (!h)
			continue;
		for (j = h % t->parent_cap; t->parent_set[j] && t->parent_set[j] != h;
		     j = (j + 1) % t->parent_cap)
			;
		t->parent_set[j] = h;
	}
	for (i = 0; i < t->nprocs; i++)
		if (!t->procs[i]->parent_hash && !t->procs[i]->placed)
			print_process(t, t->procs[i], 0, NULL);
	for (i = 0; i < t->nprocs; i++) {
		char note[160];
		struct process *p = t->procs[i];

		if (p->placed)
			continue;
		snprintf(note, sizeof(note), "  (started by call %s, not shown)", p->parent_id);
		print_process(t, p, 0, note);
	}
}
