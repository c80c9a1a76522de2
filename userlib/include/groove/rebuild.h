/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove crash recovery: rebuild the data allocator's circulation from
 * the volumes after a process died inside groove_alloc(), groove_free(),
 * groove_trim() or groove_remove_volumes().  Include <groove/groove.h>.
 *
 * A process killed half way through an operation leaves no object corrupt,
 * but it can strand space: a superblock it held (in its thread cache, or
 * taken from an active slot or an inactive stack) is in no slot and no
 * stack; the objects its cache had claimed and an object it was allocating
 * or freeing have their bit clear and no live header; a volume it had just
 * taken or was giving back is neither in use nor on the empty-volume stack.
 * groove_verify() reports some of these as corruption; none of them can be
 * reached by groove_alloc() again.  The rebuild walks every volume's
 * superblock tree (the source of truth), keeps every live object, and puts
 * the rest back into circulation.
 */
#ifndef GROOVE_REBUILD_H
#define GROOVE_REBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <groove/data.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct groove_users - who else uses a groove, when exclusive use is refused
 * @pid:     a process that has the groove open (this process's own pid for
 *           another handle or thread of it), or -1 when unknown
 * @others:  other users seen: device, the kernel's count of other open
 *           files; file, other processes with it open plus other handles
 *           of this process, found in /proc (best effort, 0 when none can
 *           be seen); or the threads below
 * @threads: other threads of this process whose thread cache is bound to
 *           this join (they allocated since their last
 *           groove_thread_flush())
 * @reserved: zero
 */
struct groove_users {
	int32_t pid;
	uint32_t others;
	uint32_t threads;
	uint32_t reserved;
};

/**
 * groove_exclusive_acquire - make @g the groove's only user, or say who else is
 * @g:   the join
 * @who: out, on GROOVE_ERR_BUSY: who else uses it (may be NULL)
 *
 * Refused while another user is live: another thread of this process with a
 * bound thread cache (this thread's own does not count), another
 * handle of the groove in this process, or another process's join.  While
 * held, every new groove_open() of the groove fails with EBUSY.
 * File backend: upgrades the join's OFD read lock on byte 2 MiB - 1 to a
 * write lock (F_OFD_SETLK).  Device: GROOVE_IOC_EXCLUSIVE.  Acquiring twice
 * is GROOVE_SUCCESS.  Threads of this process must not use @g meanwhile
 * (nothing stops them).  A forked child that uses its parent's handle
 * shares the parent's open file and is not seen.
 *
 * A refusal changes nothing in the groove.
 *
 * Return: GROOVE_SUCCESS; GROOVE_ERR_BUSY; GROOVE_ERR_UNSUPPORTED (a module
 * without GROOVE_IOC_EXCLUSIVE, or a filesystem without OFD locks: nothing
 * can keep others off); GROOVE_ERR_INVAL (NULL @g or another system error).
 */
int groove_exclusive_acquire(groove_t *g, struct groove_users *who);

/**
 * groove_exclusive_release - end groove_exclusive_acquire()
 * @g: the join
 *
 * groove_close() ends it too.
 *
 * Return: GROOVE_SUCCESS, or GROOVE_ERR_INVAL when @g does not hold it.
 */
int groove_exclusive_release(groove_t *g);

/**
 * groove_data_rebuild - rebuild the allocator state after a crash
 * @g: the join; it must be the groove's only user (see
 *     groove_exclusive_acquire(), which this checks)
 *
 * Same as groove_data_rebuild_ex(@g, 0, NULL, NULL, NULL).
 *
 * Return: as groove_data_rebuild_ex().
 */
int groove_data_rebuild(groove_t *g);

