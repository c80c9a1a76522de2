// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: volume memory.  A volume is physically contiguous, aligned to
 * its size and zeroed before anyone can map it.
 *
 * Up to the buddy allocator's largest order (4 MiB on x86-64) alloc_pages()
 * gives exactly that.  Above it we follow the kernel's rule for unmovable
 * gigantic allocations (alloc_contig_pages(), hugetlb's runtime gigantic
 * pages): the zones of a GFP_KERNEL zonelist, nearest node first, highest
 * zone first (so ZONE_NORMAL before DMA32), never ZONE_MOVABLE unless the
 * administrator opts in (movable_zones=1), never CMA pageblocks (the core
 * refuses to isolate them for a non-CMA alloc_contig_range()).  A zone is
 * tried only while it keeps its high watermark and its lowmem reserve after
 * giving the volume up, so a volume never drains DMA32 or pushes a zone
 * into reclaim.  A candidate range is tried only when every page in it is
 * free or movable: one slab or page-table page would make
 * alloc_contig_range() migrate up to a GiB of other users' pages and then
 * fail.  A fatal signal stops the search with -EINTR.  This runs with no
 * lock the fault path takes.
 *
 * A large range is claimed in parts, one per online CPU (up to
 * GROOVE_PARTS_MAX, none under GROOVE_PART_MIN_PAGES), each by its own
 * alloc_contig_range() on a worker of the unbound workqueue while the
 * caller claims the first part.  Zeroing is most of the time a 1 GiB
 * volume takes (one 4 KiB page at a time, by the page allocator when
 * init_on_alloc is on, as in Debian, else here), and it is done once, on
 * all parts at the same time.  The parts are aligned to the largest buddy
 * order, so no free buddy block and no pageblock lies across two of them.
 * A volume is all its parts or none.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/log2.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "groove_internal.h"
#include "groove_compat.h"

#define GROOVE_GFP	(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* Parts of a large range claimed at once; each at least 64 MiB. */
#define GROOVE_PARTS_MAX	16U
#define GROOVE_PART_MIN_PAGES	(SZ_64M >> PAGE_SHIFT)

static bool movable_zones;
module_param(movable_zones, bool, 0444);
MODULE_PARM_DESC(movable_zones,
		 "Also place volumes in ZONE_MOVABLE (default N: volumes never move, so there they would make memory offline and virtio-mem unplug fail)");

/*
 * Could alloc_contig_range() empty [pfn, pfn + nr) of @zone?  Every page
 * must be online RAM of @zone, neither reserved nor hugetlb, and free
 * (refcount 0: buddy, per-CPU lists) or movable (on an LRU, or with movable
 * ops).  A hint: the state may change before the range is isolated.
 */
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
		if (page_count(page) && !PageLRU(page) &&
		    !groove_page_movable_ops(page))
			return false;
		if (!(pfn & (PAGES_PER_SECTION - 1)))
			cond_resched();
	}
	return true;
}

/* Does @zone keep its reserves if @nr of its pages become a volume? */
static bool groove_zone_can_give(struct zone *zone, unsigned long nr,
				 enum zone_type highest)
{
	unsigned long free = zone_page_state(zone, NR_FREE_PAGES);

	return free >= nr + high_wmark_pages(zone) + zone->lowmem_reserve[highest];
}

/*
 * Has the page allocator zeroed what alloc_contig_range() gave us?  It
 * passes every page it hands out through post_alloc_hook(), which clears
 * it when init_on_alloc is on; with init_on_free on, it clears pages when
 * they are freed instead and relies on free pages being zero, as every
 * __GFP_ZERO allocation does.  Page poisoning (page_poison=1) turns both
 * off.  The same test as post_alloc_hook()'s, so that a volume is never
 * cleared twice and never left uncleared.
 */
