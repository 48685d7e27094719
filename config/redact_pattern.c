/*
 * redact_pattern.c — the redact_pattern language (see redact_pattern.h): the list parser used by
 * the setting and by IMPULSE_REDACT_PATTERN, and the matcher the logger runs over
 * every string it writes.
 *
 * The matcher is a two-pointer glob with one backtracking point (the last '*'):
 * O(pattern × line) per start position at worst, no recursion and no allocation,
 * so a hostile value cannot make the logger thread blow its stack or stall.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact_pattern.h"

static int list_error(int *err_offset, size_t at, char *msg, size_t msgsize, const char *text)
{
	*err_offset = (int)at;
	snprintf(msg, msgsize, "%s", text);
	return -EINVAL;
}

/* A pattern must name some text: "*" or "**" alone would mask every string. */
static bool has_literal(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '*')
			return true;
	return false;
}

/* Counts the patterns already in list (newline-separated). */
static size_t count_patterns(const char *list)
{
	size_t n = list && *list ? 1 : 0;

	for (const char *p = list; p && (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

int redact_parse_list(const char *text, size_t len, char **list, int *err_offset,
		      char *msg, size_t msgsize)
{
	size_t old = *list ? strlen(*list) : 0, i = 0, count = count_patterns(*list);
	char *out = malloc(old + len + 2), *o;
	bool any = false;

	if (!out)
		return -ENOMEM;
	memcpy(out, *list ? *list : "", old);
	o = out + old;
	while (i < len) {
		size_t start;

		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= len || text[i] != '"') {
			free(out);
			return list_error(err_offset, i, msg, msgsize, "expected a quoted pattern in "
					  "'redact_pattern' (a list like: \"Authorization: *\", \"sk-*\")");
		}
		start = ++i;
		while (i < len && text[i] != '"') {
			if ((unsigned char)text[i] < 0x20 ||
			    (text[i] == '\\' && i + 1 < len && (unsigned char)text[i + 1] < 0x20)) {
				free(out);
				return list_error(err_offset, i, msg, msgsize,
						  "control character in a redact pattern");
			}
			i += text[i] == '\\' && i + 1 < len ? 2 : 1;
		}
		if (i >= len) {
			free(out);
			return list_error(err_offset, start - 1, msg, msgsize,
					  "unterminated pattern in 'redact_pattern'");
		}
		if (i - start > REDACT_PATTERN_MAX || !has_literal(text + start, i - start)) {
			free(out);
			return list_error(err_offset, start, msg, msgsize, i - start > REDACT_PATTERN_MAX ?
					  "redact pattern longer than 256 bytes" :
					  "a redact pattern needs some text besides '*' (it would mask every string)");
		}
		if (++count > REDACT_PATTERNS_MAX) {
			free(out);
			return list_error(err_offset, start - 1, msg, msgsize,
					  "more than 64 redact patterns");
		}
		if (o != out)
			*o++ = '\n';
		memcpy(o, text + start, i - start);
		o += i - start;
		any = true;
		i++;
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i < len && text[i] == '#')
			break;
		if (i < len && text[i] != ',') {
			free(out);
			return list_error(err_offset, i, msg, msgsize,
					  "expected ',' between patterns in 'redact_pattern'");
		}
		if (i >= len)
			break;
		i++;	/* the ',': a pattern must follow */
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= len || text[i] != '"') {
			free(out);
			return list_error(err_offset, i, msg, msgsize,
					  "expected a quoted pattern after ',' in 'redact_pattern'");
		}
	}
	if (!any) {
		free(out);
		return list_error(err_offset, 0, msg, msgsize, "missing value for 'redact_pattern'");
	}
	*o = '\0';
	free(*list);
	*list = out;
	return 0;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Whether the pattern element at p[*i] matches c; advances *i past it. */
static bool elem_match(const char *p, size_t plen, size_t *i, unsigned char c)
{
	unsigned char want;

	if (p[*i] == '?') {
		(*i)++;
		return true;
	}
	if (p[*i] == '\\' && *i + 1 < plen)
		(*i)++;
	want = (unsigned char)p[(*i)++];
	return lower(want) == lower(c);
}

/* Length of the shortest prefix of t[0..tn) that p[0..plen) matches, or -1. */
static long prefix_match(const char *p, size_t plen, const char *t, size_t tn)
{
	size_t pi = 0, ti = 0, star_p = 0, star_t = 0;
	bool star = false;

	for (;;) {
		size_t next = pi;

		if (pi == plen)
			return (long)ti;
		if (p[pi] == '*') {
			star = true;
			star_p = ++pi;
			star_t = ti;
			continue;
		}
		if (ti < tn && elem_match(p, plen, &next, (unsigned char)t[ti])) {
			pi = next;
			ti++;
			continue;
		}
		if (star && star_t < tn) {
			ti = ++star_t;
			pi = star_p;
			continue;
		}
		return -1;
	}
}

/*
 * Whether t[0..tn) could be the start of a text p[0..plen) matches, cut short: the
 * text runs out while the pattern still wants characters (and every character so far
 * matched). A '*' makes any continuation possible.
 */
static bool cut_match(const char *p, size_t plen, const char *t, size_t tn)
{
	size_t pi = 0, ti = 0;

	while (ti < tn) {
		size_t next = pi;

		if (pi == plen)
			return false;	/* matched in full: redact_find's business */
		if (p[pi] == '*')
			return true;	/* anything may follow */
		if (!elem_match(p, plen, &next, (unsigned char)t[ti]))
			return false;
		pi = next;
		ti++;
	}
	return pi < plen;
}

/* Whether p[i] is escaped: an odd number of backslashes before it. */
static bool escaped(const char *p, size_t i)
{
	size_t n = 0;

	while (i > n && p[i - n - 1] == '\\')
		n++;
	return n % 2;
}

static size_t line_end(const char *t, size_t n, size_t from)
{
	while (from < n && t[from] != '\n' && t[from] != '\r')
		from++;
	return from;
}

bool redact_find(const char *pat, size_t plen, const char *text, size_t n, size_t from,
		 size_t *start, size_t *end)
{
	bool mask_after = false;
	size_t le = 0;
	int first = -1;

	while (plen && pat[0] == '*')
		pat++, plen--;
	/* a trailing '*' (not an escaped one) means: mask the rest of the line */
	while (plen && pat[plen - 1] == '*' && !escaped(pat, plen - 1)) {
		plen--;
		mask_after = true;
	}
	if (!plen)
		return false;
	if (pat[0] != '?' && pat[0] != '\\')
		first = lower((unsigned char)pat[0]);
	for (size_t i = from; i < n; i++) {
		long m;

		if (text[i] == '\n' || text[i] == '\r')
			continue;
		if (first >= 0 && lower((unsigned char)text[i]) != first)
			continue;
		if (i >= le)
			le = line_end(text, n, i);
		m = prefix_match(pat, plen, text + i, le - i);
		if (m < 0)
			continue;
		if (!mask_after) {
			*start = i;
			*end = i + (size_t)m;
			return true;
		}
		if (i + (size_t)m < le) {
			*start = i + (size_t)m;
			*end = le;
			return true;
		}
		i = le;		/* nothing after it on this line: the next line */
	}
	return false;
}

bool redact_find_cut(const char *pat, size_t plen, const char *text, size_t n, size_t from,
		     size_t *start)
{
	size_t line = n;

	while (plen && pat[0] == '*')
		pat++, plen--;
	/* a pattern ending in '*' masks only what follows its text: nothing is cut of it */
	if (!plen || (pat[plen - 1] == '*' && !escaped(pat, plen - 1)))
		return false;
	/* the last line only: a cut ends it */
	while (line > from && text[line - 1] != '\n' && text[line - 1] != '\r')
		line--;
	for (size_t i = line; i < n; i++) {
		if (cut_match(pat, plen, text + i, n - i)) {
			*start = i;
			return true;
		}
	}
	return false;
}
