// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_icount: the cases of bench_pairs (groove only, same geometry, same
 * loops), one at a time, in a function of its own so that callgrind counts
 * exactly the measured loop (valgrind counts are repeatable on a loaded
 * box, ns are not):
 *
 *   valgrind --tool=callgrind --toggle-collect=icount_run \
 *       --callgrind-out-file=/dev/null build/tests/plain/bench_icount pair 512 64000
 *
 * and divide the "Collected" Ir by the op count (64000 here: alloc+free
 * pairs, the batch case counts each alloc+free of a batch as one op).  A
 * fourth argument sets the volume size in MiB (default 64; 1024 is the
 * bench's, where 1 MiB and 10 MiB objects have no thread cache).
 * `make -C tests icount` prints every case.  Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <groove/groove.h>
#include "test_util.h"

static groove_t *g;

static __attribute__((noinline)) void icount_run(int batch, size_t sz, long n)
{
	void *p[64];
	long i;
	int k;

	if (!batch) {
		for (i = 0; i < n; i++) {
			void *q = groove_alloc(g, 0, sz, 0, NULL);

			*(volatile char *)q = 1;
			groove_free(g, q);
		}
		return;
	}
	for (i = 0; i < n; i += 64) {
		for (k = 0; k < 64; k++) {
			p[k] = groove_alloc(g, 0, sz, 0, NULL);
			*(volatile char *)p[k] = 1;
		}
		for (k = 0; k < 64; k++)
			groove_free(g, p[k]);
	}
}

int main(int argc, char **argv)
{
	int batch = argc > 1 && !strcmp(argv[1], "batch");
	size_t sz = argc > 2 ? (size_t)atol(argv[2]) : 512;
	long n = argc > 3 ? atol(argv[3]) : 64000, i;
	/* volume size in MiB (64: 8 volumes; 1024, the bench's: 2) */
	uint64_t vol_mib = argc > 4 ? strtoull(argv[4], NULL, 0) : 64;
	void *p[64];
	int k;

	g = test_groove_new(vol_mib << 20, 32, vol_mib >= 1024 ? 2 : 8, NULL, 0);
	if (!g) {
		perror("groove");
		return 1;
	}
	groove_cgroup_hint_set(0);
	/* warm, as bench_pairs does: the superblocks are held before counting */
	for (i = 0; i < n / 10; i++)
		groove_free(g, groove_alloc(g, 0, sz, 0, NULL));
	for (k = 0; k < 64; k++)
		p[k] = groove_alloc(g, 0, sz, 0, NULL);
	for (k = 0; k < 64; k++)
		groove_free(g, p[k]);
	icount_run(batch, sz, n);
	groove_close(g);
	return 0;
}
