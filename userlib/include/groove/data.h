/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove data allocator: objects in the groove's volumes.
 *
 * Objects live in 512-byte blocks; each has a 16-byte header in its first
 * block, and sits in a superblock of 1..64 objects of one size class with a
 * 64-bit free bitmap.  Superblocks are objects of a larger class, the
 * largest ones fill a volume.  Empty superblocks go back to their parent,
 * empty volumes back to the empty-volume stack (groove_remove_volumes() can
 * then take them).  Include <groove/groove.h>.
 */
#ifndef GROOVE_DATA_H
#define GROOVE_DATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GROOVE_BLOCK_SIZE	512u	/* allocation granule */
#define GROOVE_OBJ_HDR_SIZE	16u	/* per-object header */
#define GROOVE_ALIGN_DEFAULT	16u	/* alignment when 0 is asked */
#define GROOVE_ALIGN_MAX	4096u	/* largest alignment groove_alloc() takes */
#define GROOVE_SZC_MAX		40u	/* most size classes of any volume size */
#define GROOVE_CGROUP_MAX	64u	/* concurrency groups */

typedef struct groove groove_t;

/**
 * groove_alloc - allocate an object
 * @g:     the join
 * @align: power of two <= GROOVE_ALIGN_MAX, or 0 for GROOVE_ALIGN_DEFAULT
 * @sz:    bytes, 0 .. groove_alloc_max(@g) (less the alignment padding)
 * @tag:   64 bits stored in the object header (groove_obj_tag())
 * @err:   out: GROOVE_SUCCESS or the error; may be NULL
 *
 * Classes whose superblocks are at most 1/8 of a volume and 8 MiB: from
 * the objects this thread claimed (no atomic), refilled by one atomic AND
 * from one of the two superblocks per class the thread holds.
 * Otherwise, or when they are used up: the active superblock of (size class,
 * this thread's concurrency group), then the class's inactive stack, then a
 * new superblock carved out of a larger object or an empty volume.
 * Lock-free.
 *
 * Return: the object's address in this process, or NULL with *@err set:
 * GROOVE_ERR_INVAL (bad @g, @align or @sz), GROOVE_ERR_FULL (no empty
 * volume left: add volumes), GROOVE_ERR_CORRUPT.
 */
void *groove_alloc(groove_t *g, size_t align, size_t sz, uint64_t tag, int *err);

/**
 * groove_free - free an object from groove_alloc(), from any thread or process
 * @g:   the join
 * @obj: the address groove_alloc() returned (in any process: translate with
 *       groove_off()/groove_ptr())
 *
 * A NULL, out-of-region, misaligned or interior pointer, a pointer whose
 * header is corrupt, and a second free of the same object (also two threads
 * racing to free it: exactly one succeeds) return GROOVE_ERR_INVAL and
 * change nothing.
 *
 * Return: GROOVE_SUCCESS, GROOVE_ERR_INVAL, GROOVE_ERR_CORRUPT (the
 * superblock state disagrees with the header).
 */
int groove_free(groove_t *g, void *obj);

/**
 * groove_obj_info - size and tag of a live object
 * @g:   the join
 * @obj: a live object
 * @sz:  out: the size asked at allocation (may be NULL)
 * @tag: out: the tag given at allocation (may be NULL)
 *
 * Return: GROOVE_SUCCESS, or GROOVE_ERR_INVAL as groove_free() would.
 */
int groove_obj_info(groove_t *g, const void *obj, size_t *sz, uint64_t *tag);

/**
 * groove_usable_size - bytes usable at a live object
 * @g:   the join
 * @obj: a live object (the address groove_alloc() returned)
 *
 * The object owns its whole slot of its size class: from @obj to the end of
 * the slot, at least the size asked (groove_obj_info()) and at most one
 * size class step (about a third) more.  Writing up to this many bytes at
 * @obj is safe; the size groove_obj_info() reports does not change.  Like
 * malloc_usable_size(3).
 *
 * Return: the bytes, or 0 when @obj is not a live object of @g (NULL, a
 * root object's address, freed, interior: as groove_free() would refuse).
 */
size_t groove_usable_size(groove_t *g, const void *obj);

/**
 * groove_trim - give empty superblocks back to their parents and empty
 *               volumes back to the empty-volume stack
 * @g: the join
 *
 * Empty superblocks stay in circulation after the last free (it keeps the
 * fast path short); this drains the active slots and inactive stacks of
 * every size class and returns what is empty.  Lock-free, concurrent with
 * everything; groove_remove_volumes() calls it.
 *
 * Return: GROOVE_SUCCESS or a negative GROOVE_ERR_*.
 */
int groove_trim(groove_t *g);

/**
 * groove_thread_flush - give back the superblocks this thread holds for @g
 * @g: the join
 *
 * Each thread keeps, per size class, the superblock it allocates from (so
 * an allocation is one atomic operation).  They go back to the shared
 * active slots here, at thread exit, in groove_trim() (the calling
 * thread's), when the thread uses another join, and in groove_close() (the
 * calling thread's).  Call it in threads that stop using @g before another
 * thread closes @g, or their superblocks stay out of circulation.
 */
