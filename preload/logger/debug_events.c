/*
 * debug_events.c — IMPULSE_DEBUG_EVENTS (debug_events.h): everything the renderer
 * is fed, written as render/event_file.h lays it out, so that `impulse
 * render-events` can render the same records outside the process.
 *
 * Runs as the renderer's tap on the logger thread, never on the hot path. The
 * file is opened, written and closed on the fd thread, out of the program's
 * descriptor table, like IMPULSE_DEBUG_BSON_FILE's. Errors are said once and end
 * the file; they never reach the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/diag.h"
#include "base/fd_high.h"
#include "base/fd_thread.h"
#include "base/tracer.h"
#include "hooks/hooks.h"
#include "logger/debug_events.h"
#include "render/event_file.h"

#define FLUSH_BYTES (256u << 10)

static int fd = -1;
static struct jbuf out;		/* records not written yet */
static struct jbuf rec;		/* the record being built */
static const struct render_world *world;
static char config_path[PATH_MAX];	/* resolved at the first open: cwd may change later */
static struct clock_calibration clock_written;
static bool clock_known;
static const struct session **sessions;	/* numbered by their place here */
static size_t nsessions;
static uint8_t slot_written[MAX_SLOTS];

static void put_u64(uint64_t v)
{
	jb_put(&rec, &v, sizeof(v));
}

static void put_strn(const char *s, size_t n)
{
	uint32_t len = s ? (uint32_t)n : EVF_NULL;

	jb_put(&rec, &len, sizeof(len));
	if (s)
		jb_put(&rec, s, n);
}

static void put_str(const char *s)
{
	put_strn(s, s ? strlen(s) : 0);
}

static void emit(enum evf_type type)
{
	struct evf_rec h = { .type = type, .len = (uint32_t)rec.len };
	static const char zeros[8];

	jb_put(&out, &h, sizeof(h));
	jb_put(&out, rec.p, rec.len);
	jb_put(&out, zeros, (8 - rec.len % 8) % 8);
	rec.len = 0;
}

/* On the fd thread (fd_thread.h): out of the program's descriptor table. */
static int open_here(void *name)
{
	int f = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (f < 0)
		return -errno;
	if (!fd_thread_is_private()) {
		int high = fd_move_high(f);

		f = high >= 0 ? high : f;
	}
	return f;
}

static int flush_here(void *unused)
{
	size_t off = 0;

	(void)unused;
	while (fd >= 0 && off < out.len) {
		ssize_t n = write(fd, out.p + off, out.len - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(fd);
			fd = -1;
			return n < 0 ? -errno : -EIO;	/* said by the caller */
		}
		off += (size_t)n;
	}
	out.len = 0;
	return 0;
}

static int close_here(void *unused)
{
	(void)unused;
	if (fd >= 0)
		close(fd);
	return 0;
}

void debug_events_flush(void)
{
	int err = fd >= 0 && out.len ? fd_thread_call(flush_here, NULL) : 0;

	/* Here, not on the fd thread, whose stderr is not the program's. */
	if (err)
		diag_error("IMPULSE_DEBUG_EVENTS: write failed: %s", strerror(-err));
	out.len = 0;
}

bool debug_events_open(pid_t pid, const struct render_world *rw)
{
	const char *path = secure_getenv("IMPULSE_DEBUG_EVENTS");
	const char *config = getenv("IMPULSE_CONFIG");
	struct evf_head h = { .magic = EVF_MAGIC, .version = EVF_VERSION };
	char name[4096];
	size_t n = 0;

	if (!path || !*path)
		return false;
	/* "%p": the pid, so that the processes of one run write apart. */
	for (const char *p = path; *p && n + 24 < sizeof(name); p++) {
		if (p[0] == '%' && p[1] == 'p') {
			n += (size_t)snprintf(name + n, sizeof(name) - n, "%d", (int)pid);
			p++;
		} else {
			name[n++] = *p;
		}
	}
	name[n] = '\0';
	/* As init.c read it, before any chdir of the program (a fork child keeps it). */
	if (!config_path[0] && !realpath(config && *config ? config : "hooks.conf", config_path))
		config_path[0] = '\0';
	fd = fd_thread_call(open_here, name);
	if (fd < 0) {
		diag_error("IMPULSE_DEBUG_EVENTS: cannot create %s: %s", name, strerror(-fd));
		fd = -1;
		return false;
	}
	world = rw;
	clock_known = false;
	nsessions = 0;
	memset(slot_written, 0, sizeof(slot_written));
	out.len = rec.len = 0;
	jb_put(&out, &h, sizeof(h));
	return true;
}

void debug_events_forget_in_child(void)
{
	/* The parent's descriptor is in its fd thread's table, or close-on-exec in
	 * ours: left alone. Its buffers may have been mid-update: leaked. */
	fd = -1;
	out = rec = (struct jbuf){ 0 };
	sessions = NULL;
	nsessions = 0;
}

void debug_events_close(void)
{
	debug_events_flush();
	if (fd >= 0)
		fd_thread_call(close_here, NULL);
	fd = -1;
	jb_free(&out);
	jb_free(&rec);
}

