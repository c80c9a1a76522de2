/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The empty-volume stack: the one lock-free algorithm that groove.ko and
 * libgroove both run on the shared header.  One implementation, compiled on
 * both sides: kernel atomics under __KERNEL__, GCC/C11 __atomic builtins in
 * user space.
 *
 * The stack head is struct groove_shared_hdr.empty_stack, one 64-bit word
 * (version << 32) | index; the links are struct groove_vol_entry.next in the
 * header's volume table.  Every successful push and pop bumps the version, so
 * a pop that read a stale link cannot succeed (ABA): 2^32 operations would
 * have to happen between its load and its CAS.
 *
 * The header is shared memory that any process with a writable mapping may
 * scribble on.  So both operations take a bound on CAS attempts, and pop
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
#include <asm/processor.h>
#define GROOVE_VS_LOAD64(p)		READ_ONCE(*(p))
#define GROOVE_VS_LOAD32(p)		READ_ONCE(*(p))
#define GROOVE_VS_STORE32(p, v)		WRITE_ONCE(*(p), (v))
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
};

/* Unbounded retries, for user space callers that prefer to spin. */
#define GROOVE_VS_UNBOUNDED	0U

/*
 * groove_vstack_push - push volume @idx on the empty-volume stack.
 *
 * Pre:  @idx < @volume_max; the caller owns @idx (it is on no stack and no
 *       other thread will push it); the volume's header is written.
 * Post: GROOVE_VS_OK: @idx is the top of the stack (until someone else pushes
 *       or pops) and every store before the call is visible to whoever pops
 *       it.  GROOVE_VS_AGAIN: nothing changed, @max_tries CAS attempts failed.
 * Concurrent: any number of pushes and pops by threads and processes.
 */
static inline int groove_vstack_push(__u64 *head, struct groove_vol_entry *table,
				     __u32 volume_max, __u32 idx,
				     unsigned int max_tries)
{
	unsigned int tries;
	__u64 old;

	if (idx >= volume_max)
		return GROOVE_VS_CORRUPT;
	for (tries = 0; max_tries == GROOVE_VS_UNBOUNDED || tries < max_tries; tries++) {
		old = GROOVE_VS_LOAD64(head);
		GROOVE_VS_STORE32(&table[idx].next, GROOVE_STACK_IDX(old));
		if (GROOVE_VS_CAS64(head, old,
				    GROOVE_STACK_WORD(GROOVE_STACK_VER(old) + 1, idx)))
			return GROOVE_VS_OK;
		GROOVE_VS_RELAX();
	}
	return GROOVE_VS_AGAIN;
}

/*
 * groove_vstack_push_chain - push the chain @first .. @last on the stack in
 * one CAS, so a multi-volume add is all or nothing.
 *
 * Pre:  @first and @last < @volume_max; the caller owns every volume of the
 *       chain and has linked it: table[x].next leads from @first to @last.
 * Post: GROOVE_VS_OK: @first is the top, @last links to the old top, and
 *       every store before the call is visible to whoever pops any of them.
 *       GROOVE_VS_AGAIN: nothing is on the stack, @max_tries CAS attempts
 *       failed.  GROOVE_VS_CORRUPT: an index is out of range.
 * Concurrent: as groove_vstack_push().  A single volume is a chain with
 *       @first == @last.
 */
static inline int groove_vstack_push_chain(__u64 *head,
					   struct groove_vol_entry *table,
					   __u32 volume_max, __u32 first,
					   __u32 last, unsigned int max_tries)
{
	unsigned int tries;
	__u64 old;

	if (first >= volume_max || last >= volume_max)
		return GROOVE_VS_CORRUPT;
	for (tries = 0; max_tries == GROOVE_VS_UNBOUNDED || tries < max_tries; tries++) {
		old = GROOVE_VS_LOAD64(head);
		GROOVE_VS_STORE32(&table[last].next, GROOVE_STACK_IDX(old));
		if (GROOVE_VS_CAS64(head, old,
				    GROOVE_STACK_WORD(GROOVE_STACK_VER(old) + 1, first)))
			return GROOVE_VS_OK;
		GROOVE_VS_RELAX();
	}
	return GROOVE_VS_AGAIN;
}

/*
 * groove_vstack_pop - pop the top of the empty-volume stack into *@idx.
 *
 * Pre:  none (the stack may be empty or corrupt).
 * Post: GROOVE_VS_OK: *@idx < @volume_max is owned by the caller, and the
 *       stores made before it was pushed are visible.  GROOVE_VS_EMPTY,
 *       GROOVE_VS_CORRUPT (the head or the top's link is out of range and did
 *       not change while we looked), GROOVE_VS_AGAIN: nothing changed.
 * Concurrent: any number of pushes and pops.  The link read may be stale if
 *       another thread popped the top meanwhile; the versioned CAS then fails
 *       and we retry, so a stale link is never installed.
 */
static inline int groove_vstack_pop(__u64 *head, struct groove_vol_entry *table,
				    __u32 volume_max, __u32 *idx,
				    unsigned int max_tries)
{
	unsigned int tries;
	__u64 old;
	__u32 top, next;

	for (tries = 0; max_tries == GROOVE_VS_UNBOUNDED || tries < max_tries; tries++) {
		old = GROOVE_VS_LOAD64(head);
		top = GROOVE_STACK_IDX(old);
		if (top == GROOVE_VOL_NIL)
			return GROOVE_VS_EMPTY;
		if (top >= volume_max)
			return GROOVE_VS_CORRUPT;
		next = GROOVE_VS_LOAD32(&table[top].next);
		if (next != GROOVE_VOL_NIL && next >= volume_max) {
			if (GROOVE_VS_LOAD64(head) == old)
				return GROOVE_VS_CORRUPT;
			continue;
		}
		if (GROOVE_VS_CAS64(head, old,
				    GROOVE_STACK_WORD(GROOVE_STACK_VER(old) + 1, next))) {
			*idx = top;
			return GROOVE_VS_OK;
		}
		GROOVE_VS_RELAX();
	}
	return GROOVE_VS_AGAIN;
}

#endif /* _GROOVE_VSTACK_H */
