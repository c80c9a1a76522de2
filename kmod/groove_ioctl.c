// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: the ioctls.  INFO reports the geometry and usage; ADD and
 * REMOVE move volumes in and out of the slots and the shared empty-volume
 * stack; VOLUME_PHYS tells root where a volume sits in physical memory.
 *
 * The shared header is user memory that any process with a writable mapping
 * may scribble on.  Nothing read from it is trusted: a popped index must name
 * a slot the kernel's private table says is present, the volume's own header
 * must say it is empty, CAS loops are bounded, and whatever does not add up
 * is -EUCLEAN and a rate-limited log line, never a crash or a wrong free.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "groove_internal.h"
#include "../common/groove_vstack.h"

/*
 * Attempts at pushing on the shared stack before giving up with -EAGAIN: a
 * busy head (a claim: a process is taking or giving back a volume) clears
 * in microseconds, unless its claimer died, and then only libgroove's
 * online reclaim clears it.
 */
#define GROOVE_VSTACK_TRIES	BIT(16)
/*
 * Failed pop attempts one REMOVE may spend in all, however many volumes it
 * pops: a member that keeps bumping the stack head must not keep the
 * ioctl (or the lock between its pops) busy for long.
 */
#define GROOVE_REMOVE_BUDGET	BIT(16)
/* Reschedule after this many failed attempts in a row. */
#define GROOVE_RESCHED_TRIES	BIT(8)

static struct device *groove_device(struct groove_dev *g)
{
	return g->dev;
}

