/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove statistics and the size-class table.  Include <groove/groove.h>.
 */
#ifndef GROOVE_STATS_H
#define GROOVE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <groove/data.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct groove_szc - one size class
 * @obj_footprint: bytes per object (a multiple of GROOVE_BLOCK_SIZE)
 * @obj_max:       largest object (bytes) at alignment <= 16; 0 for the
 *                 container class of 1 GiB volumes (holds superblocks only)
 * @obj_cnt:       objects per superblock (1..64)
 * @parent:        size class whose objects hold this class's superblocks,
 *                 or GROOVE_SZC_PARENT_VOLUME: the superblock fills a volume
 * @cgroup_cnt:    concurrency groups (active slots) of this class
 */
struct groove_szc {
	uint64_t obj_footprint;
	uint64_t obj_max;
	uint32_t obj_cnt;
	uint32_t parent;
	uint32_t cgroup_cnt;
	uint32_t reserved;
};

#define GROOVE_SZC_PARENT_VOLUME	0xffffffffu

/**
 * groove_szc_table - the size-class table for a volume size
 * @volume_size: a power of two in [2 MiB, 1 GiB]
 * @tab:         out: up to @max classes, smallest first
 * @max:         entries at @tab (GROOVE_SZC_MAX is always enough)
 *
 * The rule: footprints (in 512 B blocks) are every count from 1 to 9, then
 * four per doubling, 2^k * (1 + j/4) + 1, to 129 (the + 1 block for the
 * header: a power-of-two request of 4 KiB to 64 KiB fits with under a
 * block to spare), then two per doubling,
 * up to the largest object footprint L = min(10 MiB + 1 block,
 * volume_size - 2 blocks); the last class is L, plus, when 64 objects of L
 * do not fill a volume (1 GiB), a container class of a 64th of a volume.
 * One hub class (the largest of at most 2 MiB that fits 8 times in a
 * root slot) carries the
 * smaller classes' superblocks that fit it; the others go into a larger
 * class that fills well and has many objects, or into a whole volume (big
 * classes), with 2..64 objects (1..64 in a volume or a container); see
 * userlib/src/sizeclass.c for the exact rule.  Part of the shared layout
 * (GROOVE_ABI_VERSION 3 and later).
 *
 * Return: the number of classes, or 0 for a bad @volume_size.
 */
unsigned int groove_szc_table(uint64_t volume_size, struct groove_szc *tab,
			      unsigned int max);

/**
 * struct groove_szc_stats - usage of one size class
 * @objects:     objects handed out by groove_alloc()
 * @bytes:       sum of their sizes (as asked)
 * @superblocks: superblocks of this class
 * @free_objs:   free objects in those superblocks
 */
struct groove_szc_stats {
	uint64_t objects;
	uint64_t bytes;
	uint64_t superblocks;
	uint64_t free_objs;
};

/**
 * struct groove_stats - a snapshot of a groove
 * @volume_size:     bytes per volume
 * @volume_max:      slots
 * @volumes_present: slots holding a volume
 * @volumes_empty:   volumes on the empty-volume stack
 * @volumes_data:    volumes the data allocator uses
 * @objects:         objects allocated (all classes)
 * @bytes_in_use:    bytes asked by those allocations
 * @largest_alloc:   largest size groove_alloc() can satisfy now without new
 *                   volumes (alignment <= 16)
 * @szc_cnt:         size classes
 * @szc:             the size-class table
 * @szc_stats:       per size class usage
 * @bytes_reserved:  bytes the data volumes hold for size classes, counted
 *                   whole: every byte of every data volume (volume and
 *                   superblock header blocks, tail gaps after superblocks,
 *                   free objects of every class, live objects' footprints:
 *                   size asked, header, alignment pad, class spacing)
 *                   except @bytes_open.  Over @bytes_in_use: the honest
 *                   fragmentation.  Empty volumes are in neither.
 * @bytes_open:      free objects of the container class (1 GiB volumes: a
 *                   64th of a volume each, holding superblocks only): data
 *                   volume space that any class can still take
 */
struct groove_stats {
	uint64_t volume_size;
	uint32_t volume_max;
	uint32_t volumes_present;
	uint32_t volumes_empty;
	uint32_t volumes_data;
	uint64_t objects;
	uint64_t bytes_in_use;
	uint64_t largest_alloc;
	uint32_t szc_cnt;
	uint32_t reserved;
	struct groove_szc szc[GROOVE_SZC_MAX];
	struct groove_szc_stats szc_stats[GROOVE_SZC_MAX];
	uint64_t bytes_reserved;
	uint64_t bytes_open;
};

/**
 * groove_stats - walk the groove and fill @out
 * @g:   the join
 * @out: the snapshot
 *
 * Like groove_verify() it walks every data volume (bounded; exact only when
 * no thread allocates or frees meanwhile, approximate otherwise).
 *
 * Return: GROOVE_SUCCESS, GROOVE_ERR_INVAL, GROOVE_ERR_CORRUPT.
 */
int groove_stats(groove_t *g, struct groove_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* GROOVE_STATS_H */
