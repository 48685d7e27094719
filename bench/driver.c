/*
 * driver.c: calls work_add, work_len, work_pair or work_buf through the PLT N times on
 * each of T threads.
 *
 *     driver add|len|pair|buf N T
 *
 * With T = 1 the calls run on the main thread; otherwise on T new threads, the main
 * thread only waiting. Results are summed per thread and stored once into a volatile
 * slot of its own (no shared cache line written per call). Prints nothing unless
 * misused; exit status 0 on success, 2 on bad arguments, 1 if a thread failed to start.
 *
 * With DRIVER_THREAD_CPU=1 in the environment, each job also measures its own call
 * loop: its thread's CPU time (CLOCK_THREAD_CPUTIME_ID), wall time (CLOCK_MONOTONIC)
 * and minor page faults (getrusage RUSAGE_THREAD), read just before and just after
 * the loop; main then prints one line to stdout, summed over the jobs and divided by
 * the total number of calls:
 *
 *     thread_cpu_ns_per_call=F thread_wall_ns_per_call=F thread_minflt_per_call=F
 *
 * This is the cost on the calling thread itself, whatever another thread (a tracer's
 * logger) does meanwhile; only the loop is timed, not start-up, thread creation or exit.
 * Each job first makes one untimed call (so a tracer sets up its per-thread state,
 * e.g. maps its ring, before the clock starts).
 *
 * DRIVER_PREFAULT=BYTES (with DRIVER_THREAD_CPU=1): after those first calls and before
 * any timed loop starts, every anonymous read-write mapping of at least 128 MiB (a
 * tracer's big per-thread rings; the driver itself maps none) has the first BYTES of
 * each ring in it (found with mincore: see prefault()) populated with
 * madvise(MADV_POPULATE_WRITE), which allocates the pages without changing their
 * contents. The timed loop then writes to memory already mapped, as a
 * ring that is reused does, instead of taking a page fault per fresh 4 KiB page.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>	/* RUSAGE_THREAD: _GNU_SOURCE, set by the Makefile */
#include <time.h>

#include "work.h"

#define MAX_THREADS 64
#define STR_LEN 32
#define PREFAULT_MIN_MAP (128UL << 20)	/* smallest mapping DRIVER_PREFAULT populates */

enum mode { MODE_ADD, MODE_LEN, MODE_PAIR, MODE_BUF };

#define BUF_LEN 256

struct job {
	enum mode mode;
	int timed;			/* DRIVER_THREAD_CPU=1 */
	unsigned long calls;
	pthread_t thread;
	volatile unsigned long sink;	/* the thread's results, written once */
	long long cpu_ns, wall_ns;	/* of the call loop, when timed */
	long minflt;
	char pad[64];			/* keep jobs on separate cache lines */
};

static struct job jobs[MAX_THREADS];
static unsigned long nthreads;
static unsigned long long prefault_bytes;	/* DRIVER_PREFAULT, 0: none */
static pthread_barrier_t barrier;		/* threads' first calls done / prefault done */

/*
 * Populates the first prefault_bytes of each ring in the anonymous rw mappings of at
 * least PREFAULT_MIN_MAP. Rings mapped next to each other share one mapping, so a ring
 * is found by its start: the first resident page after a non-resident one (each thread
 * has made one call, so its ring's first page is resident and the rest is not).
 */
static void populate_from(uintptr_t at, uintptr_t hi)
{
	size_t len = hi - at;

	if (len > prefault_bytes)
		len = (size_t)((prefault_bytes + 4095) & ~4095ULL);
	if (madvise((void *)at, len, MADV_POPULATE_WRITE) != 0)
		perror("driver: madvise(MADV_POPULATE_WRITE)");
}

static void prefault(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	unsigned long lo, hi;
	int path_at;

	if (!maps)
		return;
	while (fgets(line, sizeof line, maps)) {
		path_at = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3)
			continue;
		if (strncmp(perms, "rw", 2) != 0 || hi - lo < PREFAULT_MIN_MAP)
			continue;
		if (path_at > 0 && line[path_at] != '\0' && line[path_at] != '\n')
			continue;	/* a file or [heap]/[stack]: not anonymous */
		size_t pages = (hi - lo) / 4096;
		unsigned char *resident = malloc(pages);
		if (!resident || mincore((void *)lo, hi - lo, resident) != 0) {
			populate_from(lo, hi);	/* cannot tell: at least the first ring */
		} else {
			for (size_t i = 0; i < pages; i++)
				if ((resident[i] & 1) && (i == 0 || !(resident[i - 1] & 1)))
					populate_from(lo + i * 4096, hi);
		}
		free(resident);
	}
	fclose(maps);
}

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long thread_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : 0;
}

static unsigned long call_once(enum mode mode, unsigned long i, const char *s,
			       const unsigned char *buf)
{
	switch (mode) {
	case MODE_ADD:
		return (unsigned long)work_add((int)i, 1);
	case MODE_LEN:
		return work_len(s);
	case MODE_PAIR:
		return (unsigned long)work_pair((struct work_pair){ (long)i, 0.5 });
	case MODE_BUF:
		return work_buf(buf, BUF_LEN);
	}
	return 0;
}