/**
 * struct groove_rebuild_stats - what a rebuild found (and did)
 * @stranded_bytes:      bytes out of circulation before the rebuild: free
 *                       objects of superblocks in no slot and no stack,
 *                       objects with a clear bit and no valid header, data
 *                       volumes with no valid root superblock, empty volumes
 *                       missing from the empty-volume stack
 * @objects:             live objects found (all kept)
 * @bytes_live:          sum of their sizes (as asked)
 * @superblocks:         superblocks found (roots included)
 * @superblocks_stranded: superblocks with free objects in no slot and no stack
 * @superblocks_released: empty superblocks given back to their parents
 * @superblocks_requeued: superblocks with free objects put on their class's
 *                       inactive stack
 * @objects_reclaimed:   objects with a clear bit but no live object's header
 *                       (an allocation or free cut short, or objects a dead
 *                       thread's cache had claimed), marked free
 * @volumes_data:        data volumes walked
 * @volumes_released:    volumes that held nothing, put back on the
 *                       empty-volume stack (GROOVE_IOC_REMOVE can take them)
 * @volumes_unknown:     present volumes whose magic is neither EMPTY nor
 *                       DATA (left alone)
 */
struct groove_rebuild_stats {
	uint64_t stranded_bytes;
	uint64_t objects;
	uint64_t bytes_live;
	uint64_t superblocks;
	uint64_t superblocks_stranded;
	uint64_t superblocks_released;
	uint64_t superblocks_requeued;
	uint64_t objects_reclaimed;
	uint32_t volumes_data;
	uint32_t volumes_released;
	uint32_t volumes_unknown;
	uint32_t reserved;
};

/* groove_data_rebuild_ex() flags. */
#define GROOVE_REBUILD_DRY_RUN	0x1u	/* measure only, change nothing */

/*
 * Called once per live object, in volume order: @obj is its address in this
 * process, @sz and @tag as groove_obj_info() reports them.  A nonzero return
 * stops the walk (the rebuild then returns that value, having changed
 * nothing when it was a dry run; otherwise a partial rebuild: run it again).
 */
typedef int (*groove_rebuild_obj_fn)(void *obj, size_t sz, uint64_t tag, void *arg);

/**
 * groove_data_rebuild_ex - rebuild (or measure) the allocator state
 * @g:     the join; it must be the groove's only user
 * @flags: 0 or GROOVE_REBUILD_DRY_RUN
 * @out:   out: what was found (may be NULL)
 * @fn:    called for every live object (may be NULL)
 * @arg:   passed to @fn
 *
 * First takes exclusive use for the call unless @g holds it already
 * (groove_exclusive_acquire(); a dry run too: a live groove would look
 * stranded), then gives back the superblocks the calling thread holds in
 * its cache (groove_thread_flush()).  Then walks the empty-volume stack, the active
 * slots and inactive stacks (to know what is in circulation), then every
 * present volume's superblock
 * tree.  Unless GROOVE_REBUILD_DRY_RUN: clears the active slots and inactive
 * stacks, marks free every object whose header is not a live object's,
 * gives empty superblocks back to their parents and empty volumes to the
 * empty-volume stack (rebuilt from the volume headers, lowest index on
 * top), and pushes every superblock that has free objects on its class's
 * inactive stack.  Afterwards groove_verify() passes and a dry run reports
 * 0 stranded bytes.  A dry run fills @out with the same counts the repair
 * would (what it would reclaim, release and requeue) and writes nothing.
 *
 * Not lock-free and not concurrent with anything.
 *
 * Return: GROOVE_SUCCESS; GROOVE_ERR_BUSY (another user is live, see
 * groove_exclusive_acquire(); nothing was read or changed);
 * GROOVE_ERR_UNSUPPORTED (exclusive use cannot be had: old module, or a
 * filesystem without OFD locks); GROOVE_ERR_INVAL (bad @g or @flags);
 * GROOVE_ERR_CORRUPT: the shared header does not describe this join's
 * groove (nothing was changed), or a superblock tree deeper or larger than
 * any the allocator builds (a partial rebuild: the state is not what a
 * crash leaves, reload the module); GROOVE_ERR_AGAIN (no memory, nothing
 * was changed); or @fn's nonzero value.
 */
int groove_data_rebuild_ex(groove_t *g, unsigned int flags,
			   struct groove_rebuild_stats *out,
			   groove_rebuild_obj_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* GROOVE_REBUILD_H */
