/*
 * run.c — `impulse run`: runs a program with libimpulse preloaded, then says which
 * record files the run wrote and how many records each holds, and ends as the
 * program did (same exit status, or death by the same signal).
 *
 * The program keeps the terminal, its standard streams and its environment apart
 * from the IMPULSE_* variables and LD_PRELOAD set here. impulse speaks only on
 * stderr, and only before the program starts (-v) or after it has ended: then it
 * also shows, once, what libimpulse said in the run's processes (their .diag files). While it
 * runs, impulse ignores SIGINT and SIGQUIT (the terminal sends them to the program
 * as well, which decides) and passes SIGTERM and SIGHUP on to it, as a shell would.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"
#include "mongo_uri.h"

#define LIBRARY_NAME LIBIMPULSE_NAME

/*
 * impulse run's own failures, as env(1) and timeout(1) number them, so that they
 * cannot be mistaken for a status of the program: 125 impulse failed, 126 the
 * program could not be executed, 127 it was not found.
 */
#define RUN_EXIT_FAILED 125
#define RUN_EXIT_CANNOT_EXEC 126
#define RUN_EXIT_NOT_FOUND 127

struct run_opts {
	const char *config;	/* -c: the hooks.conf to use, or NULL */
	const char *log_dir;	/* -o: where the records go, or NULL */
	const char *session;	/* --session: the session id, or NULL */
	const char *logger;	/* --logger: "file" or "none", or NULL */
	const char *format;	/* --format: "json" or "binary", or NULL */
	bool verbose;		/* -v */
	char **program;		/* after "--": the program and its arguments, NULL-terminated */
};

/* What the program will do with records, as far as impulse can tell beforehand. */
struct run_plan {
	char log_dir[PATH_MAX];	/* absolute: where the record files will be */
	bool hooks;		/* a hooks.conf that parses and declares hooks: calls will be traced */
	bool discard;		/* logger none: records are built and discarded */
	bool no_files;		/* logger mongo: records go to MongoDB only */
	char mongo[1200];	/* logger mongo|both: where, password masked; else "" */
};

static const char usage_text[] =
	"usage: impulse run [options] -- PROGRAM [ARGS...]\n"
	"\n"
	"Runs PROGRAM with libimpulse preloaded, tracing the calls declared in hooks.conf,\n"
	"then says on stderr which record files the run wrote (one per traced process,\n"
	"so programs PROGRAM starts have their own) and how many records each holds,\n"
	"and what libimpulse had to say in the run's processes (their .diag files beside\n"
	"the records), each message once: libimpulse itself writes nothing on PROGRAM's\n"
	"stderr unless -v or $IMPULSE_VERBOSE asks for it.\n"
	"\n"
	"options:\n"
	"  -c, --config FILE   the hooks.conf to use (default: $IMPULSE_CONFIG, else\n"
	"                      ./hooks.conf)\n"
	"  -o, --output DIR    where the records go (default: $IMPULSE_LOG_DIR, else the\n"
	"                      log_dir of hooks.conf, else ./.impulselogs)\n"
	"      --session ID    the records' session id (default: session_id of hooks.conf,\n"
	"                      else a fresh id per process)\n"
	"      --logger KIND   file: write the records (the default); mongo: send them to\n"
	"                      MongoDB (mongo_uri of hooks.conf or $IMPULSE_MONGO_URI);\n"
	"                      both; none: build and discard them\n"
	"      --format KIND   json: records as JSON Lines (the default); binary: a\n"
	"                      compact event stream, read by impulse cat, tree, stats...\n"
	"  -v, --verbose       show what is set, and have libimpulse say where each hook\n"
	"                      was installed and what it delivered\n"
	"  -h, --help          this text\n"
	"\n"
	"The '--' is required: it keeps PROGRAM's options apart from impulse's. PROGRAM is\n"
	"looked up in $PATH unless it contains a '/'.\n"
	"\n"
	"Exit status: PROGRAM's; if PROGRAM is killed by a signal, impulse kills itself\n"
	"with the same signal. 125: impulse run failed; 126: PROGRAM could not be\n"
	"executed; 127: PROGRAM was not found.\n";

