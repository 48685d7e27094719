/*
 * event_writer.c — everything the renderer is fed, written as render/event_file.h
 * lays it out (event_writer.h): what format = binary stores instead of records,
 * and what IMPULSE_DEBUG_EVENTS copies. `impulse cat` feeds the same inputs to
 * the same renderer and gets the records the process would have written.
 *
 * Runs as the renderer's tap on the logger thread, never on the hot path, and
 * formats nothing: the two inputs of every call (enter, exit) go into chunks as
 * a few varints and the event's own bytes; what they refer to (the process, the
 * hooks.conf text, the clock's calibration, sessions, hook slots) is written
 * once, before its first use, and again when it changes. A chunk is whole or
 * absent for a reader: the writer hands out only whole records. With
 * redact_pattern set, each event and the program's argv are written with what
 * the patterns name filled (event_mask.h): no secret reaches the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fd_thread.h"
#include "base/tracer.h"
#include "hooks/hooks.h"
#include "logger/event_mask.h"
#include "logger/event_writer.h"
#include "render/event_file.h"
#include "render/redact.h"
#include "redact_pattern.h"

#define FLUSH_BYTES (256u << 10)
#define CONFIG_TEXT_MAX (16u << 20)
#define SMALL_REST 64		/* bytes of a call's arguments copied with its fixed fields */

static bool on;
static int error;			/* the first write error: nothing more is written */
static evw_write_fn write_out;
static void *write_arg;
static struct jbuf out;			/* whole records not written yet, and the open chunk */
static struct jbuf rec;			/* the record being built */
static struct jbuf item;		/* an EVC_FULL item's fields */
static struct jbuf masked;		/* an event with what redact_pattern names filled */
static bool masking;			/* redact_pattern is set: events are filled first */
static size_t chunk_at = SIZE_MAX;	/* where the open chunk's header is in out, or SIZE_MAX */
static const struct render_world *world;
static char config_path[PATH_MAX];	/* resolved at the first start: cwd may change later */
static char *config_text;		/* read at the first start; NULL: could not */
static size_t config_len;
static struct clock_calibration clock_written;
static bool clock_known;
static bool clock_maybe_changed;	/* set by evw_clock_changed(): read it again */
static const struct session **sessions;	/* numbered by their place here */
static size_t nsessions;
static uint8_t slot_written[MAX_SLOTS];
/* The open chunk's deltas start from these (event_file.h). */
static uint64_t last_id, last_ticks, last_ret;
static pid_t last_tid;
static char last_name[16];
static bool thread_known;
static const char *last_caller;		/* the chunk's, compared by pointer, then text */

static void put_u64(struct jbuf *b, uint64_t v)
{
	jb_put(b, &v, sizeof(v));
}

static void put_strn(struct jbuf *b, const char *s, size_t n)
{
	uint32_t len = s ? (uint32_t)n : EVF_NULL;

	jb_put(b, &len, sizeof(len));
	if (s)
		jb_put(b, s, n);
}

static void put_str(struct jbuf *b, const char *s)
{
	put_strn(b, s, s ? strlen(s) : 0);
}

static void put_var(struct jbuf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (unsigned char)v;
	jb_put(b, t, n);
}

