/*
 * mongo_uri.c — reading a MongoDB connection string just far enough to check its
 * shape and to mask its secrets (see mongo_uri.h).
 *
 *     mongodb://[user[:password]@]host[:port][,host[:port]…][/[db]][?opt=v[&opt=v…]]
 *
 * It must never let a password through, for valid URIs and for the broken ones a
 * user types (unescaped '@', '/', '?' or ':' in the password), so where the text is
 * ambiguous it hides more rather than less. It never allocates (except _dup), never
 * prints and does not depend on libmongoc.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mongo_uri.h"

#define NONE SIZE_MAX

/* Where the parts of a URI are, as byte offsets into it. */
struct uri_parts {
	size_t start;		/* after "scheme://", or 0 when there is no scheme */
	size_t at;		/* the '@' ending the user information, or NONE */
	size_t hosts;		/* the host list: [hosts, hosts_end) */
	size_t hosts_end;
	size_t opts;		/* the '?' starting the options, or len */
	size_t len;
};

static size_t find(const char *s, size_t from, size_t to, char c)
{
	for (size_t i = from; i < to; i++)
		if (s[i] == c)
			return i;
	return NONE;
}

static size_t find_last(const char *s, size_t from, size_t to, char c)
{
	for (size_t i = to; i > from; i--)
		if (s[i - 1] == c)
			return i - 1;
	return NONE;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://" */
static size_t scheme_end(const char *s, size_t len)
{
	size_t i = 0;

	if (!len || !is_alpha(s[0]))
		return 0;
	while (i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' ||
			   s[i] == '.'))
		i++;
	return len - i >= 3 && !memcmp(s + i, "://", 3) ? i + 3 : 0;
}

/* host[:port] or [ipv6][:port], comma-separated: could s[from..to) be a host list? */
static bool looks_like_hosts(const char *s, size_t from, size_t to)
{
	size_t i = from;

	if (from == to)
		return false;
	while (i < to) {
		size_t item = i;

		if (s[i] == '[') {
			while (i < to && s[i] != ']')
				i++;
			if (i == to)
				return false;
			i++;
		} else {
			while (i < to && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '.' ||
					  s[i] == '-' || s[i] == '_' || s[i] == '%'))
				i++;
		}
		if (i == item)
			return false;
		if (i < to && s[i] == ':') {
			size_t port = ++i;

			while (i < to && is_digit(s[i]))
				i++;
			if (i == port)
				return false;
		}
		if (i < to && s[i] != ',')
			return false;
		if (i < to)
			i++;
	}
	return s[to - 1] != ',';
}

/*
 * The user information ends at the last '@' before the options. Options start at
 * the first '?' after the first '/' (the spec requires "/?"), so '/', '?', '@' and
 * ':' typed unescaped in a password stay inside it, and an '@' in an option value
 * ("appname=me@host") is not taken for one. The one reading this gets wrong is a
 * password holding '/' and then '?': then no '@' comes before the "options", and
 * when what precedes the '/' cannot be a host list, the first '@' followed by a
 * host list is taken, else the last '@' of all (hiding too much, never too little).
 */
static void split(const char *s, size_t len, struct uri_parts *p)
{
	size_t slash, q, end;

	p->len = len;
	p->start = scheme_end(s, len);
	slash = find(s, p->start, len, '/');
	q = slash == NONE ? NONE : find(s, slash, len, '?');
	end = q == NONE ? len : q;
	p->at = find_last(s, p->start, end, '@');
	if (p->at == NONE && end < len && find(s, end, len, '@') != NONE &&
	    !looks_like_hosts(s, p->start, slash)) {
		/* the first '@' followed by a host list, else the last one */
		size_t at = end;

		while ((at = find(s, at, len, '@')) != NONE) {
			size_t h = at + 1;

			while (h < len && s[h] != '/' && s[h] != '?')
				h++;
			if (looks_like_hosts(s, at + 1, h))
				break;
			at++;
		}
		p->at = at != NONE ? at : find_last(s, p->start, len, '@');
	}
	p->hosts = p->at == NONE ? p->start : p->at + 1;
	p->hosts_end = p->hosts;
	while (p->hosts_end < len && s[p->hosts_end] != '/' && s[p->hosts_end] != '?')
		p->hosts_end++;
	q = find(s, p->hosts_end, len, '?');
	p->opts = q == NONE ? len : q;
}