static void __attribute__((noreturn, format(printf, 2, 3))) fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("impulse run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* Where the value of an option that takes one goes, or NULL for an unknown name. */
static const char **value_slot(struct run_opts *o, const char *name)
{
	if (!strcmp(name, "-c") || !strcmp(name, "--config"))
		return &o->config;
	if (!strcmp(name, "-o") || !strcmp(name, "--output") || !strcmp(name, "--log-dir"))
		return &o->log_dir;
	if (!strcmp(name, "--session"))
		return &o->session;
	if (!strcmp(name, "--logger"))
		return &o->logger;
	if (!strcmp(name, "--format"))
		return &o->format;
	return NULL;
}

/*
 * Options end at "--", which must be there: without it, a program option such as
 * -v would be taken for impulse's. Options are "-c X", "--config X" or "--config=X".
 * Writing our own loop rather than getopt_long() keeps GNU getopt from permuting a
 * stray program name ahead of the options and lets each error say what to type.
 */
static void parse_args(int argc, char **argv, struct run_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		char name[32];
		const char *arg = argv[i], *eq = NULL, *value;
		const char **slot;

		if (!strcmp(arg, "--"))
			break;
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			o->verbose = true;
			continue;
		}
		if (arg[0] != '-')
			fail(RUN_EXIT_FAILED, "missing '--' before the program: impulse run [options] -- %s ...", arg);
		if (!strncmp(arg, "--", 2))
			eq = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		slot = value_slot(o, name);
		if (!slot)
			fail(RUN_EXIT_FAILED, "unknown option '%s'; see 'impulse run --help'", name);
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc && strcmp(argv[i + 1], "--")) {
			value = argv[++i];
		} else {
			fail(RUN_EXIT_FAILED, "option '%s' needs a value; see 'impulse run --help'", name);
		}
		if (!value[0])
			fail(RUN_EXIT_FAILED, "option '%s' needs a non-empty value", name);
		*slot = value;
	}
	if (i == argc)
		fail(RUN_EXIT_FAILED, "missing '--' and a program: impulse run [options] -- PROGRAM [ARGS...]");
	if (i + 1 == argc)
		fail(RUN_EXIT_FAILED, "no program after '--': impulse run [options] -- PROGRAM [ARGS...]");
	o->program = argv + i + 1;
	if (o->logger && strcmp(o->logger, "file") && strcmp(o->logger, "none") &&
	    strcmp(o->logger, "mongo") && strcmp(o->logger, "both"))
		fail(RUN_EXIT_FAILED, "--logger %s: expected file, mongo, both or none", o->logger);
	if (o->format && strcmp(o->format, "json") && strcmp(o->format, "binary"))
		fail(RUN_EXIT_FAILED, "--format %s: expected json or binary", o->format);
}

/*
 * libimpulse.so beside this executable (build/impulse uses build/libimpulse.so) or,
 * installed, in ../lib (PREFIX/bin/impulse uses PREFIX/lib/libimpulse.so).
 */
static void find_library(char *out, size_t size)
{
	char dir[PATH_MAX];
	int err = locate_library(out, size);

	if (!err)
		return;
	if (err != -ENOENT || path_self_dir(dir, sizeof(dir)))
		fail(RUN_EXIT_FAILED, "cannot tell where impulse is installed (/proc/self/exe): %s", strerror(-err));
	fail(RUN_EXIT_FAILED, "%s is neither in %s/ nor in %s/../lib/: build it with 'make' or install it",
	     LIBRARY_NAME, strcmp(dir, "/") ? dir : "", dir);
}

static void set_env(const char *name, const char *value, bool verbose)
{
	if (setenv(name, value, 1))
		fail(RUN_EXIT_FAILED, "cannot set %s: %s", name, strerror(errno));
	if (verbose)
		fprintf(stderr, "impulse: %s=%s\n", name, value);
}

