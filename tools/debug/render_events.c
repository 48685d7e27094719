/*
 * render_events.c — `impulse render-events FILE`: renders again the records a
 * traced process rendered, from the file IMPULSE_DEBUG_EVENTS=FILE made it write
 * (preload/render/event_file.h), and writes them to stdout as JSON Lines: the
 * same bytes as the process's record file. A debugging aid for the renderer.
 *
 * The renderer is libimpulse's own (libimpulse_render.a, preload/render/feed.h),
 * fed the inputs the logger fed it, in the same order. What the inputs point at
 * is rebuilt: the hooks from the same hooks.conf, the settings the plans were
 * compiled with, the slots, sessions and clock calibration as the file says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/tool.h"
#include "config.h"
#include "hooks/hooks.h"
#include "hot/thread_ctx.h"
#include "render/event_file.h"
#include "render/feed.h"
#include "render/redact.h"

/* The file, read whole, and where the reader is in it. */
struct evf_reader {
	const unsigned char *p;
	size_t len, pos;	/* within the current record's fields */
	bool bad;		/* a field ran past its record */
};

static uint64_t get_u64(struct evf_reader *r)
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
static char *get_str(struct evf_reader *r, size_t *n)
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

/* Everything the inputs point at. */
struct replay {
	struct render_world world;
	struct clock_calibration clock;
	struct cfg cfg;
	size_t max_string, buffer_size;
	struct hook_slot *slots;	/* MAX_SLOTS, as the process's table */
	struct hook **hooks;		/* built so far, one per symbol */
	size_t nhooks;
	struct session **sessions;
	size_t nsessions;
	struct render render;
	struct jbuf out;		/* the records */
	const unsigned char *next;	/* the records after the input being fed */
	const unsigned char *end;
	long records;
	const char *file;
};

static uint64_t replay_ticks_to_ns(const struct render_world *rw, uint64_t ticks)
{
	const struct replay *rp = rw->clock;

	return clock_calibration_to_ns(&rp->clock, ticks);
}

/* Whether call id's record, just made, is one the process did not write: an
 * EVF_UNWRITTEN right after the input being fed says so. */
static bool unwritten(const struct replay *rp, uint64_t id)
{
	const unsigned char *p = rp->next;

	while (p && rp->end - p >= (ptrdiff_t)sizeof(struct evf_rec)) {
		struct evf_rec h;
		uint64_t v;

		memcpy(&h, p, sizeof(h));
		if (h.type != EVF_UNWRITTEN || h.len < 8)
			return false;
		memcpy(&v, p + sizeof(h), 8);
		if (v == id)
			return true;
		p += sizeof(h) + ((h.len + 7u) & ~7u);
	}
	return false;
}

static bool write_record(void *arg, struct call *c, const struct record_end *end)
{
	struct replay *rp = arg;
	size_t at = rp->out.len;

	record_format(&rp->out, &rp->world, c, end);
	if (unwritten(rp, c->id)) {
		rp->out.len = at;
		return false;
	}
	rp->records++;
	if (rp->out.len >= (64u << 10)) {
		fwrite(rp->out.p, 1, rp->out.len, stdout);
		rp->out.len = 0;
	}
	return true;
}

/* Compiles c into h as libimpulse did (hooks/hook_compile.c: the same function). */
static void hook_rebuild(struct replay *rp, struct hook *h, const struct cfg_hook *c)
{
	hook_compile(h, c, &rp->cfg.settings, rp->max_string, rp->buffer_size);
}

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
	if (!h || !v)
		return NULL;
	rp->hooks = v;
	hook_rebuild(rp, h, c);
	rp->hooks[rp->nhooks++] = h;
	return h;
}

static int read_world(struct replay *rp, struct evf_reader *r)
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

static int read_config(struct replay *rp, struct evf_reader *r)
{
	char *path = get_str(r, NULL), *proto_dir = get_str(r, NULL);
	struct cfg_settings *s = &rp->cfg.settings;
	struct cfg_error err;
	int rc;

	cfg_init(&rp->cfg);
	if (proto_dir && cfg_set_proto_dir(&rp->cfg, proto_dir))
		return -ENOMEM;
	memset(&err, 0, sizeof(err));
	rc = path ? cfg_parse_file(&rp->cfg, path, &err) : -ENOENT;
	if (!rc)
		rc = cfg_resolve(&rp->cfg, &err);
	if (rc) {
		char msg[1024];

		cfg_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "impulse render-events: %s: the hooks.conf the process read: %s\n",
			rp->file, path ? msg : "not recorded");
		return -EINVAL;
	}
	rp->max_string = get_u64(r);
	rp->buffer_size = get_u64(r);
	s->max_buffer = get_u64(r);
	s->max_array = (unsigned)get_u64(r);
	s->max_depth = (unsigned)get_u64(r);
	s->max_capture = get_u64(r);
	s->binary = (enum cfg_binary)get_u64(r);
	s->redact = get_str(r, NULL);
	s->redact_patterns = get_str(r, NULL);
	/* As init.c does after reading it: masking on, the metadata masked. */
	redact_setup(s->redact_patterns);
	redact_config_metadata(&rp->cfg);
	return 0;
}

