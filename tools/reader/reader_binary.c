/*
 * reader_binary.c — binary.h: a binary record file read a record at a time and
 * fed to libimpulse's own renderer (libimpulse_render.a, preload/render/feed.h)
 * in the order the logger fed it, so that the records come out as the process
 * would have written them with format = json, byte for byte.
 *
 * What the inputs point at is rebuilt from the file: the hooks from the
 * hooks.conf text it holds (or, without it, the file at the path it names), the
 * settings the plans were compiled with, the slots, sessions and clock
 * calibration as they were written. The records an input makes are held until
 * the next input: an EVC_UNWRITTEN right after it takes one back (a record the
 * process did not write, IMPULSE_DEBUG_EVENTS only).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "config.h"
#include "hooks/hooks.h"
#include "hot/thread_ctx.h"
#include "reader/binary.h"
#include "render/calls.h"
#include "render/event_file.h"
#include "render/feed.h"
#include "render/redact.h"

#define REC_MAX (256u << 20)	/* bytes of one record: more is a corrupted length */
#define OUT_FLUSH (64u << 10)

/* One record's fields, and where the reader is in them. */
struct fields {
	const unsigned char *p;
	size_t len, pos;
	bool bad;		/* a field ran past its record */
};

struct pending {
	uint64_t id;
	size_t at;		/* where its record starts in out */
};

/* Everything the inputs point at, and the records made. */
struct replay {
	struct render_world world;
	struct clock_calibration clock;
	struct cfg cfg;
	bool world_read, config_read, ended;
	size_t max_string, buffer_size;
	struct hook_slot *slots;	/* MAX_SLOTS, as the process's table */
	struct hook **hooks;		/* built so far, one per symbol */
	size_t nhooks;
	struct session **sessions;
	size_t nsessions;
	struct render render;
	struct call *attached[CTX_MAX_THREADS];
	struct jbuf out;		/* records: [0, committed) final, the rest pending */
	size_t committed;
	struct pending *pending;	/* the records of the last input, until the next */
	size_t npending, cap_pending;
	uint64_t last_ticks;		/* the latest seen: the end of a file cut short */
	long records;
	long problems;
	int stop;			/* out->records' error */
	const struct binary_out *o;
	uint64_t offset;		/* of the record being read */
	long bad_chunks;		/* chunks that did not decode after the first one said */
	/* The chunk's deltas (event_file.h). */
	uint64_t last_id, chunk_ticks, last_ret;
	pid_t tid;
	char name[16];
	const char *caller;		/* the chunk's last caller path (interned), or NULL */
	uint64_t *evbuf;		/* the event being rebuilt (render_enter copies what it keeps) */
	size_t evcap;			/* bytes */
};

/* Room for an event of n bytes in rp->evbuf (8-aligned), or NULL. */
static void *event_room(struct replay *rp, size_t n)
{
	if (n > rp->evcap) {
		size_t cap = n < 4096 ? 4096 : n * 2;
		uint64_t *v = realloc(rp->evbuf, cap);

		if (!v)
			return NULL;
		rp->evbuf = v;
		rp->evcap = cap;
	}
	return rp->evbuf;
}

bool binary_is_magic(const void *p, size_t n)
{
	return n >= BINARY_MAGIC_LEN && !memcmp(p, EVF_MAGIC, sizeof(EVF_MAGIC));
}

static void __attribute__((format(printf, 2, 3))) problem(struct replay *rp, const char *fmt, ...)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "offset %llu: ", (unsigned long long)rp->offset);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	va_end(ap);
	rp->problems++;
	if (rp->o->problem)
		rp->o->problem(rp->o->arg, text);
}

static uint64_t get_u64(struct fields *r)
{
	uint64_t v = 0;

	if (r->len - r->pos < 8) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p + r->pos, 8);
	r->pos += 8;
	return v;
}

/* A str field as a NUL-terminated copy (never freed: the records point at them),
 * or NULL for a NULL one. *n gets its length when n is not NULL. */
