/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every allocator under test behind one interface, so one benchmark loop
 * measures them all in the same process and the same run.
 *
 * The malloc peers are loaded so they never replace each other's malloc:
 * glibc is the process's own malloc; jemalloc is linked statically with its
 * public symbols renamed (bjem_*); mimalloc and tcmalloc are dlopen()ed with
 * RTLD_LOCAL | RTLD_DEEPBIND and called through their own entry points.
 * boost.interprocess and groove live in files under /dev/shm.
 */
#ifndef GROOVE_BENCH_ALLOCATORS_H
#define GROOVE_BENCH_ALLOCATORS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_MAX_ALLOCS	8

struct bench_alloc {
	const char *name;
	int subject;		/* the allocator under study (groove) */
	int shared;		/* objects reachable from other processes */
	int fixed_arena;	/* a bounded arena: largest_free is meaningful */

	/* Optional: called by each worker thread once, after pinning. */
	void (*thread_init)(int cpu);
	/* Optional: a thread (or a process about to _exit) is done with it. */
	void (*thread_fini)(void);
	void *(*alloc)(size_t sz, size_t align);
	void (*free)(void *p);

	/* Bytes the allocator holds from the OS or its arena; -1 if unknown. */
	int64_t (*reserved_bytes)(void);
	/*
	 * Optional: a line on where the reserved bytes go, and *old = the
	 * count of earlier figures when reserved_bytes changed its rule.
	 */
	int (*reserved_detail)(char *buf, size_t len, int64_t *old);
	/* Largest object that can still be allocated; -1 when unbounded. */
	int64_t (*largest_free)(void);

	/* Shared allocators only: map the arena in a child after fork(). */
	int (*attach)(void);
	uint64_t (*to_off)(const void *p);
	void *(*from_off)(uint64_t off);
};

/*
 * Open every available allocator whose name is in the comma list @only (all
 * when NULL).  Shared arenas are created under @shm_dir with room for
 * @arena_bytes.  Unavailable allocators are reported on stderr and skipped.
 * Returns the number of entries written to @out.
 */
int bench_allocs_open(const char *only, const char *shm_dir,
		      uint64_t arena_bytes, struct bench_alloc **out, int max);
/*
 * bench_allocs_open() for a single-threaded benchmark: also runs each
 * allocator's thread_init on the calling thread (index 0).
 */
int bench_allocs_open_here(const char *only, const char *shm_dir,
			   struct bench_alloc **out, int max);
/* Remove the shared arenas' files (parent process only). */
void bench_allocs_close(void);

/* Individual openers: 0 on success, else a negative value and a message. */
int bench_open_glibc(struct bench_alloc *a);
int bench_open_jemalloc(struct bench_alloc *a);
int bench_open_mimalloc(struct bench_alloc *a);
int bench_open_tcmalloc(struct bench_alloc *a);
int bench_open_boost(struct bench_alloc *a, const char *shm_dir,
		     uint64_t arena_bytes);
void bench_close_boost(void);
int bench_open_groove(struct bench_alloc *a, const char *shm_dir,
		      uint64_t arena_bytes);
void bench_close_groove(void);

#ifdef __cplusplus
}
#endif

#endif /* GROOVE_BENCH_ALLOCATORS_H */
