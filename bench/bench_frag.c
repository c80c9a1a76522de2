// SPDX-License-Identifier: GPL-2.0
/*
 * Question 5: fragmentation.  10^7 random operations (allocate 512 B ..
 * 64 KiB log-uniform, or free a random live object) hold the live bytes
 * around a fixed target; then: bytes the allocator holds over live bytes,
 * and the largest object still allocatable (bounded arenas only).  One
 * pinned thread, the same seed for every allocator.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define SIZE_MIN	512
#define SIZE_MAX_	(64 << 10)
#define NSIZES		65536

struct live_obj {
	void *p;
	uint64_t sz;
};

struct frag_result {
	const char *alloc;
	uint64_t ops, live, objects;
	int64_t reserved, largest;
	int64_t reserved_old;	/* the count of earlier figures, -1: same rule */
	char detail[320];	/* where the reserved bytes go, "" if unknown */
	int failed;
	struct bench_result *timing;
};

static uint32_t sizes[NSIZES];

/* Tracking memory comes from mmap so glibc's own statistics stay clean. */
static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void run(struct bench_alloc *a, const struct bench_opts *o,
		uint64_t total_ops, uint64_t target, struct live_obj *objs,
		uint64_t cap, struct frag_result *fr)
{
	uint64_t seed = 12345 + o->seed, live = 0, n = 0, op, batch = total_ops / 10;
	uint64_t t0 = bench_now_ns();

	memset(fr, 0, sizeof(*fr));
	fr->alloc = a->name;
	fr->timing = bench_result("frag", "random ops 512 B-64 KiB", 0, 1, a);
	for (op = 1; op <= total_ops; op++) {
		uint64_t rnd = bench_rand(&seed);
		/* P(alloc) falls from 1 at no live bytes to 0 at twice the target. */
		int do_alloc = !n || (rnd >> 11) % (2 * target) >= live;

		if (do_alloc && n < cap) {
			uint64_t sz = sizes[bench_rand(&seed) % NSIZES];
			void *p = a->alloc(sz, 16);

			if (!p) {
				fr->failed = 1;
				break;
			}
			bench_touch(p, op);
			objs[n].p = p;
			objs[n].sz = sz;
			n++;
			live += sz;
		} else {
			uint64_t k = bench_rand(&seed) % n;

			a->free(objs[k].p);
			live -= objs[k].sz;
			objs[k] = objs[--n];
		}
		if (!(op % batch)) {
			uint64_t t1 = bench_now_ns();

			bench_sample(fr->timing, (double)(t1 - t0) / (double)batch);
			t0 = t1;
		}
	}
	fr->ops = op - 1;
	fr->live = live;
	fr->objects = n;
	fr->reserved = a->reserved_bytes ? a->reserved_bytes() : -1;
	fr->reserved_old = -1;
	if (a->reserved_detail &&
	    a->reserved_detail(fr->detail, sizeof(fr->detail), &fr->reserved_old))
		fr->detail[0] = 0;
	fr->largest = a->largest_free ? a->largest_free() : -1;
	while (n)
		a->free(objs[--n].p);
}

/*
 * Under the table: where an allocator's reserved bytes go, and, once, the
 * count that earlier figures (bench/results before it changed) used.
 */
static void report_detail(const struct frag_result *fr)
{
	if (fr->detail[0])
		printf("# %s reserved: %s\n", fr->alloc, fr->detail);
	if (fr->reserved_old >= 0 && fr->live)
		printf("# %s by the count of earlier figures: reserved %" PRId64 " B, res/live %.3f "
		       "(now counted whole: %" PRId64 " B, %.3f)\n", fr->alloc, fr->reserved_old,
		       (double)fr->reserved_old / (double)fr->live, fr->reserved,
		       (double)fr->reserved / (double)fr->live);
}

int main(int argc, char **argv)
{
	struct bench_alloc *allocs[BENCH_MAX_ALLOCS];
	struct frag_result fr[BENCH_MAX_ALLOCS];
	uint64_t ops, target, cap, seed;
	struct live_obj *objs;
	struct bench_opts o;
	double best = INFINITY;
	FILE *csv = NULL;
	int n, i;

	bench_parse_opts(&o, argc, argv, NULL);
	seed = 42 + o.seed;	/* --seed: another run of the same process, to see the spread */
	bench_pin(0);
	ops = o.quick ? 1000000 : 10000000;
	target = o.quick ? (32ULL << 20) : (256ULL << 20);
	cap = 4 * target / SIZE_MIN;
	for (i = 0; i < NSIZES; i++)
		sizes[i] = (uint32_t)bench_rand_size(&seed, SIZE_MIN, SIZE_MAX_);
	objs = map_anon(cap * sizeof(*objs));
	if (!objs)
		return 1;
	n = bench_allocs_open(o.only, o.shm_dir, BENCH_ARENA_BYTES, allocs, BENCH_MAX_ALLOCS);
	for (i = 0; i < n; i++) {
		if (allocs[i]->thread_init)
			allocs[i]->thread_init(0);
		run(allocs[i], &o, ops, target, objs, cap, &fr[i]);
		if (!allocs[i]->subject && fr[i].reserved > 0 && fr[i].live)
			best = fmin(best, (double)fr[i].reserved / (double)fr[i].live);
	}

	if (o.csv) {
		int fresh = access(o.csv, F_OK) != 0;

		csv = fopen(o.csv, "a");
		if (csv && fresh)
			fprintf(csv, "allocator,ops,live_target,live_bytes,objects,"
				"reserved_bytes,reserved_over_live,ratio_to_best_peer,"
				"largest_free_bytes,median_ns,p99_ns,reserved_old_bytes\n");
	}
	printf("\n== 5. fragmentation after %" PRIu64 " random ops at a live target of %" PRIu64
	       " MiB (reserved = bytes the allocator holds; largest = biggest object still "
	       "allocatable, bounded arenas only) ==\n", ops, target >> 20);
	printf("%-9s %10s %9s %12s %12s %8s %7s %12s %9s %9s\n", "allocator", "ops",
	       "objects", "live B", "reserved B", "res/live", "ratio", "largest B",
	       "ns/op med", "p99");
	for (i = 0; i < n; i++) {
		double rl = fr[i].reserved > 0 && fr[i].live ?
			    (double)fr[i].reserved / (double)fr[i].live : NAN;

		if (fr[i].failed)
			printf("# %s: an allocation failed after %" PRIu64 " ops\n",
			       fr[i].alloc, fr[i].ops);
		printf("%-9s %10" PRIu64 " %9" PRIu64 " %12" PRIu64 " %12" PRId64
		       " %8.3f %7.2f %12" PRId64 " %9.1f %9.1f%s\n", fr[i].alloc,
		       fr[i].ops, fr[i].objects, fr[i].live, fr[i].reserved, rl,
		       rl / best, fr[i].largest, bench_median(fr[i].timing),
		       bench_p99(fr[i].timing), allocs[i]->subject ? "  <" : "");
		if (csv)
			fprintf(csv, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRId64 ",%.4f,%.3f,%" PRId64 ",%.2f,%.2f,%" PRId64 "\n",
				fr[i].alloc, fr[i].ops, target, fr[i].live,
				fr[i].objects, fr[i].reserved, rl, rl / best,
				fr[i].largest, bench_median(fr[i].timing),
				bench_p99(fr[i].timing), fr[i].reserved_old);
	}
	for (i = 0; i < n; i++)
		report_detail(&fr[i]);
	if (csv)
		fclose(csv);
	bench_allocs_close();
	return 0;
}