/* LD_PRELOAD separates its entries with spaces and colons: ours comes first. */
static void set_preload(const char *library, bool verbose)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;

	if (strpbrk(library, ": \t"))
		fail(RUN_EXIT_FAILED, "cannot preload %s: LD_PRELOAD cannot hold a path with a space or a colon",
		     library);
	if (old && old[0]) {
		if (asprintf(&value, "%s:%s", library, old) < 0)
			fail(RUN_EXIT_FAILED, "out of memory");
		set_env("LD_PRELOAD", value, verbose);
		free(value);
	} else {
		set_env("LD_PRELOAD", library, verbose);
	}
}

/*
 * The hooks.conf the program will read, as libimpulse chooses it: -c, else
 * $IMPULSE_CONFIG, else ./hooks.conf. Written to abs as an absolute path (the
 * program may change directory, and programs it starts inherit the variable);
 * returns false when there is none.
 */
static bool choose_config(const struct run_opts *o, char abs[PATH_MAX])
{
	const char *path = o->config;
	int err;

	if (!path) {
		path = getenv("IMPULSE_CONFIG");
		if (!path || !path[0])
			path = access("hooks.conf", F_OK) ? NULL : "hooks.conf";
	}
	if (!path)
		return false;
	if (realpath(path, abs))
		return true;
	if (o->config)
		fail(RUN_EXIT_FAILED, "-c %s: %s", path, strerror(errno));
	/* From the environment and unusable: pass it on, libimpulse says what is wrong. */
	err = path_absolute(path, abs, PATH_MAX);
	if (err)
		fail(RUN_EXIT_FAILED, "%s: %s", path, strerror(-err));
	return true;
}

/*
 * The settings of the file, to learn the log directory and the logger the program
 * will use; returns whether it declares hooks. A file that does not parse keeps
 * the defaults: libimpulse reports the error itself when the program starts, and
 * runs it untraced.
 */
static bool read_settings(const char *config, struct cfg *cfg)
{
	char protos[PATH_MAX];
	struct cfg_error err;

	cfg_init(cfg);
	if (!config) {
		fprintf(stderr, "impulse run: no hooks.conf here, no -c and no $IMPULSE_CONFIG: nothing will be traced\n");
		return false;
	}
	memset(&err, 0, sizeof(err));
	/* As libimpulse reads it: "include <libc>" and bare names need the shipped files. */
	if (!locate_proto_dir(protos, sizeof(protos)))
		cfg_set_proto_dir(cfg, protos);
	if (cfg_parse_file(cfg, config, &err) || cfg_resolve(cfg, &err)) {
		cfg_free(cfg);
		cfg_init(cfg);
		return false;
	}
	if (cfg->nhooks == 0 && cfg->npatterns == 0) {
		fprintf(stderr, "impulse run: %s declares no hooks: nothing will be traced\n", path_for_display(config));
		return false;
	}
	return true;
}

/*
 * Sets what libimpulse reads in the program, and fills *plan. The log directory is
 * always set, and absolute, so that this run knows where to look for the records
 * and programs started from another directory write beside them.
 */
static void prepare_env(const struct run_opts *o, struct run_plan *plan)
{
	char library[PATH_MAX], config[PATH_MAX];
	bool have_config = choose_config(o, config);
	const char *dir = o->log_dir, *logger = o->logger;
	struct cfg cfg;
	int err;

	find_library(library, sizeof(library));
	plan->hooks = read_settings(have_config ? config : NULL, &cfg);
	if (!dir)
		dir = getenv("IMPULSE_LOG_DIR");
	if (!dir || !dir[0])
		dir = cfg.settings.log_dir;
	err = path_absolute(dir, plan->log_dir, sizeof(plan->log_dir));
	if (err)
		fail(RUN_EXIT_FAILED, "log directory %s: %s", dir, strerror(-err));
	if (!logger)
		logger = getenv("IMPULSE_LOGGER");
	if (logger && logger[0]) {
		struct cfg_error cerr;

		/* As libimpulse would read it: a bad value is ignored there, and here. */
		cfg_set(&cfg, "logger", logger, &cerr);
	}
	plan->mongo[0] = '\0';
	plan->discard = cfg.settings.logger == CFG_LOGGER_NONE;
	plan->no_files = cfg.settings.logger == CFG_LOGGER_MONGO;
	if (cfg.settings.logger == CFG_LOGGER_MONGO || cfg.settings.logger == CFG_LOGGER_BOTH) {
		const char *uri = getenv("IMPULSE_MONGO_URI");
		char shown[1024];

		mongo_uri_redact(uri && uri[0] ? uri : cfg.settings.mongo_uri, shown, sizeof(shown));
		snprintf(plan->mongo, sizeof(plan->mongo), "%s (database %s, collection %s)", shown,
			 cfg.settings.mongo_database, cfg.settings.mongo_collection);
	}
	cfg_free(&cfg);

	set_preload(library, o->verbose);
	if (have_config)
		set_env("IMPULSE_CONFIG", config, o->verbose);
	set_env("IMPULSE_LOG_DIR", plan->log_dir, o->verbose);
	if (o->session)
		set_env("IMPULSE_SESSION_ID", o->session, o->verbose);
	if (o->logger)
		set_env("IMPULSE_LOGGER", o->logger, o->verbose);
	if (o->format)
		set_env("IMPULSE_FORMAT", o->format, o->verbose);
	if (o->verbose)
		set_env("IMPULSE_VERBOSE", "1", o->verbose);
}

