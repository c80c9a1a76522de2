// SPDX-License-Identifier: GPL-2.0
/*
 * Question 2: larson-style churn.  Each thread owns an array of slots and
 * replaces random slots (free the old object, allocate 512 B .. 64 KiB,
 * log-uniform).  After every batch the arrays rotate between the threads,
 * so with 2 threads about 40% of the frees are of objects another thread
 * allocated.  Figures are wall time / all threads' pairs: ns per pair of the
 * whole process, so perfect scaling halves it at 2 threads.
 *
 * Threads axis: 1, 2, 4, ... up to the online CPUs (sysconf), and the CPU
 * count itself when it is not a power of two, so a bigger machine shows how
 * each allocator scales; one thread per CPU at most (pinned), so the figures
 * are not about oversubscription.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* Most threads of any run (the axis stops at the CPU count below this). */
#define MAX_THREADS	256
#define MAX_COUNTS	10	/* 1, 2, 4, ..., 256 and one more */
#define SIZE_MIN	512
#define SIZE_MAX_	(64 << 10)
/* Sizes are drawn ahead of time so pow() is not part of the timed loop. */
#define NSIZES		65536
static uint32_t sizes[NSIZES];

struct churn {
	struct bench_alloc *a;
	int threads;
	long slots;		/* per array */
	long ops;		/* pairs per thread per batch */
	int batches;
	void **arrays[MAX_THREADS];
	pthread_barrier_t barrier;
	_Atomic int failed;	/* any thread's allocation failed */
	uint64_t batch_ns[BENCH_MAX_SAMPLES];
};

struct worker {
	struct churn *c;
	int id;
	uint64_t seed;
};

static void fill(struct churn *c, void **arr, uint64_t *seed)
{
	long i;

	for (i = 0; i < c->slots; i++) {
		arr[i] = c->a->alloc(bench_rand_size(seed, SIZE_MIN, SIZE_MAX_), 16);
		if (!arr[i]) {
			c->failed = 1;
			return;
		}
		bench_touch(arr[i], (uint64_t)i);
	}
}

static void drain(struct churn *c, void **arr)
{
	long i;

	for (i = 0; i < c->slots; i++) {
		if (arr[i])
			c->a->free(arr[i]);
		arr[i] = NULL;
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct churn *c = w->c;
	int b;

	bench_pin(w->id);
	if (c->a->thread_init)
		c->a->thread_init(w->id);
	fill(c, c->arrays[w->id], &w->seed);
	for (b = 0; b < c->batches; b++) {
		void **arr = c->arrays[(w->id + b) % c->threads];
		uint64_t t0 = 0;
		long i;

		pthread_barrier_wait(&c->barrier);
		if (w->id == 0)
			t0 = bench_now_ns();
		for (i = 0; i < c->ops && !c->failed; i++) {
			long k = (long)(bench_rand(&w->seed) % (uint64_t)c->slots);
			void *p;

			if (arr[k])
				c->a->free(arr[k]);
			p = c->a->alloc(sizes[bench_rand(&w->seed) % NSIZES], 16);
			arr[k] = p;
			if (!p) {
				c->failed = 1;
				break;
			}
			bench_touch(p, (uint64_t)i);
		}
		pthread_barrier_wait(&c->barrier);
		if (w->id == 0)
			c->batch_ns[b] = bench_now_ns() - t0;
	}
	pthread_barrier_wait(&c->barrier);
	drain(c, c->arrays[w->id]);
	return NULL;
}

/* One (allocator, thread count) block of batches; returns 0 on success. */
static int run_block(struct churn *c, uint64_t seed)
{
	static struct worker w[MAX_THREADS];
	static pthread_t tid[MAX_THREADS];
	int t;

	c->failed = 0;
	pthread_barrier_init(&c->barrier, NULL, (unsigned int)c->threads);
	for (t = 0; t < c->threads; t++) {
		w[t].c = c;
		w[t].id = t;
		w[t].seed = seed * 7919 + (uint64_t)t + 1;
		if (t && pthread_create(&tid[t], NULL, work, &w[t])) {
			perror("pthread_create");
			exit(1);
		}
	}
	work(&w[0]);
	for (t = 1; t < c->threads; t++)
		pthread_join(tid[t], NULL);
	pthread_barrier_destroy(&c->barrier);
	return c->failed ? -1 : 0;
}

/* The thread counts to run: powers of two below @cpus, then @cpus. */
static int thread_axis(int *counts)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = 0, t;

	if (cpus < 1)
		cpus = 1;
	if (cpus > MAX_THREADS)
		cpus = MAX_THREADS;
	for (t = 1; t < cpus; t *= 2)
		counts[n++] = t;
	counts[n++] = (int)cpus;
	return n;
}

int main(int argc, char **argv)
{
	struct bench_alloc *allocs[BENCH_MAX_ALLOCS];
	int failed[BENCH_MAX_ALLOCS][MAX_COUNTS] = { { 0 } };
	int counts[MAX_COUNTS], ncounts, x;
	struct bench_opts o;
	struct churn c;
	int n, r, i, t, b;

	bench_parse_opts(&o, argc, argv, NULL);
	n = bench_allocs_open(o.only, o.shm_dir, BENCH_ARENA_BYTES, allocs, BENCH_MAX_ALLOCS);
	if (!n)
		return 1;
	memset(&c, 0, sizeof(c));
	{
		uint64_t seed = 42;

		for (i = 0; i < NSIZES; i++)
			sizes[i] = (uint32_t)bench_rand_size(&seed, SIZE_MIN, SIZE_MAX_);
	}
	c.slots = o.quick ? 1024 : 4096;
	c.ops = 2 * c.slots;
	c.batches = o.batches;
	ncounts = thread_axis(counts);
	for (t = 0; t < counts[ncounts - 1]; t++) {
		c.arrays[t] = calloc((size_t)c.slots, sizeof(void *));
		if (!c.arrays[t])
			return 1;
	}

	for (r = 0; r < o.rounds; r++) {
		for (x = 0; x < ncounts; x++) {
			char label[40];

			snprintf(label, sizeof(label), "churn 512 B-64 KiB");
			for (i = 0; i < n; i++) {
				int k = bench_rotated(i, r, n);
				struct bench_result *res;

				t = counts[x];
				if (failed[k][x])
					continue;
				c.a = allocs[k];
				c.threads = t;
				if (run_block(&c, (uint64_t)r + 1)) {
					failed[k][x] = 1;
					continue;
				}
				res = bench_result("churn", label, 0, t, c.a);
				for (b = 0; b < c.batches; b++)
					bench_sample(res, (double)c.batch_ns[b] /
						     (double)(c.ops * t));
			}
		}
	}
	for (i = 0; i < n; i++)
		for (x = 0; x < ncounts; x++)
			if (failed[i][x])
				printf("# %s: an allocation failed at %d threads\n",
				       allocs[i]->name, counts[x]);
	bench_report(&o, "2. larson churn, cross-thread frees (ns per pair, all threads)");
	bench_allocs_close();
	return 0;
}
