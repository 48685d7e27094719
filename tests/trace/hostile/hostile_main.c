/*
 * hostile_main — bad input for the tracer: pointers into nothing, a guard page, a
 * freed mapping, a 100 MB string, secrets to redact, a variable named as a hook,
 * prototypes that disagree. Prints only what does not depend on the tracer
 * (stdout is compared with an untraced run); the addresses the test needs go to
 * stderr as "ADDR name 0x…".
 *
 *   hostile_main bad | huge | redact | meta | cut | var | proto
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "impulse.h"
#include "libhostile.h"

extern char **environ;

static void addr(const char *name, const void *p)
{
	fprintf(stderr, "ADDR %s %p\n", name, p);
}

static int bad(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Far below where mmap places mappings (top-down from near the stack), so that
	 * no allocation of the tracer's refills the hole once it is unmapped. */
	char *freed = mmap((void *)0x200000000000ull, (size_t)page * 16, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *edge;
	struct hs_pair ok = { 7, "seven" }, *pair_gone;

	if (two == MAP_FAILED || freed == MAP_FAILED)
		return 1;
	/* two[page..] becomes a guard page; a string without its NUL runs into it. */
	mprotect(two + page, (size_t)page, PROT_NONE);
	edge = two + page - 8;
	memcpy(edge, "ABCDEFGH", 8);
	strcpy(freed, "was here");
	munmap(freed, (size_t)page * 16);
	pair_gone = (struct hs_pair *)(freed + 64);
	addr("guard", two + page);
	addr("edge", edge);
	addr("freed", freed);
	addr("pair_gone", pair_gone);
	printf("null %d\n", hs_text(NULL, 0));
	printf("one %d\n", hs_text((const char *)1, 1));
	printf("low %d\n", hs_text((const char *)0x1000, 2));
	printf("noncanonical %d\n", hs_text((const char *)0x8000000000000000ull, 3));
	printf("guard %d\n", hs_text(two + page, 4));
	printf("freed %d\n", hs_text(freed, 5));
	printf("edge %d\n", hs_text(edge, 6));
	printf("pair_ok %d\n", hs_pair(&ok, 10));
	printf("pair_null %d\n", hs_pair(NULL, 11));
	printf("pair_gone %d\n", hs_pair(pair_gone, 12));
	printf("pair_guard %d\n", hs_pair((const struct hs_pair *)(two + page), 13));
	/* a readable struct whose string member points at the guard page */
	ok.name = two + page;
	printf("pair_bad_name %d\n", hs_pair(&ok, 14));
	/* and one whose string member runs into the guard page */
	ok.name = edge;
	printf("pair_edge_name %d\n", hs_pair(&ok, 15));
	return 0;
}

static int huge(void)
{
	size_t n = 100u << 20;
	char *s = malloc(n + 1);

	if (!s)
		return 1;
	memset(s, 'x', n);
	s[n] = '\0';
	printf("huge %zu\n", hs_strlen(s));
	free(s);
	return 0;
}

static int redact(void)
{
	static const char form[] = "POST user=bob&password=hunter2secret\nX-Other: fine";

	printf("header %zu\n", hs_strlen("Authorization: Bearer abc123secret"));
	printf("send %d\n", hs_send(form, sizeof(form) - 1));
	impulse_log("api_key=sk-XYZsecret987 user=bob");
	impulse_logf("token %s!", "sk-FMTsecret42");
	impulse_log_json("{\"token\":\"sk-JSONsecret55\",\"n\":[\"Authorization: Basic dXNlcjpwYXNz\"]}");
	puts("logged");
	return 0;
}

/* Secrets in session metadata and in the keys of a JSON note, then hooked calls
 * whose records carry the metadata. */
static int meta(void)
{
	/* its status is not printed: untraced, the stub answers -ENOSYS */
	impulse_set_session_id("s-meta", "{\"user\":\"bob\",\"api_key\":\"sk-METAsecret31\","
					"\"nested\":{\"sk-NESTEDKEYsecret\":[\"sk-ARRAYsecret\"]}}");

	impulse_log_json("{\"sk-KEYsecret77\":1,\"plain\":\"sk-VALUEsecret\"}");
	printf("header %zu\n", hs_strlen("no secret here"));
	return 0;
}

/* Secrets that straddle the cut of max_string (64 here), max_buffer and a note's
 * 4 KiB: "KEY=" begins just before the cut. */
static int cut(void)
{
	char text[200], note[5000], buf[400];

	memset(text, '.', sizeof(text));
	memcpy(text + 58, "KEY=ABCDEFGHIJKLMNOP", 20);
	text[sizeof(text) - 1] = '\0';
	printf("strlen %zu\n", hs_strlen(text));
	memset(buf, '-', sizeof(buf));
	memcpy(buf + 250, "KEY=QRSTUVWXYZ012345", 20);
	printf("send %d\n", hs_send(buf, sizeof(buf)));
	memset(note, ' ', sizeof(note));
	memcpy(note + 4090, "KEY=6789abcdefghijkl", 20);
	note[sizeof(note) - 1] = '\0';
	impulse_log(note);
	impulse_logf("%s", note);
	return 0;
}

static int var(void)
{
	hs_counter++;
	printf("counter %d\n", hs_counter);
	printf("environ %s\n", environ && environ[0] ? "set" : "empty");
	fprintf(stdout, "stdout works\n");
	printf("two %d\n", hs_two(3, 4));
	return 0;
}

static int proto(void)
{
	printf("two %d\n", hs_two(3, 4));
	printf("int_ret %d\n", hs_int_ret(5));
	printf("text %d\n", hs_text("fine", 7));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "bad"))
		return bad();
	if (!strcmp(mode, "huge"))
		return huge();
	if (!strcmp(mode, "redact"))
		return redact();
	if (!strcmp(mode, "meta"))
		return meta();
	if (!strcmp(mode, "cut"))
		return cut();
	if (!strcmp(mode, "var"))
		return var();
	if (!strcmp(mode, "proto"))
		return proto();
	fprintf(stderr, "usage: hostile_main bad|huge|redact|var|proto\n");
	return 2;
}