void groove_thread_flush(groove_t *g);

/**
 * groove_flush_all_threads - give back the superblocks every thread of this
 *                            process holds for @g
 * @g: the join
 *
 * Flushes the calling thread's cache and drains the cache of every other
 * thread of this process bound to @g that is idle right now (not inside a
 * groove call; blocked, sleeping or busy elsewhere is idle), without its
 * help (a handshake word per cache and one membarrier(2)).  A thread that
 * is inside a call flushes its own at its next call.  groove_close() and
 * exit() call it; so does every process's next groove_alloc() or
 * groove_free() (any thread) after another process's
 * groove_remove_volumes() came up short (the give-back epoch in the shared
 * state).  Bound: a process that never calls the allocator again (and
 * neither closes nor exits) answers nothing and keeps, per thread bound to
 * @g, at most two superblocks per thread-cached size class (each at most
 * 1/8 of a volume and 8 MiB).  After a drain an idle thread keeps nothing;
 * a thread that was inside a call keeps its cache until its next call.
 * Without membarrier(2) no cache is drained from outside: each thread
 * flushes at its own next call.
 *
 * Return: GROOVE_SUCCESS, GROOVE_ERR_INVAL (NULL @g), GROOVE_ERR_FORKED.
 */
int groove_flush_all_threads(groove_t *g);

/**
 * groove_reclaim - take back what dead joins hold, online
 * @g: the join
 *
 * Every process using a groove holds a join (groove_open()), and each
 * superblock a thread holds (in its cache, or for the length of one
 * operation) records its join, and so does every active slot or stack head
 * a thread claimed to move a superblock in or out.  This finishes the
 * claims of dead joins, then walks every data volume's superblocks and
 * takes over, one CAS each (of many reclaimers exactly one wins), those
 * whose join is dead (its process exited or was killed, or the handle was
 * closed while other threads still held caches): their claimed-but-never-
 * handed-out objects become free again and the superblocks go back into
 * circulation.  An object a dead join had in flight (a free it had begun,
 * a superblock it was releasing, an object it had claimed) names that
 * join in its tag word and is made free by one CAS of that word; on a
 * file, a volume slot a dead join was adding or removing is freed.  Live
 * objects, and what live joins hold, are not touched.  Concurrent with
 * everything.  What stays stranded until groove_data_rebuild() is what a
 * join dies with in a few-instruction window around the empty-volume
 * stack (userlib/README.md, "Crash points").
 * groove_alloc() calls it once before it says GROOVE_ERR_FULL, and
 * groove_trim() and groove_remove_volumes() when they come up short.
 * Device: liveness comes from the kernel's join table; file: from an OFD
 * lock each join holds.  Without either (old module, no OFD locks) it
 * takes nothing.
 *
 * Return: the number of claims finished, superblocks taken over, objects
 * taken back and volume slots freed (>= 0), GROOVE_ERR_INVAL
 * (NULL @g), GROOVE_ERR_FORKED (a forked child using its parent's join:
 * call groove_open() in the child), GROOVE_ERR_AGAIN (no memory).
 */
int groove_reclaim(groove_t *g);

/**
 * groove_verify - check the whole shared state
 * @g: the join
 *
 * Header, volume table, empty-volume stack, every data volume's superblock
 * tree, active slots and inactive stacks.  Every walk is bounded: a cycle or
 * a bad link is reported, never followed forever.  Run it when no thread
 * allocates or frees (at a barrier); it reads only present volumes.
 *
 * Return: GROOVE_SUCCESS or GROOVE_ERR_CORRUPT (GROOVE_ERR_INVAL for NULL).
 */
int groove_verify(groove_t *g);

/**
 * groove_volume_verify - check one volume slot
 * @g:   the join
 * @idx: slot index
 *
 * Return: GROOVE_SUCCESS (also for an absent slot), GROOVE_ERR_INVAL for a
 * bad @idx, GROOVE_ERR_CORRUPT.  Quiescent use, like groove_verify().
 */
int groove_volume_verify(groove_t *g, uint32_t idx);

/**
 * groove_alloc_max - largest @sz groove_alloc() accepts at alignment <= 16
 * @g: the join
 */
size_t groove_alloc_max(const groove_t *g);

/**
 * groove_cgroup_hint_set - pick this thread's concurrency group
 * @hint: any number; used modulo the group count of each size class
 *
 * Threads that share a group share active superblocks.  Default: the CPU
 * the thread first allocated on (sched_getcpu()).
 */
void groove_cgroup_hint_set(unsigned int hint);

/* This thread's concurrency group hint. */
unsigned int groove_cgroup_hint(void);

#ifdef __cplusplus
}
#endif

#endif /* GROOVE_DATA_H */