static void put_world(void)
{
	const struct render_world *w = world;

	put_str(w->tracer_id);
	put_str(w->trace_id);
	put_str(w->program);
	put_str(w->exe_path);
	put_u64((uint64_t)w->argc);
	for (int i = 0; i < w->argc; i++)
		put_str(w->argv[i]);
	put_u64((uint64_t)w->pid);
	put_u64(w->max_children);
	put_str(w->tracer_metadata);
	put_u64(w->root_parent.set);
	put_str(w->root_parent.module);
	put_u64(w->root_parent.call);
	put_str(w->root_parent.fn_name);
	emit(EVF_WORLD);

	put_str(config_path);
	put_str(tracer.cfg.proto_dir);
	put_u64(tracer.max_string);
	put_u64(tracer.buffer_size);
	put_u64(tracer.cfg.settings.max_buffer);
	put_u64(tracer.cfg.settings.max_array);
	put_u64(tracer.cfg.settings.max_depth);
	put_u64(tracer.cfg.settings.max_capture);
	put_u64(tracer.cfg.settings.binary);
	put_str(tracer.cfg.settings.redact);
	put_str(tracer.cfg.settings.redact_patterns);
	emit(EVF_CONFIG);
}

static void check_clock(void)
{
	struct clock_calibration c;
	uint64_t bits;

	clock_calibration_get(&c);
	if (clock_known && !memcmp(&c, &clock_written, sizeof(c)))
		return;
	clock_written = c;
	clock_known = true;
	memcpy(&bits, &c.ns_per_tick, sizeof(bits));
	put_u64(c.tsc);
	put_u64(c.t0_ticks);
	put_u64(c.t0_ns);
	put_u64(bits);
	emit(EVF_CLOCK);
}

/* The session's number, its EVF_SESSION written first if new; ~0 for none. */
static uint64_t session_number(const struct session *s)
{
	const struct session **v;

	if (!s)
		return EVF_NONE;
	for (size_t i = 0; i < nsessions; i++)
		if (sessions[i] == s)
			return i;
	v = realloc(sessions, (nsessions + 1) * sizeof(*v));
	if (!v)
		return EVF_NONE;
	sessions = v;
	sessions[nsessions] = s;
	put_u64(nsessions);
	put_str(s->id);
	put_str(s->metadata_json);
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
	put_u64(index);
	put_str(c->symbol);
	put_u64(hook);
	put_u64(pattern);
	put_str(slot->caller_path);
	put_str(slot->library_path);
	emit(EVF_SLOT);
}

static void put_end(const struct record_end *end)
{
	put_u64(end != NULL);
	put_str(end ? end->status : NULL);
	put_u64(end ? end->end_ticks : 0);
	put_u64(end ? (uint64_t)(int64_t)end->root_status : 0);
	put_str(end ? end->exception : NULL);
}

static void put_drop_hooks(const struct render_drop_hook *h, unsigned n)
{
	put_u64(n);
	for (unsigned i = 0; i < n; i++) {
		put_str(h[i].name);
		put_u64(h[i].count);
	}
}

static void put_root_facts(const struct render_drops *d, const struct render_diag *g)
{
	put_u64(d->total);
	put_u64(d->nthreads);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct render_drop_thread *t = &d->threads[i];

		put_u64((uint64_t)t->tid);
		put_u64(t->total);
		put_u64(t->reentrant);
		put_str(t->name);
		put_drop_hooks(t->hooks, t->nhooks);
		put_drop_hooks(t->rhooks, t->nrhooks);
	}
	put_u64(g->said);
	put_u64(g->n);
	for (unsigned i = 0; i < g->n; i++)
		put_str(g->text[i]);
	put_u64(g->omitted);
}

void debug_events_tap(void *arg, const struct render_input *in)
{
	const struct session *session = in->session;
	uint64_t number;

	(void)arg;
	if (fd < 0)
		return;
	check_clock();
	if (in->kind == RI_BEGIN)
		put_world();
	if (in->kind == RI_ENTER) {
		const struct ev_enter *ev = (const struct ev_enter *)in->ev;

		session = ev->session;
		check_slot(ev->slot, in->slot);
	}
	number = session_number(session);
	put_u64(in->kind);
	put_u64(in->id);
	put_u64(in->found);
	put_u64(in->ring);
	put_u64((uint64_t)in->tid);
	put_strn(in->thread_name, in->thread_name ? strnlen(in->thread_name, 16) : 0);
	put_str(in->caller_path);
	put_u64(number);
	put_u64(in->ticks);
	put_end(in->end);
	if (in->kind == RI_ROOT_ARGS)
		put_root_facts(in->drops, in->diag);
	put_strn((const char *)in->ev, in->ev ? in->ev->size : 0);
	emit(EVF_INPUT);
	if (out.len >= FLUSH_BYTES)
		debug_events_flush();
}

void debug_events_unwritten(uint64_t id)
{
	if (fd < 0)
		return;
	put_u64(id);
	emit(EVF_UNWRITTEN);
}
