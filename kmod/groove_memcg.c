// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: volumes count against the memory cgroup of the task that adds
 * them.
 *
 * What the kernel lets a module do differs by path.  Volumes from the buddy
 * allocator (up to 4 MiB) are allocated with __GFP_ACCOUNT: a real charge
 * to the adder's memcg, visible in memory.current, enforced by memory.max
 * like any other allocation, uncharged when the pages are freed.  Contiguous
 * volumes from alloc_contig_range() cannot be charged: the charge functions
 * are not exported to modules on 6.1, 6.12 or 7.2.  For them the module
 * enforces the equivalent bound itself: an ADD is refused (-EDQUOT) when,
 * for the adder's memcg or any ancestor with a memory.max, its usage plus
 * the uncharged groove bytes held by it and its descendants plus the new
 * volume would pass memory.max.  Those bytes do not show in memory.current
 * and the OOM killer does not see them; groove's own byte limit still caps
 * them all.
 *
 * Each slot remembers the memcg it was added under (a css reference) from
 * ADD's claim until the volume is freed, so concurrent ADDs, in any groove,
 * see each other's reservations (groove_ledger.c sums them).
 */
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/sched/mm.h>

#include "groove_internal.h"

/**
 * groove_memcg_get() - the memory cgroup an ADD by current is charged to
 *
 * Return: a referenced memcg, or NULL without memory cgroups.
 */
struct mem_cgroup *groove_memcg_get(void)
{
#ifdef CONFIG_MEMCG
	if (mem_cgroup_disabled() || !current->mm)
		return NULL;
	return get_mem_cgroup_from_mm(current->mm);
#else
	return NULL;
#endif
}

/**
 * groove_memcg_hold() - take one more reference on @memcg
 * @memcg: a memcg referenced by the caller
 *
 * Return: @memcg.
 */
struct mem_cgroup *groove_memcg_hold(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	css_get(&memcg->css);
#endif
	return memcg;
}

/**
 * groove_memcg_put() - drop a reference from groove_memcg_get() or _hold()
 * @memcg: the memcg, or NULL
 */
void groove_memcg_put(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	mem_cgroup_put(memcg);
#endif
}

/**
 * groove_memcg_may_reserve() - may @memcg take @bytes of uncharged volumes?
 * @memcg: the adder's memcg, or NULL
 * @bytes: the volume bytes the ADD would reserve without a real charge
 *
 * Under the ledger's lock (groove_ledger.c): the uncharged bytes already
 * held count over every groove.
 *
 * Return: 0, or -EDQUOT when @memcg or an ancestor would pass memory.max.
 */
int groove_memcg_may_reserve(struct mem_cgroup *memcg, u64 bytes)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *m;

	if (!memcg || !bytes)
		return 0;
	for (m = memcg; m; m = parent_mem_cgroup(m)) {
		unsigned long max = READ_ONCE(m->memory.max);
		u64 used;

		if (max == PAGE_COUNTER_MAX)
			continue;
		used = ((u64)page_counter_read(&m->memory) << PAGE_SHIFT) +
		       groove_ledger_uncharged(m);
		if (used + bytes > ((u64)max << PAGE_SHIFT))
			return -EDQUOT;
	}
#endif
	return 0;
}
