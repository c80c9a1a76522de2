// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_pairs: ns per operation of libgroove on the file backend (tmpfs),
 * next to glibc malloc and, when installed, mimalloc, in the same run.
 * Figures for the report, not a test: nothing is asserted.  Times are the
 * thread's CPU time (the machine is shared), best of 3 runs.
 *
 *   pair:  alloc + free of one object, repeated
 *   batch: 64 allocated, then the 64 freed (ns per alloc+free)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <groove/groove.h>
#include "test_util.h"

static groove_t *g;
static void *(*mi_malloc)(size_t);
static void (*mi_free)(void *);

static void *groove_a(size_t sz) { return groove_alloc(g, 0, sz, 0, NULL); }
static void groove_f(void *p) { groove_free(g, p); }

struct impl {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
};

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: the box is shared, wall time counts steal */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double pair(const struct impl *m, size_t sz, long n)
{
	double t0;
	long i;

	for (i = 0; i < n / 10; i++)	/* warm */
		m->free(m->alloc(sz));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		void *p = m->alloc(sz);

		*(volatile char *)p = 1;
		m->free(p);
	}
	return (now_ns() - t0) / n;
}

static double batch(const struct impl *m, size_t sz, long n)
{
	void *p[64];
	double t0;
	long i;
	int k;

	for (k = 0; k < 64; k++)
		p[k] = m->alloc(sz);
	for (k = 0; k < 64; k++)
		m->free(p[k]);
	t0 = now_ns();
	for (i = 0; i < n; i += 64) {
		for (k = 0; k < 64; k++) {
			p[k] = m->alloc(sz);
			*(volatile char *)p[k] = 1;
		}
		for (k = 0; k < 64; k++)
			m->free(p[k]);
	}
	return (now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 512, 4 << 10, 64 << 10, 1 << 20 };
	struct impl impls[3] = {
		{ "groove", groove_a, groove_f },
		{ "glibc", malloc, free },
		{ NULL, NULL, NULL },
	};
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	void *h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
	unsigned int s, i;

	g = test_groove_new(64ULL << 20, 32, 8, NULL, 0);
	if (!g) {
		perror("groove");
		return 1;
	}
	groove_cgroup_hint_set(0);
	if (h) {
		mi_malloc = (void *(*)(size_t))dlsym(h, "mi_malloc");
		mi_free = (void (*)(void *))dlsym(h, "mi_free");
		if (mi_malloc && mi_free) {
			impls[2].name = "mimalloc";
			impls[2].alloc = mi_malloc;
			impls[2].free = mi_free;
		}
	}
	printf("# ns (thread CPU time) per alloc+free, one thread, %ld ops, best of 3 (file backend, 64 MiB volumes)\n", n);
	printf("%-10s %10s %12s %12s\n", "impl", "size", "pair", "batch64");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (i = 0; i < 3 && impls[i].name; i++) {
			long m = sizes[s] > 4096 ? n / 4 : n;
			double bp = 1e30, bb = 1e30, t;
			int r;

			for (r = 0; r < 3; r++) {
				t = pair(&impls[i], sizes[s], m);
				bp = t < bp ? t : bp;
				t = batch(&impls[i], sizes[s], m);
				bb = t < bb ? t : bb;
			}
			printf("%-10s %10zu %12.1f %12.1f\n", impls[i].name, sizes[s], bp, bb);
		}
	}
	groove_close(g);
	return 0;
}
