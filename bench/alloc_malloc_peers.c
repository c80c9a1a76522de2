// SPDX-License-Identifier: GPL-2.0
/*
 * The process-private peers: glibc malloc, jemalloc, mimalloc and tcmalloc,
 * each behind struct bench_alloc without replacing anybody's malloc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators.h"

/* Alignments up to this are what every malloc returns anyway. */
#define MALLOC_NATURAL_ALIGN	16

/* ---- glibc: the process's own malloc ---- */

static void *glibc_alloc(size_t sz, size_t align)
{
	if (align <= MALLOC_NATURAL_ALIGN)
		return malloc(sz);
	return memalign(align, sz);
}

static void glibc_free(void *p)
{
	free(p);
}

static int64_t glibc_reserved(void)
{
	struct mallinfo2 mi = mallinfo2();

	/* Heap bytes from brk/mmap arenas plus directly mmapped chunks. */
	return (int64_t)(mi.arena + mi.hblkhd);
}

int bench_open_glibc(struct bench_alloc *a)
{
	a->name = "glibc";
	a->alloc = glibc_alloc;
	a->free = glibc_free;
	a->reserved_bytes = glibc_reserved;
	return 0;
}

/* ---- jemalloc: static, public symbols renamed bjem_* by the Makefile ---- */

void *bjem_malloc(size_t sz);
void *bjem_mallocx(size_t sz, int flags);
void bjem_free(void *p);
int bjem_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
		 size_t newlen);

/* MALLOCX_ALIGN(a) from jemalloc.h: log2(a), valid for powers of two. */
#define BJEM_MALLOCX_ALIGN(a)	((int)__builtin_ctzl(a))

static void *je_alloc(size_t sz, size_t align)
{
	if (align <= MALLOC_NATURAL_ALIGN)
		return bjem_malloc(sz);
	return bjem_mallocx(sz, BJEM_MALLOCX_ALIGN(align));
}

static void je_free(void *p)
{
	bjem_free(p);
}

static int64_t je_reserved(void)
{
	uint64_t epoch = 1;
	size_t len = sizeof(epoch), resident;

	/* Statistics are refreshed by writing the epoch. */
	bjem_mallctl("epoch", &epoch, &len, &epoch, len);
	len = sizeof(resident);
	if (bjem_mallctl("stats.resident", &resident, &len, NULL, 0))
		return -1;
	return (int64_t)resident;
}

int bench_open_jemalloc(struct bench_alloc *a)
{
	a->name = "jemalloc";
	a->alloc = je_alloc;
	a->free = je_free;
	a->reserved_bytes = je_reserved;
	return 0;
}

/* ---- dlopen()ed peers: local symbols, their own calls bind to themselves ---- */

static void *dl_open(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);

	if (!h)
		fprintf(stderr, "# skip: %s: %s\n", lib, dlerror());
	return h;
}

static void *dl_sym(void *h, const char *lib, const char *sym)
{
	void *f = dlsym(h, sym);

	if (!f)
		fprintf(stderr, "# skip: %s: no %s\n", lib, sym);
	return f;
}

/* mimalloc */
static void *(*mi_malloc_p)(size_t);
static void *(*mi_malloc_aligned_p)(size_t, size_t);
static void (*mi_free_p)(void *);
static void (*mi_process_info_p)(size_t *, size_t *, size_t *, size_t *,
				  size_t *, size_t *, size_t *, size_t *);

static void *mi_alloc(size_t sz, size_t align)
{
	if (align <= MALLOC_NATURAL_ALIGN)
		return mi_malloc_p(sz);
	return mi_malloc_aligned_p(sz, align);
}

static void mi_free_(void *p)
{
	mi_free_p(p);
}

static int64_t mi_reserved(void)
{
	size_t el, ut, st, rss, prss, commit, pcommit, pf;

	/* Committed bytes are mimalloc's own count, not the process's RSS. */
	mi_process_info_p(&el, &ut, &st, &rss, &prss, &commit, &pcommit, &pf);
	return (int64_t)commit;
}

int bench_open_mimalloc(struct bench_alloc *a)
{
	static const char lib[] = "libmimalloc.so.2";
	void *h = dl_open(lib);

	if (!h)
		return -1;
	mi_malloc_p = dl_sym(h, lib, "mi_malloc");
	mi_malloc_aligned_p = dl_sym(h, lib, "mi_malloc_aligned");
	mi_free_p = dl_sym(h, lib, "mi_free");
	mi_process_info_p = dl_sym(h, lib, "mi_process_info");
	if (!mi_malloc_p || !mi_malloc_aligned_p || !mi_free_p ||
	    !mi_process_info_p)
		return -1;
	a->name = "mimalloc";
	a->alloc = mi_alloc;
	a->free = mi_free_;
	a->reserved_bytes = mi_reserved;
	return 0;
}

/* tcmalloc (gperftools, the minimal build: no profiler hooks) */
static void *(*tc_malloc_p)(size_t);
static void *(*tc_memalign_p)(size_t, size_t);
static void (*tc_free_p)(void *);
static int (*tc_prop_p)(const char *, size_t *);

static void *tc_alloc(size_t sz, size_t align)
{
	if (align <= MALLOC_NATURAL_ALIGN)
		return tc_malloc_p(sz);
	return tc_memalign_p(align, sz);
}

static void tc_free_(void *p)
{
	tc_free_p(p);
}

static int64_t tc_reserved(void)
{
	size_t heap = 0, unmapped = 0;

	if (!tc_prop_p("generic.heap_size", &heap) ||
	    !tc_prop_p("tcmalloc.pageheap_unmapped_bytes", &unmapped))
		return -1;
	return (int64_t)(heap - unmapped);
}

int bench_open_tcmalloc(struct bench_alloc *a)
{
	static const char lib[] = "libtcmalloc_minimal.so.4";
	void *h = dl_open(lib);

	if (!h)
		return -1;
	tc_malloc_p = dl_sym(h, lib, "tc_malloc");
	tc_memalign_p = dl_sym(h, lib, "tc_memalign");
	tc_free_p = dl_sym(h, lib, "tc_free");
	tc_prop_p = dl_sym(h, lib, "MallocExtension_GetNumericProperty");
	if (!tc_malloc_p || !tc_memalign_p || !tc_free_p || !tc_prop_p)
		return -1;
	a->name = "tcmalloc";
	a->alloc = tc_alloc;
	a->free = tc_free_;
	a->reserved_bytes = tc_reserved;
	return 0;
}