static void *job_run(void *arg)
{
	struct job *job = arg;
	unsigned long acc = 0;
	long long cpu0 = 0, wall0 = 0;
	long flt0 = 0;
	char s[STR_LEN + 1];
	unsigned char buf[BUF_LEN];

	memset(s, 'x', STR_LEN);
	s[STR_LEN] = '\0';
	for (int i = 0; i < BUF_LEN; i++)
		buf[i] = (unsigned char)(i * 7);	/* binary: recorded as base64 */
	if (job->timed) {
		/* One untimed call first: a tracer sets up this thread's state. */
		acc += call_once(job->mode, 0, s, buf);
		if (prefault_bytes && nthreads == 1) {
			prefault();
		} else if (prefault_bytes) {
			pthread_barrier_wait(&barrier);	/* every thread's first call made */
			pthread_barrier_wait(&barrier);	/* main has prefaulted */
		}
		flt0 = thread_minflt();
		wall0 = clock_ns(CLOCK_MONOTONIC);
		cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	}
	switch (job->mode) {
	case MODE_ADD:
		for (unsigned long i = 0; i < job->calls; i++)
			acc += (unsigned long)work_add((int)i, 1);
		break;
	case MODE_LEN:
		for (unsigned long i = 0; i < job->calls; i++)
			acc += work_len(s);
		break;
	case MODE_PAIR:
		for (unsigned long i = 0; i < job->calls; i++)
			acc += (unsigned long)work_pair((struct work_pair){ (long)i, 0.5 });
		break;
	case MODE_BUF:
		for (unsigned long i = 0; i < job->calls; i++)
			acc += work_buf(buf, BUF_LEN);
		break;
	}
	if (job->timed) {
		job->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
		job->wall_ns = clock_ns(CLOCK_MONOTONIC) - wall0;
		job->minflt = thread_minflt() - flt0;
	}
	job->sink = acc;
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: driver add|len|pair|buf CALLS_PER_THREAD THREADS (1..%d)\n", MAX_THREADS);
	return 2;
}

static void print_thread_times(unsigned long threads, unsigned long calls)
{
	double cpu = 0, wall = 0, flt = 0, total = (double)threads * (double)calls;

	for (unsigned long t = 0; t < threads; t++) {
		cpu += (double)jobs[t].cpu_ns;
		wall += (double)jobs[t].wall_ns;
		flt += (double)jobs[t].minflt;
	}
	if (total < 1)
		total = 1;
	printf("thread_cpu_ns_per_call=%.3f thread_wall_ns_per_call=%.3f thread_minflt_per_call=%.6f\n",
	       cpu / total, wall / total, flt / total);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long calls, threads;
	const char *timed_env = getenv("DRIVER_THREAD_CPU");
	const char *prefault_env = getenv("DRIVER_PREFAULT");
	int timed = timed_env && strcmp(timed_env, "1") == 0;
	enum mode mode;
	char *end;

	if (argc != 4)
		return usage();
	if (strcmp(argv[1], "add") == 0)
		mode = MODE_ADD;
	else if (strcmp(argv[1], "len") == 0)
		mode = MODE_LEN;
	else if (strcmp(argv[1], "pair") == 0)
		mode = MODE_PAIR;
	else if (strcmp(argv[1], "buf") == 0)
		mode = MODE_BUF;
	else
		return usage();
	calls = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0')
		return usage();
	threads = strtoul(argv[3], &end, 10);
	if (*argv[3] == '\0' || *end != '\0' || threads < 1 || threads > MAX_THREADS)
		return usage();

	if (timed && prefault_env && *prefault_env) {
		prefault_bytes = strtoull(prefault_env, &end, 10);
		if (*end != '\0') {
			fprintf(stderr, "driver: DRIVER_PREFAULT=%s: want a number of bytes\n", prefault_env);
			return 2;
		}
	}
	nthreads = threads;
	if (prefault_bytes && threads > 1)
		pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1);
	for (unsigned long t = 0; t < threads; t++) {
		jobs[t].mode = mode;
		jobs[t].timed = timed;
		jobs[t].calls = calls;
	}
	if (threads == 1) {
		job_run(&jobs[0]);
	} else {
		for (unsigned long t = 0; t < threads; t++) {
			if (pthread_create(&jobs[t].thread, NULL, job_run, &jobs[t]) != 0) {
				fprintf(stderr, "driver: pthread_create failed\n");
				return 1;
			}
		}
		if (prefault_bytes) {
			pthread_barrier_wait(&barrier);
			prefault();
			pthread_barrier_wait(&barrier);
		}
		for (unsigned long t = 0; t < threads; t++)
			pthread_join(jobs[t].thread, NULL);
	}
	if (timed)
		print_thread_times(threads, calls);
	return 0;
}
