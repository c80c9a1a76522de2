// SPDX-License-Identifier: GPL-2.0
/*
 * libgroove on its file backend (a groove file under /dev/shm, or hugetlbfs
 * with --shm-dir), behind struct bench_alloc.
 *
 * Geometry: GROOVE_BENCH_VOLUME_SIZE (bytes, default 1 GiB, the module's
 * default) and as many slots as the arena size asks for; two volumes at
 * start, one more whenever an allocation finds none left (GROOVE_ERR_FULL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocators.h"

#ifdef HAVE_GROOVE
#include <groove/groove.h>

static groove_t *groove;
static char groove_path[256];
static pid_t groove_owner;

/*
 * Out of volumes: add one more, as an application (or its administrator)
 * would, and try again.  Off the fast path: only after GROOVE_ERR_FULL.
 */
static __attribute__((noinline)) void *groove_bench_grow(size_t sz, size_t align)
{
	void *p = NULL;
	int err = GROOVE_ERR_FULL;

	while (!p && err == GROOVE_ERR_FULL) {
		if (groove_add_volumes(groove, 1, -1, "bench", 5) != 1)
			return NULL;
		p = groove_alloc(groove, align, sz, 0, &err);
	}
	return p;
}

static void *groove_bench_alloc(size_t sz, size_t align)
{
	int err = GROOVE_SUCCESS;
	void *p;

	if (align <= GROOVE_ALIGN_DEFAULT)
		align = 0;
	p = groove_alloc(groove, align, sz, 0, &err);
	if (__builtin_expect(!p && err == GROOVE_ERR_FULL, 0))
		p = groove_bench_grow(sz, align);
	return p;
}

static void groove_bench_free(void *p)
{
	int err = groove_free(groove, p);

	if (err) {
		/* A benchmark that frees wrongly measures nothing: stop. */
		fprintf(stderr, "groove_free(%p): %s\n", p, groove_strerror(err));
		abort();
	}
}

static void groove_bench_thread_init(int cpu)
{
	groove_cgroup_hint_set((unsigned int)cpu);
}

/*
 * Bytes the groove holds for its size classes, counted whole
 * (groove_stats()'s bytes_reserved): every byte of the data volumes but the
 * container slots still open to any class.
 */
static int64_t groove_bench_reserved(void)
{
	static struct groove_stats st;

	if (groove_stats(groove, &st))
		return -1;
	return (int64_t)st.bytes_reserved;
}

/*
 * Where the held bytes go, and the count of earlier figures (before the
 * whole count: live objects' footprints plus free objects in superblocks
 * below volume level; it left out superblock and volume headers, tail gaps
 * and free objects of volume-level classes).  One line for bench_frag.
 */
static int groove_bench_reserved_detail(char *buf, size_t len, int64_t *old)
{
	static struct groove_stats st;
	uint64_t fp_live = 0, free_leaf = 0, free_carrier = 0, prev = 0, rest;
	unsigned int c;

	if (groove_stats(groove, &st))
		return -1;
	for (c = 0; c < st.szc_cnt && c < GROOVE_SZC_MAX; c++) {
		uint64_t fp = st.szc[c].obj_footprint, fr = st.szc_stats[c].free_objs * fp;
		/* a carrier here: it holds other classes' superblocks, no object */
		int carrier = !st.szc_stats[c].objects;

		fp_live += st.szc_stats[c].objects * fp;
		prev += st.szc_stats[c].objects * fp;
		if (st.szc[c].parent != GROOVE_SZC_PARENT_VOLUME)
			prev += fr;
		if (!st.szc[c].obj_max)
			continue;	/* container: bytes_open */
		if (carrier)
			free_carrier += fr;
		else
			free_leaf += fr;
	}
	rest = st.bytes_reserved - fp_live - free_leaf - free_carrier;
	*old = (int64_t)prev;
	snprintf(buf, len, "asked %.1f MiB, header and class spacing %.1f, free objects of "
		 "classes with objects %.1f, of carriers (no object) %.1f, superblock and volume headers "
		 "and tail gaps %.1f; open container slots %.1f (not counted)",
		 (double)st.bytes_in_use / 1048576, (double)(fp_live - st.bytes_in_use) / 1048576,
		 (double)free_leaf / 1048576, (double)free_carrier / 1048576,
		 (double)rest / 1048576, (double)st.bytes_open / 1048576);
	return 0;
}

