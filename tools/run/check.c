/*
 * check.c — `impulse check`: says where each hook and pattern of hooks.conf would be
 * installed in a program, and why not where it would not, without running the
 * program's code.
 *
 * The configuration is validated here first. Programs LD_PRELOAD cannot trace are
 * refused with the reason (static, setuid/setgid or with file capabilities, scripts,
 * missing). Otherwise the program is started with libimpulse preloaded and
 * IMPULSE_CHECK naming a pipe: libimpulse patches as it would for a real run, writes
 * its report to the pipe from its __libc_start_main wrapper, and exits before the
 * program's own constructors and main. Shared libraries' constructors do run (the
 * loader runs them before any of libimpulse's code could stop it).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"

/* Exit statuses of their own: every hook installed, some installed nowhere, config error. */
#define CHECK_EXIT_ALL_INSTALLED 0
#define CHECK_EXIT_SOME_NOWHERE 1
#define CHECK_EXIT_CONFIG 2

struct check_opts {
	const char *config;	/* -c FILE, or NULL */
	bool verbose;		/* -v: libimpulse's own notes too */
	char **program;		/* PROGRAM [ARGS...], NULL-terminated */
};

static const char usage_text[] =
	"usage: impulse check [-c hooks.conf] [-v] [--] PROGRAM [ARGS...]\n"
	"\n"
	"Says, for each hook and pattern of hooks.conf, in which of PROGRAM's modules it\n"
	"would be installed (PLT slot, GOT entry or data pointer) and, where nowhere, why:\n"
	"not imported, defined and called only inside one library, [from=...] naming no\n"
	"importer, excluded by a pattern. PROGRAM's own code does not run: libimpulse\n"
	"reports and exits before its constructors and main (the constructors of the\n"
	"shared libraries it loads do run). Libraries PROGRAM would open later with dlopen\n"
	"are not loaded, so hooks meant for them show as installed nowhere.\n"
	"\n"
	"options:\n"
	"  -c, --config FILE   the hooks.conf to check (default: $IMPULSE_CONFIG, else\n"
	"                      ./hooks.conf)\n"
	"  -v, --verbose       also show libimpulse's own notes on stderr\n"
	"  -h, --help          this text\n"
	"\n"
	"Refused, with the reason: statically linked programs, setuid/setgid programs and\n"
	"programs with file capabilities (the loader ignores LD_PRELOAD for them), and\n"
	"scripts (the interpreter is what would be traced: check it instead).\n"
	"\n"
	"Exit status: 0 every hook and pattern is installed somewhere; 1 some is installed\n"
	"nowhere; 2 the configuration has an error (shown as FILE:LINE:COLUMN: message);\n"
	"125 impulse check failed; 126 PROGRAM cannot be traced or executed; 127 PROGRAM\n"
	"was not found.\n";

static void __attribute__((noreturn, format(printf, 2, 3))) fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("impulse check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void parse_args(int argc, char **argv, struct check_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			o->verbose = true;
		} else if (!strcmp(arg, "-c") || !strcmp(arg, "--config")) {
			if (i + 1 == argc || !argv[i + 1][0])
				fail(TOOL_EXIT_FAILED, "option '%s' needs a file; see 'impulse check --help'", arg);
			o->config = argv[++i];
		} else if (!strncmp(arg, "--config=", 9) && arg[9]) {
			o->config = arg + 9;
		} else if (arg[0] == '-') {
			fail(TOOL_EXIT_FAILED, "unknown option '%s'; see 'impulse check --help'", arg);
		} else {
			break;
		}
	}
	if (i == argc)
		fail(TOOL_EXIT_FAILED, "no program to check: impulse check [-c hooks.conf] PROGRAM [ARGS...]");
	o->program = argv + i;
}

/* The configuration as libimpulse will read it; exits 2 with FILE:LINE:COL on an error. */
static const char *load_config(const struct check_opts *o, struct cfg *cfg)
{
	const char *path = o->config;
	char protos[PATH_MAX], msg[600];
	struct cfg_error err;
	int rc;

	if (!path) {
		path = getenv("IMPULSE_CONFIG");
		if (!path || !path[0])
			path = "hooks.conf";
		if (access(path, F_OK) && !strcmp(path, "hooks.conf"))
			fail(CHECK_EXIT_CONFIG, "no hooks.conf here, no -c and no $IMPULSE_CONFIG: nothing to check");
	}
	cfg_init(cfg);
	memset(&err, 0, sizeof(err));
	if (!locate_proto_dir(protos, sizeof(protos)) && cfg_set_proto_dir(cfg, protos))
		fail(TOOL_EXIT_FAILED, "out of memory");
	rc = cfg_parse_file(cfg, path, &err);
	if (!rc)
		rc = cfg_resolve(cfg, &err);
	if (rc == -EINVAL || (rc && err.text[0])) {
		cfg_error_format(&err, msg, sizeof(msg));
		fail(CHECK_EXIT_CONFIG, "%s", msg);
	}
	if (rc)
		fail(CHECK_EXIT_CONFIG, "%s: %s", path, strerror(-rc));
	if (cfg->nhooks == 0 && cfg->npatterns == 0)
		fail(CHECK_EXIT_CONFIG, "%s declares no hooks and no patterns: nothing would be traced", path);
	return path;
}

