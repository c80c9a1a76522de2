// SPDX-License-Identifier: GPL-2.0
/*
 * Question 1: what does one alloc+free pair cost, from 512 B to 10 MiB?
 * One pinned thread; every allocator in the same run, rounds interleaved.
 */
#include <stdio.h>
#include <stdlib.h>

#include "patterns.h"

static const size_t sizes[] = { 512, 4096, 65536, 1 << 20, 10 << 20 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

int main(int argc, char **argv)
{
	struct bench_alloc *allocs[BENCH_MAX_ALLOCS];
	int failed[BENCH_MAX_ALLOCS][NSIZES] = { { 0 } };
	struct bench_opts o;
	int n, r, i, b;
	size_t s;

	bench_parse_opts(&o, argc, argv, NULL);
	bench_pin(0);
	n = bench_allocs_open_here(o.only, o.shm_dir, allocs, BENCH_MAX_ALLOCS);
	if (!n)
		return 1;

	/* Warm-up: every allocator has seen every size before timing starts. */
	for (s = 0; s < NSIZES; s++)
		for (i = 0; i < n; i++)
			if (bench_pairs(allocs[i], sizes[s], bench_ops_for(sizes[s], 1)) < 0)
				failed[i][s] = 1;

	for (r = 0; r < o.rounds; r++) {
		for (s = 0; s < NSIZES; s++) {
			long ops = bench_ops_for(sizes[s], o.quick);
			char label[40], sz[16];

			snprintf(label, sizeof(label), "pair %s",
				 bench_size_str(sizes[s], sz, sizeof(sz)));
			for (i = 0; i < n; i++) {
				int k = bench_rotated(i, r, n);
				struct bench_alloc *a = allocs[k];
				struct bench_result *res;

				if (failed[k][s])
					continue;
				res = bench_result("sizes", label, sizes[s], 1, a);
				for (b = 0; b < o.batches; b++) {
					double ns = bench_pairs(a, sizes[s], ops);

					if (ns < 0) {
						fprintf(stderr, "# %s: allocation of %zu failed\n",
							a->name, sizes[s]);
						failed[k][s] = 1;
						break;
					}
					bench_sample(res, ns);
				}
			}
		}
	}
	for (i = 0; i < n; i++)
		for (s = 0; s < NSIZES; s++)
			if (failed[i][s])
				printf("# %s: cannot allocate %zu bytes\n",
				       allocs[i]->name, sizes[s]);
	bench_report(&o, "1. size sweep: alloc+free pair, one thread");
	bench_allocs_close();
	return 0;
}
