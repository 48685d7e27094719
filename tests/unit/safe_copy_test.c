/*
 * safe_copy_test.c — impulse_safe_strncpy and impulse_safe_memcpy (safe_copy.S)
 * with the fault handler of fault.c: every length and source alignment around the
 * word loop, max below, at and above the length, strings that end just before an
 * unmapped page, and sources that run into one or start in one.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "check.h"
#include "lifecycle/crash.h"
#include "lifecycle/fault.h"

/* fault.c's crash path (crash.c, the logger's) is not under test here: the plain death. */
void crash_die(int sig, const char *exception, const siginfo_t *info)
{
	(void)exception;
	(void)info;
	signal(sig, SIG_DFL);
	raise(sig);
}

bool crash_aborting(void)
{
	return false;
}

/* The reference: what the copy must return for a readable string. */
static long expected(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n <= max ? (long)n : (long)max + 1;
}

static void test_lengths_and_alignments(void)
{
	char src[128], dst[128];
	unsigned bad = 0, total = 0;

	for (size_t align = 0; align < 8; align++) {
		for (size_t len = 0; len < 48; len++) {
			for (size_t max = 0; max < 52; max++) {
				char *s = src + align;
				long got, want;

				memset(src, 'a', sizeof(src));
				for (size_t i = 0; i < len; i++)
					s[i] = (char)('A' + (i % 26));
				s[len] = '\0';
				memset(dst, 0x55, sizeof(dst));
				got = impulse_safe_strncpy(dst, s, max);
				want = expected(s, max);
				total++;
				if (got != want || memcmp(dst, s, (size_t)(want > (long)max ? (long)max : want)) ||
				    dst[want > (long)max ? max : (size_t)want] != 0x55)
					bad++;
			}
		}
	}
	CHECK(bad == 0, "%u of %u (alignment, length, max) cases wrong", bad, total);
}

static void test_page_edges(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *end = map + page, dst[64];

	CHECK(map != MAP_FAILED, "mmap");
	if (map == MAP_FAILED)
		return;
	mprotect(end, (size_t)page, PROT_NONE);
	/* A string whose NUL is the page's last byte: readable, whatever the alignment. */
	for (int k = 1; k <= 20; k++) {
		memset(end - k, 'x', (size_t)k);
		end[-1] = '\0';
		CHECK(impulse_safe_strncpy(dst, end - k, 32) == k - 1,
		      "string of %d bytes ending at a page end", k - 1);
	}
	/* No NUL before the unmapped page: the copy faults and says so. */
	memset(end - 16, 'y', 16);
	CHECK(impulse_safe_strncpy(dst, end - 16, 32) == -1, "string running into an unmapped page");
	CHECK(impulse_safe_strncpy(dst, end - 16, 8) == 9, "stops at max before the unmapped page");
	CHECK(impulse_safe_strncpy(dst, end, 8) == -1, "string in an unmapped page");
	CHECK(impulse_safe_strncpy(dst, (const char *)8, 8) == -1, "a pointer into page zero");
	CHECK(impulse_safe_memcpy(dst, end - 8, 8) == 0, "memcpy of readable bytes");
	CHECK(impulse_safe_memcpy(dst, end - 8, 16) == -1, "memcpy running into an unmapped page");
	munmap(map, 2 * (size_t)page);
}

static sigjmp_buf jump;

static void on_segv(int sig)
{
	siglongjmp(jump, sig);
}

/* A fault that is not ours still reaches the program's handler, installed after us. */
static void test_foreign_fault(void)
{
	struct sigaction sa = { .sa_handler = on_segv };
	long page = sysconf(_SC_PAGESIZE);
	volatile char *bad = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int got;

	fault_sigaction(SIGSEGV, &sa, NULL);
	got = sigsetjmp(jump, 1);
	if (!got)
		(void)*bad;
	CHECK(got == SIGSEGV, "the program's handler saw its own fault");
	CHECK(impulse_safe_strncpy((char[8]){ 0 }, (const char *)bad, 4) == -1,
	      "still ours after the program installed its handler");
	munmap((void *)bad, (size_t)page);
}

int main(void)
{
	CHECK(fault_setup() == 0, "fault_setup");
	test_lengths_and_alignments();
	test_page_edges();
	test_foreign_fault();
	return check_summary("safe_copy_test");
}