const char *mongo_uri_check(const char *uri, size_t len, size_t *offset)
{
	struct uri_parts p;
	bool srv;
	size_t i;

	*offset = 0;
	srv = len >= 14 && !memcmp(uri, "mongodb+srv://", 14);
	if (!srv && !(len >= 10 && !memcmp(uri, "mongodb://", 10)))
		return "a MongoDB URI starts with mongodb:// or mongodb+srv://";
	for (i = 0; i < len; i++) {
		if ((unsigned char)uri[i] <= ' ' || uri[i] == 0x7f) {
			*offset = i;
			return "a blank or control character in the URI (percent-encode it: %20)";
		}
	}
	split(uri, len, &p);
	/* libmongoc would end the password at the '@' or '/' and show the rest as a host */
	for (i = p.start; p.at != NONE && i < p.at; i++) {
		if (uri[i] == '@' || uri[i] == '/') {
			*offset = i;
			return "an unescaped '@' or '/' in the user name or password (write %40, %2F)";
		}
	}
	*offset = p.hosts;
	if (p.hosts == p.hosts_end)
		return "no host in the URI (mongodb://HOST[:PORT])";
	if (srv && (find(uri, p.hosts, p.hosts_end, ',') != NONE ||
		    find(uri, p.hosts, p.hosts_end, ':') != NONE))
		return "mongodb+srv:// takes one host name, without a port";
	return NULL;
}

/* Output as snprintf() builds it: what fits is written, everything is counted. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static const char masked[] = "***";

static bool contains_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++)
		if (!strncasecmp(s + i, word, w))
			return true;
	return false;
}

static bool equals_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !strncasecmp(s, word, n);
}

/* authMechanismProperties=SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:secret */
static void put_mechanism_properties(struct out *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		size_t comma = find(s, i, n, ',');
		size_t end = comma == NONE ? n : comma;
		size_t colon = find(s, i, end, ':');

		if (colon != NONE && equals_ci(s + i, colon - i, "AWS_SESSION_TOKEN")) {
			put(o, s + i, colon + 1 - i);
			put(o, masked, 3);
		} else {
			put(o, s + i, end - i);
		}
		if (comma == NONE)
			break;
		put(o, ",", 1);
		i = comma + 1;
	}
}

/* ?opt=v&opt=v (or ';' between them, as older URIs have it) */
static void put_options(struct out *o, const char *s, size_t from, size_t len)
{
	size_t i = from;

	while (i < len) {
		size_t end = i, eq;

		while (end < len && s[end] != '&' && s[end] != ';')
			end++;
		eq = find(s, i, end, '=');
		if (eq != NONE && contains_ci(s + i, eq - i, "password")) {
			put(o, s + i, eq + 1 - i);
			put(o, masked, 3);
		} else if (eq != NONE && equals_ci(s + i, eq - i, "authMechanismProperties")) {
			put(o, s + i, eq + 1 - i);
			put_mechanism_properties(o, s + eq + 1, end - eq - 1);
		} else {
			put(o, s + i, end - i);
		}
		if (end < len)
			put(o, s + end, 1);
		i = end + 1;
	}
}

size_t mongo_uri_redact(const char *uri, char *out, size_t size)
{
	struct out o = { out, size, 0 };
	struct uri_parts p;

	if (!uri)
		uri = "";
	split(uri, strlen(uri), &p);
	if (p.at != NONE) {
		size_t colon = find(uri, p.start, p.at, ':');

		if (colon != NONE) {
			put(&o, uri, colon + 1);
			put(&o, masked, 3);
			put(&o, uri + p.at, p.opts - p.at);
		} else {
			put(&o, uri, p.opts);
		}
	} else {
		put(&o, uri, p.opts);
	}
	if (p.opts < p.len) {
		put(&o, "?", 1);
		put_options(&o, uri, p.opts + 1, p.len);
	}
	if (size)
		out[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

char *mongo_uri_redact_dup(const char *uri)
{
	size_t n = mongo_uri_redact(uri, NULL, 0);
	char *copy = malloc(n + 1);

	if (copy)
		mongo_uri_redact(uri, copy, n + 1);
	return copy;
}

void mongo_text_mask_password(const char *password, const char *text, char *out, size_t size)
{
	size_t plen = password ? strlen(password) : 0, o = 0;

	while (*text && o + 1 < size) {
		if (plen && !strncmp(text, password, plen)) {
			for (int k = 0; k < 3 && o + 1 < size; k++)
				out[o++] = '*';
			text += plen;
		} else {
			out[o++] = *text++;
		}
	}
	out[o] = '\0';
}
