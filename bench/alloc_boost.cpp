// SPDX-License-Identifier: GPL-2.0
/*
 * The shared-memory peer: boost::interprocess::managed_shared_memory (a
 * best-fit tree under a process-shared mutex) in a /dev/shm segment.  The
 * only C++ in bench/.
 */
#include <boost/interprocess/managed_shared_memory.hpp>

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "allocators.h"

namespace bip = boost::interprocess;

static bip::managed_shared_memory *segment;
static std::string segment_name;
static pid_t segment_owner;

/* Alignments up to this are what the segment manager returns anyway. */
static const size_t boost_natural_align = 16;

static void *boost_alloc(size_t sz, size_t align)
{
	if (align <= boost_natural_align)
		return segment->allocate(sz, std::nothrow);
	return segment->allocate_aligned(sz, align, std::nothrow);
}

static void boost_free(void *p)
{
	segment->deallocate(p);
}

/*
 * Pages of the segment ever touched: what the arena holds from the OS (it
 * never gives pages back), holes between live objects included.
 */
static int64_t boost_reserved(void)
{
	std::string path = "/dev/shm/" + segment_name;
	struct stat st;

	if (stat(path.c_str(), &st))
		return -1;
	return (int64_t)st.st_blocks * 512;
}

/* Largest single object that still fits: binary search on real attempts. */
static int64_t boost_largest_free(void)
{
	size_t lo = 0, hi = segment->get_free_memory();

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		void *p = segment->allocate(mid, std::nothrow);

		if (p) {
			segment->deallocate(p);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return (int64_t)lo;
}

/* In a forked child: map the segment again, at an address of its own. */
static int boost_attach(void)
{
	try {
		/* The parent's mapping stays; the child works through its own. */
		segment = new bip::managed_shared_memory(bip::open_only,
							 segment_name.c_str());
	} catch (const std::exception &e) {
		std::fprintf(stderr, "boost: attach: %s\n", e.what());
		return -1;
	}
	return 0;
}

static uint64_t boost_to_off(const void *p)
{
	return (uint64_t)segment->get_handle_from_address(p);
}

static void *boost_from_off(uint64_t off)
{
	return segment->get_address_from_handle(
		(bip::managed_shared_memory::handle_t)off);
}

extern "C" int bench_open_boost(struct bench_alloc *a, const char *shm_dir,
				uint64_t arena_bytes)
{
	(void)shm_dir;	/* boost picks /dev/shm itself for shared memory */
	segment_name = "groove-bench-boost-" + std::to_string(getpid());
	segment_owner = getpid();
	bip::shared_memory_object::remove(segment_name.c_str());
	try {
		segment = new bip::managed_shared_memory(bip::create_only,
							 segment_name.c_str(),
							 arena_bytes);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "# skip: boost: %s\n", e.what());
		return -1;
	}
	a->name = "boost";
	a->shared = 1;
	a->fixed_arena = 1;
	a->alloc = boost_alloc;
	a->free = boost_free;
	a->reserved_bytes = boost_reserved;
	a->largest_free = boost_largest_free;
	a->attach = boost_attach;
	a->to_off = boost_to_off;
	a->from_off = boost_from_off;
	return 0;
}

extern "C" void bench_close_boost(void)
{
	if (segment && getpid() == segment_owner)
		bip::shared_memory_object::remove(segment_name.c_str());
}
