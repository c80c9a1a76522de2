// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: the module's memory ledger, across every groove.
 *
 * Each groove's own limit bounds its members; on top, the sum of all
 * grooves' reservations stays within the module-wide cap (cap_bytes), and
 * the memcg bound of uncharged volumes (groove_memcg.c) counts the slots
 * of every groove.  groove_ledger_lock protects groove_list, the total and
 * every slot's memcg field.  Lock order: a groove's lock, then this one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>

#include "groove_internal.h"

static DEFINE_MUTEX(groove_ledger_lock);
static LIST_HEAD(groove_list);
static u64 groove_total;

static unsigned long long cap_bytes;
module_param_cb(cap_bytes, &groove_param_bytes_ops, &cap_bytes, 0444);
MODULE_PARM_DESC(cap_bytes,
		 "Most bytes of volume memory all grooves together may hold (default 0: half of RAM)");

/**
 * groove_ledger_cap() - the module-wide cap
 *
 * Return: cap_bytes, or half of RAM when it is 0.
 */
u64 groove_ledger_cap(void)
{
	return cap_bytes ? cap_bytes : ((u64)totalram_pages() << PAGE_SHIFT) / 2;
}

/**
 * groove_ledger_check() - validate cap_bytes at load
 *
 * Return: 0, or -EINVAL (logged) when it exceeds RAM.
 */
int groove_ledger_check(void)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (cap_bytes > ram) {
		pr_err("cap_bytes=%llu: above the %llu bytes of RAM\n", cap_bytes, ram);
		return -EINVAL;
	}
	return 0;
}

/**
 * groove_ledger_add() - count a groove in from now on
 * @g: a groove whose memory groove_dev_init() made
 */
void groove_ledger_add(struct groove_dev *g)
{
	mutex_lock(&groove_ledger_lock);
	list_add_tail(&g->ledger_node, &groove_list);
	mutex_unlock(&groove_ledger_lock);
}

/**
 * groove_ledger_del() - stop counting a groove that no file reaches
 * @g: the groove; its volumes are freed after this (their bytes leave the
 *     total as each slot is freed, groove_ledger_unreserve())
 */
void groove_ledger_del(struct groove_dev *g)
{
	mutex_lock(&groove_ledger_lock);
	list_del_init(&g->ledger_node);
	mutex_unlock(&groove_ledger_lock);
}

/**
 * groove_ledger_uncharged() - uncharged volume bytes of @m and its descendants
 * @m: a memcg
 *
 * Only slots of uncharged volumes hold a memcg.  Under groove_ledger_lock.
 *
 * Return: the bytes, over every groove.
 */
u64 groove_ledger_uncharged(struct mem_cgroup *m)
{
	u64 bytes = 0;
#ifdef CONFIG_MEMCG
	struct groove_dev *g;
	u32 idx;

	lockdep_assert_held(&groove_ledger_lock);
	list_for_each_entry(g, &groove_list, ledger_node)
		for (idx = 0; idx < g->volume_max; idx++) {
			struct mem_cgroup *owner = g->slots[idx].memcg;

			if (owner && mem_cgroup_is_descendant(owner, m))
				bytes += g->volume_size;
		}
#endif
	return bytes;
}

/**
 * groove_ledger_reserve() - reserve @count volumes of @g module-wide
 * @g:     the groove; its lock held, the slots at @idxs free
 * @count: volumes
 * @idxs:  their slots
 * @memcg: for volumes no memcg charge covers, the adder's memcg (the
 *         slots keep a reference each); else NULL
 *
 * Return: 0; -ENOSPC past the module-wide cap; -EDQUOT past @memcg's (or
 * an ancestor's) memory.max.  Nothing is reserved on failure.
 */
int groove_ledger_reserve(struct groove_dev *g, u32 count, const u32 *idxs,
			  struct mem_cgroup *memcg)
{
	u64 bytes = (u64)count << g->volume_shift;
	int err = 0;
	u32 n;

	lockdep_assert_held(&g->lock);
	mutex_lock(&groove_ledger_lock);
	if (groove_total + bytes > groove_ledger_cap()) {
		err = -ENOSPC;
		goto out;
	}
	err = groove_memcg_may_reserve(memcg, bytes);
	if (err)
		goto out;
	for (n = 0; memcg && n < count; n++)
		g->slots[idxs[n]].memcg = groove_memcg_hold(memcg);
	groove_total += bytes;
out:
	mutex_unlock(&groove_ledger_lock);
	return err;
}

/**
 * groove_ledger_unreserve() - a slot of @g gives its volume's bytes back
 * @g:   the groove; its lock held
 * @idx: the slot
 */
void groove_ledger_unreserve(struct groove_dev *g, u32 idx)
{
	struct groove_slot *slot = &g->slots[idx];

	lockdep_assert_held(&g->lock);
	mutex_lock(&groove_ledger_lock);
	groove_memcg_put(slot->memcg);
	slot->memcg = NULL;
	groove_total -= g->volume_size;
	mutex_unlock(&groove_ledger_lock);
}

/**
 * groove_ledger_total() - bytes all grooves hold or are allocating
 *
 * Return: the total.
 */
u64 groove_ledger_total(void)
{
	u64 total;

	mutex_lock(&groove_ledger_lock);
	total = groove_total;
	mutex_unlock(&groove_ledger_lock);
	return total;
}
