// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: volume memory.  A volume is physically contiguous, aligned to
 * its size and zeroed before anyone can map it.
 *
 * Up to the buddy allocator's largest order (4 MiB on x86-64) alloc_pages()
 * gives exactly that.  Above it, we scan size-aligned candidate ranges of
 * every populated zone, from ZONE_MOVABLE down to ZONE_DMA32 (small machines
 * and VMs keep all their RAM in DMA32), skip ranges holding offline,
 * reserved or hugetlb pages, and claim the first one alloc_contig_range()
 * can empty by migration.  This runs with no lock the fault path takes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "groove_internal.h"
#include "groove_compat.h"

#define GROOVE_GFP	(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* Every page of [pfn, pfn + nr) is online RAM of @zone that migration may move. */
static bool groove_range_usable(struct zone *zone, unsigned long pfn,
				unsigned long nr)
{
	unsigned long end = pfn + nr;
	struct page *page;

	for (; pfn < end; pfn++) {
		page = pfn_to_online_page(pfn);
		if (!page || page_zone(page) != zone || PageReserved(page) ||
		    PageHuge(page))
			return false;
		if (!(pfn & (PAGES_PER_SECTION - 1)))
			cond_resched();
	}
	return true;
}

/* Claim an aligned range of @zone, or return false. */
static bool groove_contig_zone(struct zone *zone, unsigned long nr,
			       unsigned long *pfn_out)
{
	unsigned long pfn = ALIGN(zone->zone_start_pfn, nr);
	unsigned long end = zone_end_pfn(zone);

	for (; pfn + nr <= end && pfn + nr > pfn; pfn += nr) {
		if (fatal_signal_pending(current))
			return false;
		if (!groove_range_usable(zone, pfn, nr))
			continue;
		if (!groove_alloc_contig_range(pfn, pfn + nr, GROOVE_GFP)) {
			*pfn_out = pfn;
			return true;
		}
		cond_resched();
	}
	return false;
}

static bool groove_contig_alloc(unsigned long nr, int node,
				unsigned long *pfn_out)
{
	int nid, zi;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		if (node != NUMA_NO_NODE && nid != node)
			continue;
		for (zi = ZONE_MOVABLE; zi >= GROOVE_LOWEST_ZONE; zi--) {
			struct zone *zone = &pgdat->node_zones[zi];

			if (!populated_zone(zone))
				continue;
			if (groove_contig_zone(zone, nr, pfn_out))
				return true;
		}
	}
	return false;
}

static void groove_zero_range(unsigned long pfn, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		clear_highpage(pfn_to_page(pfn + i));
		if (!((i + 1) & 511))
			cond_resched();
	}
}

/**
 * groove_volume_alloc() - allocate one zeroed, contiguous, aligned volume
 * @g:    the device (for the volume size)
 * @node: NUMA node, or NUMA_NO_NODE for any
 *
 * Sleeps.  Takes no groove lock.
 *
 * Return: the volume with its slot index unset, or NULL.
 */
struct groove_volume *groove_volume_alloc(struct groove_dev *g, int node)
{
	unsigned int order = g->volume_shift - PAGE_SHIFT;
	unsigned long nr = 1UL << order;
	struct groove_volume *vol;
	struct page *page;

	vol = kzalloc(sizeof(*vol), GFP_KERNEL);
	if (!vol)
		return NULL;

	if (order <= GROOVE_MAX_BUDDY_ORDER) {
		gfp_t gfp = GROOVE_GFP | __GFP_ZERO;

		if (node == NUMA_NO_NODE)
			page = alloc_pages(gfp, order);
		else
			page = alloc_pages_node(node, gfp | __GFP_THISNODE,
						order);
		if (!page)
			goto err;
		/*
		 * Split into order-0 pages, each with its own reference, as
		 * alloc_contig_range() leaves its range: a non-compound block
		 * would leave its tail pages at refcount 0 while mapped.
		 * Both kinds are then freed the same way.
		 */
		split_page(page, order);
		vol->pfn = page_to_pfn(page);
		vol->order = order;
	} else {
		if (!groove_contig_alloc(nr, node, &vol->pfn))
			goto err;
		vol->order = -1;
		groove_zero_range(vol->pfn, nr);
	}
	vol->node = page_to_nid(pfn_to_page(vol->pfn));
	return vol;
err:
	kfree(vol);
	return NULL;
}

/**
 * groove_volume_free() - give a volume's memory back
 * @g:   the device
 * @vol: a volume no mapping and no slot reaches any more
 */
void groove_volume_free(struct groove_dev *g, struct groove_volume *vol)
{
	/* Order-0 pages with a reference each, whichever path gave them. */
	free_contig_range(vol->pfn, g->volume_size >> PAGE_SHIFT);
	kfree(vol);
}

/**
 * groove_volume_hdr() - kernel address of a volume's header block
 * @vol: the volume
 *
 * Volume memory comes from the direct map (no highmem on 64-bit).
 *
 * Return: the volume's first 512-byte block.
 */
struct groove_volume_hdr *groove_volume_hdr(struct groove_volume *vol)
{
	return page_address(pfn_to_page(vol->pfn));
}
