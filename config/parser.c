/*
 * parser.c — reads hooks.conf line by line: sections, settings, prototypes.
 *
 * The file is read whole with open/read (no stdio: this runs before main inside
 * someone else's process) and parsed in place. A parse either succeeds completely
 * or leaves the caller's struct cfg exactly as it was: settings are applied to a
 * working copy and hooks appended by this parse are removed again on error, so a
 * half-read configuration never reaches the tracer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_internal.h"

#define CFG_FILE_MAX (16u << 20)	/* refuses /dev/zero and other endless files */

/* "[tracer]" or "[thread NAME]", the '[' being next. */
static int parse_section(struct cfg_parser *p)
{
	struct cfg_token open, name, tok;
	char *thread = NULL;
	int ret;

	cfg_lex_next(p, &open);
	ret = cfg_lex_next(p, &name);
	if (ret)
		return ret;
	if (cfg_tok_is(&name, "thread")) {
		ret = cfg_lex_next(p, &tok);
		if (ret)
			return ret;
		if (tok.kind != TOK_WORD)
			return cfg_parser_error(p, tok.column,
						"missing thread name (letters, digits, '_', '-', '.')");
		thread = cfg_tok_dup(&tok);
		if (!thread)
			return -ENOMEM;
	} else if (!cfg_tok_is(&name, "tracer")) {
		if (name.kind != TOK_WORD)
			return cfg_parser_error(p, name.column, "missing section name");
		return cfg_parser_error(p, name.column,
					"unknown section '[%.*s]' (known: [tracer], [thread NAME])",
					name.len > 64 ? 64 : name.len, name.text);
	}
	ret = cfg_lex_next(p, &tok);
	if (!ret && !cfg_tok_is_punct(&tok, ']'))
		ret = cfg_parser_error(p, tok.column, "missing ']'");
	if (!ret)
		ret = cfg_lex_next(p, &tok);
	if (!ret && tok.kind != TOK_EOL)
		ret = cfg_parser_error(p, tok.column, "unexpected '%.*s' after the section header",
				       tok.len > 64 ? 64 : tok.len, tok.text);
	if (ret) {
		free(thread);
		return ret;
	}
	free(p->thread);
	p->thread = thread;
	p->in_tracer = !thread;
	return 0;
}

/*
 * Whether the line starts with "WORD =", the shape of a setting. Only the word is
 * lexed: a setting's value is raw text, and lexing further could report an error
 * about a line that is a prototype.
 */
static bool line_is_setting(struct cfg_parser *p, struct cfg_token *key)
{
	struct cfg_lexer *lex = &p->lex;
	int saved = lex->pos, at;

	if (cfg_lex_next(p, key) || key->kind != TOK_WORD) {
		lex->pos = saved;
		return false;
	}
	at = lex->pos;
	lex->pos = saved;
	while (at < lex->len && (lex->line[at] == ' ' || lex->line[at] == '\t' ||
				 lex->line[at] == '\r'))
		at++;
	return at < lex->len && lex->line[at] == '=';
}

static int parse_line(struct cfg_parser *p)
{
	struct cfg_token tok;
	int ret;

	ret = cfg_lex_peek(p, &tok);
	if (ret || tok.kind == TOK_EOL)
		return ret;
	if (cfg_tok_is_punct(&tok, '['))
		return parse_section(p);
	if (line_is_setting(p, &tok)) {
		if (!p->in_tracer)
			return cfg_parser_error(p, tok.column, "setting '%.*s' outside [tracer]",
						tok.len > 64 ? 64 : tok.len, tok.text);
		return cfg_parse_setting(p);
	}
	if (p->in_tracer)
		return cfg_parser_error(p, tok.column, "expected 'key = value' in [tracer] "
					"(prototypes go in a [thread NAME] section)");
	return cfg_parse_prototype(p);
}

/* Parses text[0..len) named name into out; see cfg_parse_string(). */
static int parse_buffer(struct cfg *out, const char *text, size_t len, const char *name,
			struct cfg_error *err)
{
	struct cfg_parser p = { .out = out, .name = name, .err = err };
	int first_new = out->nhooks, lineno = 0, ret;
	const char *line = text, *end = text + len, *nl;

	ret = cfg_settings_copy(&p.settings, &out->settings);
	if (ret)
		goto out;
	/* a UTF-8 byte order mark, as some editors write, is not part of line 1 */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		line += 3;
	while (line < end) {
		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		if (nl - line > 1 << 20) {
			ret = cfg_error_set(err, name, lineno + 1, 0, "line longer than 1 MiB");
			break;
		}
		cfg_lex_start(&p.lex, line, nl - line, ++lineno);
		ret = parse_line(&p);
		if (ret)
			break;
		line = nl + 1;
	}
	if (!ret) {
		cfg_settings_release(&out->settings);
		out->settings = p.settings;
	} else {
		cfg_settings_release(&p.settings);
		while (out->nhooks > first_new)
			cfg_hook_release(&out->hooks[--out->nhooks]);
	}
out:
	free(p.thread);
	if (ret == -ENOMEM)
		cfg_error_set(err, name, 0, 0, "out of memory");
	return ret;
}

/*
 * Parses the text as hooks.conf. Returns 0, -EINVAL with *err filled on a syntax,
 * type or value error, -ENOMEM when out of memory. On error *out is unchanged.
 */
int cfg_parse_string(struct cfg *out, const char *text, const char *name, struct cfg_error *err)
{
	memset(err, 0, sizeof(*err));
	return parse_buffer(out, text, strlen(text), name, err);
}

static int read_error(struct cfg_error *err, const char *path, const char *what, int errnum)
{
	char buf[128];

	/* the GNU strerror_r: thread-safe, returns the text */
	cfg_error_set(err, path, 0, 0, "%s: %s", what, strerror_r(errnum, buf, sizeof(buf)));
	return errnum == ENOENT ? -ENOENT : -EIO;
}

/* Reads the whole file into a new buffer; *len excludes the NUL added at the end. */
static int read_all(const char *path, char **text, size_t *len, struct cfg_error *err)
{
	size_t cap = 4096, used = 0;
	char *buf, *bigger;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return read_error(err, path, "cannot open", errno);
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (used + 1 == cap) {
			if (cap > CFG_FILE_MAX) {
				cfg_error_set(err, path, 0, 0, "file larger than 16 MiB");
				ret = -EIO;
				break;
			}
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
	if (ret) {
		free(buf);
		return ret;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
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
 * Reads and parses the file at path. Returns 0; -ENOENT when it does not exist and
 * -EIO when it cannot be read (both with err->text saying why, without a line);
 * -EINVAL on an error in the text; -ENOMEM. On error *out is unchanged.
 */
int cfg_parse_file(struct cfg *out, const char *path, struct cfg_error *err)
{
	size_t len;
	char *text;
	int ret;

	memset(err, 0, sizeof(*err));
	ret = read_all(path, &text, &len, err);
	if (ret == -ENOMEM)
		cfg_error_set(err, path, 0, 0, "out of memory");
	if (ret)
		return ret;
	ret = check_nul(text, len, path, err);
	if (!ret)
		ret = parse_buffer(out, text, len, path, err);
	free(text);
	return ret;
}
