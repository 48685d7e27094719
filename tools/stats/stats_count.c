/*
 * stats_count.c — the counting half of `impulse stats`: each record goes into its
 * (group, hook) entry — calls, statuses, total and self time, a histogram — and the
 * roots into the header's figures; at the end the groups and hooks are sorted and
 * labelled for stats_print.c.
 *
 * Memory: one entry per (group, hook), session, thread, pid and process outcome, and
 * stats_self.c's frames; nothing per record. It is part of the subcommand, so it
 * exits with a message when memory runs out rather than return a half-counted table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/tool.h"
#include "stats/stats.h"

#define TEXT_MAX 4096		/* a decoded name longer than this is cut (keys only) */

static void *oom(void *p)
{
	if (!p) {
		fputs("impulse stats: out of memory\n", stderr);
		exit(TOOL_EXIT_FAILED);
	}
	return p;
}

/* ------------------------------------------------------------ tables */

/* A chained hash table of entries with their key bytes; the value is the caller's. */
struct tab_entry {
	struct tab_entry *next;
	uint64_t hash;
	void *value;
	size_t len;
	char key[];
};

struct tab {
	struct tab_entry **b;
	size_t nb, n;
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* The entry for key, added (value NULL) when absent. */
static struct tab_entry *tab_get(struct tab *t, const void *key, size_t len, uint64_t hash,
				 bool *added)
{
	struct tab_entry *e;

	if (!t->b) {
		t->nb = 64;
		t->b = oom(calloc(t->nb, sizeof(*t->b)));
	}
	for (e = t->b[hash & (t->nb - 1)]; e; e = e->next)
		if (e->hash == hash && e->len == len && !memcmp(e->key, key, len)) {
			*added = false;
			return e;
		}
	if (t->n >= 2 * t->nb) {
		size_t nb = 2 * t->nb;
		struct tab_entry **b = oom(calloc(nb, sizeof(*b))), *next;

		for (size_t i = 0; i < t->nb; i++)
			for (e = t->b[i]; e; e = next) {
				next = e->next;
				e->next = b[e->hash & (nb - 1)];
				b[e->hash & (nb - 1)] = e;
			}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	e = oom(malloc(sizeof(*e) + len));
	e->hash = hash;
	e->len = len;
	e->value = NULL;
	memcpy(e->key, key, len);
	e->next = t->b[hash & (t->nb - 1)];
	t->b[hash & (t->nb - 1)] = e;
	t->n++;
	*added = true;
	return e;
}

static void tab_free(struct tab *t, void (*free_value)(void *))
{
	for (size_t i = 0; i < t->nb; i++) {
		struct tab_entry *e, *next;

		for (e = t->b[i]; e; e = next) {
			next = e->next;
			if (free_value)
				free_value(e->value);
			free(e);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/* A key built of length-prefixed fields, so that ("ab", "c") and ("a", "bc") differ. */
struct key {
	char buf[4 * (TEXT_MAX + 8)];
	size_t len;
};

/* s decoded (or as it is when it has no escape), cut to TEXT_MAX bytes. */
static const char *text_of(const struct record_str *s, char *tmp, size_t *len)
{
	if (!s->ptr) {
		*len = 0;
		return NULL;
	}
	if (!s->escaped) {
		*len = s->len > TEXT_MAX ? TEXT_MAX : s->len;
		return s->ptr;
	}
	*len = record_str_unescape(s, tmp, TEXT_MAX + 1);
	if (*len > TEXT_MAX)
		*len = TEXT_MAX;
	return tmp;
}

static void key_add(struct key *k, const char *p, size_t len, bool present)
{
	uint32_t n = present ? (uint32_t)len : UINT32_MAX;

	memcpy(k->buf + k->len, &n, sizeof(n));
	k->len += sizeof(n);
	if (present) {
		memcpy(k->buf + k->len, p, len);
		k->len += len;
	}
}

static void key_add_str(struct key *k, const struct record_str *s)
{
	char tmp[TEXT_MAX + 1];
	size_t len;
	const char *p = text_of(s, tmp, &len);

	key_add(k, p, len, p != NULL);
}

/* The n-th field of a key, as a new C string, or NULL when it was absent. */
static char *key_field(const char *key, int n)
{
	uint32_t len;

	for (;;) {
		memcpy(&len, key, sizeof(len));
		key += sizeof(len);
		if (!n--)
			break;
		if (len != UINT32_MAX)
			key += len;
	}
	if (len == UINT32_MAX)
		return NULL;
	return oom(strndup(key, len));
}

static bool matches(const struct record_str *s, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (record_str_eq(s, values[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ reading */

struct pid_info {
	bool calls, root;
};

struct stats_counter {
	struct stats st;
	struct stats_filters f;
	struct self_tracker *self;
	struct tab hooks, groups, sessions, threads, pids;
	struct key last_key;		/* of last_hook: most records repeat their predecessor's */
	struct stats_hook *last_hook;
	char last_session[64];		/* the last session seen, when it fits */
	size_t last_session_len;
	int64_t last_pid, last_tid;
};

static struct stats_group *group_of(struct stats_counter *s, const struct record *rec)
{
	char tmp[TEXT_MAX + 1];
	const char *p = "";
	size_t len = 0;
	int64_t ids[2] = { rec->pid, rec->tid };
	struct tab_entry *e;
	struct stats_group *g;
	bool added;

	switch (s->st.by) {
	case BY_HOOK:
		break;
	case BY_THREAD:
		p = text_of(&rec->thread_id, tmp, &len);
		break;
	case BY_SESSION:
		p = text_of(&rec->session_id, tmp, &len);
		break;
	case BY_TID:
		p = (const char *)ids;
		len = sizeof(ids);
		break;
	}
	if (!p)
		p = "";
	e = tab_get(&s->groups, p, len, hash_bytes(p, len), &added);
	if (added) {
		g = e->value = oom(calloc(1, sizeof(*g)));
		if (s->st.by == BY_TID) {
			char id[48];

			g->pid = rec->pid;
			g->tid = rec->tid;
			snprintf(id, sizeof(id), "%lld/%lld", (long long)rec->pid, (long long)rec->tid);
			g->key = oom(strdup(id));
		} else {
			g->key = oom(strndup(p, len));
		}
	}
	g = e->value;
	if (s->st.by == BY_TID && rec->thread_name.ptr &&
	    !(g->thread_name && record_str_eq(&rec->thread_name, g->thread_name))) {
		free(g->thread_name);
		len = record_str_unescape(&rec->thread_name, tmp, sizeof(tmp));
		g->thread_name = oom(strdup(tmp));
	}
	return g;
}

static struct stats_hook *hook_of(struct stats_counter *s, const struct record *rec)
{
	struct stats_group *g = group_of(s, rec);
	struct key *k = &s->last_key, now;
	struct tab_entry *e;
	struct stats_hook *h;
	bool added;

	now.len = 0;
	key_add(&now, (const char *)&g, sizeof(g), true);
	key_add_str(&now, &rec->hook_id);
	key_add_str(&now, &rec->name);
	key_add_str(&now, &rec->library);
	if (s->last_hook && now.len == k->len && !memcmp(now.buf, k->buf, now.len))
		return s->last_hook;
	e = tab_get(&s->hooks, now.buf, now.len, hash_bytes(now.buf, now.len), &added);
	if (added) {
		h = e->value = oom(calloc(1, sizeof(*h)));
		h->group = g;
		h->hook_id = key_field(e->key, 1);
		h->function = key_field(e->key, 2);
		h->library = key_field(e->key, 3);
		if (!h->hook_id)
			h->hook_id = oom(strdup(""));
		if (!h->function)
			h->function = oom(strdup(""));
		hist_init(&h->hist);
	}
	memcpy(k->buf, now.buf, now.len);
	k->len = now.len;
	s->last_hook = e->value;
	return e->value;
}

static void count_session(struct stats_counter *s, const struct record *rec)
{
	const struct record_str *id = &rec->session_id;
	struct tab_entry *e;
	bool added;

	if (!id->ptr || (id->len == s->last_session_len && id->len <= sizeof(s->last_session) &&
			 !memcmp(id->ptr, s->last_session, id->len)))
		return;
	e = tab_get(&s->sessions, id->ptr, id->len, hash_bytes(id->ptr, id->len), &added);
	s->st.sessions += added;
	if (id->len <= sizeof(s->last_session)) {
		memcpy(s->last_session, id->ptr, id->len);
		s->last_session_len = id->len;
	}
	(void)e;
}

static struct pid_info *pid_of(struct stats_counter *s, int64_t pid)
{
	bool added;
	struct tab_entry *e = tab_get(&s->pids, &pid, sizeof(pid), hash_bytes(&pid, sizeof(pid)),
				      &added);

	if (added)
		e->value = oom(calloc(1, sizeof(struct pid_info)));
	return e->value;
}

static void count_thread(struct stats_counter *s, const struct record *rec)
{
	int64_t ids[2] = { rec->pid, rec->tid };
	bool added;

	if (rec->pid == s->last_pid && rec->tid == s->last_tid)
		return;
	tab_get(&s->threads, ids, sizeof(ids), hash_bytes(ids, sizeof(ids)), &added);
	s->st.threads += added;
	pid_of(s, rec->pid)->calls = true;
	s->last_pid = rec->pid;
	s->last_tid = rec->tid;
}

static char *dup_str(const struct record_str *str)
{
	size_t n = record_str_unescape(str, NULL, 0);
	char *out = oom(malloc(n + 1));

	record_str_unescape(str, out, n + 1);
	return out;
}

/* arguments.dropped.total of a root, or 0. */
static uint64_t dropped_of(const struct record *root)
{
	json_t *args, *total;
	uint64_t n = 0;

	if (!root->arguments.ptr)
		return 0;
	args = json_loadb(root->arguments.ptr, root->arguments.len, 0, NULL);
	total = json_object_get(json_object_get(args, "dropped"), "total");
	if (json_is_integer(total) && json_integer_value(total) > 0)
		n = (uint64_t)json_integer_value(total);
	json_decref(args);
	return n;
}

static void add_root(struct stats_counter *s, const struct record *root)
{
	struct stats *st = &s->st;
	char *program = dup_str(&root->name), *base = strrchr(program, '/');
	const char *outcome;
	char *detail = NULL, *end;
	long long status = 0;
	size_t i;

	st->roots++;
	st->dropped += dropped_of(root);
	pid_of(s, root->pid)->root = true;
	self_end_process(s->self, root);
	if (base)
		memmove(program, base + 1, strlen(base));
	if (root->status_code == RECORD_CRASHED) {
		outcome = "crashed";
		detail = root->exception.ptr ? dup_str(&root->exception) : NULL;
	} else if (root->output.ptr && (status = strtoll(root->output.ptr, &end, 10), end > root->output.ptr) &&
		   end == root->output.ptr + root->output.len) {
		outcome = "exit";
	} else {
		outcome = root->status_code == RECORD_STATUS_OTHER ? "other" :
			  stats_status_names[root->status_code];
		status = 0;
	}
	for (i = 0; i < st->noutcomes; i++) {
		struct stats_outcome *k = &st->outcomes[i];

		if (!strcmp(k->program, program) && !strcmp(k->outcome, outcome) &&
		    k->exit_status == status &&
		    !strcmp(k->detail ? k->detail : "", detail ? detail : ""))
			break;
	}
	if (i < st->noutcomes) {
		st->outcomes[i].count++;
		free(program);
		free(detail);
		return;
	}
	if (st->noutcomes == STATS_MAX_OUTCOMES) {
		st->outcomes_other++;
		free(program);
		free(detail);
		return;
	}
	if (!st->outcomes)
		st->outcomes = oom(calloc(STATS_MAX_OUTCOMES, sizeof(*st->outcomes)));
	st->outcomes[st->noutcomes++] = (struct stats_outcome){
		.program = program, .outcome = oom(strdup(outcome)), .exit_status = status,
		.detail = detail, .count = 1,
	};
}

void stats_counter_add(struct stats_counter *s, const struct record *rec)
{
	struct stats *st = &s->st;
	const struct stats_filters *o = &s->f;
	int64_t duration = rec->end_ns - rec->start_ns, children = 0;
	struct stats_hook *h;
	bool error;

	if (o->nsessions && !matches(&rec->session_id, o->sessions, o->nsessions))
		return;
	st->records++;
	if (!st->first_ns || rec->start_ns < st->first_ns)
		st->first_ns = rec->start_ns;
	if (rec->end_ns > st->last_ns)
		st->last_ns = rec->end_ns;
	count_session(s, rec);
	if (rec->is_root) {
		add_root(s, rec);
		return;
	}
	st->calls++;
	count_thread(s, rec);
	if (self_add(s->self, rec, duration, &children))
		oom(NULL);
	if (o->nthreads && !matches(&rec->thread_id, o->threads, o->nthreads))
		return;
	if (o->nhooks && !matches(&rec->hook_id, o->hooks, o->nhooks) &&
	    !matches(&rec->name, o->hooks, o->nhooks))
		return;
	st->matched++;
	h = hook_of(s, rec);
	error = stats_is_error(rec->status_code);
	h->calls++;
	h->errors += error;
	h->status[rec->status_code]++;
	h->total_ns += duration;
	h->self_ns += duration - children;
	if (hist_add(&h->hist, duration))
		oom(NULL);
	h->group->calls++;
	h->group->errors += error;
	h->group->self_ns += duration - children;
}

/* ------------------------------------------------------------ sorting */

const char *const stats_status_names[STATS_NSTATUS] = {
	[RECORD_SUCCESS] = "success", [RECORD_ERROR] = "error",
	[RECORD_INCOMPLETE] = "incomplete", [RECORD_UNWOUND] = "unwound",
	[RECORD_EXCEPTION] = "exception", [RECORD_CRASHED] = "crashed",
	[RECORD_STATUS_OTHER] = "other",
};

static enum stats_sort sort_key;

static int64_t sort_value(const struct stats_hook *h)
{
	switch (sort_key) {
	case SORT_CALLS:
		return (int64_t)h->calls;
	case SORT_MEAN:
		return h->calls ? h->total_ns / (int64_t)h->calls : 0;
	case SORT_P99:
		return hist_percentile(&h->hist, 99);
	case SORT_SELF:
		return h->self_ns;
	case SORT_ERRORS:
		return (int64_t)h->errors;
	case SORT_TOTAL:
		break;
	}
	return h->total_ns;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Largest first; ties by hook_id, function, library, so that output is stable. */
static int by_sort_key(const void *pa, const void *pb)
{
	const struct stats_hook *a = *(struct stats_hook *const *)pa;
	const struct stats_hook *b = *(struct stats_hook *const *)pb;
	int64_t va = sort_value(a), vb = sort_value(b);
	int c;

	if (va != vb)
		return va > vb ? -1 : 1;
	if ((c = cmp_str(a->hook_id, b->hook_id)) || (c = cmp_str(a->function, b->function)))
		return c;
	return cmp_str(a->library, b->library);
}

static int by_hook_id(const void *pa, const void *pb)
{
	const struct stats_hook *a = *(struct stats_hook *const *)pa;
	const struct stats_hook *b = *(struct stats_hook *const *)pb;

	return strcmp(a->hook_id, b->hook_id);
}

/* Groups: by self time (calls, errors for those sorts), largest first; ties by key. */
static int by_group(const void *pa, const void *pb)
{
	const struct stats_group *a = *(struct stats_group *const *)pa;
	const struct stats_group *b = *(struct stats_group *const *)pb;
	int64_t va = a->self_ns, vb = b->self_ns;

	if (sort_key == SORT_CALLS || sort_key == SORT_ERRORS) {
		va = (int64_t)(sort_key == SORT_CALLS ? a->calls : a->errors);
		vb = (int64_t)(sort_key == SORT_CALLS ? b->calls : b->errors);
	}
	if (va != vb)
		return va > vb ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return strcmp(a->key, b->key);
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path ? path : "";
}

/* Labels for the hooks of one group: hook_id alone unless another hook shares it. */
static void label_hooks(struct stats_group *g)
{
	struct stats_hook **v = oom(malloc((g->nhooks ? g->nhooks : 1) * sizeof(*v)));
	size_t i, j, k;

	memcpy(v, g->hooks, g->nhooks * sizeof(*v));
	qsort(v, g->nhooks, sizeof(*v), by_hook_id);
	for (i = 0; i < g->nhooks; i = j) {
		bool same_base = false, same_lib = false;

		for (j = i + 1; j < g->nhooks && !strcmp(v[j]->hook_id, v[i]->hook_id); j++)
			;
		if (j - i == 1) {
			v[i]->label = oom(strdup(v[i]->hook_id));
			continue;
		}
		for (k = i; k < j; k++)
			for (size_t m = k + 1; m < j; m++) {
				same_base |= !strcmp(base_name(v[k]->library), base_name(v[m]->library));
				same_lib |= !cmp_str(v[k]->library, v[m]->library);
			}
		for (k = i; k < j; k++) {
			const char *lib = v[k]->library ? v[k]->library : "no library";
			int n;

			if (same_lib)
				n = asprintf(&v[k]->label, "%s (%s in %s)", v[k]->hook_id, v[k]->function,
					     same_base ? lib : base_name(lib));
			else
				n = asprintf(&v[k]->label, "%s (%s)", v[k]->hook_id,
					     same_base ? lib : base_name(lib));
			if (n < 0)
				oom(NULL);
		}
	}
	free(v);
}

/* Sorts the groups and their hooks, and labels the hooks. */
static void sort_hooks(struct stats_counter *s)
{
	struct stats *st = &s->st;
	size_t i;

	sort_key = st->sort;
	st->groups = oom(calloc(s->groups.n ? s->groups.n : 1, sizeof(*st->groups)));
	for (i = 0; i < s->groups.nb; i++)
		for (struct tab_entry *e = s->groups.b[i]; e; e = e->next)
			st->groups[st->ngroups++] = e->value;
	for (i = 0; i < s->hooks.nb; i++)
		for (struct tab_entry *e = s->hooks.b[i]; e; e = e->next) {
			struct stats_hook *h = e->value;

			h->group->nhooks++;
		}
	for (i = 0; i < st->ngroups; i++) {
		st->groups[i]->hooks = oom(calloc(st->groups[i]->nhooks + 1, sizeof(struct stats_hook *)));
		st->groups[i]->nhooks = 0;
	}
	for (i = 0; i < s->hooks.nb; i++)
		for (struct tab_entry *e = s->hooks.b[i]; e; e = e->next) {
			struct stats_hook *h = e->value;

			h->group->hooks[h->group->nhooks++] = h;
		}
	for (i = 0; i < st->ngroups; i++) {
		label_hooks(st->groups[i]);
		qsort(st->groups[i]->hooks, st->groups[i]->nhooks, sizeof(struct stats_hook *),
		      by_sort_key);
	}
	qsort(st->groups, st->ngroups, sizeof(*st->groups), by_group);
}

/* ------------------------------------------------------------ the end */

static void free_hook(void *p)
{
	struct stats_hook *h = p;

	hist_free(&h->hist);
	free(h->hook_id);
	free(h->function);
	free(h->library);
	free(h->label);
	free(h);
}

static void free_group(void *p)
{
	struct stats_group *g = p;

	free(g->key);
	free(g->thread_name);
	free(g->hooks);
	free(g);
}

void stats_counter_free(struct stats_counter *s)
{
	if (!s)
		return;
	tab_free(&s->hooks, free_hook);
	tab_free(&s->groups, free_group);
	tab_free(&s->sessions, NULL);
	tab_free(&s->threads, NULL);
	tab_free(&s->pids, free);
	for (size_t i = 0; i < s->st.noutcomes; i++) {
		free(s->st.outcomes[i].program);
		free(s->st.outcomes[i].outcome);
		free(s->st.outcomes[i].detail);
	}
	free(s->st.outcomes);
	free(s->st.groups);
	self_free(s->self);
	free(s);
}

struct stats_counter *stats_counter_new(enum stats_by by, enum stats_sort sort,
					const struct stats_filters *f)
{
	struct stats_counter *s = oom(calloc(1, sizeof(*s)));

	s->st.by = by;
	s->st.sort = sort;
	s->f = *f;
	s->self = oom(self_new());
	s->last_pid = s->last_tid = INT64_MIN;
	return s;
}

const struct stats *stats_counter_finish(struct stats_counter *s, uint64_t skipped)
{
	s->st.skipped = skipped;
	s->st.peak_frames = self_peak_frames(s->self);
	for (size_t i = 0; i < s->pids.nb; i++)
		for (struct tab_entry *e = s->pids.b[i]; e; e = e->next) {
			struct pid_info *p = e->value;

			s->st.processes_without_root += p->calls && !p->root;
		}
	sort_hooks(s);
	return &s->st;
}
