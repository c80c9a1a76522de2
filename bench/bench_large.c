// SPDX-License-Identifier: GPL-2.0
/*
 * Question 4: large objects.  Alloc+free pairs from 64 KiB to 10 MiB, and
 * the design targets' "64 allocated then freed" pattern at 512 B, 64 KiB,
 * 1 MiB and 10 MiB, and at 4 KiB (issue 15 asks for 64-batches at 512 B
 * and 4 KiB).  One pinned thread; every allocator in the same run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "patterns.h"

#define K_OBJECTS	64

struct large_case {
	size_t size;
	int k;		/* 1: alloc+free pairs; else k allocated then freed */
};

static const struct large_case cases[] = {
	{ 65536, 1 }, { 256 << 10, 1 }, { 1 << 20, 1 }, { 4 << 20, 1 }, { 10 << 20, 1 },
	{ 512, K_OBJECTS }, { 4096, K_OBJECTS }, { 65536, K_OBJECTS }, { 1 << 20, K_OBJECTS },
	{ 10 << 20, K_OBJECTS },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static double run_case(const struct bench_alloc *a, const struct large_case *c,
		       long ops)
{
	if (c->k == 1)
		return bench_pairs(a, c->size, ops);
	return bench_k_then_free(a, c->size, c->k,
				 ops < c->k * 4 ? c->k * 4 : ops);
}

int main(int argc, char **argv)
{
	struct bench_alloc *allocs[BENCH_MAX_ALLOCS];
	int failed[BENCH_MAX_ALLOCS][NCASES] = { { 0 } };
	struct bench_opts o;
	int n, r, i, b;
	size_t c;

	bench_parse_opts(&o, argc, argv, NULL);
	bench_pin(0);
	n = bench_allocs_open_here(o.only, o.shm_dir, allocs, BENCH_MAX_ALLOCS);
	if (!n)
		return 1;

	for (c = 0; c < NCASES; c++)
		for (i = 0; i < n; i++)
			if (run_case(allocs[i], &cases[c],
				     bench_ops_for(cases[c].size, 1)) < 0)
				failed[i][c] = 1;

	for (r = 0; r < o.rounds; r++) {
		for (c = 0; c < NCASES; c++) {
			long ops = bench_ops_for(cases[c].size, o.quick);
			char label[40], sz[16];

			bench_size_str(cases[c].size, sz, sizeof(sz));
			if (cases[c].k == 1)
				snprintf(label, sizeof(label), "pair %s", sz);
			else
				snprintf(label, sizeof(label), "%d then free %s",
					 cases[c].k, sz);
			for (i = 0; i < n; i++) {
				int k = bench_rotated(i, r, n);
				struct bench_alloc *a = allocs[k];
				struct bench_result *res;

				if (failed[k][c])
					continue;
				res = bench_result("large", label, cases[c].size, 1, a);
				for (b = 0; b < o.batches; b++) {
					double ns = run_case(a, &cases[c], ops);

					if (ns < 0) {
						failed[k][c] = 1;
						break;
					}
					bench_sample(res, ns);
				}
			}
		}
	}
	for (i = 0; i < n; i++)
		for (c = 0; c < NCASES; c++)
			if (failed[i][c])
				printf("# %s: cannot allocate %d x %zu bytes\n",
				       allocs[i]->name, cases[c].k, cases[c].size);
	bench_report(&o, "4. large objects, one thread (ns per object: one alloc + one free)");
	bench_allocs_close();
	return 0;
}
