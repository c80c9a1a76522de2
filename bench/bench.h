/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark harness: options, clocks, pinning, samples and the report
 * (table on stdout, CSV under bench/results/).  Every bench_*.c program is one
 * question; this header is what they share.
 */
#ifndef GROOVE_BENCH_H
#define GROOVE_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "allocators.h"

#define BENCH_MAX_SAMPLES	4096
#define BENCH_MAX_RESULTS	256

/*
 * Address space of the shared arenas (boost's segment, groove's slots);
 * memory is only used as objects need it (sparse files in /dev/shm).
 */
#define BENCH_ARENA_BYTES	(8ULL << 30)

/* Command line shared by every program. */
struct bench_opts {
	int rounds;		/* rounds, allocators interleaved in each (>= 5) */
	int batches;		/* timed batches per allocator per round */
	int quick;		/* smaller counts, for a smoke run */
	const char *only;	/* comma list of allocator names, or NULL */
	const char *csv;	/* CSV path, or NULL for none */
	const char *shm_dir;	/* where shared arenas live (/dev/shm) */
	unsigned long seed;	/* added to the random seeds (bench_frag); 0: the report's */
};

/*
 * One row of the report: a case (workload + parameters) measured for one
 * allocator.  Samples are ns per operation of each timed batch; lower is
 * better everywhere, so one ratio rule serves every table.
 */
struct bench_result {
	char workload[24];
	char label[40];		/* e.g. "pair 512 B" */
	uint64_t size;		/* bytes, 0 when not one size */
	int threads;
	char alloc[16];
	int is_subject;		/* groove: never the "best peer" */
	int n;
	double samples[BENCH_MAX_SAMPLES];
};

void bench_parse_opts(struct bench_opts *o, int argc, char **argv,
		      const char *usage_extra);

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Pin the calling thread to cpu % online CPUs; returns the CPU used. */
int bench_pin(int cpu);

/* Small, fast, reproducible random numbers (xorshift64*). */
static inline uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Log-uniform size in [lo, hi]: every octave gets the same share. */
uint64_t bench_rand_size(uint64_t *s, uint64_t lo, uint64_t hi);

/* Results: find-or-create the row for (workload, label, alloc). */
struct bench_result *bench_result(const char *workload, const char *label,
				  uint64_t size, int threads,
				  const struct bench_alloc *a);
void bench_sample(struct bench_result *r, double ns_per_op);

/* Sort-free summaries of a row. */
double bench_median(const struct bench_result *r);
double bench_p99(const struct bench_result *r);

/*
 * Print every row as a table (median, p99, ratio to the best peer of the
 * same case) and append them to the CSV named in the options, if any.
 */
void bench_report(const struct bench_opts *o, const char *title);

/* Human-readable size ("512 B", "64 KiB", "10 MiB"). */
const char *bench_size_str(uint64_t sz, char *buf, size_t len);

/* Rotate the start of the allocator order each round, so no one always runs first. */
static inline int bench_rotated(int i, int round, int n)
{
	return (i + round) % n;
}

/* Keep the compiler from discarding a store into memory we only write. */
static inline void bench_touch(void *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

#endif /* GROOVE_BENCH_H */