/* PROGRAM as execvp() would find it, into out; exits 127 when it is nowhere. */
static void find_program(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		if (access(out, F_OK))
			fail(TOOL_EXIT_NOT_FOUND, "%s: %s", name, strerror(errno));
		return;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; p;) {
		const char *end = strchr(p, ':');
		int len = end ? (int)(end - p) : (int)strlen(p);
		struct stat st;

		snprintf(out, size, "%.*s/%s", len, len ? p : ".", name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return;
		p = end ? end + 1 : NULL;
	}
	fail(TOOL_EXIT_NOT_FOUND, "%s: command not found", name);
}

/* A "#!" script: says which interpreter LD_PRELOAD would reach, and exits 126. */
static void __attribute__((noreturn)) refuse_script(const char *shown, const char *head, size_t n)
{
	char interp[256];
	size_t i = 2, len = 0;

	while (i < n && (head[i] == ' ' || head[i] == '\t'))
		i++;
	while (i < n && head[i] != '\n' && head[i] != ' ' && head[i] != '\t' && len + 1 < sizeof(interp))
		interp[len++] = head[i++];
	interp[len] = '\0';
	fail(TOOL_EXIT_CANNOT_EXEC,
	     "%s is a script: LD_PRELOAD would trace its interpreter, %s; check that instead "
	     "(impulse check %s %s)", shown, len ? interp : "(none named)", len ? interp : "INTERPRETER", shown);
}

/* Is the ELF file at fd dynamically linked (has a PT_INTERP)? Exits 126 when it cannot be traced. */
static void check_elf(int fd, const char *shown)
{
	Elf64_Ehdr eh;
	bool interp = false;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		fail(TOOL_EXIT_CANNOT_EXEC, "%s: a truncated ELF file", shown);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is not an x86-64 program: this libimpulse cannot be loaded into it", shown);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is not an executable (ELF type %u)", shown, eh.e_type);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) != (ssize_t)sizeof(ph))
			fail(TOOL_EXIT_CANNOT_EXEC, "%s: a truncated ELF file", shown);
		if (ph.p_type == PT_INTERP)
			interp = true;
	}
	/* Without a program interpreter no dynamic loader runs, and nothing reads
	 * LD_PRELOAD (static and static-pie programs alike). */
	if (!interp)
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is statically linked: LD_PRELOAD cannot trace it", shown);
}

/* Refuses, with the reason, what LD_PRELOAD cannot trace; exits 126 or 127. */
static void check_traceable(const char *path, const char *shown)
{
	char head[256];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st))
		fail(errno == ENOENT ? TOOL_EXIT_NOT_FOUND : TOOL_EXIT_CANNOT_EXEC, "%s: %s", shown, strerror(errno));
	if (!S_ISREG(st.st_mode))
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is not a regular file", shown);
	if (access(path, X_OK))
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is not executable: %s", shown, strerror(errno));
	if (st.st_mode & (S_ISUID | S_ISGID))
		fail(TOOL_EXIT_CANNOT_EXEC,
		     "%s is set%cid: the loader ignores LD_PRELOAD for it (secure execution), so it cannot be traced",
		     shown, st.st_mode & S_ISUID ? 'u' : 'g');
	if (getxattr(path, "security.capability", NULL, 0) > 0)
		fail(TOOL_EXIT_CANNOT_EXEC,
		     "%s has file capabilities: the loader ignores LD_PRELOAD for it (secure execution)", shown);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(TOOL_EXIT_CANNOT_EXEC, "%s: %s", shown, strerror(errno));
	n = pread(fd, head, sizeof(head), 0);
	if (n >= 2 && head[0] == '#' && head[1] == '!')
		refuse_script(shown, head, (size_t)n);
	if (n < 4 || memcmp(head, ELFMAG, SELFMAG))
		fail(TOOL_EXIT_CANNOT_EXEC, "%s is neither an ELF program nor a script", shown);
	check_elf(fd, shown);
	close(fd);
}

