/*
 * include.c — reading files, and "include" statements.
 *
 *     include "more.conf"      relative to the including file
 *     include <libc>           proto_dir/libc.conf, a shipped prototype file
 *
 * An included file is parsed into the same configuration with its own positions,
 * starting in the includer's section (its section headers do not leak back). A
 * shipped file only declares: its prototypes go to cfg->protos. Files are told
 * apart by device and inode, so "a.conf" and "./sub/../a.conf" are one file when
 * looking for include cycles. Files are read whole with open/read (no stdio: this
 * runs before main inside someone else's process).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg_internal.h"

#define CFG_FILE_MAX (16u << 20)	/* refuses /dev/zero and other endless files */
#define CFG_INCLUDE_MAX 16		/* nesting depth, far above any real use */
#define CFG_LINE_MAX (1 << 20)

static int read_error(struct cfg_error *err, const char *path, const char *what, int errnum)
{
	char buf[128];

	/* the GNU strerror_r: thread-safe, returns the text */
	cfg_error_set(err, path, 0, 0, "%s: %s", what, strerror_r(errnum, buf, sizeof(buf)));
	return errnum == ENOENT ? -ENOENT : -EIO;
}

static int not_regular(struct cfg_error *err, const char *path, mode_t mode)
{
	const char *what = S_ISFIFO(mode) ? "a FIFO, " : S_ISCHR(mode) ? "a character device, " :
			   S_ISBLK(mode) ? "a block device, " : S_ISSOCK(mode) ? "a socket, " : "";

	if (S_ISDIR(mode))
		cfg_error_set(err, path, 0, 0, "is a directory, not a regular file: refused");
	else
		cfg_error_set(err, path, 0, 0, "%snot a regular file: refused", what);
	return -EIO;
}

/* Reports the first NUL byte, which a text file cannot hold, at its position. */
static int check_nul(const char *text, size_t len, const char *path, struct cfg_error *err)
{
	const char *nul = memchr(text, '\0', len), *p, *line = text;
	int lineno = 1;

	if (!nul)
		return 0;
	for (p = text; p < nul; p++) {
		if (*p == '\n') {
			lineno++;
			line = p + 1;
		}
	}
	return cfg_error_set(err, path, lineno, nul - line + 1, "unexpected byte 0x00");
}

/*
 * Reads the whole file into a new buffer; *len excludes the NUL added at the end.
 * Returns 0, -ENOENT, -EIO (err says why, without a line: unreadable, or not a
 * regular file — a FIFO, a device, a directory — which is never opened for
 * reading), -EINVAL (a NUL byte, with its position) or -ENOMEM.
 */