static bool groove_contig_zeroed(void)
{
	return want_init_on_free() || want_init_on_alloc(GROOVE_GFP);
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

/* One part of a range, claimed and zeroed by a worker or by the caller. */
struct groove_part {
	struct work_struct work;
	unsigned long pfn;
	unsigned long nr;
	int err;
};

static void groove_part_claim(struct groove_part *part)
{
	part->err = groove_alloc_contig_range(part->pfn, part->pfn + part->nr,
					      GROOVE_GFP);
	if (!part->err && !groove_contig_zeroed())
		groove_zero_range(part->pfn, part->nr);
}

static void groove_part_work(struct work_struct *work)
{
	groove_part_claim(container_of(work, struct groove_part, work));
}

/* How many parts [pfn, pfn + nr) is claimed in: a power of two. */
static unsigned int groove_nr_parts(unsigned long nr)
{
	unsigned int parts = min(num_online_cpus(), GROOVE_PARTS_MAX);

	parts = rounddown_pow_of_two(parts);
	while (parts > 1 && nr / parts < GROOVE_PART_MIN_PAGES)
		parts >>= 1;
	return parts;
}

/*
 * Claim and zero [pfn, pfn + nr), in parts on several CPUs when it is
 * large: 0, or the first error of a part (-EINTR first: only the caller's
 * part sees the caller's signals), with every part given back.  The caller
 * waits for the workers; they do what alloc_contig_range() does in the
 * caller, and the zeroing loop yields every 2 MiB.
 */
static int groove_claim_range(unsigned long pfn, unsigned long nr)
{
	unsigned int parts = groove_nr_parts(nr), i;
	struct groove_part one, *part = &one;
	int err = 0;

	if (parts > 1) {
		part = kcalloc(parts, sizeof(*part), GFP_KERNEL);
		if (!part) {
			part = &one;
			parts = 1;
		}
	}
	for (i = 0; i < parts; i++) {
		part[i].nr = nr / parts;
		part[i].pfn = pfn + i * part[i].nr;
	}
	for (i = 1; i < parts; i++) {
		INIT_WORK(&part[i].work, groove_part_work);
		queue_work(system_unbound_wq, &part[i].work);
	}
	groove_part_claim(&part[0]);
	for (i = 1; i < parts; i++)
		flush_work(&part[i].work);

	for (i = 0; i < parts; i++)
		if (part[i].err && (!err || part[i].err == -EINTR))
			err = part[i].err;
	if (err)
		for (i = 0; i < parts; i++)
			if (!part[i].err)
				free_contig_range(part[i].pfn, part[i].nr);
	if (part != &one)
		kfree(part);
	return err;
}

/* Claim and zero an aligned range of @zone: 0, -ENOMEM, or -EINTR. */
static int groove_contig_zone(struct zone *zone, unsigned long nr,
			      unsigned long *pfn_out)
{
	unsigned long pfn = ALIGN(zone->zone_start_pfn, nr);
	unsigned long end = zone_end_pfn(zone);
	int err;

	for (; pfn + nr <= end && pfn + nr > pfn; pfn += nr) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (!groove_range_usable(zone, pfn, nr))
			continue;
		err = groove_claim_range(pfn, nr);
		if (!err) {
			*pfn_out = pfn;
			return 0;
		}
		if (err == -EINTR)
			return err;
		cond_resched();
	}
	return -ENOMEM;
}

/*
 * The zones of the zonelist a GFP_KERNEL (or, opted in, a movable)
 * allocation on @node would use, in its order.  The zonerefs are walked by
 * hand: the core's iterator calls a helper modules cannot link against.
 */
static int groove_contig_alloc(unsigned long nr, int node,
			       unsigned long *pfn_out)
{
	gfp_t mask = movable_zones ? GFP_HIGHUSER_MOVABLE : GFP_KERNEL;
	enum zone_type highest = gfp_zone(mask);
	struct zonelist *zl;
	struct zoneref *z;
	struct zone *zone;
	int err;

	zl = node_zonelist(node == NUMA_NO_NODE ? numa_node_id() : node, mask);
	for (z = zl->_zonerefs; zonelist_zone(z); z++) {
		zone = zonelist_zone(z);
		if (zonelist_zone_idx(z) > highest ||
		    zonelist_zone_idx(z) < GROOVE_LOWEST_ZONE ||
		    (node != NUMA_NO_NODE && zone_to_nid(zone) != node) ||
		    !populated_zone(zone) ||
		    !groove_zone_can_give(zone, nr, highest))
			continue;
		err = groove_contig_zone(zone, nr, pfn_out);
		if (err != -ENOMEM)
			return err;
	}
	return -ENOMEM;
}

/**
 * groove_volume_charged() - do this device's volumes come with a memcg charge?
 * @g: the device
 *
 * Return: true when volumes come from the buddy allocator (__GFP_ACCOUNT),
 * false for alloc_contig_range() volumes, which nothing charges.
 */
bool groove_volume_charged(struct groove_dev *g)
{
	return g->volume_shift - PAGE_SHIFT <= GROOVE_MAX_BUDDY_ORDER;
}

/**
 * groove_volume_alloc() - allocate one zeroed, contiguous, aligned volume
 * @g:    the device (for the volume size)
 * @node: NUMA node, or NUMA_NO_NODE for any
 *
 * Sleeps.  Takes no groove lock.
 *
 * Return: the volume with its slot index unset; ERR_PTR(-ENOMEM) when no
 * memory can be found (or none without eating a zone's reserves);
 * ERR_PTR(-EINTR) on a fatal signal.
 */
struct groove_volume *groove_volume_alloc(struct groove_dev *g, int node)
{
	unsigned int order = g->volume_shift - PAGE_SHIFT;
	unsigned long nr = 1UL << order;
	struct groove_volume *vol;
	struct page *page;
	int err = -ENOMEM;

	vol = kzalloc(sizeof(*vol), GFP_KERNEL);
	if (!vol)
		return ERR_PTR(-ENOMEM);

	if (groove_volume_charged(g)) {
		/* Charged to current's memcg (groove_memcg.c). */
		gfp_t gfp = GROOVE_GFP | __GFP_ZERO | __GFP_ACCOUNT;

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
		err = groove_contig_alloc(nr, node, &vol->pfn);
		if (err)
			goto err;
		vol->order = -1;
	}
	vol->node = page_to_nid(pfn_to_page(vol->pfn));
	return vol;
err:
	kfree(vol);
	return ERR_PTR(err);
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