static int read_session(struct replay *rp, struct evf_reader *r)
{
	uint64_t n = get_u64(r);
	struct session *s = calloc(1, sizeof(*s)), **v;

	if (!s || n != rp->nsessions)
		return -EINVAL;
	s->id = get_str(r, NULL);
	s->metadata_json = get_str(r, NULL);
	v = realloc(rp->sessions, (rp->nsessions + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rp->sessions = v;
	rp->sessions[rp->nsessions++] = s;
	return 0;
}

static int read_slot(struct replay *rp, struct evf_reader *r)
{
	uint64_t index = get_u64(r);
	char *symbol = get_str(r, NULL);
	uint64_t hook = get_u64(r), pattern = get_u64(r);
	struct hook_slot *slot;

	if (index >= MAX_SLOTS || !symbol)
		return -EINVAL;
	slot = &rp->slots[index];
	slot->caller_path = get_str(r, NULL);
	slot->library_path = get_str(r, NULL);
	slot->hook = hook_for(rp, symbol, hook, pattern);
	if (!slot->hook) {
		fprintf(stderr, "impulse render-events: %s: hook %s is not in the hooks.conf read\n",
			rp->file, symbol);
		return -EINVAL;
	}
	return 0;
}

static void read_end(struct evf_reader *r, struct record_end *end, bool *has)
{
	*has = get_u64(r) != 0;
	end->status = get_str(r, NULL);
	end->end_ticks = get_u64(r);
	end->root_status = (int)(int64_t)get_u64(r);
	end->exception = get_str(r, NULL);
	if (!end->status)
		end->status = "success";
}

static void read_drop_hooks(struct evf_reader *r, struct render_drop_hook **hooks, unsigned *n)
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

static void read_root_facts(struct evf_reader *r, struct render_drops *d, struct render_diag *g)
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

static struct call *find(struct replay *rp, uint64_t id, bool found)
{
	return found ? render_find(&rp->render, id) : NULL;
}

static int feed(struct replay *rp, struct evf_reader *r)
{
	struct render *rd = &rp->render;
	enum render_input_kind kind = (enum render_input_kind)get_u64(r);
	uint64_t id = get_u64(r);
	bool found = get_u64(r) != 0;
	unsigned ring = (unsigned)get_u64(r);
	pid_t tid = (pid_t)get_u64(r);
	char *name = get_str(r, NULL), thread_name[16] = { 0 };
	char *caller_path = get_str(r, NULL);
	uint64_t session = get_u64(r), ticks = get_u64(r);
	struct record_end end = { 0 };
	struct render_drops drops = { 0 };
	struct render_diag diag = { 0 };
	const struct session *s = session < rp->nsessions ? rp->sessions[session] : NULL;
	bool has_end;
	size_t evlen = 0;
	char *ev;

	read_end(r, &end, &has_end);
	if (kind == RI_ROOT_ARGS)
		read_root_facts(r, &drops, &diag);
	ev = get_str(r, &evlen);	/* malloc'ed: aligned for any event */
	if (r->bad)
		return -EINVAL;
	if (name)
		memcpy(thread_name, name, strnlen(name, sizeof(thread_name)));
	if ((kind == RI_ENTER || kind == RI_EXIT || kind == RI_LOG) &&
	    (!ev || evlen < sizeof(struct ev_head) || ((struct ev_head *)ev)->size != evlen))
		return -EINVAL;
	switch (kind) {
	case RI_BEGIN:
		if (render_begin(rd, s, ticks, tid, thread_name))
			return -ENOMEM;
		break;
	case RI_ENTER: {
		struct ev_enter *e = (struct ev_enter *)ev;

		if (evlen < sizeof(*e) || e->slot >= MAX_SLOTS || !rp->slots[e->slot].hook)
			return -EINVAL;
		e->session = s;	/* the process's pointer, ours now */
		render_enter(rd, e, id ? render_find(rd, id) : NULL, &rp->slots[e->slot], tid,
			     thread_name, caller_path);
		break;
	}
	case RI_EXIT:
		render_exit(rd, (const struct ev_exit *)ev);
		break;
	case RI_END:
		render_end(rd, id, &end);
		break;
	case RI_LOG:
		render_log(rd, (const struct ev_log *)ev);
		break;
	case RI_HOLD:
		render_hold(rd, id);
		break;
	case RI_ATTACH:
		render_attach(rd, ring, find(rp, id, found));
		break;
	case RI_DETACH:
		render_detach(rd, ring, id);
		break;
	case RI_UNHOLD:
		render_unhold(rd, find(rp, id, found));
		break;
	case RI_LINK:
		render_link(rd, id);
		break;
	case RI_RETIRE:
		render_retire(rd, ring, id);
		break;
	case RI_FINISH_RUNNING:
		render_finish_running(rd, &end);
		break;
	case RI_ROOT_ARGS:
		render_root_args(rd, &drops, &diag);
		break;
	case RI_ROOT_END:
		render_root_end(rd, &end);
		break;
	default:
		return -EINVAL;
	}
	/* The event's copy: render_enter keeps its own when it must. */
	free(ev);
	return 0;
}

static int replay_file(struct replay *rp, const unsigned char *p, size_t len)
{
	struct evf_head h;
	size_t pos = sizeof(h);
	bool world = false, config = false;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, p, sizeof(h));
	if (memcmp(h.magic, EVF_MAGIC, sizeof(EVF_MAGIC)) || h.version != EVF_VERSION)
		return -EPROTO;
	rp->end = p + len;
	while (len - pos >= sizeof(struct evf_rec)) {
		struct evf_rec rec;
		struct evf_reader r;
		int err = 0;

		memcpy(&rec, p + pos, sizeof(rec));
		pos += sizeof(rec);
		if (len - pos < rec.len)
			return -EINVAL;	/* cut short: the process died writing it */
		r = (struct evf_reader){ .p = p + pos, .len = rec.len };
		pos += (rec.len + 7u) & ~7u;
		if (pos > len)
			pos = len;
		rp->next = p + pos;
		switch (rec.type) {
		case EVF_WORLD:
			err = read_world(rp, &r);
			world = !err;
			break;
		case EVF_CONFIG:
			err = read_config(rp, &r);
			config = !err;
			break;
		case EVF_CLOCK: {
			uint64_t bits;

			rp->clock.tsc = get_u64(&r) != 0;
			rp->clock.t0_ticks = get_u64(&r);
			rp->clock.t0_ns = get_u64(&r);
			bits = get_u64(&r);
			memcpy(&rp->clock.ns_per_tick, &bits, sizeof(bits));
			break;
		}
		case EVF_SESSION:
			err = read_session(rp, &r);
			break;
		case EVF_SLOT:
			err = config ? read_slot(rp, &r) : -EINVAL;
			break;
		case EVF_INPUT:
			err = world && config ? feed(rp, &r) : -EINVAL;
			break;
		default:
			break;	/* EVF_UNWRITTEN (read ahead by unwritten()), or newer */
		}
		if (!err && r.bad)
			err = -EINVAL;
		if (err)
			return err;
	}
	return 0;
}

static int read_whole(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			unsigned char *v = realloc(p, cap ? cap * 2 : 1 << 20);

			if (!v) {
				free(p);
				fclose(f);
				return -ENOMEM;
			}
			p = v;
			cap = cap ? cap * 2 : 1 << 20;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*out = p;
	*len = n;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: impulse render-events FILE\n"
		"\n"
		"Renders the records again from FILE, which a process traced with\n"
		"IMPULSE_DEBUG_EVENTS=FILE wrote: what its renderer was fed. Writes them to\n"
		"stdout as JSON Lines, as the process wrote its record file. A debugging aid:\n"
		"it reads the same hooks.conf as the process did, from where it was then.\n");
}

