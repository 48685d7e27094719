/*
 * x87_probe.c: what the trampoline's x87 return probe costs on this CPU (make bench-x87).
 *
 *     x87_probe [ITERATIONS]
 *
 * The trampoline must know whether a function returned a value in st(0) (a long
 * double). Issue 14 found `fxam` on an empty x87 stack taking ~98 ns on an Intel Xeon
 * (a microcode assist) against ~1 ns elsewhere, and replaced it by `fnstsw` (read the
 * status word's TOP field) with `fxam` only when a value is there. Measuring the two
 * builds of libimpulse side by side would take two libraries; this measures the
 * instructions themselves instead, each in a loop of ITERATIONS (default 2,000,000)
 * written in one asm block so the compiler adds nothing:
 *
 *   - fxam + fnstsw, x87 stack empty: the old probe on every non-long-double return;
 *   - fnstsw alone: the new probe on those returns;
 *   - fxam + fnstsw, one value held (fld1 before the loop): the old and new probe on
 *     a long double return.
 *
 * Each is run BENCH_X87_REPEAT times (default 7) after one warm-up; the figure is the
 * median ns per iteration minus an empty loop's (dec/jnz), on CLOCK_MONOTONIC. It
 * prints one line per probe and the CPU's model name. Never a pass/fail: the exit
 * status is 0 unless misused (2). x86-64 only (the build skips it elsewhere).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_ITERATIONS 2000000UL
#define DEFAULT_REPEAT 7
#define MAX_REPEAT 101

typedef void (*loop_fn)(unsigned long n);

/* The System V ABI has the x87 stack empty at every call, so it is empty here. */
static void loop_empty(unsigned long n)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}

static void loop_fxam_empty(unsigned long n)
{
	__asm__ volatile("1: fxam\n\tfnstsw %%ax\n\tdec %0\n\tjnz 1b"
			 : "+r"(n) : : "rax", "cc");
}

static void loop_fnstsw(unsigned long n)
{
	__asm__ volatile("1: fnstsw %%ax\n\tdec %0\n\tjnz 1b"
			 : "+r"(n) : : "rax", "cc");
}

/* fld1 pushes a value and fstp pops it, so the stack is empty again on return. */
static void loop_fxam_held(unsigned long n)
{
	__asm__ volatile("fld1\n1: fxam\n\tfnstsw %%ax\n\tdec %0\n\tjnz 1b\n\tfstp %%st(0)"
			 : "+r"(n) : : "rax", "cc", "st");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median ns per iteration of fn over repeat timed runs, after one untimed warm-up. */
static double time_loop(loop_fn fn, unsigned long n, int repeat)
{
	double runs[MAX_REPEAT];

	fn(n);
	for (int r = 0; r < repeat; r++) {
		double t0 = now_ns();

		fn(n);
		runs[r] = (now_ns() - t0) / (double)n;
	}
	qsort(runs, (size_t)repeat, sizeof runs[0], cmp_double);
	return runs[repeat / 2];
}

/* "model name (vendor family F model M)": VMs often shorten the name ("AMD EPYC"), and
 * family and model tell the microarchitecture (e.g. AMD family 25 = Zen 3/4). */
static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], name[128] = "unknown CPU", vendor[32] = "?";
	int family = -1, model = -1;

	if (f) {
		while (fgets(line, sizeof line, f)) {
			char *colon = strchr(line, ':');

			if (!colon)
				continue;
			if (strncmp(line, "processor", 9) == 0 && family >= 0)
				break;	/* the first CPU's lines are enough */
			colon += 1 + (colon[1] == ' ');
			colon[strcspn(colon, "\n")] = '\0';
			if (strncmp(line, "model name", 10) == 0)
				snprintf(name, sizeof name, "%s", colon);
			else if (strncmp(line, "vendor_id", 9) == 0)
				snprintf(vendor, sizeof vendor, "%s", colon);
			else if (strncmp(line, "cpu family", 10) == 0)
				family = atoi(colon);
			else if (strncmp(line, "model\t", 6) == 0)
				model = atoi(colon);
		}
		fclose(f);
	}
	snprintf(buf, size, "%s (%s family %d model %d)", name, vendor, family, model);
}

int main(int argc, char **argv)
{
	unsigned long n = DEFAULT_ITERATIONS;
	const char *rep_env = getenv("BENCH_X87_REPEAT");
	int repeat = rep_env && *rep_env ? atoi(rep_env) : DEFAULT_REPEAT;
	char cpu[256], *end;
	double base, fxam_empty, fnstsw, fxam_held;

	if (argc > 2)
		goto usage;
	if (argc == 2) {
		n = strtoul(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || n == 0)
			goto usage;
	}
	if (repeat < 1 || repeat > MAX_REPEAT)
		goto usage;
	cpu_model(cpu, sizeof cpu);
	base = time_loop(loop_empty, n, repeat);
	fxam_empty = time_loop(loop_fxam_empty, n, repeat) - base;
	fnstsw = time_loop(loop_fnstsw, n, repeat) - base;
	fxam_held = time_loop(loop_fxam_held, n, repeat) - base;
	printf("x87 probe cost on %s (%lu iterations, median of %d, minus an empty loop's %.2f ns):\n",
	       cpu, n, repeat, base);
	printf("  fxam + fnstsw, x87 stack empty (old probe, every return)  %8.2f ns/op\n", fxam_empty);
	printf("  fnstsw alone (new probe, returns without an x87 value)    %8.2f ns/op\n", fnstsw);
	printf("  fxam + fnstsw, one value held (a long double return)      %8.2f ns/op\n", fxam_held);
	printf("  the fix saves %.2f ns per traced call on this CPU\n", fxam_empty - fnstsw);
	return 0;
usage:
	fprintf(stderr, "usage: x87_probe [ITERATIONS > 0]  (BENCH_X87_REPEAT: 1..%d)\n", MAX_REPEAT);
	return 2;
}