/* The program's pid while it runs, for the handler that passes signals on. */
static volatile sig_atomic_t child_pid;

static void pass_on_signal(int sig)
{
	int saved_errno = errno;

	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	errno = saved_errno;
}

static void exec_failed(const char *program, int err)
{
	/* As a shell says it: a name looked up in $PATH is "not found". */
	if (err == ENOENT && !strchr(program, '/'))
		fail(RUN_EXIT_NOT_FOUND, "%s: command not found", program);
	fail(err == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC, "%s: %s", program, strerror(err));
}

/*
 * Starts the program and waits for it; returns its wait status, with its pid in
 * *out_pid and in *start when it started, on the clock the kernel dates files by
 * (see logfiles.c). The four
 * signals are blocked across fork() so that none arrives between the fork and
 * the parent's handlers; the child unblocks them before execvp().
 */
static int run_program(char **program, struct timespec *start, pid_t *out_pid)
{
	static const int ignored[] = { SIGINT, SIGQUIT }, passed_on[] = { SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block, old;
	int status, exec_errno, pipefd[2];
	ssize_t n;
	pid_t pid;

	/* The child writes execvp()'s errno here; end of file (close-on-exec) means it ran. */
	if (pipe2(pipefd, O_CLOEXEC))
		fail(RUN_EXIT_FAILED, "pipe: %s", strerror(errno));
	sigemptyset(&block);
	for (size_t i = 0; i < 2; i++) {
		sigaddset(&block, ignored[i]);
		sigaddset(&block, passed_on[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &old);
	fflush(NULL);
	clock_gettime(CLOCK_REALTIME_COARSE, start);
	pid = fork();
	if (pid < 0)
		fail(RUN_EXIT_FAILED, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(program[0], program);
		exec_errno = errno;
		if (write(pipefd[1], &exec_errno, sizeof(exec_errno)) < 0)
			_exit(RUN_EXIT_CANNOT_EXEC);
		_exit(exec_errno == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC);
	}
	close(pipefd[1]);
	child_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = pass_on_signal;
	for (size_t i = 0; i < 2; i++)
		sigaction(passed_on[i], &sa, NULL);
	/* Setting SIG_IGN also drops a SIGINT that came while blocked: the program got its own. */
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < 2; i++)
		sigaction(ignored[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	do
		n = read(pipefd[0], &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail(RUN_EXIT_FAILED, "waiting for %s: %s", program[0], strerror(errno));
	child_pid = 0;
	*out_pid = pid;
	if (n == sizeof(exec_errno))
		exec_failed(program[0], exec_errno);
	return status;
}

/* Tells where the records of this run went: the files created since start. */
static void report_records(const struct run_plan *plan, const struct timespec *start, pid_t pid)
{
	const char *log_dir = plan->log_dir;
	struct log_file *files;
	long total = 0;
	int n;

	if (plan->discard) {
		fprintf(stderr, "impulse: logger none: the records were built and discarded\n");
		return;
	}
	if (plan->mongo[0])
		fprintf(stderr, "impulse: records sent to MongoDB at %s; what could not be sent is in "
			"a spill file in %s (libimpulse says so at exit)\n", plan->mongo,
			path_for_display(log_dir));
	if (plan->no_files)
		return;
	n = logfiles_list_since(log_dir, start, &files);
	if (n < 0 && n != -ENOENT) {
		fprintf(stderr, "impulse: cannot list %s: %s\n", path_for_display(log_dir), strerror(-n));
		return;
	}
	if (n <= 0) {
		/* Without hooks the reason was given before the run; with them, -v shows where each went. */
		fprintf(stderr, "impulse: no records in %s from this run%s\n", path_for_display(log_dir),
			plan->hooks ? " ('impulse run -v' shows where each hook was installed)" : "");
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *shown = path_for_display(files[i].path);
		long r = files[i].records;

		if (r < 0) {
			fprintf(stderr, "impulse: cannot read %s: %s\n", shown, strerror((int)-r));
			continue;
		}
		if (files[i].binary) {
			fprintf(stderr, "impulse: binary records in %s%s ('impulse cat' renders them)\n", shown,
				files[i].pid == pid ? "" : " (another process)");
			continue;
		}
		total += r;
		if (files[i].pid == pid)
			fprintf(stderr, "impulse: %ld record%s in %s\n", r, r == 1 ? "" : "s", shown);
		else
			fprintf(stderr, "impulse: %ld record%s in %s (pid %d, another process)\n", r,
				r == 1 ? "" : "s", shown, files[i].pid);
		if (files[i].dropped > 0)
			fprintf(stderr, "impulse:   %ld call%s not recorded (on_full = drop, or nested too "
				"deep): the root record's arguments.dropped counts them per thread and hook\n",
				files[i].dropped, files[i].dropped == 1 ? "" : "s");
		if (files[i].died[0])
			fprintf(stderr, "impulse:   the process died of %s: its calls still running are "
				"recorded \"crashed\"\n", files[i].died);
	}
	if (n > 1)
		fprintf(stderr, "impulse: %ld record%s in %d files\n", total, tool_s(total), n);
	logfiles_free(files, n);
}

/*
 * What libimpulse had to say in this run's processes, each distinct message once
 * (libimpulse writes nothing on the program's stderr unless IMPULSE_VERBOSE is
 * set; then, as with -v, the messages were already shown as they came).
 */
static void report_diagnostics(const struct run_plan *plan, const struct timespec *start, bool verbose)
{
	const char *v = getenv("IMPULSE_VERBOSE");
	struct diagnostics *d;

	if (verbose || (v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))))
		return;
	d = diagnostics_new();
	if (!d)
		return;
	diagnostics_add_since(d, plan->log_dir, start);
	diagnostics_print(d, stderr);
	diagnostics_free(d);
}

/*
 * Ends impulse as the program ended. A signal is raised again on impulse itself,
 * with its default action, so that the shell sees the same death; the core-size
 * limit goes to zero first, since only the program's core is worth keeping and
 * impulse's would overwrite a plain "core" file. 128 + signal if it survives.
 */
static int end_like(int status)
{
	struct sigaction sa;
	struct rlimit core;
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	fflush(NULL);
	if (!getrlimit(RLIMIT_CORE, &core)) {
		core.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &core);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	return 128 + sig;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts opts = { 0 };
	struct run_plan plan;
	struct timespec start;
	int status;
	pid_t pid;

	parse_args(argc, argv, &opts);
	prepare_env(&opts, &plan);
	if (opts.verbose)
		fprintf(stderr, "impulse: running %s\n", opts.program[0]);
	status = run_program(opts.program, &start, &pid);
	if (WIFSIGNALED(status))
		fprintf(stderr, "impulse: %s was killed by signal %d (%s)%s\n", opts.program[0], WTERMSIG(status),
			strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	report_records(&plan, &start, pid);
	report_diagnostics(&plan, &start, opts.verbose);
	return end_like(status);
}