int cmd_render_events(int argc, char **argv)
{
	static struct call *attached[CTX_MAX_THREADS];
	struct replay rp = { 0 };
	unsigned char *data = NULL;
	size_t len = 0;
	int err;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	rp.file = argv[1];
	err = read_whole(rp.file, &data, &len);
	if (err) {
		fprintf(stderr, "impulse render-events: %s: %s\n", rp.file, strerror(-err));
		return TOOL_EXIT_FAILED;
	}
	rp.slots = calloc(MAX_SLOTS, sizeof(*rp.slots));
	if (!rp.slots) {
		fprintf(stderr, "impulse render-events: out of memory\n");
		return TOOL_EXIT_FAILED;
	}
	rp.render = (struct render){ .world = &rp.world, .record = write_record, .record_arg = &rp,
				     .attached = attached, .nrings = CTX_MAX_THREADS };
	err = replay_file(&rp, data, len);
	fwrite(rp.out.p, 1, rp.out.len, stdout);
	if (fflush(stdout)) {
		fprintf(stderr, "impulse render-events: writing the records: %s\n", strerror(errno));
		return TOOL_EXIT_FAILED;
	}
	if (err) {
		fprintf(stderr, "impulse render-events: %s: %s after %ld record%s\n", rp.file,
			err == -EPROTO ? "not an IMPULSE_DEBUG_EVENTS file of this version" :
			"malformed or cut short", rp.records, tool_s(rp.records));
		return TOOL_EXIT_FAILED;
	}
	return 0;
}