int cfg_read_file(const char *path, char **text, size_t *len, struct cfg_error *err)
{
	size_t cap = 4096, used = 0;
	char *buf, *bigger;
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	/*
	 * Only a regular file: opening a FIFO waits for a writer and reading a device
	 * may never end, either of which would hold the program's start for ever; a
	 * device's open can even act (a tape rewinds). Looked at before the open, and
	 * again on what was opened (without blocking) in case the name changed hands.
	 */
	if (stat(path, &st))
		return read_error(err, path, "cannot open", errno);
	if (!S_ISREG(st.st_mode))
		return not_regular(err, path, st.st_mode);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return read_error(err, path, "cannot open", errno);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(err, path, st.st_mode);
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		/* Exactly CFG_FILE_MAX bytes are allowed: one more is refused. */
		if (used > CFG_FILE_MAX) {
			cfg_error_set(err, path, 0, 0, "larger than the 16 MiB a configuration file may have "
				      "(is it the right file?)");
			ret = -EIO;
			break;
		}
		if (used + 1 == cap) {
			bigger = realloc(buf, cap * 2);
			if (!bigger) {
				ret = -ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = read_error(err, path, "cannot read", errno);
			break;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	if (!ret) {
		buf[used] = '\0';
		ret = check_nul(buf, used, path, err);
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = used;
	return 0;
}

/* Parses text[0..len) with the parser p, which names the file. */
int cfg_parse_text(struct cfg_parser *p, const char *text, size_t len)
{
	const char *line, *nl, *end = text + len;
	int lineno = 1;

	/* a UTF-8 byte order mark, as some editors write, is not part of line 1 */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	for (line = text; line < end; line = nl + 1, lineno++) {
		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		if (nl - line > CFG_LINE_MAX)
			/* the column of the first byte past the limit */
			return cfg_error_set(p->err, p->name, lineno, CFG_LINE_MAX + 1, "line longer than 1 MiB");
	}
	if (len > INT_MAX)
		return cfg_error_set(p->err, p->name, 0, 0, "file larger than 16 MiB");
	cfg_lex_start(&p->lex, text, len);
	return cfg_parse_statements(p);
}

/* "a.conf -> b.conf -> a.conf" from the outermost file to the one closing the cycle. */
static void describe_cycle(const struct cfg_include *inner, const char *again, char *buf,
			   size_t size)
{
	const struct cfg_include *chain[CFG_INCLUDE_MAX + 2];
	int n = 0, i;
	size_t used = 0;

	for (; inner && n < (int)CFG_ARRAY_SIZE(chain); inner = inner->up)
		chain[n++] = inner;
	buf[0] = '\0';
	for (i = n - 1; i >= 0 && used < size; i--)
		used += snprintf(buf + used, size - used, "%s -> ", chain[i]->name);
	if (used < size)
		snprintf(buf + used, size - used, "%s", again);
}

/*
 * Parses the file path, shown as shown in positions, as included at the token at
 * by the parser parent. protos_only makes every prototype of it a declaration.
 */
static int include_file(struct cfg_parser *parent, const char *path, const struct cfg_token *at,
			const char *written, bool protos_only)
{
	struct cfg_parser child = *parent;
	struct cfg_include self;
	const struct cfg_include *up;
	struct cfg_error ignored = { 0 };
	char cycle[200];
	struct stat st;
	size_t len;
	char *text;
	int ret;

	if (stat(path, &st))
		return cfg_tok_error(parent, at, protos_only ?
				     "no shipped prototype file %s (looked for '%s')" :
				     "include file '%s' not found (looked for '%s')", written, path);
	for (up = parent->chain; up; up = up->up) {
		if (up->dev == st.st_dev && up->ino == st.st_ino) {
			describe_cycle(parent->chain, path, cycle, sizeof(cycle));
			return cfg_tok_error(parent, at, "include cycle: %s", cycle);
		}
	}
	if (parent->include_depth >= CFG_INCLUDE_MAX)
		return cfg_tok_error(parent, at, "includes nested deeper than %d", CFG_INCLUDE_MAX);
	ret = cfg_read_file(path, &text, &len, &ignored);
	if (ret == -EINVAL)
		return cfg_error_set(parent->err, path, ignored.line, ignored.column, "%s",
				     ignored.text);
	if (ret)
		return ret == -ENOMEM ? ret :
		       cfg_tok_error(parent, at, "include file '%s': %s", written, ignored.text);
	self = (struct cfg_include){ parent->chain, st.st_dev, st.st_ino, path };
	child.name = path;
	child.chain = &self;
	child.include_depth = parent->include_depth + 1;
	child.protos_only = parent->protos_only || protos_only;
	child.thread = parent->thread ? strdup(parent->thread) : NULL;
	if (parent->thread && !child.thread) {
		free(text);
		return -ENOMEM;
	}
	ret = cfg_parse_text(&child, text, len);
	free(child.thread);
	free(text);
	return ret;
}

/* dir of the including file + name, or name alone when it is absolute or the includer has no dir. */
static char *relative_path(const char *includer, const char *name, int len)
{
	const char *slash = strrchr(includer, '/');
	char *path;

	if (name[0] == '/' || !slash)
		return strndup(name, len);
	if (asprintf(&path, "%.*s/%.*s", (int)(slash - includer), includer, len, name) < 0)
		return NULL;
	return path;
}

static bool is_proto_name(const struct cfg_token *tok)
{
	int i;

	for (i = 0; i < tok->len; i++) {
		char c = tok->text[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.') || (c == '.' && i == 0))
			return false;
	}
	return tok->len > 0;
}

/* include "file" | include <name>, the word 'include' being next. */
int cfg_parse_include(struct cfg_parser *p)
{
	struct cfg_token kw, tok, name;
	char *path = NULL, written[300];
	bool shipped;
	int ret;

	cfg_lex_next(p, &kw);
	ret = cfg_lex_next(p, &tok);
	if (ret)
		return ret;
	shipped = tok.kind != TOK_STRING;
	if (shipped) {
		ret = cfg_lex_until(p, '>', &name, false);
		if (ret)
			return ret;
		cfg_lex_next(p, &tok);	/* the '>' */
		if (!is_proto_name(&name))
			return cfg_tok_error(p, &name, "expected a prototype file's name in <…> "
					     "(e.g. include <libc>)");
		if (!p->out->proto_dir)
			return cfg_tok_error(p, &name, "include <%.*s>: the directory of shipped "
					     "prototype files is not known (write include \"PATH\")",
					     CFG_SHOW(&name));
		snprintf(written, sizeof(written), "<%.*s>", CFG_SHOW(&name));
		if (asprintf(&path, "%s/%.*s.conf", p->out->proto_dir, name.len, name.text) < 0)
			path = NULL;
	} else {
		name = tok;
		if (!name.len)
			return cfg_tok_error(p, &name, "empty file name after 'include'");
		snprintf(written, sizeof(written), "%.*s", CFG_SHOW(&name));
		path = relative_path(p->name, name.text, name.len);
	}
	if (!path)
		return -ENOMEM;
	ret = cfg_expect_end(p, "the include");
	if (!ret)
		ret = include_file(p, path, &name, written, shipped);
	free(path);
	return ret;
}
