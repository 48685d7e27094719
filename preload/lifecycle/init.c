/*
 * init.c — start-up and shutdown of the tracer, around the program's main.
 *
 * Start-up runs as a constructor, before main and before the program's own
 * constructors: read hooks.conf (or the file named by IMPULSE_CONFIG) with the
 * shipped prototype files at hand, apply the environment's overrides, open the
 * sink, start the logger, patch every loaded object. With IMPULSE_CHECK=FD
 * (impulse check) the report goes to FD and the process ends before main
 * (wrappers.c); a tracer that cannot start then exits with status 3. Any failure is said once and leaves the program running untraced;
 * only IMPULSE_STRICT=1 turns a configuration error into exit status 2.
 * Shutdown runs as a destructor (or from the _exit wrapper; shutdown.c): stop
 * recording, drain, write what is still running as "incomplete" and the root
 * record. A fork child becomes a tracer of its own (fork_child.c), from the
 * pthread_atfork handlers registered here. The parts below hear of fork, crash and
 * the end through base/life.h, where they register at the setup called here.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "lifecycle/child_env.h"
#include "base/clock.h"
#include "lifecycle/crash.h"
#include "base/diag.h"
#include "lifecycle/exits.h"
#include "lifecycle/fault.h"
#include "base/fd_high.h"
#include "lifecycle/fork_child.h"
#include "hooks/hooks.h"
#include "intercept/interpose.h"
#include "lifecycle/lineage.h"
#include "lifecycle/wrappers.h"
#include "logger/logger.h"
#include "render/record.h"
#include "render/redact.h"
#include "intercept/select.h"
#include "logger/sink.h"
#include "hot/thread_ctx.h"
#include "hot/thread_fork.h"
#include "base/tracer.h"
#include "lifecycle/shutdown.h"
#include "base/life.h"


static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

static size_t round_pow2(size_t n)
{
	size_t p = 64u << 10;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

/* Environment variables override the file; a bad value is said and ignored. */
static void apply_env(struct cfg *cfg)
{
	static const char *const map[][2] = {
		{ "IMPULSE_LOG_DIR", "log_dir" },
		{ "IMPULSE_SESSION_ID", "session_id" },
		{ "IMPULSE_LOGGER", "logger" },
		{ "IMPULSE_MAX_STRING", "max_string" },
		{ "IMPULSE_BUFFER_SIZE", "buffer_size" },
		{ "IMPULSE_MAX_LOG_SIZE", "max_log_size" },
		{ "IMPULSE_MIN_FREE_SPACE", "min_free_space" },
		{ "IMPULSE_REDACT", "redact" },
		{ "IMPULSE_REDACT_PATTERN", "redact_pattern" },
		{ "IMPULSE_MAX_BUFFER", "max_buffer" },
		{ "IMPULSE_MAX_ARRAY", "max_array" },
		{ "IMPULSE_MAX_DEPTH", "max_depth" },
		{ "IMPULSE_MAX_CAPTURE", "max_capture" },
		{ "IMPULSE_BINARY", "binary" },
		{ "IMPULSE_ON_FULL", "on_full" },
		{ "IMPULSE_FORMAT", "format" },
		{ "IMPULSE_MONGO_URI", "mongo_uri" },
		{ "IMPULSE_MONGO_DATABASE", "mongo_database" },
		{ "IMPULSE_MONGO_COLLECTION", "mongo_collection" },
		{ "IMPULSE_TRACE_EXEC", "trace_exec" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *v = child_env_path(map[i][0]);
		struct cfg_error err;

		if (v && cfg_set(cfg, map[i][1], v, &err))
			diag_error("%s: %s (ignored)", map[i][0], err.text);
	}
	if (env_flag("IMPULSE_VERBOSE"))
		cfg->settings.verbose = true;
	if (env_flag("IMPULSE_STRICT"))
		cfg->settings.strict = true;
}

/*
 * Where the shipped prototype files are: $IMPULSE_PROTO_DIR (tests, relocated
 * installs; read only outside secure execution, like everything here), else
 * protos/ beside libimpulse.so (the build tree), else ../share/libimpulse/protos
 * from its directory (make install). 0 or -ENOMEM.
 */
static int set_proto_dir(struct cfg *cfg)
{
	const char *env = child_env_path("IMPULSE_PROTO_DIR");
	char dir[PATH_MAX], beside[PATH_MAX + 16], installed[PATH_MAX + 32];
	Dl_info info;
	char *slash;

	if (env && *env)
		return cfg_set_proto_dir(cfg, env);
	/* Any function of ours names our file. */
	if (!dladdr((void *)set_proto_dir, &info) || !info.dli_fname)
		return 0;
	snprintf(dir, sizeof(dir), "%s", info.dli_fname);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(beside, sizeof(beside), "%s/protos", dir);
	snprintf(installed, sizeof(installed), "%s/../share/libimpulse/protos", dir);
	if (access(beside, X_OK) && !access(installed, X_OK))
		return cfg_set_proto_dir(cfg, installed);
	return cfg_set_proto_dir(cfg, beside);
}

/*
 * A relative log_dir (from hooks.conf) made absolute against the directory the
 * process starts in, for this process (a fork child opens its file later, maybe
 * after a chdir) and for the programs it starts (child_env.c). 0 or -ENOMEM.
 */
static int absolute_log_dir(struct cfg *cfg)
{
	const char *dir = cfg->settings.log_dir;
	char cwd[PATH_MAX], abs[2 * PATH_MAX];
	struct cfg_error err;
	bool from_file = !child_env_path("IMPULSE_LOG_DIR") || !*child_env_path("IMPULSE_LOG_DIR");

	if (dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return 0;	/* a removed directory: left as it is */
		snprintf(abs, sizeof(abs), "%s/%s", strcmp(cwd, "/") ? cwd : "",
			 dir[0] == '.' && dir[1] == '/' ? dir + 2 : dir);
		if (cfg_set(cfg, "log_dir", abs, &err))
			return -ENOMEM;
	}
	if (from_file)
		child_env_set_log_dir(cfg->settings.log_dir);
	return 0;
}

/* Where the .diag file goes when hooks.conf could not be read: $IMPULSE_LOG_DIR
 * (absolute by now), else the default, as the file logger would have used. */
static void diag_fallback_dir(void)
{
	const char *env = child_env_path("IMPULSE_LOG_DIR");
	char cwd[PATH_MAX], abs[PATH_MAX + 32];

	if (env && env[0] == '/') {
		diag_set_dir(env);
		return;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	snprintf(abs, sizeof(abs), "%s/%s", strcmp(cwd, "/") ? cwd : "", env && *env ? env : ".impulselogs");
	diag_set_dir(abs);
}

static void config_error(const char *path, int rc, const struct cfg_error *err)
{
	char msg[600];

	/* The reader says why whenever it can (a directory, over 16 MiB, the open's
	 * error): errno's text alone ("Input/output error") says nothing. */
	if (rc == -EINVAL || err->text[0])
		cfg_error_format(err, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-rc));
	/* IMPULSE_STRICT stops the program: that it did, and why, is said where the
	 * user looks (stderr), as well as in the .diag file. */
	if (env_flag("IMPULSE_STRICT"))
		diag_verbose_enabled = true;
	diag_error("%s", msg);
	if (env_flag("IMPULSE_STRICT")) {
		diag_error("IMPULSE_STRICT is set: exiting with status 2");
		diag_fallback_dir();
		_exit(2);
	}
	diag_error("configuration error: the program runs untraced");
}

/* Returns 0 when there is something to trace, -1 to stay out of the way. */
static int load_config(void)
{
	/* As named (messages say what the user wrote); read before any chdir of the
	 * program, and handed to children in its absolute form (child_env.c). */
	const char *path = getenv("IMPULSE_CONFIG");
	bool named = path && *path;
	struct cfg_error err;
	int rc;

	if (!named)
		path = "hooks.conf";
	cfg_init(&tracer.cfg);
	memset(&err, 0, sizeof(err));
	if (set_proto_dir(&tracer.cfg)) {
		diag_error("out of memory reading the configuration: the program runs untraced");
		return -1;
	}
	rc = cfg_parse_file(&tracer.cfg, path, &err);
	/* Bare names and patterns get their prototypes once the whole file is read. */
	if (!rc)
		rc = cfg_resolve(&tracer.cfg, &err);
	if (rc == -ENOENT && !named) {
		diag_note("no ./hooks.conf and no IMPULSE_CONFIG: nothing to trace");
		return -1;
	}
	if (rc) {
		config_error(path, rc, &err);
		return -1;
	}
	apply_env(&tracer.cfg);
	diag_verbose_enabled = tracer.cfg.settings.verbose;
	if (absolute_log_dir(&tracer.cfg)) {
		diag_error("out of memory reading the configuration: the program runs untraced");
		return -1;
	}
	if (tracer.cfg.nhooks == 0 && tracer.cfg.npatterns == 0) {
		diag_note("%s declares no hooks: nothing to trace", path);
		return -1;
	}
	if (select_check_fd >= 0)
		tracer.cfg.settings.logger = CFG_LOGGER_NONE;	/* a check records nothing */
	return 0;
}

/*
 * IMPULSE_CHECK=FD (impulse check): report where the hooks went to FD and exit
 * before main. An FD that is not open is ignored: the program then simply runs.
 */
static void read_check_fd(void)
{
	const char *v = getenv("IMPULSE_CHECK");
	char *end;
	long fd;

	if (!v || !*v)
		return;
	fd = strtol(v, &end, 10);
	if (*end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0) {
		diag_error("IMPULSE_CHECK=%s: not an open file descriptor (ignored)", v);
		return;
	}
	select_check_fd = (int)fd;
}

/* In check mode a tracer that cannot start must still keep the program from running. */
static void check_failed(void)
{
	static const char msg[] = "#error libimpulse could not start (its messages are above)\n";

	if (select_check_fd < 0)
		return;
	if (write(select_check_fd, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void take_argv(int argc, char **argv)
{
	const char *base;
	char exe[4096];
	ssize_t n;

	tracer.argv = calloc((size_t)(argc > 0 ? argc : 0) + 1, sizeof(char *));
	for (int i = 0; tracer.argv && i < argc; i++)
		tracer.argv[i] = strdup(argv[i] ? argv[i] : "");
	tracer.argc = tracer.argv ? argc : 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	tracer.exe_path = strdup(exe);
	base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	tracer.program = strdup(base ? base + 1 : argc > 0 && argv[0] ? argv[0] : exe);
}

static int open_sink(struct sink *sink)
{
	const struct cfg_settings *s = &tracer.cfg.settings;

	switch (s->logger) {
	case CFG_LOGGER_NONE:
		sink_none_open(sink);
		return 0;
	case CFG_LOGGER_MONGO:
		/* The records go to MongoDB from the logger (sink_mongo.c), not through a sink. */
		sink_none_open(sink);
		free(sink->description);
		sink->description = strdup("MongoDB (mongo_uri)");
		return 0;
	case CFG_LOGGER_BOTH:	/* the file here, MongoDB from the logger */
	case CFG_LOGGER_FILE:
	default:
		return sink_file_open(sink, s->log_dir);
	}
}

static struct session *first_session(void)
{
	const struct cfg_settings *s = &tracer.cfg.settings;
	struct session *session = calloc(1, sizeof(*session));
	char id[17];

	if (!session)
		return NULL;
	if (s->session_id) {
		session->id = strdup(s->session_id);
	} else {
		lineage_random_hex(id, 16);
		session->id = strdup(id);
	}
	session->metadata_json = s->session_metadata;
	return session->id ? session : NULL;
}

__attribute__((constructor)) static void impulse_init(int argc, char **argv, char **envp)
{
	struct sink sink;
	int err;

	(void)envp;
	tls_busy++;
	fd_high_begin_alone();	/* before main: the program has no thread yet */
	tracer.pid = getpid();
	/* setuid/setgid programs: no configuration from the environment or cwd. */
	if (getauxval(AT_SECURE))
		goto out;
	/* First: the program must never see the variables, traced or not. */
	lineage_take_from_env();
	diag_verbose_enabled = env_flag("IMPULSE_VERBOSE");
	read_check_fd();
	diag_to_stderr_only = select_check_fd >= 0;
	child_env_take_paths();
	if (load_config()) {
		diag_fallback_dir();
		goto fail;
	}
	diag_set_dir(tracer.cfg.settings.log_dir);
	redact_setup(tracer.cfg.settings.redact_patterns);
	redact_config_metadata(&tracer.cfg);
	tracer.max_string = tracer.cfg.settings.max_string;
	tracer.buffer_size = round_pow2(tracer.cfg.settings.buffer_size);
	tracer.max_children = tracer.cfg.settings.max_children;
	/* A string must fit in an event well inside a ring half. */
	if (tracer.max_string > tracer.buffer_size / 64)
		tracer.max_string = tracer.buffer_size / 64;
	lineage_random_hex(tracer.tracer_id, 16);
	take_argv(argc, argv);
	tracer.session = first_session();
	if (!tracer.session || select_build(&tracer.cfg)) {
		diag_error("out of memory at start-up: the program runs untraced");
		goto fail;
	}
	select_setup(&tracer.cfg);
	clock_setup();
	tracer.start_ticks = clock_ticks();
	if (open_sink(&sink))
		goto fail;
	/* The parts below register for the lifecycle events (base/life.h) here, each
	 * at its setup: the hot path, the interception, and the logger at its start. */
	err = thread_ctx_setup();
	if (!err) {
		thread_fork_setup();
		interpose_setup();
	}
	if (!err)
		err = fault_setup();
	if (!err)
		child_env_setup();
	if (!err) {
		wrappers_setup();
		err = logger_start(&sink);
	}
	if (err) {
		diag_error("cannot start: %s; the program runs untraced", strerror(-err));
		goto fail;
	}
	pthread_atfork(tracer_fork_prepare, tracer_fork_parent, tracer_fork_child);
	exits_setup();
	__atomic_store_n(&tracer.active, 1, __ATOMIC_RELEASE);
	interpose_scan(true);
	diag_note("tracing %d hook%s, records to %s", hooks_count(), diag_s((unsigned)hooks_count()),
		  sink.description);
	goto out;
fail:
	check_failed();
out:
	fd_high_end_alone();
	tls_busy--;
}

__attribute__((destructor)) static void impulse_fini(void)
{
	tracer_shutdown();
}