static char *get_str(struct fields *r, size_t *n)
{
	uint32_t len;
	char *s;

	if (r->len - r->pos < 4) {
		r->bad = true;
		return NULL;
	}
	memcpy(&len, r->p + r->pos, 4);
	r->pos += 4;
	if (len == EVF_NULL)
		return NULL;
	if (r->len - r->pos < len) {
		r->bad = true;
		return NULL;
	}
	s = malloc((size_t)len + 1);
	if (!s) {
		r->bad = true;
		return NULL;
	}
	memcpy(s, r->p + r->pos, len);
	s[len] = '\0';
	r->pos += len;
	if (n)
		*n = len;
	return s;
}

static uint64_t get_var(struct fields *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (r->pos >= r->len) {
			r->bad = true;
			return 0;
		}
		b = r->p[r->pos++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* A zigzag-coded difference added to base. */
static uint64_t get_zz(struct fields *r, uint64_t base)
{
	uint64_t z = get_var(r);

	return base + ((z >> 1) ^ (0 - (z & 1)));
}

static uint64_t replay_ticks_to_ns(const struct render_world *rw, uint64_t ticks)
{
	const struct replay *rp = rw->clock;

	return clock_calibration_to_ns(&rp->clock, ticks);
}

/* The records made so far are final: out's [0, committed), written when many. */
static void commit(struct replay *rp, bool flush)
{
	rp->committed = rp->out.len;
	rp->npending = 0;
	if (rp->stop || !rp->committed || (!flush && rp->committed < OUT_FLUSH))
		return;
	rp->stop = rp->o->records(rp->o->arg, rp->out.p, rp->committed);
	rp->out.len = rp->committed = 0;
}

static bool write_record(void *arg, struct call *c, const struct record_end *end)
{
	struct replay *rp = arg;
	size_t at = rp->out.len;

	record_format(&rp->out, &rp->world, c, end);
	if (rp->npending == rp->cap_pending) {
		size_t cap = rp->cap_pending ? rp->cap_pending * 2 : 64;
		struct pending *v = realloc(rp->pending, cap * sizeof(*v));

		if (!v)
			return true;	/* cannot be taken back: stays */
		rp->pending = v;
		rp->cap_pending = cap;
	}
	rp->pending[rp->npending++] = (struct pending){ c->id, at };
	rp->records++;
	return true;
}

/* The process did not write call id's record, made by the last input: taken back. */
static void unwritten(struct replay *rp, uint64_t id)
{
	for (size_t i = 0; i < rp->npending; i++) {
		size_t at = rp->pending[i].at;
		size_t end = i + 1 < rp->npending ? rp->pending[i + 1].at : rp->out.len;

		if (rp->pending[i].id != id)
			continue;
		memmove(rp->out.p + at, rp->out.p + end, rp->out.len - end);
		rp->out.len -= end - at;
		for (size_t j = i + 1; j < rp->npending; j++)
			rp->pending[j - 1] = (struct pending){ rp->pending[j].id, rp->pending[j].at - (end - at) };
		rp->npending--;
		rp->records--;
		return;
	}
}

/* Compiles the hook for symbol as libimpulse did (hooks/hook_compile.c). */
static const struct hook *hook_for(struct replay *rp, const char *symbol, uint64_t index,
				   uint64_t pattern)
{
	const struct cfg_hook *c = NULL;
	struct hook *h, **v;

	for (size_t i = 0; i < rp->nhooks; i++)
		if (!strcmp(rp->hooks[i]->cfg->symbol, symbol))
			return rp->hooks[i];
	if (index < (uint64_t)rp->cfg.nhooks)
		c = &rp->cfg.hooks[index];
	else if (pattern < (uint64_t)rp->cfg.npatterns)
		c = cfg_pattern_hook(&rp->cfg, &rp->cfg.patterns[pattern], symbol);
	if (!c || strcmp(c->symbol, symbol))
		return NULL;	/* another hooks.conf than the process read */
	h = calloc(1, sizeof(*h));
	v = realloc(rp->hooks, (rp->nhooks + 1) * sizeof(*v));
	if (!h || !v) {
		free(h);
		return NULL;
	}
	rp->hooks = v;
	hook_compile(h, c, &rp->cfg.settings, rp->max_string, rp->buffer_size);
	rp->hooks[rp->nhooks++] = h;
	return h;
}

static int read_world(struct replay *rp, struct fields *r)
{
	struct render_world *w = &rp->world;

	w->tracer_id = get_str(r, NULL);
	w->trace_id = get_str(r, NULL);
	w->program = get_str(r, NULL);
	w->exe_path = get_str(r, NULL);
	w->argc = (int)get_u64(r);
	if (w->argc < 0 || w->argc > 1 << 20)
		return -EINVAL;
	{
		char **argv = calloc((size_t)w->argc + 1, sizeof(*argv));

		if (!argv)
			return -ENOMEM;
		for (int i = 0; i < w->argc; i++)
			argv[i] = get_str(r, NULL);
		w->argv = argv;
	}
	w->pid = (pid_t)get_u64(r);
	w->max_children = (unsigned)get_u64(r);
	w->tracer_metadata = get_str(r, NULL);
	w->root_parent.set = get_u64(r) != 0;
	w->root_parent.module = get_str(r, NULL);
	w->root_parent.call = get_u64(r);
	w->root_parent.fn_name = get_str(r, NULL);
	w->ticks_to_ns = replay_ticks_to_ns;
	w->clock = rp;
	if (!w->tracer_id || !w->trace_id || strlen(w->tracer_id) != 16 || strlen(w->trace_id) != 32)
		return -EINVAL;
	return 0;
}

static int read_config(struct replay *rp, struct fields *r)
{
	char *path = get_str(r, NULL), *proto_dir = get_str(r, NULL), *text;
	struct cfg_settings in, *s = &rp->cfg.settings;
	struct cfg_error err;
	int rc;

	memset(&in, 0, sizeof(in));
	rp->max_string = get_u64(r);
	rp->buffer_size = get_u64(r);
	in.max_buffer = get_u64(r);
	in.max_array = (unsigned)get_u64(r);
	in.max_depth = (unsigned)get_u64(r);
	in.max_capture = get_u64(r);
	in.binary = (enum cfg_binary)get_u64(r);
	in.redact = get_str(r, NULL);
	in.redact_patterns = get_str(r, NULL);
	text = get_str(r, NULL);
	(void)get_u64(r);	/* the text's hash: for readers that keep the files apart */
	if (r->bad)
		return -EINVAL;
	cfg_init(&rp->cfg);
	if (proto_dir && cfg_set_proto_dir(&rp->cfg, proto_dir))
		return -ENOMEM;
	memset(&err, 0, sizeof(err));
	/* The text the process read; without it, the file at the path it read. */
	rc = text ? cfg_parse_string(&rp->cfg, text, path ? path : "hooks.conf", &err) :
	     path ? cfg_parse_file(&rp->cfg, path, &err) : -ENOENT;
	if (!rc)
		rc = cfg_resolve(&rp->cfg, &err);
	if (rc) {
		char msg[1024];

		cfg_error_format(&err, msg, sizeof(msg));
		problem(rp, "the hooks.conf the process read: %s", path || text ? msg : "not recorded");
		return -EINVAL;
	}
	/* The settings as in force in the process (environment overrides included). */
	s->max_buffer = in.max_buffer;
	s->max_array = in.max_array;
	s->max_depth = in.max_depth;
	s->max_capture = in.max_capture;
	s->binary = in.binary;
	s->redact = in.redact;
	s->redact_patterns = in.redact_patterns;
	/* As init.c does after reading it: masking on, the metadata masked. */
	redact_setup(s->redact_patterns);
	redact_config_metadata(&rp->cfg);
	return 0;
}

static int read_session(struct replay *rp, struct fields *r)
{
	uint64_t n = get_u64(r);
	struct session *s = calloc(1, sizeof(*s)), **v;

	if (!s || n != rp->nsessions) {
		free(s);
		return -EINVAL;
	}
	s->id = get_str(r, NULL);
	s->metadata_json = get_str(r, NULL);
	v = realloc(rp->sessions, (rp->nsessions + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rp->sessions = v;
	rp->sessions[rp->nsessions++] = s;
	return 0;
}

static int read_slot(struct replay *rp, struct fields *r)
{
	uint64_t index = get_u64(r);
	char *symbol = get_str(r, NULL);
	uint64_t hook = get_u64(r), pattern = get_u64(r);
	struct hook_slot *slot;

	if (index >= MAX_SLOTS || !symbol || r->bad)
		return -EINVAL;
	slot = &rp->slots[index];
	slot->caller_path = get_str(r, NULL);
	slot->library_path = get_str(r, NULL);
	slot->hook = hook_for(rp, symbol, hook, pattern);
	if (!slot->hook) {
		problem(rp, "hook %s is not in the hooks.conf read", symbol);
		return -EINVAL;
	}
	return 0;
}

static void read_end(struct fields *r, struct record_end *end, bool *has)
{
	*has = get_u64(r) != 0;
	end->status = get_str(r, NULL);
	end->end_ticks = get_u64(r);
	end->root_status = (int)(int64_t)get_u64(r);
	end->exception = get_str(r, NULL);
	if (!end->status)
		end->status = "success";
}

static void read_drop_hooks(struct fields *r, struct render_drop_hook **hooks, unsigned *n)
{
	uint64_t count = get_u64(r);

	*n = 0;
	*hooks = count && count < (1u << 20) ? calloc(count, sizeof(**hooks)) : NULL;
	for (uint64_t i = 0; *hooks && i < count && !r->bad; i++) {
		(*hooks)[i].name = get_str(r, NULL);
		(*hooks)[i].count = get_u64(r);
		*n = (unsigned)(i + 1);
	}
}

static void read_root_facts(struct fields *r, struct render_drops *d, struct render_diag *g)
{
	struct render_drop_thread *threads;

	d->total = get_u64(r);
	d->nthreads = get_u64(r);
	threads = d->nthreads && d->nthreads < (1u << 20) ? calloc(d->nthreads, sizeof(*threads)) : NULL;
	if (!threads)
		d->nthreads = 0;
	for (size_t i = 0; i < d->nthreads && !r->bad; i++) {
		struct render_drop_thread *t = &threads[i];
		char *name;

		t->tid = (pid_t)get_u64(r);
		t->total = get_u64(r);
		t->reentrant = get_u64(r);
		name = get_str(r, NULL);
		if (name)
			snprintf(t->name, sizeof(t->name), "%s", name);
		free(name);
		read_drop_hooks(r, &t->hooks, &t->nhooks);
		read_drop_hooks(r, &t->rhooks, &t->nrhooks);
	}
	d->threads = threads;
	g->said = get_u64(r) != 0;
	g->n = (unsigned)get_u64(r);
	if (g->n > RENDER_DIAG_MAX) {
		r->bad = true;
		g->n = 0;
	}
	for (unsigned i = 0; i < g->n; i++)
		g->text[i] = get_str(r, NULL);
	g->omitted = get_u64(r);
}

/* One input, decoded: what feed() hands the renderer. */
struct input {
	enum render_input_kind kind;
	uint64_t id, ticks, session;
	bool found;
	unsigned ring;
	pid_t tid;
	char name[16];
	const char *caller_path;
	struct record_end end;
	struct render_drops drops;
	struct render_diag diag;
	void *ev;		/* malloc'ed: aligned for any event; freed after */
	size_t evlen;
};

/* The caller paths seen, kept once each (calls point at them until their record). */
static const char *intern(const char *s, size_t n)
{
	static char **seen;
	static size_t nseen;
	char *copy, **v;

	for (size_t i = 0; i < nseen; i++)
		if (strlen(seen[i]) == n && !memcmp(seen[i], s, n))
			return seen[i];
	copy = strndup(s, n);
	v = copy ? realloc(seen, (nseen + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(copy);
		return NULL;
	}
	seen = v;
	seen[nseen++] = copy;
	return copy;
}

static int feed(struct replay *rp, struct input *in)
{
	struct render *rd = &rp->render;
	const struct session *s = in->session < rp->nsessions ? rp->sessions[in->session] : NULL;
	void *ev = in->ev;

	if ((in->kind == RI_ENTER || in->kind == RI_EXIT || in->kind == RI_LOG) &&
	    (!ev || in->evlen < sizeof(struct ev_head) || ((struct ev_head *)ev)->size != in->evlen))
		return -EINVAL;
	commit(rp, false);	/* the records of the input before are final */
	if (in->ticks > rp->last_ticks)
		rp->last_ticks = in->ticks;
	switch (in->kind) {
	case RI_BEGIN:
		if (render_begin(rd, s, in->ticks, in->tid, in->name))
			return -ENOMEM;
		break;
	case RI_ENTER: {
		struct ev_enter *e = ev;

		if (in->evlen < sizeof(*e) || e->slot >= MAX_SLOTS || !rp->slots[e->slot].hook || !rd->root)
			return -EINVAL;
		e->session = s;	/* the process's pointer, ours now */
		if (e->ticks > rp->last_ticks)
			rp->last_ticks = e->ticks;
		render_enter(rd, e, in->id ? render_find(rd, in->id) : NULL, &rp->slots[e->slot], in->tid,
			     in->name, in->caller_path);
		break;
	}
	case RI_EXIT:
		if (in->evlen < sizeof(struct ev_exit) || !rd->root)
			return -EINVAL;
		if (((struct ev_exit *)ev)->ticks > rp->last_ticks)
			rp->last_ticks = ((struct ev_exit *)ev)->ticks;
		render_exit(rd, ev);
		break;
	case RI_END:
		render_end(rd, in->id, &in->end);
		break;
	case RI_LOG:
		if (in->evlen < sizeof(struct ev_log) || !rd->root)
			return -EINVAL;
		render_log(rd, ev);
		break;
	case RI_HOLD:
		render_hold(rd, in->id);
		break;
	case RI_ATTACH:
		render_attach(rd, in->ring % CTX_MAX_THREADS, in->found ? render_find(rd, in->id) : NULL);
		break;
	case RI_DETACH:
		render_detach(rd, in->ring % CTX_MAX_THREADS, in->id);
		break;
	case RI_UNHOLD:
		render_unhold(rd, in->found ? render_find(rd, in->id) : NULL);
		break;
	case RI_LINK:
		render_link(rd, in->id);
		break;
	case RI_RETIRE:
		render_retire(rd, in->ring % CTX_MAX_THREADS, in->id);
		break;
	case RI_FINISH_RUNNING:
		render_finish_running(rd, &in->end);
		break;
	case RI_ROOT_ARGS:
		if (!rd->root)
			return -EINVAL;
		render_root_args(rd, &in->drops, &in->diag);
		break;
	case RI_ROOT_END:
		if (!rd->root)
			return -EINVAL;
		render_root_end(rd, &in->end);
		rp->ended = true;
		rd->root = NULL;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* An input with all its fields (EVF_INPUT, EVC_FULL). */
static int read_full(struct replay *rp, struct fields *r)
{
	struct input in = { 0 };
	char *name, *caller;
	size_t n = 0;
	bool has_end;
	int err;

	in.kind = (enum render_input_kind)get_u64(r);
	in.id = get_u64(r);
	in.found = get_u64(r) != 0;
	in.ring = (unsigned)get_u64(r);
	in.tid = (pid_t)get_u64(r);
	name = get_str(r, &n);
	caller = get_str(r, &n);
	in.caller_path = caller ? intern(caller, strlen(caller)) : NULL;
	free(caller);
	in.session = get_u64(r);
	in.ticks = get_u64(r);
	read_end(r, &in.end, &has_end);
	if (in.kind == RI_ROOT_ARGS)
		read_root_facts(r, &in.drops, &in.diag);
	in.ev = get_str(r, &in.evlen);
	if (name)
		memcpy(in.name, name, strnlen(name, sizeof(in.name)));
	free(name);
	err = r->bad ? -EINVAL : feed(rp, &in);
	free(in.ev);
	return err;
}

/*
 * The event of an EVC_ENTER or EVC_EXIT whose fixed part head (size bytes) was
 * read: its captured bytes follow in r, a count and the bytes; in->ev gets the
 * whole event, its header's size set.
 */
static int event_rebuild(struct replay *rp, struct fields *r, struct input *in,
			 struct ev_head *head, size_t size)
{
	uint64_t rest = get_var(r);

	if (r->bad || r->len - r->pos < rest || rest % 8 || rest > REC_MAX)
		return -EINVAL;
	in->evlen = size + rest;
	in->ev = event_room(rp, in->evlen);
	if (!in->ev)
		return -ENOMEM;
	head->size = (uint32_t)in->evlen;
	memcpy(in->ev, head, size);
	memcpy((char *)in->ev + size, r->p + r->pos, rest);
	r->pos += rest;
	return 0;
}

/* EVC_ENTER: the ev_enter rebuilt from its deltas. */
static int read_enter(struct replay *rp, struct fields *r, unsigned tag)
{
	struct input in = { .kind = RI_ENTER };
	struct ev_enter e = { .h.type = EV_ENTER };
	uint64_t parent;
	bool has_id = false;
	int err;

	if (tag & EVC_E_THREAD) {
		uint64_t n;

		rp->tid = (pid_t)get_var(r);
		n = get_var(r);
		if (n > sizeof(rp->name) || r->len - r->pos < n)
			return -EINVAL;
		memset(rp->name, 0, sizeof(rp->name));
		memcpy(rp->name, r->p + r->pos, n);
		r->pos += n;
	}
	if (tag & EVC_E_CALLER) {
		uint64_t n = get_var(r);

		if (r->len - r->pos < n)
			return -EINVAL;
		rp->caller = n ? intern((const char *)r->p + r->pos, n - 1) : NULL;
		r->pos += n ? n - 1 : 0;
	}
	in.caller_path = rp->caller;
	if (tag & EVC_E_PARENT) {
		in.id = get_var(r);
		has_id = true;
	}
	if (tag & EVC_E_PAD)
		e.pad = (uint32_t)get_var(r);
	e.h.flags = (uint16_t)get_var(r);
	e.slot = (uint32_t)get_var(r);
	e.call_id = get_zz(r, rp->last_id);
	parent = get_var(r);
	if (parent) {
		uint64_t z = parent - 1;

		e.parent_id = e.call_id - ((z >> 1) ^ (0 - (z & 1)));
	}
	e.ticks = get_zz(r, rp->chunk_ticks);
	in.session = get_var(r) - 1;	/* 0 - 1: none */
	e.return_address = get_zz(r, rp->last_ret);
	err = event_rebuild(rp, r, &in, &e.h, sizeof(e));
	if (err)
		return err;
	if (!has_id)
		in.id = e.parent_id;
	in.tid = rp->tid;
	memcpy(in.name, rp->name, sizeof(in.name));
	rp->last_id = e.call_id;
	rp->chunk_ticks = e.ticks;
	rp->last_ret = e.return_address;
	return feed(rp, &in);
}

/* EVC_EXIT: the ev_exit rebuilt. */
static int read_exit(struct replay *rp, struct fields *r)
{
	struct input in = { .kind = RI_EXIT, .session = EVF_NONE };
	struct ev_exit e = { .h.type = EV_EXIT };
	int err;

	e.h.flags = (uint16_t)get_var(r);
	e.call_id = get_zz(r, rp->last_id);
	e.ticks = get_zz(r, rp->chunk_ticks);
	e.ret = get_zz(r, 0);
	err = event_rebuild(rp, r, &in, &e.h, sizeof(e));
	if (err)
		return err;
	rp->last_id = e.call_id;
	rp->chunk_ticks = e.ticks;
	return feed(rp, &in);
}

static int read_chunk(struct replay *rp, struct fields *r)
{
	rp->last_id = rp->chunk_ticks = rp->last_ret = 0;
	rp->tid = 0;
	memset(rp->name, 0, sizeof(rp->name));
	rp->caller = NULL;
	while (r->pos < r->len) {
		unsigned tag = r->p[r->pos++];
		int err = 0;

		switch (tag & 0x0f) {
		case EVC_FULL: {
			uint64_t n = get_var(r);
			struct fields f;

			if (r->bad || r->len - r->pos < n)
				return -EINVAL;
			f = (struct fields){ .p = r->p + r->pos, .len = n };
			r->pos += n;
			err = read_full(rp, &f);
			break;
		}
		case EVC_ENTER:
			err = read_enter(rp, r, tag);
			break;
		case EVC_EXIT:
			err = read_exit(rp, r);
			break;
		case EVC_UNWRITTEN:
			unwritten(rp, get_var(r));
			break;
		default:
			return -EINVAL;
		}
		if (!err && r->bad)
			err = -EINVAL;
		if (err)
			return err;
	}
	return 0;
}

static int read_record(struct replay *rp, uint32_t type, struct fields *r)
{
	int err = 0;

	switch (type) {
	case EVF_WORLD:
		err = read_world(rp, r);
		rp->world_read = !err;
		break;
	case EVF_CONFIG:
		err = read_config(rp, r);
		rp->config_read = !err;
		break;
	case EVF_CLOCK: {
		uint64_t bits;

		rp->clock.tsc = get_u64(r) != 0;
		rp->clock.t0_ticks = get_u64(r);
		rp->clock.t0_ns = get_u64(r);
		bits = get_u64(r);
		memcpy(&rp->clock.ns_per_tick, &bits, sizeof(bits));
		break;
	}
	case EVF_SESSION:
		err = read_session(rp, r);
		break;
	case EVF_SLOT:
		err = rp->config_read ? read_slot(rp, r) : -EINVAL;
		break;
	case EVF_INPUT:
		err = rp->world_read && rp->config_read ? read_full(rp, r) : -EINVAL;
		break;
	case EVF_CHUNK:
		err = rp->world_read && rp->config_read ? read_chunk(rp, r) : -EINVAL;
		break;
	case EVF_UNWRITTEN:
		unwritten(rp, get_u64(r));
		break;
	default:
		break;	/* a record type of a later minor revision: skipped */
	}
	if (!err && r->bad)
		err = -EINVAL;
	return err;
}

static const char *type_name(uint32_t type)
{
	static const char *const names[] = { "?", "world", "config", "clock", "session", "slot",
					     "input", "unwritten", "chunk" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

/* The file read whole, a record at a time. */
static void read_stream(struct replay *rp, FILE *f)
{
	unsigned char *buf = NULL;
	size_t cap = 0;

	for (;;) {
		struct evf_rec h;
		size_t got = fread(&h, 1, sizeof(h), f), want;
		struct fields r;
		int err;

		if (got == 0)
			break;
		if (got < sizeof(h)) {
			problem(rp, "the file is cut short in a record's header (the process was killed, "
				"or the disk was full): what follows is lost");
			break;
		}
		if (h.len > REC_MAX) {
			problem(rp, "a record of %u bytes: the file is corrupted; nothing after it is read", h.len);
			break;
		}
		want = (h.len + 7u) & ~7u;
		if (want > cap) {
			unsigned char *v = realloc(buf, want);

			if (!v) {
				problem(rp, "out of memory for a record of %u bytes", h.len);
				break;
			}
			buf = v;
			cap = want;
		}
		got = fread(buf, 1, want, f);
		if (got < h.len) {
			problem(rp, "the file is cut short in a %s record (the process was killed, or the "
				"disk was full): its %zu bytes of %u are lost", type_name(h.type), got, h.len);
			break;
		}
		r = (struct fields){ .p = buf, .len = h.len };
		err = read_record(rp, h.type, &r);
		/* The first chunk that does not decode is said; the others (a lost start
		 * makes every later call unplaceable) only counted, said at the end. */
		if (err && h.type == EVF_CHUNK && !rp->bad_chunks++)
			problem(rp, "a chunk of %u bytes does not decode: skipped (its calls may come out "
				"\"incomplete\")", h.len);
		else if (err && h.type != EVF_SLOT && h.type != EVF_CONFIG)
			problem(rp, "a %s record of %u bytes does not decode: skipped", type_name(h.type), h.len);
		rp->offset += sizeof(h) + want;
		if (rp->stop)
			break;
	}
	free(buf);
	if (rp->bad_chunks > 1)
		problem(rp, "%ld more chunk%s did not decode after the one said", rp->bad_chunks - 1,
			rp->bad_chunks > 2 ? "s" : "");
}

/* A file that ended before its root did: what is in flight ends as "incomplete". */
static void end_cut_short(struct replay *rp)
{
	struct record_end end = { .status = "incomplete", .end_ticks = rp->last_ticks };

	if (rp->ended || !rp->render.root)
		return;
	commit(rp, false);
	render_finish_running(&rp->render, &end);
	render_root_end(&rp->render, &end);
	rp->render.root = NULL;
}

static struct replay *replay_new(const struct binary_out *o)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->o = o;
	rp->slots = calloc(MAX_SLOTS, sizeof(*rp->slots));
	if (!rp->slots) {
		free(rp);
		return NULL;
	}
	/* The renderer's tables are the process's: a file starts from none. */
	calls_forget_all();
	record_forget_after_fork(rp->slots, MAX_SLOTS);
	rp->render = (struct render){ .world = &rp->world, .record = write_record, .record_arg = rp,
				      .attached = rp->attached, .nrings = CTX_MAX_THREADS };
	return rp;
}

/* The records rendered, then what the records pointed at stays (small, once per file). */
static long replay_free(struct replay *rp, long *records)
{
	long problems;

	commit(rp, true);
	problems = rp->stop ? rp->stop : rp->problems;
	if (records)
		*records = rp->records;
	jb_free(&rp->out);
	free(rp->pending);
	free(rp->evbuf);
	free(rp);
	return problems;
}

/* The file's head: true when it is one this reader reads (else said). */
static bool head_ok(struct replay *rp, const struct evf_head *h, size_t got)
{
	if (got != sizeof(*h) || !binary_is_magic(h->magic, sizeof(h->magic))) {
		problem(rp, "not a binary record file (no \"%s\" header)", EVF_MAGIC);
		return false;
	}
	if (h->version != EVF_VERSION) {
		problem(rp, "version %u of the binary format: this impulse reads version %u (%s "
			"impulse wrote it)", h->version, EVF_VERSION, h->version > EVF_VERSION ? "a newer" :
			"an older");
		return false;
	}
	return true;
}

long binary_render_file(const char *path, const struct binary_out *o, long *records)
{
	struct replay *rp;
	struct evf_head h;
	FILE *f = fopen(path, "rb");
	size_t got;

	if (records)
		*records = 0;
	if (!f)
		return -errno;
	rp = replay_new(o);
	if (!rp) {
		fclose(f);
		return -ENOMEM;
	}
	got = fread(&h, 1, sizeof(h), f);
	if (head_ok(rp, &h, got)) {
		rp->offset = sizeof(h);
		read_stream(rp, f);
		if (!rp->stop && ferror(f))
			problem(rp, "read error: %s", strerror(errno));
		if (!rp->stop && !rp->ended && rp->render.root) {
			if (!rp->problems)
				problem(rp, "the file ends before the process did (it is still running, "
					"or was killed): calls in flight are shown \"incomplete\"");
			end_cut_short(rp);
		}
	}
	fclose(f);
	return replay_free(rp, records);
}

struct binary_follow {
	struct replay *rp;
	int fd;
	bool started, dead;
	unsigned char *buf;
	size_t cap;
};

struct binary_follow *binary_follow_open(int fd, const struct binary_out *o)
{
	struct binary_follow *b = calloc(1, sizeof(*b));

	if (!b || !(b->rp = replay_new(o))) {
		free(b);
		return NULL;
	}
	b->fd = fd;
	return b;
}

long binary_follow_poll(struct binary_follow *b)
{
	struct replay *rp = b->rp;

	if (!b->started) {
		struct evf_head h;
		ssize_t got = pread(b->fd, &h, sizeof(h), 0);

		if (got < (ssize_t)sizeof(h))
			return 0;	/* not yet written */
		b->started = true;
		b->dead = !head_ok(rp, &h, (size_t)got);
		rp->offset = sizeof(h);
	}
	while (!b->dead && !rp->stop) {
		struct evf_rec h;
		struct fields r;
		size_t want;
		int err;

		if (pread(b->fd, &h, sizeof(h), (off_t)rp->offset) != (ssize_t)sizeof(h))
			break;	/* not yet: the writer hands out whole records, soon there */
		if (h.len > REC_MAX) {
			problem(rp, "a record of %u bytes: the file is corrupted; nothing after it is read", h.len);
			b->dead = true;
			break;
		}
		want = (h.len + 7u) & ~7u;
		if (want > b->cap) {
			unsigned char *v = realloc(b->buf, want);

			if (!v)
				break;
			b->buf = v;
			b->cap = want;
		}
		if (pread(b->fd, b->buf, want, (off_t)(rp->offset + sizeof(h))) < (ssize_t)h.len)
			break;
		r = (struct fields){ .p = b->buf, .len = h.len };
		err = read_record(rp, h.type, &r);
		if (err && !rp->bad_chunks++)
			problem(rp, "a %s record of %u bytes does not decode: skipped", type_name(h.type), h.len);
		rp->offset += sizeof(h) + want;
	}
	commit(rp, true);
	return rp->stop ? rp->stop : rp->problems;
}

void binary_follow_close(struct binary_follow *b)
{
	if (!b)
		return;
	replay_free(b->rp, NULL);
	free(b->buf);
	free(b);
}
