/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two single-thread allocation patterns of groove's design performance
 * table, timed as one batch: alloc+free pairs, and k allocated then freed.
 */
#ifndef GROOVE_BENCH_PATTERNS_H
#define GROOVE_BENCH_PATTERNS_H

#include "bench.h"

/* Objects are 16-byte aligned, what malloc gives without asking. */
#define BENCH_ALIGN	16

/*
 * n times: allocate sz bytes, write the first word, free.  Returns ns per
 * pair, or a negative value when an allocation failed.
 */
double bench_pairs(const struct bench_alloc *a, size_t sz, long n);

/*
 * n / k times: allocate k objects of sz bytes (writing each one's first
 * word), then free them in allocation order.  Returns ns per object (one
 * alloc plus one free), or a negative value when an allocation failed.
 */
double bench_k_then_free(const struct bench_alloc *a, size_t sz, int k, long n);

/* Pairs per timed batch: ~1 ms for a fast allocator at every size. */
long bench_ops_for(size_t sz, int quick);

#endif /* GROOVE_BENCH_PATTERNS_H */