static void set_env(const char *name, const char *value)
{
	if (setenv(name, value, 1))
		fail(TOOL_EXIT_FAILED, "cannot set %s: %s", name, strerror(errno));
}

/* In the child: the environment of a check run, then exec. Never returns. */
static void __attribute__((noreturn)) exec_checked(const struct check_opts *o, const char *path,
						   const char *config, int report_fd)
{
	char library[PATH_MAX], fdtext[16], *preload = NULL;
	const char *old = getenv("LD_PRELOAD");
	int err = locate_library(library, sizeof(library));

	if (err)
		fail(TOOL_EXIT_FAILED, "cannot find %s beside impulse or in ../lib: build it with 'make' or install it",
		     LIBIMPULSE_NAME);
	if (old && old[0] ? asprintf(&preload, "%s:%s", library, old) < 0 : !(preload = strdup(library)))
		fail(TOOL_EXIT_FAILED, "out of memory");
	set_env("LD_PRELOAD", preload);
	set_env("IMPULSE_CONFIG", config);
	snprintf(fdtext, sizeof(fdtext), "%d", report_fd);
	set_env("IMPULSE_CHECK", fdtext);
	set_env("IMPULSE_LOGGER", "none");
	if (o->verbose)
		set_env("IMPULSE_VERBOSE", "1");
	else
		unsetenv("IMPULSE_VERBOSE");
	/* The report owns stdout: whatever a library constructor prints goes to stderr. */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	execv(path, o->program);
	fail(errno == ENOENT ? TOOL_EXIT_NOT_FOUND : TOOL_EXIT_CANNOT_EXEC, "%s: %s", path, strerror(errno));
}

/* Everything the child writes to fd until it closes it; NUL-terminated, owned by the caller. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		fail(TOOL_EXIT_FAILED, "out of memory");
	for (;;) {
		if (len + 1 == cap && !(buf = realloc(buf, cap *= 2)))
			fail(TOOL_EXIT_FAILED, "out of memory");
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Prints the report's lines; returns the exit status it calls for. */
static int print_report(char *report, const char *shown)
{
	int total = -1, nowhere = -1;

	for (char *line = report, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "#summary ", 9)) {
			sscanf(line, "#summary total=%d nowhere=%d", &total, &nowhere);
		} else if (!strncmp(line, "#error ", 7)) {
			fail(TOOL_EXIT_FAILED, "%s", line + 7);
		} else {
			puts(line);
		}
	}
	if (total < 0)
		return -1;
	if (nowhere)
		printf("%d of %d %s %s installed nowhere in %s\n", nowhere, total,
		       total == 1 ? "hook or pattern" : "hooks and patterns",
		       nowhere == 1 ? "is" : "are", shown);
	else
		printf("every hook and pattern (%d) is installed in %s\n", total, shown);
	return nowhere ? CHECK_EXIT_SOME_NOWHERE : CHECK_EXIT_ALL_INSTALLED;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts opts = { 0 };
	char path[PATH_MAX], *report;
	const char *config, *shown;
	struct cfg cfg;
	int pipefd[2], status, rc;
	pid_t pid;

	parse_args(argc, argv, &opts);
	config = load_config(&opts, &cfg);
	cfg_free(&cfg);
	shown = opts.program[0];
	find_program(shown, path, sizeof(path));
	check_traceable(path, shown);

	if (pipe2(pipefd, O_CLOEXEC))
		fail(TOOL_EXIT_FAILED, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail(TOOL_EXIT_FAILED, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* dup() drops close-on-exec: the write end is the one descriptor passed on. */
		int fd = dup(pipefd[1]);

		if (fd < 0)
			fail(TOOL_EXIT_FAILED, "dup: %s", strerror(errno));
		exec_checked(&opts, path, config, fd);
	}
	close(pipefd[1]);
	report = read_all(pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail(TOOL_EXIT_FAILED, "waiting for %s: %s", shown, strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) >= TOOL_EXIT_FAILED && !report[0])
		exit(WEXITSTATUS(status));	/* the child said why (exec failed) */
	rc = print_report(report, shown);
	free(report);
	if (rc >= 0)
		return rc;
	if (WIFSIGNALED(status))
		fail(TOOL_EXIT_FAILED, "%s was killed by signal %d (%s) before libimpulse could report",
		     shown, WTERMSIG(status), strsignal(WTERMSIG(status)));
	fail(TOOL_EXIT_FAILED,
	     "%s exited with status %d without a report: it did not start through __libc_start_main, "
	     "or libimpulse was not loaded (see the messages above)", shown, WEXITSTATUS(status));
}
