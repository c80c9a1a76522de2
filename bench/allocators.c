// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator list: opens each peer in a fixed order, honouring --only,
 * and removes the shared arenas' files at exit.
 */
#include <stdio.h>
#include <string.h>

#include "allocators.h"
#include "bench.h"

static struct bench_alloc table[BENCH_MAX_ALLOCS];

/* Is name in the comma-separated list (NULL: everything is)? */
static int wanted(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only || !*only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

int bench_allocs_open(const char *only, const char *shm_dir,
		      uint64_t arena_bytes, struct bench_alloc **out, int max)
{
	int n = 0;

	memset(table, 0, sizeof(table));
#define TRY(name, call)							\
	do {								\
		if (n < max && n < BENCH_MAX_ALLOCS && wanted(only, name)) { \
			memset(&table[n], 0, sizeof(table[n]));		\
			if ((call) == 0)				\
				out[n] = &table[n], n++;		\
		}							\
	} while (0)
	TRY("glibc", bench_open_glibc(&table[n]));
	TRY("jemalloc", bench_open_jemalloc(&table[n]));
	TRY("mimalloc", bench_open_mimalloc(&table[n]));
	TRY("tcmalloc", bench_open_tcmalloc(&table[n]));
	TRY("boost", bench_open_boost(&table[n], shm_dir, arena_bytes));
	TRY("groove", bench_open_groove(&table[n], shm_dir, arena_bytes));
#undef TRY
	if (!n)
		fprintf(stderr, "bench: no allocator available\n");
	return n;
}

void bench_allocs_close(void)
{
	bench_close_boost();
	bench_close_groove();
}

int bench_allocs_open_here(const char *only, const char *shm_dir,
			   struct bench_alloc **out, int max)
{
	int n = bench_allocs_open(only, shm_dir, BENCH_ARENA_BYTES, out, max);
	int i;

	for (i = 0; i < n; i++)
		if (out[i]->thread_init)
			out[i]->thread_init(0);
	return n;
}