/* A signed difference, zigzag-coded: small either way. */
static uint64_t zz(uint64_t now, uint64_t before)
{
	int64_t d = (int64_t)(now - before);

	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static void pad8(void)
{
	static const char zeros[8];

	jb_put(&out, zeros, (8 - out.len % 8) % 8);
}

static void chunk_end(void)
{
	struct evf_rec h = { .type = EVF_CHUNK };

	if (chunk_at == SIZE_MAX)
		return;
	if (out.failed) {
		/* A record lost to memory would make the rest unreadable: not written. */
		out.len = chunk_at;
		out.failed = false;
	} else {
		h.len = (uint32_t)(out.len - chunk_at - sizeof(h));
		memcpy(out.p + chunk_at, &h, sizeof(h));
		pad8();
	}
	chunk_at = SIZE_MAX;
}

static void chunk_open(void)
{
	struct evf_rec h = { .type = EVF_CHUNK };

	chunk_end();
	chunk_at = out.len;
	jb_put(&out, &h, sizeof(h));
	last_id = last_ticks = last_ret = 0;
	thread_known = false;
	last_caller = NULL;
}

/* A chunk to write into: the open one while it has room (inline: twice per call). */
static inline void chunk_begin(void)
{
	if (chunk_at == SIZE_MAX || out.len - chunk_at >= EVF_CHUNK_MAX)
		chunk_open();
}

static void emit(enum evf_type type)
{
	struct evf_rec h = { .type = type, .len = (uint32_t)rec.len };

	chunk_end();
	jb_put(&out, &h, sizeof(h));
	jb_put(&out, rec.p, rec.len);
	pad8();
	rec.len = 0;
}

int evw_flush(unsigned flags)
{
	int err;

	if (!on)
		return 0;
	chunk_end();
	if (error || !out.len) {
		out.len = 0;
		return 0;
	}
	err = write_out(write_arg, out.p, out.len, flags);
	out.len = 0;
	if (err)
		error = err;
	return err;
}

/* On the fd thread (fd_thread.h): the program's descriptor table is not touched. */
static int read_config_here(void *unused)
{
	int fd = open(config_path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096;
	char *p = malloc(cap);
	ssize_t n;

	(void)unused;
	if (fd < 0 || !p) {
		if (fd >= 0)
			close(fd);
		free(p);
		return -ENOENT;
	}
	config_len = 0;
	while ((n = read(fd, p + config_len, cap - config_len)) > 0 || (n < 0 && errno == EINTR)) {
		char *v;

		if (n < 0)
			continue;
		config_len += (size_t)n;
		if (config_len < cap)
			continue;
		v = cap < CONFIG_TEXT_MAX ? realloc(p, cap * 2) : NULL;
		if (!v)
			break;
		p = v;
		cap *= 2;
	}
	close(fd);
	config_text = p;
	return 0;
}

bool evw_start(const struct render_world *rw, evw_write_fn write, void *arg)
{
	const char *config = getenv("IMPULSE_CONFIG");
	struct evf_head h = { .magic = EVF_MAGIC, .version = EVF_VERSION };

	/* As init.c read it, before any chdir of the program (a fork child keeps it). */
	if (!config_path[0]) {
		if (!realpath(config && *config ? config : "hooks.conf", config_path))
			config_path[0] = '\0';
		else
			fd_thread_call(read_config_here, NULL);
	}
	world = rw;
	write_out = write;
	write_arg = arg;
	error = 0;
	clock_known = false;
	nsessions = 0;
	memset(slot_written, 0, sizeof(slot_written));
	out.len = rec.len = item.len = 0;
	chunk_at = SIZE_MAX;
	/* sink_file.c writes binary with patterns only when they can be filled */
	masking = tracer.cfg.settings.redact_patterns && *tracer.cfg.settings.redact_patterns;
	jb_put(&out, &h, sizeof(h));
	on = !jb_failed(&out);
	return on;
}

void evw_clock_changed(void)
{
	clock_maybe_changed = true;
}

bool evw_is_on(void)
{
	return on;
}

void evw_forget_in_child(void)
{
	on = false;
	out = rec = item = masked = (struct jbuf){ 0 };
	chunk_at = SIZE_MAX;
	sessions = NULL;
	nsessions = 0;
}

int evw_stop(void)
{
	int err = evw_flush(0);

	on = false;
	jb_free(&out);
	jb_free(&rec);
	jb_free(&item);
	jb_free(&masked);
	return err;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h;
}

/* An argument of the program, filled as the record's "argv" is masked. */
static void put_arg(const char *s)
{
	char *mine;

	if (!masking || !s) {
		put_str(&rec, s);
		return;
	}
	mine = strdup(s);
	if (!mine) {
		put_str(&rec, REDACT_MASK);	/* never the secret for want of memory */
		return;
	}
	redact_fill(mine, strlen(mine));
	put_str(&rec, mine);
	free(mine);
}

static void put_world(void)
{
	const struct render_world *w = world;

	put_str(&rec, w->tracer_id);
	put_str(&rec, w->trace_id);
	put_str(&rec, w->program);
	put_str(&rec, w->exe_path);
	put_u64(&rec, (uint64_t)w->argc);
	for (int i = 0; i < w->argc; i++)
		put_arg(w->argv[i]);
	put_u64(&rec, (uint64_t)w->pid);
	put_u64(&rec, w->max_children);
	put_str(&rec, w->tracer_metadata);
	put_u64(&rec, w->root_parent.set);
	put_str(&rec, w->root_parent.module);
	put_u64(&rec, w->root_parent.call);
	put_str(&rec, w->root_parent.fn_name);
	emit(EVF_WORLD);

	put_str(&rec, config_path);
	put_str(&rec, tracer.cfg.proto_dir);
	put_u64(&rec, tracer.max_string);
	put_u64(&rec, tracer.buffer_size);
	put_u64(&rec, tracer.cfg.settings.max_buffer);
	put_u64(&rec, tracer.cfg.settings.max_array);
	put_u64(&rec, tracer.cfg.settings.max_depth);
	put_u64(&rec, tracer.cfg.settings.max_capture);
	put_u64(&rec, tracer.cfg.settings.binary);
	put_str(&rec, tracer.cfg.settings.redact);
	put_str(&rec, tracer.cfg.settings.redact_patterns);
	put_strn(&rec, config_text, config_len);
	put_u64(&rec, config_text ? fnv1a(config_text, config_len) : 0);
	emit(EVF_CONFIG);
}

static void check_clock(void)
{
	struct clock_calibration c;
	uint64_t bits;

	/* Read only when it may have moved: twice per call otherwise (a tenth of the tap). */
	if (clock_known && !clock_maybe_changed)
		return;
	clock_maybe_changed = false;
	memset(&c, 0, sizeof(c));	/* padding included: compared field by field below anyway */
	clock_calibration_get(&c);
	if (clock_known && c.tsc == clock_written.tsc && c.t0_ticks == clock_written.t0_ticks &&
	    c.t0_ns == clock_written.t0_ns && c.ns_per_tick == clock_written.ns_per_tick)
		return;
	clock_written = c;
	clock_known = true;
	memcpy(&bits, &c.ns_per_tick, sizeof(bits));
	put_u64(&rec, c.tsc);
	put_u64(&rec, c.t0_ticks);
	put_u64(&rec, c.t0_ns);
	put_u64(&rec, bits);
	emit(EVF_CLOCK);
}

/* The session's number, its EVF_SESSION written first if new; ~0 for none. */
static uint64_t session_number(const struct session *s)
{
	const struct session **v;

	if (!s)
		return EVF_NONE;
	for (size_t i = nsessions; i-- > 0;)
		if (sessions[i] == s)
			return i;
	v = realloc(sessions, (nsessions + 1) * sizeof(*v));
	if (!v)
		return EVF_NONE;
	sessions = v;
	sessions[nsessions] = s;
	put_u64(&rec, nsessions);
	put_str(&rec, s->id);
	put_str(&rec, s->metadata_json);
	emit(EVF_SESSION);
	return nsessions++;
}

/* The slot's EVF_SLOT, when not written yet: which hook of the configuration (or
 * which pattern made it), and its modules. */
static void check_slot(uint32_t index, const struct hook_slot *slot)
{
	const struct cfg_hook *c = slot->hook->cfg;
	const struct cfg *cfg = &tracer.cfg;
	uint64_t hook = EVF_NONE, pattern = EVF_NONE;

	if (index >= MAX_SLOTS || slot_written[index])
		return;
	slot_written[index] = 1;
	if (cfg->nhooks && c >= cfg->hooks && c < cfg->hooks + cfg->nhooks)
		hook = (uint64_t)(c - cfg->hooks);
	/* A pattern's hook shares the pattern's own thread_id (select.c). */
	for (int i = 0; hook == EVF_NONE && i < cfg->npatterns; i++)
		if (cfg->patterns[i].thread_id == c->thread_id)
			pattern = (uint64_t)i;
	put_u64(&rec, index);
	put_str(&rec, c->symbol);
	put_u64(&rec, hook);
	put_u64(&rec, pattern);
	put_str(&rec, slot->caller_path);
	put_str(&rec, slot->library_path);
	emit(EVF_SLOT);
}

static void put_end(struct jbuf *b, const struct record_end *end)
{
	put_u64(b, end != NULL);
	put_str(b, end ? end->status : NULL);
	put_u64(b, end ? end->end_ticks : 0);
	put_u64(b, end ? (uint64_t)(int64_t)end->root_status : 0);
	put_str(b, end ? end->exception : NULL);
}

static void put_drop_hooks(struct jbuf *b, const struct render_drop_hook *h, unsigned n)
{
	put_u64(b, n);
	for (unsigned i = 0; i < n; i++) {
		put_str(b, h[i].name);
		put_u64(b, h[i].count);
	}
}

static void put_root_facts(struct jbuf *b, const struct render_drops *d, const struct render_diag *g)
{
	put_u64(b, d->total);
	put_u64(b, d->nthreads);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct render_drop_thread *t = &d->threads[i];

		put_u64(b, (uint64_t)t->tid);
		put_u64(b, t->total);
		put_u64(b, t->reentrant);
		put_str(b, t->name);
		put_drop_hooks(b, t->hooks, t->nhooks);
		put_drop_hooks(b, t->rhooks, t->nrhooks);
	}
	put_u64(b, g->said);
	put_u64(b, g->n);
	for (unsigned i = 0; i < g->n; i++)
		put_str(b, g->text[i]);
	put_u64(b, g->omitted);
}

/* Any input, with all its fields: an EVC_FULL item. */
static void put_full(const struct render_input *in, uint64_t session)
{
	struct jbuf *b = &item;

	item.len = 0;
	put_u64(b, in->kind);
	put_u64(b, in->id);
	put_u64(b, in->found);
	put_u64(b, in->ring);
	put_u64(b, (uint64_t)in->tid);
	put_strn(b, in->thread_name, in->thread_name ? strnlen(in->thread_name, 16) : 0);
	put_str(b, in->caller_path);
	put_u64(b, session);
	put_u64(b, in->ticks);
	put_end(b, in->end);
	if (in->kind == RI_ROOT_ARGS)
		put_root_facts(b, in->drops, in->diag);
	put_strn(b, (const char *)in->ev, in->ev ? in->ev->size : 0);
	chunk_begin();
	jb_putc(&out, EVC_FULL);
	put_var(&out, item.len);
	jb_put(&out, item.p, item.len);
}

/* Two 16-byte names equal: two loads each, where memcmp() is a call (twice per call). */
static inline bool same16(const char *a, const char *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* v as a varint at t: its bytes (at most 10). */
static inline size_t var_at(unsigned char *t, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (unsigned char)v;
	return n;
}

/* A call's start: the event's fields as deltas, its arguments and captures as they
 * are. The fixed part is built on the stack and copied once (this runs twice per call). */
static void put_enter(const struct render_input *in, const struct ev_enter *ev, uint64_t session)
{
	unsigned char t[1 + 9 * 10 + SMALL_REST];
	unsigned tag = EVC_ENTER;
	size_t n = 1, namelen = 0;
	size_t rest = ev->h.size - sizeof(*ev);

	chunk_begin();
	/* The name is 16 NUL-padded bytes (feed.h): one fixed-size compare. */
	if (!thread_known || in->tid != last_tid || !in->thread_name ||
	    !same16(last_name, in->thread_name))
		tag |= EVC_E_THREAD;
	if (in->caller_path != last_caller &&
	    (!in->caller_path || !last_caller || strcmp(in->caller_path, last_caller)))
		tag |= EVC_E_CALLER;
	if (in->id != ev->parent_id)
		tag |= EVC_E_PARENT;
	if (ev->pad)
		tag |= EVC_E_PAD;
	/* The tag first, then what is written on change, then the fixed part (t + 1). */
	if (tag & (EVC_E_THREAD | EVC_E_CALLER))
		jb_putc(&out, (char)tag);
	if (tag & EVC_E_THREAD) {
		namelen = in->thread_name ? strnlen(in->thread_name, 16) : 0;
		put_var(&out, (uint64_t)in->tid);
		put_var(&out, namelen);
		jb_put(&out, in->thread_name, namelen);
		last_tid = in->tid;
		memset(last_name, 0, sizeof(last_name));
		memcpy(last_name, in->thread_name, namelen);
		/* A name given without its padding is compared again next time: safe. */
		thread_known = in->thread_name != NULL;
	}
	if (tag & EVC_E_CALLER) {
		put_var(&out, in->caller_path ? strlen(in->caller_path) + 1 : 0);
		if (in->caller_path)
			jb_puts(&out, in->caller_path);
	}
	last_caller = in->caller_path;
	t[0] = (unsigned char)tag;
	if (tag & EVC_E_PARENT)
		n += var_at(t + n, in->id);
	if (tag & EVC_E_PAD)
		n += var_at(t + n, ev->pad);
	n += var_at(t + n, ev->h.flags);
	n += var_at(t + n, ev->slot);
	n += var_at(t + n, zz(ev->call_id, last_id));
	n += var_at(t + n, ev->parent_id ? zz(ev->call_id, ev->parent_id) + 1 : 0);
	n += var_at(t + n, zz(ev->ticks, last_ticks));
	n += var_at(t + n, session + 1);	/* EVF_NONE + 1 == 0 */
	n += var_at(t + n, zz(ev->return_address, last_ret));
	n += var_at(t + n, rest);
	/* Small arguments go with the fixed part: one copy into the chunk. */
	if (rest <= SMALL_REST) {
		memcpy(t + n, ev->args, rest);
		n += rest;
		rest = 0;
	}
	if (tag & (EVC_E_THREAD | EVC_E_CALLER))
		jb_put(&out, t + 1, n - 1);
	else
		jb_put(&out, t, n);
	if (rest)
		jb_put(&out, ev->args, rest);
	last_id = ev->call_id;
	last_ticks = ev->ticks;
	last_ret = ev->return_address;
}

/* A call's return: as the start, deltas and the event's own bytes. */
static void put_exit(const struct ev_exit *ev)
{
	unsigned char t[1 + 5 * 10];
	size_t n = 1, rest = ev->h.size - sizeof(*ev);

	chunk_begin();
	t[0] = EVC_EXIT;
	n += var_at(t + n, ev->h.flags);
	n += var_at(t + n, zz(ev->call_id, last_id));
	n += var_at(t + n, zz(ev->ticks, last_ticks));
	n += var_at(t + n, zz(ev->ret, 0));
	n += var_at(t + n, rest);
	jb_put(&out, t, n);
	if (rest)
		jb_put(&out, ev->data, rest);
	last_id = ev->call_id;
	last_ticks = ev->ticks;
}

static void put_input(const struct render_input *in, uint64_t number);

void evw_tap(void *arg, const struct render_input *in)
{
	const struct session *session = in->session;
	uint64_t number;

	(void)arg;
	if (!on || error)
		return;
	/* Here rather than after the input: its EVC_UNWRITTEN items stay in its chunk. */
	if (out.len >= FLUSH_BYTES)
		evw_flush(0);
	/* What the input refers to goes first, each as a record of its own. */
	check_clock();
	if (in->kind == RI_BEGIN)
		put_world();
	if (in->kind == RI_ENTER) {
		const struct ev_enter *ev = (const struct ev_enter *)in->ev;

		session = ev->session;
		check_slot(ev->slot, in->slot);
	}
	number = session_number(session);
	if (masking && in->ev) {
		/* what the patterns name never reaches the file: written filled */
		const struct ev_head *ev = evm_masked(in, &masked);

		if (!ev)
			return;	/* out of memory: the event is not written as it was */
		if (ev != in->ev) {
			struct render_input filled = *in;

			filled.ev = ev;
			put_input(&filled, number);
			return;
		}
	}
	put_input(in, number);
}

/* The input, compact when it is one of a call's two, else with all its fields. */
static void put_input(const struct render_input *in, uint64_t number)
{
	/* The two inputs of every call, compact; the others as they are. */
	if (in->kind == RI_ENTER && !in->found && !in->ring && !in->ticks && !in->end &&
	    in->ev->size >= sizeof(struct ev_enter))
		put_enter(in, (const struct ev_enter *)in->ev, number);
	else if (in->kind == RI_EXIT && in->id == 0 && !in->tid && !in->thread_name &&
		 !in->caller_path && !in->ticks && !in->end && number == EVF_NONE &&
		 in->ev->size >= sizeof(struct ev_exit))
		put_exit((const struct ev_exit *)in->ev);
	else
		put_full(in, number);
}

void evw_unwritten(uint64_t id)
{
	if (!on || error)
		return;
	/* In the chunk of the input that made the record, or right after it when
	 * the logger flushed in between: the reader holds the records an input made
	 * until the next input. */
	if (chunk_at == SIZE_MAX) {
		put_u64(&rec, id);
		emit(EVF_UNWRITTEN);
		return;
	}
	jb_putc(&out, EVC_UNWRITTEN);
	put_var(&out, id);
}