#define groove_corrupt(g, fmt, ...)					\
	dev_warn_ratelimited(groove_device(g), "%s[%d]: corrupt header: " fmt, \
			     current->comm, task_pid_nr(current), ##__VA_ARGS__)

static u64 groove_slot_off(struct groove_dev *g, u32 idx)
{
	return g->vol0_off + ((u64)idx << g->volume_shift);
}

/**
 * groove_ioctl_info() - GROOVE_IOC_INFO: geometry and usage
 * @g:    the device
 * @uarg: user struct groove_info to fill
 *
 * Any open file may ask.
 *
 * Return: 0, or -EFAULT.
 */
static long groove_ioctl_info(struct groove_dev *g,
			      struct groove_info __user *uarg)
{
	struct groove_info info = {
		.abi_version = GROOVE_ABI_VERSION,
		.volume_size = g->volume_size,
		.volume_max = g->volume_max,
		.hdr_size = g->hdr_size,
		.vol0_off = g->vol0_off,
		.map_size = g->map_size,
		.vol_table_off = GROOVE_VOL_TABLE_OFF,
		.alloc_off = GROOVE_ALLOC_OFF(g->volume_max),
		.alloc_size = GROOVE_ALLOC_STATE_SIZE,
		.bytes_limit = g->limit,
		.join_off = g->join_off,
		.join_max = GROOVE_JOIN_MAX,
	};

	mutex_lock(&g->lock);
	info.volumes_present = g->present;
	info.bytes_reserved = g->reserved;
	info.joins_live = g->joins_live;
	mutex_unlock(&g->lock);

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * Claim @count free slots and reserve their bytes against the groove's
 * limit, the module-wide cap and, for volumes that cannot be charged to a
 * memcg, @memcg's memory.max (groove_ledger.c), or claim nothing.  The slots stay BUSY while
 * their volumes are allocated; each uncharged one keeps a reference to
 * @memcg until its volume is freed.
 */
static int groove_claim_slots(struct groove_dev *g, u32 count, u32 *idxs,
			      struct mem_cgroup *memcg)
{
	u64 bytes = (u64)count << g->volume_shift;
	u32 idx, n = 0;
	int err = 0;

	mutex_lock(&g->lock);
	if (g->reserved + bytes > g->limit) {
		err = -ENOSPC;
		goto out;
	}
	for (idx = 0; idx < g->volume_max && n < count; idx++)
		if (g->slots[idx].state == GROOVE_SLOT_FREE)
			idxs[n++] = idx;
	if (n < count) {
		err = -ENOSPC;
		goto out;
	}
	/* The module-wide cap, and the memcg bound of uncharged volumes. */
	err = groove_ledger_reserve(g, count, idxs,
				    groove_volume_charged(g) ? NULL : memcg);
	if (err)
		goto out;
	for (n = 0; n < count; n++)
		g->slots[idxs[n]].state = GROOVE_SLOT_BUSY;
	g->reserved += bytes;
out:
	mutex_unlock(&g->lock);
	return err;
}

/* A slot gives its volume's memory back: free it for ADD.  Under g->lock. */
static void groove_slot_free(struct groove_dev *g, u32 idx)
{
	g->slots[idx].state = GROOVE_SLOT_FREE;
	groove_ledger_unreserve(g, idx);
	g->reserved -= g->volume_size;
}

/* Undo groove_claim_slots() for slots that hold no published volume. */
static void groove_release_slots(struct groove_dev *g, u32 count, u32 *idxs)
{
	u32 n;

	mutex_lock(&g->lock);
	for (n = 0; n < count; n++)
		groove_slot_free(g, idxs[n]);
	mutex_unlock(&g->lock);
}

static void groove_format_volume(struct groove_volume *vol, u32 idx,
				 const u8 *info, u32 info_sz)
{
	struct groove_volume_hdr *vh = groove_volume_hdr(vol);

	vol->idx = idx;
	vh->magic = GROOVE_VOLUME_MAGIC_EMPTY;
	vh->idx = idx;
	vh->next = 0;
	vh->info_sz = info_sz;
	memcpy(vh->info, info, info_sz);
}

/* Make a formatted volume reachable by faults.  Under g->lock. */
static void groove_publish(struct groove_dev *g, struct groove_volume *vol)
{
	struct groove_slot *slot = &g->slots[vol->idx];

	rcu_assign_pointer(slot->vol, vol);
	slot->state = GROOVE_SLOT_PRESENT;
	WRITE_ONCE(g->vol_table[vol->idx].present, 1);
	atomic64_add(g->volume_size, &g->node_bytes[vol->node]);
	g->present++;
}

/*
 * Make a volume unreachable by new faults.  Under g->lock.  The caller then
 * waits for SRCU readers, unmaps and frees (groove_retire()).
 */
static void groove_unpublish(struct groove_dev *g, struct groove_volume *vol)
{
	struct groove_slot *slot = &g->slots[vol->idx];

	RCU_INIT_POINTER(slot->vol, NULL);
	slot->state = GROOVE_SLOT_BUSY;
	WRITE_ONCE(g->vol_table[vol->idx].present, 0);
	g->present--;
}

/*
 * Wait out in-flight faults that read the slots of @vols before their last
 * publish or unpublish, then drop every entry of those slots in every
 * process.
 */
static void groove_unmap_slots(struct groove_dev *g, struct groove_volume **vols,
			       u32 count)
{
	u32 n;

	/*
	 * Expedited: every ADD and REMOVE waits here, and a normal SRCU grace
	 * period takes several ticks (many more under PREEMPT_RT).
	 */
	synchronize_srcu_expedited(&g->srcu);
	for (n = 0; n < count; n++) {
		unmap_mapping_range(g->mapping, groove_slot_off(g, vols[n]->idx),
				    g->volume_size, 1);
		cond_resched();
	}
}

/*
 * Wait out in-flight faults on unpublished volumes, unmap them from every
 * process, free them and free their slots.
 */
static void groove_retire(struct groove_dev *g, struct groove_volume **vols,
			  u32 count)
{
	u32 n;

	if (!count)
		return;
	groove_unmap_slots(g, vols, count);
	mutex_lock(&g->lock);
	for (n = 0; n < count; n++) {
		atomic64_sub(g->volume_size, &g->node_bytes[vols[n]->node]);
		groove_slot_free(g, vols[n]->idx);
	}
	mutex_unlock(&g->lock);
	for (n = 0; n < count; n++)
		groove_volume_free(g, vols[n]);
}

static int groove_check_add(struct groove_dev *g, const struct groove_add *a)
{
	if (a->flags || memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	if (!a->count || a->count > g->volume_max)
		return -EINVAL;
	if (a->info_sz > GROOVE_VOLUME_INFO_MAX || (!a->info_sz && a->info_ptr))
		return -EINVAL;
	if (a->node != NUMA_NO_NODE &&
	    (a->node < 0 || a->node >= MAX_NUMNODES ||
	     !node_state(a->node, N_MEMORY)))
		return -EINVAL;
	return 0;
}

/*
 * Push the chain @first .. @last on the shared stack, one attempt at a time,
 * at most GROOVE_VSTACK_TRIES in all.  Under g->lock, which it drops to
 * reschedule every GROOVE_RESCHED_TRIES failures (a process whose claim
 * holds the head may need this CPU to end it); stops early on a fatal
 * signal.
 */
static int groove_push_chain(struct groove_dev *g, u32 first, u32 last)
{
	u32 tries;
	int ret;

	for (tries = 1; ; tries++) {
		ret = groove_vstack_push_chain(&groove_shared(g)->empty_stack,
					       g->vol_table, g->volume_max,
					       first, last, 1);
		if ((ret != GROOVE_VS_AGAIN && ret != GROOVE_VS_BUSY) ||
		    tries >= GROOVE_VSTACK_TRIES || fatal_signal_pending(current))
			return ret;
		if (!(tries % GROOVE_RESCHED_TRIES)) {
			mutex_unlock(&g->lock);
			cond_resched();
			mutex_lock(&g->lock);
		} else {
			cpu_relax();
		}
	}
}

/**
 * groove_ioctl_add() - GROOVE_IOC_ADD: add volumes, all or nothing
 * @g:    the device
 * @file: the open device; must be open for writing
 * @uarg: user struct groove_add
 *
 * Claims free slots and reserves their bytes, allocates and zeroes the
 * volumes with no lock held, writes their volume headers, publishes them,
 * drops the zero-page entries that stale readers left in those slots, and
 * pushes them on the empty-volume stack in one CAS.  On any failure every
 * volume is freed and every slot released: nothing was added.  Once the
 * push succeeded the call returns 0, whatever happens to @uarg.
 *
 * Return: 0 with @uarg->added == @uarg->count; -EBADF for a read-only file;
 * -EFAULT (nothing added) when @uarg cannot be read or written; -EINVAL
 * for non-zero flags or reserved fields, a count of 0 or above the slot
 * count, info_sz above GROOVE_VOLUME_INFO_MAX or a node without memory;
 * -ENOSPC when the byte limit or the free slots do not allow @count more
 * volumes; -EDQUOT when the caller's memory cgroup (or an ancestor) would
 * pass its memory.max (volumes above 4 MiB, see groove_memcg.c; smaller
 * ones are charged and fail like any charge, with -ENOMEM); -ENOMEM when
 * the memory cannot be found; -EAGAIN when the shared stack stayed
 * contended or claimed (a claim left by a dead process stays until
 * libgroove's groove_reclaim() finishes it); -EINTR on a fatal signal.
 */
static long groove_ioctl_add(struct groove_dev *g, struct file *file,
			     struct groove_add __user *uarg)
{
	struct groove_volume **vols = NULL;
	u8 info[GROOVE_VOLUME_INFO_MAX];
	struct mem_cgroup *memcg;
	struct groove_add a;
	u32 *idxs = NULL;
	u32 n, done = 0;
	long err;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	err = groove_check_add(g, &a);
	if (err)
		return err;
	if (a.info_sz && copy_from_user(info, u64_to_user_ptr(a.info_ptr),
					a.info_sz))
		return -EFAULT;

	vols = kvcalloc(a.count, sizeof(*vols), GFP_KERNEL);
	idxs = kvcalloc(a.count, sizeof(*idxs), GFP_KERNEL);
	if (!vols || !idxs) {
		err = -ENOMEM;
		goto out_free;
	}
	memcg = groove_memcg_get();
	err = groove_claim_slots(g, a.count, idxs, memcg);
	groove_memcg_put(memcg);
	if (err)
		goto out_free;

	for (done = 0; done < a.count; done++) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto out_unwind;
		}
		vols[done] = groove_volume_alloc(g, a.node);
		if (IS_ERR(vols[done])) {
			err = PTR_ERR(vols[done]);
			goto out_unwind;
		}
		groove_format_volume(vols[done], idxs[done], info, a.info_sz);
	}

	/*
	 * Reaching @uarg->added must not fail after the volumes went on the
	 * stack (they cannot be taken back then): check it while nothing has
	 * been committed.
	 */
	if (put_user(0U, &uarg->added)) {
		err = -EFAULT;
		goto out_unwind;
	}

	/* Link the new volumes in slot order; one CAS puts them all on. */
	for (n = 0; n + 1 < a.count; n++)
		WRITE_ONCE(g->vol_table[idxs[n]].next, idxs[n + 1]);
	mutex_lock(&g->lock);
	for (n = 0; n < a.count; n++)
		groove_publish(g, vols[n]);
	mutex_unlock(&g->lock);
	/*
	 * Stale readers may have zero-page entries in these slots.  Faults see
	 * the volumes now; wait for those that did not, then drop every entry,
	 * and only then let anyone find the volumes on the stack.
	 */
	groove_unmap_slots(g, vols, a.count);

	mutex_lock(&g->lock);
	switch (groove_push_chain(g, idxs[0], idxs[a.count - 1])) {
	case GROOVE_VS_OK:
		break;
	case GROOVE_VS_AGAIN:
	case GROOVE_VS_BUSY:
		err = fatal_signal_pending(current) ? -EINTR : -EAGAIN;
		break;
	default:
		err = -EUCLEAN;
		break;
	}
	if (err) {
		for (n = 0; n < a.count; n++)
			groove_unpublish(g, vols[n]);
		mutex_unlock(&g->lock);
		groove_retire(g, vols, a.count);
		goto out_free;
	}
	mutex_unlock(&g->lock);
	atomic64_add(a.count, &g->volumes_added);

	/*
	 * Committed: the volumes are in use from here on.  A caller that
	 * unmapped @uarg since the check above loses the count, not the ADD.
	 */
	a.added = a.count;
	if (put_user(a.added, &uarg->added))
		dev_dbg(groove_device(g), "ADD of %u committed, count not written back\n",
			a.count);
	goto out_free;

out_unwind:
	for (n = 0; n < done; n++)
		groove_volume_free(g, vols[n]);
	groove_release_slots(g, a.count, idxs);
out_free:
	kvfree(idxs);
	kvfree(vols);
	return err;
}

/*
 * One pop off the shared stack, one CAS attempt at a time so that every
 * failed attempt is charged to *@budget.  Under g->lock, which it drops to
 * reschedule every GROOVE_RESCHED_TRIES failures.  A claimed head (a
 * process taking or giving back a volume) counts as a failed attempt.
 */
static int groove_pop_budget(struct groove_dev *g, u32 *idx, u32 *budget)
{
	struct groove_shared_hdr *sh = groove_shared(g);
	u32 fails = 0;
	int ret;

	for (;;) {
		/* The pop's claim of the head lasts a few loads: not preempted. */
		preempt_disable();
		ret = groove_vstack_pop(&sh->empty_stack, g->vol_table,
					g->volume_max, idx, 1);
		preempt_enable();
		if (ret != GROOVE_VS_AGAIN && ret != GROOVE_VS_BUSY)
			return ret;
		if (!*budget || !--*budget)
			return GROOVE_VS_AGAIN;
		if (!(++fails % GROOVE_RESCHED_TRIES)) {
			mutex_unlock(&g->lock);
			cond_resched();
			mutex_lock(&g->lock);
		} else {
			cpu_relax();
		}
	}
}

/*
 * Pop one volume off the shared stack and check it is one the kernel holds
 * and that it is empty.  Under g->lock (dropped and retaken while it waits
 * out contention).  Returns the volume, NULL when the stack is empty, or an
 * ERR_PTR.
 */
static struct groove_volume *groove_pop_empty(struct groove_dev *g, u32 *budget)
{
	struct groove_shared_hdr *sh = groove_shared(g);
	struct groove_volume_hdr *vh;
	struct groove_volume *vol;
	u64 magic, vidx;
	u32 idx;

	switch (groove_pop_budget(g, &idx, budget)) {
	case GROOVE_VS_OK:
		break;
	case GROOVE_VS_EMPTY:
		return NULL;
	case GROOVE_VS_AGAIN:
	case GROOVE_VS_BUSY:
		return ERR_PTR(-EAGAIN);
	default:
		groove_corrupt(g, "empty-volume stack head %#llx links out of %u slots\n",
			       (unsigned long long)READ_ONCE(sh->empty_stack),
			       g->volume_max);
		return ERR_PTR(-EUCLEAN);
	}
	if (g->slots[idx].state != GROOVE_SLOT_PRESENT) {
		groove_corrupt(g, "popped slot %u which holds no volume\n", idx);
		return ERR_PTR(-EUCLEAN);
	}
	vol = rcu_dereference_protected(g->slots[idx].vol,
					lockdep_is_held(&g->lock));
	vh = groove_volume_hdr(vol);
	magic = READ_ONCE(vh->magic);
	vidx = READ_ONCE(vh->idx);
	if (magic != GROOVE_VOLUME_MAGIC_EMPTY || vidx != idx) {
		/* Off the stack now, but it may hold data: keep it. */
		groove_corrupt(g, "popped slot %u whose volume says magic %#llx idx %llu\n",
			       idx, magic, vidx);
		return ERR_PTR(-EUCLEAN);
	}
	return vol;
}

/**
 * groove_ioctl_remove() - GROOVE_IOC_REMOVE: remove up to count empty volumes
 * @g:    the device
 * @file: the open device; must be open for writing
 * @uarg: user struct groove_remove
 *
 * Pops volumes off the shared empty-volume stack (so only empty volumes can
 * leave), unpublishes their slots, waits for in-flight faults, unmaps them
 * from every process and frees them.
 *
 * The work is bounded: at most GROOVE_REMOVE_BUDGET failed CAS attempts in
 * all, with the lock dropped between pops and while waiting out contention.
 *
 * Return: 0 with @uarg->removed set (possibly 0 when the stack is empty, or
 * short when the stack ran empty, stayed contended or proved corrupt after
 * some volumes were removed); -EBADF for a read-only file; -EFAULT; -EINVAL
 * for a count of 0 or non-zero flags or reserved fields; -EUCLEAN when the
 * shared header is corrupt and nothing was removed; -EAGAIN when the stack
 * stayed contended or claimed (as for ADD) and nothing was removed.
 */
static long groove_ioctl_remove(struct groove_dev *g, struct file *file,
				struct groove_remove __user *uarg)
{
	u32 n = 0, max, budget = GROOVE_REMOVE_BUDGET;
	struct groove_volume **vols, *vol;
	struct groove_remove r;
	long err = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (!r.count || r.flags || memchr_inv(r.reserved, 0, sizeof(r.reserved)))
		return -EINVAL;

	max = min(r.count, g->volume_max);
	vols = kvcalloc(max, sizeof(*vols), GFP_KERNEL);
	if (!vols)
		return -ENOMEM;

	while (n < max) {
		mutex_lock(&g->lock);
		vol = groove_pop_empty(g, &budget);
		if (IS_ERR_OR_NULL(vol)) {
			mutex_unlock(&g->lock);
			err = PTR_ERR_OR_ZERO(vol);
			break;
		}
		/* Removed volumes say so, for anyone holding a stale pointer. */
		WRITE_ONCE(groove_volume_hdr(vol)->magic, 0);
		WRITE_ONCE(g->vol_table[vol->idx].next, GROOVE_VOL_NIL);
		groove_unpublish(g, vol);
		mutex_unlock(&g->lock);
		vols[n++] = vol;
		cond_resched();
	}

	groove_retire(g, vols, n);
	kvfree(vols);
	atomic64_add(n, &g->volumes_removed);
	if (n)
		err = 0;
	if (!err && put_user(n, &uarg->removed))
		err = -EFAULT;
	return err;
}

/**
 * groove_ioctl_volume_phys() - GROOVE_IOC_VOLUME_PHYS: where a volume lives
 * @g:    the device
 * @uarg: user struct groove_volume_phys
 *
 * For tests that prove contiguity and alignment; physical addresses are
 * never shown to unprivileged users.
 *
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EFAULT; -EINVAL for non-zero
 * reserved fields or an index beyond the slots; -ENOENT for an empty slot.
 */
static long groove_ioctl_volume_phys(struct groove_dev *g,
				     struct groove_volume_phys __user *uarg)
{
	struct groove_volume_phys p;
	struct groove_volume *vol;
	long err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (memchr_inv(p.reserved, 0, sizeof(p.reserved)) ||
	    p.idx >= g->volume_max)
		return -EINVAL;

	mutex_lock(&g->lock);
	if (g->slots[p.idx].state != GROOVE_SLOT_PRESENT) {
		err = -ENOENT;
	} else {
		vol = rcu_dereference_protected(g->slots[p.idx].vol,
						lockdep_is_held(&g->lock));
		p.phys = PFN_PHYS(vol->pfn);
		p.node = vol->node;
	}
	mutex_unlock(&g->lock);
	if (err)
		return err;
	return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
}

/**
 * groove_ioctl_exclusive() - GROOVE_IOC_EXCLUSIVE: be the groove's only user
 * @file: the open device; must be open for writing
 * @uarg: user struct groove_exclusive
 *
 * For offline repair (libgroove's rebuild, groovectl fsck), which rewrites
 * the shared state and would hand objects out twice if anyone else used the
 * groove meanwhile.  ACQUIRE succeeds only when @file is the device's one
 * open file; while it holds, open() fails with -EBUSY.  Closing @file or
 * RELEASE ends it.
 *
 * Return: 0; -EBADF for a read-only file; -EFAULT; -EINVAL for an unknown
 * op, non-zero reserved fields or RELEASE without ACQUIRE; -EBUSY when other
 * files are open (@uarg->others and @uarg->other_pid say who).
 */
static long groove_ioctl_exclusive(struct file *file,
				   struct groove_exclusive __user *uarg)
{
	struct groove_file *gf = file->private_data, *other;
	struct groove_dev *g = gf->g;
	struct groove_exclusive x;
	long err = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	if (x.others || x.other_pid || memchr_inv(x.reserved, 0, sizeof(x.reserved)))
		return -EINVAL;

	mutex_lock(&g->lock);
	switch (x.op) {
	case GROOVE_EXCL_ACQUIRE:
		if (g->nr_files == 1) {
			g->exclusive = gf;
			break;
		}
		err = -EBUSY;
		x.others = g->nr_files - 1;
		list_for_each_entry(other, &g->files, node) {
			if (other != gf) {
				x.other_pid = other->tgid;
				break;
			}
		}
		break;
	case GROOVE_EXCL_RELEASE:
		if (g->exclusive == gf)
			g->exclusive = NULL;
		else
			err = -EINVAL;
		break;
	default:
		err = -EINVAL;
		break;
	}
	mutex_unlock(&g->lock);
	if (err == -EBUSY && copy_to_user(uarg, &x, sizeof(x)))
		err = -EFAULT;
	return err;
}

/**
 * groove_ioctl() - ioctl handler of /dev/groove
 * @file: the open device
 * @cmd:  GROOVE_IOC_*
 * @arg:  user pointer to the command's struct
 *
 * Return: the command's result, or -ENOTTY for an unknown command.
 */
long groove_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct groove_dev *g = groove_from_file(file);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case GROOVE_IOC_INFO:
		return groove_ioctl_info(g, uarg);
	case GROOVE_IOC_ADD:
		return groove_ioctl_add(g, file, uarg);
	case GROOVE_IOC_REMOVE:
		return groove_ioctl_remove(g, file, uarg);
	case GROOVE_IOC_VOLUME_PHYS:
		return groove_ioctl_volume_phys(g, uarg);
	case GROOVE_IOC_EXCLUSIVE:
		return groove_ioctl_exclusive(file, uarg);
	case GROOVE_IOC_JOIN:
		return groove_ioctl_join(file, uarg);
	default:
		return -ENOTTY;
	}
}

/**
 * groove_remove_all() - free every volume at unload or DESTROY
 * @g: the groove, which no file or mapping reaches any more
 */
void groove_remove_all(struct groove_dev *g)
{
	struct groove_volume *vol;
	u32 idx;

	/* Nothing races; the lock is for the ledger's lock order. */
	mutex_lock(&g->lock);
	for (idx = 0; idx < g->volume_max; idx++) {
		vol = rcu_dereference_protected(g->slots[idx].vol, true);
		if (!vol)
			continue;
		RCU_INIT_POINTER(g->slots[idx].vol, NULL);
		atomic64_sub(g->volume_size, &g->node_bytes[vol->node]);
		groove_slot_free(g, idx);
		g->present--;
		groove_volume_free(g, vol);
	}
	mutex_unlock(&g->lock);
}
