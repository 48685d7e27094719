/*
 * redact_unit.c — the redact_pattern language (config/redact_pattern.c): which bytes a
 * pattern masks in a text, and the list parser's results and error offsets.
 * Prints one line per failed check; exits 1 if any failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact_pattern.h"

static int failures;

/* text with every secret pat names replaced by REDACT_MASK (as the logger does). */
static void mask(const char *pat, const char *text, char *out, size_t size)
{
	size_t pos = 0, start, end, n = strlen(text);
	char cur[1024];

	snprintf(cur, sizeof(cur), "%s", text);
	while (redact_find(pat, strlen(pat), cur, n, pos, &start, &end)) {
		char next[1024];

		snprintf(next, sizeof(next), "%.*s%s%s", (int)start, cur, REDACT_MASK, cur + end);
		snprintf(cur, sizeof(cur), "%s", next);
		n = strlen(cur);
		pos = start + strlen(REDACT_MASK);
	}
	snprintf(out, size, "%s", cur);
}

static void check_mask(const char *pat, const char *text, const char *want)
{
	char got[1024];

	mask(pat, text, got, sizeof(got));
	if (strcmp(got, want)) {
		printf("pattern \"%s\" on \"%s\": \"%s\", expected \"%s\"\n", pat, text, got, want);
		failures++;
	}
}

/* Where a cut text's last line may hold the start of a cut secret: -1 for nowhere. */
static void check_cut(const char *pat, const char *text, long want)
{
	size_t start = 0;
	long got = redact_find_cut(pat, strlen(pat), text, strlen(text), 0, &start) ? (long)start : -1;

	if (got != want) {
		printf("cut: pattern \"%s\" on \"%s\": %ld, expected %ld\n", pat, text, got, want);
		failures++;
	}
}

static void check_list(const char *text, int want_rc, const char *want, int want_offset)
{
	char *list = NULL, msg[200] = "";
	int offset = -2, rc = redact_parse_list(text, strlen(text), &list, &offset, msg, sizeof(msg));

	if (rc != want_rc || (rc == 0 && strcmp(list, want)) ||
	    (rc != 0 && (offset != want_offset || !strstr(msg, want)))) {
		printf("list '%s': rc %d list '%s' offset %d msg '%s'; expected rc %d '%s' offset %d\n",
		       text, rc, list ? list : "(null)", offset, msg, want_rc, want, want_offset);
		failures++;
	}
	free(list);
}

int main(void)
{
	/* a trailing '*': what the rest matched stays, the rest of the line goes */
	check_mask("Authorization: *", "Authorization: Bearer abc", "Authorization: [redacted]");
	check_mask("Authorization: *", "GET /\r\nauthorization: Basic eA==\r\nHost: h",
		   "GET /\r\nauthorization: [redacted]\r\nHost: h");
	check_mask("*password=*", "u=bob&password=pw&x=1", "u=bob&password=[redacted]");
	check_mask("sk-*", "a sk-1 b\nsk-2", "a sk-[redacted]\nsk-[redacted]");
	check_mask("sk-*", "sk-", "sk-");		/* nothing after it: nothing to mask */
	check_mask("sk-*", "no key here", "no key here");
	/* no trailing '*': the match itself */
	check_mask("hunter2", "pw hunter2 and HUNTER2", "pw [redacted] and [redacted]");
	check_mask("AKIA????", "id AKIA1234x AKIA12", "id [redacted]x AKIA12");
	check_mask("tok*en", "a tokXen tok\nen", "a [redacted] tok\nen");	/* '*' stops at a line end */
	check_mask("tok*en", "tokenen", "[redacted]en");	/* the shortest match */
	check_mask("a\\*b", "a*b axb", "[redacted] axb");	/* '\' makes '*' literal */
	check_mask("a\\*", "a* a*b", "[redacted] [redacted]b");	/* an escaped final '*' is literal */
	check_mask("x=\\\\*", "x=\\secret", "x=\\[redacted]");	/* "\\" then a trailing '*' */
	check_mask("x\\\\\\*", "x\\* x\\y", "[redacted] x\\y");	/* "\\" "\*": a literal '*' */
	check_mask("k=*", "a k= b", "a k=[redacted]");	/* the blanks after it too */

	/* a text that was cut: a secret may have begun in its last line */
	check_cut("KEY=????????????????", "x KEY=AB", 2);	/* "KEY=AB" would leak */
	check_cut("KEY=????????????????", "x KE", 2);
	check_cut("KEY=????????????????", "KEY=AB\nfine", -1);	/* not the last line */
	check_cut("KEY=????", "KEY=ABCD", -1);		/* matched in full: redact_find's */
	check_cut("hunter2", "pw hunt", 3);
	check_cut("hunter2", "pw hunx", -1);
	check_cut("sk-*", "api_key=sk", -1);		/* '*'-ended: the secret is after its text */
	check_cut("AKIA*XYZ", "id AKIAQQ", 3);		/* a '*' inside: anything may follow */

	check_list("\"a*\", \"*b=*\"  # c", 0, "a*\n*b=*", 0);
	check_list("\"q\\\"#\"", 0, "q\\\"#", 0);
	check_list("", -EINVAL, "missing value", 0);
	check_list("a*", -EINVAL, "expected a quoted pattern", 0);
	check_list("\"a\" \"b\"", -EINVAL, "expected ','", 4);
	check_list("\"a\",", -EINVAL, "after ','", 4);
	check_list("\"***\"", -EINVAL, "needs some text", 1);
	check_list("\"abc", -EINVAL, "unterminated", 0);
	check_list("\"a\tb\"", -EINVAL, "control character", 2);
	{
		char big[400], *list = NULL, msg[100];
		int off;

		memset(big, 'x', sizeof(big));
		big[0] = '"';
		big[300] = '"';
		big[301] = '\0';
		check_list(big, -EINVAL, "longer than 256", 1);
		for (int i = 0; i < 64; i++)
			if (redact_parse_list("\"k\"", 3, &list, &off, msg, sizeof(msg)))
				printf("pattern %d refused: %s\n", i, msg), failures++;
		if (redact_parse_list("\"k\"", 3, &list, &off, msg, sizeof(msg)) != -EINVAL ||
		    !strstr(msg, "more than 64"))
			printf("a 65th pattern was taken\n"), failures++;
		free(list);
	}
	return failures ? 1 : 0;
}
