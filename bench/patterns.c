// SPDX-License-Identifier: GPL-2.0
/* The timed loops behind bench_sizes and bench_large. */
#include <stdio.h>

#include "patterns.h"

double bench_pairs(const struct bench_alloc *a, size_t sz, long n)
{
	uint64_t t0 = bench_now_ns();
	long i;

	for (i = 0; i < n; i++) {
		void *p = a->alloc(sz, BENCH_ALIGN);

		if (!p)
			return -1;
		bench_touch(p, (uint64_t)i);
		a->free(p);
	}
	return (double)(bench_now_ns() - t0) / (double)n;
}

#define BENCH_K_MAX	256

double bench_k_then_free(const struct bench_alloc *a, size_t sz, int k, long n)
{
	void *objs[BENCH_K_MAX];
	long rounds = n / k > 0 ? n / k : 1, r;
	uint64_t t0;
	int i;

	if (k > BENCH_K_MAX)
		k = BENCH_K_MAX;
	t0 = bench_now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < k; i++) {
			objs[i] = a->alloc(sz, BENCH_ALIGN);
			if (!objs[i]) {
				while (i--)
					a->free(objs[i]);
				return -1;
			}
			bench_touch(objs[i], (uint64_t)i);
		}
		for (i = 0; i < k; i++)
			a->free(objs[i]);
	}
	return (double)(bench_now_ns() - t0) / (double)(rounds * k);
}

long bench_ops_for(size_t sz, int quick)
{
	long n;

	if (sz <= 4096)
		n = 20000;
	else if (sz <= 65536)
		n = 8192;
	else if (sz <= (1 << 20))
		n = 2048;
	else
		n = 512;
	return quick ? n / 8 : n;
}
