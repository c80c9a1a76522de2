/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The empty-volume stack: the one algorithm that groove.ko and libgroove
 * both run on the shared header.  One implementation, compiled on both
 * sides: kernel atomics under __KERNEL__, GCC/C11 __atomic builtins in user
 * space.
 *
 * The stack head is struct groove_shared_hdr.empty_stack, one 64-bit word,
 * clean ((version << 32) | index) or claimed (GROOVE_STACK_CLAIM(), see
 * uapi/linux/groove.h); the links are struct groove_vol_entry.next in the
 * header's volume table.
 *
 * States of the head, and who writes what in each:
 *
 *   clean    Anyone may CAS it: a push (link written first, then the CAS
 *            to the new top, a claim or not) or a pop's claim.  The links
 *            of volumes on the stack are written by nobody.
 *   claimed  Only the claimer writes the head, the top's link and the top
 *            volume (its header, and libgroove's root superblock in it).
 *            Pushes and pops see GROOVE_VS_BUSY.  The claimer ends it with
 *            one store of a clean word: after a pop the top's link
 *            (groove_vstack_unclaim()), after a push the top's index.  A
 *            join that dies holding a claim leaves it to libgroove's online
 *            reclaim, which takes it over by a CAS (one reclaimer wins) and
 *            finishes it (userlib/src/volume_pool.c).
 *
 * A pop reads the top's link only while it holds the claim, so no stale
 * link is ever installed, whatever the version says; the version still
 * makes a changed head differ.
 *
 * The header is shared memory that any process with a writable mapping may
 * scribble on.  So every operation takes a bound on CAS attempts, and pop
 * reports an index or link that is out of range as corruption instead of
 * following it.  The caller still has to check a popped index against what it
 * knows (the kernel: its own slot table).
 */
#ifndef _GROOVE_VSTACK_H
#define _GROOVE_VSTACK_H

#include <linux/types.h>
#include "../uapi/linux/groove.h"

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/processor.h>
#define GROOVE_VS_LOAD64(p)		READ_ONCE(*(p))
#define GROOVE_VS_LOAD32(p)		READ_ONCE(*(p))
#define GROOVE_VS_STORE32(p, v)		WRITE_ONCE(*(p), (v))
/* Release: the claimer's stores reach the next claimer before the head. */
#define GROOVE_VS_STORE64(p, v)		smp_store_release((p), (v))
/* cmpxchg64() is fully ordered: the link store is visible before the head. */
static inline int groove_vs_cas64(__u64 *p, __u64 old, __u64 new_word)
{
	return cmpxchg64(p, old, new_word) == old;
}

#define GROOVE_VS_CAS64(p, old, new)	groove_vs_cas64((p), (old), (new))
#define GROOVE_VS_RELAX()		cpu_relax()
#else
#define GROOVE_VS_LOAD64(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define GROOVE_VS_LOAD32(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define GROOVE_VS_STORE32(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define GROOVE_VS_STORE64(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELEASE)
static inline int groove_vs_cas64(__u64 *p, __u64 old, __u64 new_word)
{
	return __atomic_compare_exchange_n(p, &old, new_word, 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#define GROOVE_VS_CAS64(p, old, new)	groove_vs_cas64((p), (old), (new))
#ifdef __x86_64__
#define GROOVE_VS_RELAX()		__builtin_ia32_pause()
#else
#define GROOVE_VS_RELAX()		__atomic_signal_fence(__ATOMIC_SEQ_CST)
#endif
#endif

enum groove_vstack_result {
	GROOVE_VS_OK = 0,
	GROOVE_VS_EMPTY,	/* pop: nothing on the stack */
	GROOVE_VS_CORRUPT,	/* an index or link is out of range */
	GROOVE_VS_AGAIN,	/* the CAS bound ran out under contention */
	GROOVE_VS_BUSY,		/* the head was claimed at the last attempt */
};

/* Unbounded retries, for user space callers that prefer to spin. */
#define GROOVE_VS_UNBOUNDED	0U

/*
 * groove_vstack_push_chain - push the chain @first .. @last on the stack in
 * one CAS, so a multi-volume add is all or nothing.
 *
 * Pre:  @first and @last < @volume_max; the caller owns every volume of the
 *       chain and has linked it: table[x].next leads from @first to @last.
 * Post: GROOVE_VS_OK: @first is the top, @last links to the old top, and
 *       every store before the call is visible to whoever pops any of them.
 *       GROOVE_VS_AGAIN (contention) or GROOVE_VS_BUSY (the head was
 *       claimed): nothing is on the stack, @max_tries attempts failed.
 *       GROOVE_VS_CORRUPT: an index is out of range.
 * Concurrent: any number of pushes and pops.  A claimed head is never
 *       written (its claimer owns it): that attempt fails.
 */
static inline int groove_vstack_push_chain(__u64 *head,
					   struct groove_vol_entry *table,
					   __u32 volume_max, __u32 first,
					   __u32 last, unsigned int max_tries)
{
	int ret = GROOVE_VS_AGAIN;
	unsigned int tries;
	__u64 old;

	if (first >= volume_max || last >= volume_max)
		return GROOVE_VS_CORRUPT;
	for (tries = 0; max_tries == GROOVE_VS_UNBOUNDED || tries < max_tries; tries++) {
		old = GROOVE_VS_LOAD64(head);
		if (old & GROOVE_STACK_CLAIMED) {
			ret = GROOVE_VS_BUSY;
		} else {
			GROOVE_VS_STORE32(&table[last].next, GROOVE_STACK_IDX(old));
			if (GROOVE_VS_CAS64(head, old,
					    GROOVE_STACK_WORD(GROOVE_STACK_VER(old) + 1, first)))
				return GROOVE_VS_OK;
			ret = GROOVE_VS_AGAIN;
		}
		GROOVE_VS_RELAX();
	}
	return ret;
}

/*
 * groove_vstack_push - push volume @idx: a chain of one
 * (groove_vstack_push_chain()).
 */
static inline int groove_vstack_push(__u64 *head, struct groove_vol_entry *table,
				     __u32 volume_max, __u32 idx,
				     unsigned int max_tries)
{
	return groove_vstack_push_chain(head, table, volume_max, idx, idx, max_tries);
}

/*
 * groove_vstack_claim_top - claim the head for the pop of its top.
 *
 * Pre:  none (the stack may be empty, claimed or corrupt).
 * Post: GROOVE_VS_OK: the head is GROOVE_STACK_CLAIM(@join, @gen, *@idx),
 *       *@old the clean word it replaced, *@idx < @volume_max the top; the
 *       caller holds the claim and must end it (groove_vstack_unclaim()).
 *       GROOVE_VS_EMPTY, GROOVE_VS_BUSY, GROOVE_VS_AGAIN, GROOVE_VS_CORRUPT
 *       (the head names a slot out of range and did not change while we
 *       looked): nothing changed.
 * Concurrent: any number of pushes and pops; a claimed head is not
 *       written.
 */
static inline int groove_vstack_claim_top(__u64 *head, __u32 volume_max, __u32 join,
					  __u32 gen, __u64 *old, __u32 *idx,
					  unsigned int max_tries)
{
	int ret = GROOVE_VS_AGAIN;
	unsigned int tries;
	__u64 w;
	__u32 top;

	for (tries = 0; max_tries == GROOVE_VS_UNBOUNDED || tries < max_tries; tries++) {
		w = GROOVE_VS_LOAD64(head);
		top = GROOVE_STACK_IDX(w);
		ret = GROOVE_VS_AGAIN;
		if (w & GROOVE_STACK_CLAIMED) {
			ret = GROOVE_VS_BUSY;
		} else if (top == GROOVE_VOL_NIL) {
			return GROOVE_VS_EMPTY;
		} else if (top >= volume_max) {
			if (GROOVE_VS_LOAD64(head) == w)
				return GROOVE_VS_CORRUPT;
		} else if (GROOVE_VS_CAS64(head, w, GROOVE_STACK_CLAIM(join, gen, top))) {
			*old = w;
			*idx = top;
			return GROOVE_VS_OK;
		}
		GROOVE_VS_RELAX();
	}
	return ret;
}

/*
 * groove_vstack_unclaim - end a claim: the head becomes clean, version
 * bumped from @old (the clean word the claim replaced), top @top
 * (GROOVE_VOL_NIL: empty).
 * Pre:  the caller holds the claim; every store it made under it is done.
 * Post: the head is clean; those stores are visible to its next claimer.
 */
static inline void groove_vstack_unclaim(__u64 *head, __u64 old, __u32 top)
{
	GROOVE_VS_STORE64(head, GROOVE_STACK_WORD(GROOVE_STACK_VER(old) + 1, top));
}

/*
 * groove_vstack_pop - pop the top of the empty-volume stack into *@idx, as
 * a claimer that cannot die half way (the kernel; user space tests).
 *
 * Pre:  none (the stack may be empty, claimed or corrupt).
 * Post: GROOVE_VS_OK: *@idx < @volume_max is owned by the caller, and the
 *       stores made before it was pushed are visible.  GROOVE_VS_EMPTY,
 *       GROOVE_VS_BUSY (claimed by someone else), GROOVE_VS_AGAIN,
 *       GROOVE_VS_CORRUPT (the head or the top's link is out of range):
 *       nothing changed.
 * Concurrent: any number of pushes and pops.  The claim
 *       (GROOVE_STACK_CLAIMER_KERNEL) lasts a few loads: the kernel runs
 *       it with preemption off.  A user process must not call it on a
 *       shared groove: killed inside, it would leave a claim nobody may
 *       finish.
 */
static inline int groove_vstack_pop(__u64 *head, struct groove_vol_entry *table,
				    __u32 volume_max, __u32 *idx,
				    unsigned int max_tries)
{
	__u32 top, next;
	__u64 old;
	int ret;

	ret = groove_vstack_claim_top(head, volume_max, GROOVE_STACK_CLAIMER_KERNEL, 0,
				      &old, &top, max_tries);
	if (ret != GROOVE_VS_OK)
		return ret;
	next = GROOVE_VS_LOAD32(&table[top].next);
	if (next != GROOVE_VOL_NIL && next >= volume_max) {
		GROOVE_VS_STORE64(head, old);	/* left as it was */
		return GROOVE_VS_CORRUPT;
	}
	groove_vstack_unclaim(head, old, next);
	*idx = top;
	return GROOVE_VS_OK;
}

#endif /* _GROOVE_VSTACK_H */