/* Superblocks this thread holds go back to circulation (before _exit()). */
static void groove_bench_thread_fini(void)
{
	groove_thread_flush(groove);
}

static int64_t groove_bench_largest(void)
{
	static struct groove_stats st;

	if (groove_stats(groove, &st))
		return -1;
	return (int64_t)st.largest_alloc;
}

static int groove_bench_attach(void)
{
	/* The child's own join, mapped at an address of its own. */
	groove = groove_open(groove_path, 0);
	if (!groove) {
		fprintf(stderr, "groove: attach %s: %s\n", groove_path, strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t groove_bench_to_off(const void *p)
{
	return groove_off(groove, p);
}

static void *groove_bench_from_off(uint64_t off)
{
	return groove_ptr(groove, off);
}

int bench_open_groove(struct bench_alloc *a, const char *shm_dir,
		      uint64_t arena_bytes)
{
	const char *env = getenv("GROOVE_BENCH_VOLUME_SIZE");
	struct groove_geometry geo = { .volume_size = 1ULL << 30 };
	unsigned int count;
	int n;

	if (env && *env)
		geo.volume_size = strtoull(env, NULL, 0);
	/*
	 * Slots for the whole arena; volumes (file space) are added as the
	 * allocator runs out, starting with two.
	 */
	geo.volume_max = (uint32_t)((arena_bytes + geo.volume_size - 1) / geo.volume_size);
	count = geo.volume_max < 2 ? geo.volume_max : 2;
	snprintf(groove_path, sizeof(groove_path), "%s/groove-bench-%d",
		 shm_dir, (int)getpid());
	/*
	 * Fresh: a file of a killed run whose pid this one reuses is
	 * removed, not opened as it is (GROOVE_OPEN_CREATE alone would), and
	 * the create is create-only.
	 */
	unlink(groove_path);
	groove = groove_open(groove_path, GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL, &geo);
	if (!groove) {
		fprintf(stderr, "# skip: groove: create %s: %s\n", groove_path,
			strerror(errno));
		return -1;
	}
	groove_owner = getpid();
	n = groove_add_volumes(groove, count, -1, "bench", 5);
	if (n != (int)count) {
		fprintf(stderr, "# skip: groove: add %u volumes of %llu bytes: %s (%s)\n",
			count, (unsigned long long)geo.volume_size,
			groove_strerror(n < 0 ? n : GROOVE_ERR_FULL), strerror(errno));
		bench_close_groove();
		return -1;
	}
	a->name = "groove";
	a->subject = 1;
	a->shared = 1;
	a->fixed_arena = 1;
	a->thread_init = groove_bench_thread_init;
	a->thread_fini = groove_bench_thread_fini;
	a->alloc = groove_bench_alloc;
	a->free = groove_bench_free;
	a->reserved_bytes = groove_bench_reserved;
	a->reserved_detail = groove_bench_reserved_detail;
	a->largest_free = groove_bench_largest;
	a->attach = groove_bench_attach;
	a->to_off = groove_bench_to_off;
	a->from_off = groove_bench_from_off;
	return 0;
}

void bench_close_groove(void)
{
	if (groove && getpid() == groove_owner) {
		groove_close(groove);
		groove = NULL;
		unlink(groove_path);
	}
}

#else /* !HAVE_GROOVE */

int bench_open_groove(struct bench_alloc *a, const char *shm_dir,
		      uint64_t arena_bytes)
{
	(void)a, (void)shm_dir, (void)arena_bytes;
	fprintf(stderr, "# skip: groove: libgroove was not built (make -C userlib)\n");
	return -1;
}

void bench_close_groove(void)
{
}

#endif
