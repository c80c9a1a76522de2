// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The volume pool: the shared empty-volume stack (common/groove_vstack.h, the
 * same push and pop the kernel runs) and the volume headers.
 */
#include <string.h>
#include "groove_internal.h"

/*
 * The empty-volume stack's head as libgroove uses it (common/groove_vstack.h
 * has the word's states).  Every pop and push here claims the head for our
 * join and does its work on the top volume under the claim, so what a join
 * killed anywhere in it leaves is one claim that names it and the volume:
 *
 *   acquire  (g_vol_acquire()) claim the clean head (its top), magic DATA,
 *            the root superblock's header (holder ours, written last),
 *            unclaim with the top's link: the volume is then recorded by
 *            that holder word.
 *   release  (g_vol_release()) link the volume, claim the clean head with
 *            it on top, root header G_T_NONE, magic EMPTY, unclaim with it
 *            on top.  Before the claim the root superblock's holder word
 *            (ours) records it.
 *   file add (groove_volume_pool_add()) formatted EMPTY under the slot's
 *            transit word, link, claim, present = 1, unclaim.
 *   file remove (groove_volume_pool_remove()) claim, present = our transit
 *            word, magic 0, unclaim with the link: the transit word records
 *            it (join.c frees the slot if we die).
 *
 * g_vstack_unstick() finishes a dead join's claim whichever it was: the
 * claimed volume becomes a clean, present, EMPTY volume on top (a pop or a
 * removal cut short never happened, a push or an add is done) -- unless a
 * take-over (join.c) already made the root superblock its own, which only
 * a holder word that names the dead join allows, or a file's remove had
 * cleared the magic: then it is unlinked (the pop is done; the new owner
 * circulates it, or the transit word frees the slot).  The holder CAS
 * decides.
 */

/* The head word by which our join claims volume @idx. */
static uint64_t g_vclaim(const struct groove *g, uint32_t idx)
{
	return GROOVE_STACK_CLAIM(G_HOLDER_IDX(g->holder), G_HOLDER_GEN(g->holder), idx);
}

/* A join index and generation (a holder word's, a transit word's) name claim @w's claimer. */
static int g_vclaim_names(uint64_t w, uint32_t join, uint64_t gen)
{
	const uint64_t mask = (1ULL << GROOVE_STACK_CLAIM_GEN_BITS) - 1;

	return GROOVE_STACK_CLAIM_JOIN(w) == join && GROOVE_STACK_CLAIM_GEN(w) == (gen & mask);
}

/*
 * A dead join's claim @w of volume @idx, now ours: may we make the volume a
 * clean EMPTY one on the stack?  Only a take-over of its root superblock
 * (a valid header whose holder word names the dead join) competes: the
 * holder CAS decides.  A slot whose present word is neither 1 nor the dead
 * join's transit word holds no volume we can vouch for: not ours.
 */
static int g_vol_reclaimable(struct groove *g, uint32_t idx, uint64_t w)
{
	struct g_sb *root = g_sb_at(g, ((uint64_t)idx << g->vshift) + G_BLK);
	uint32_t p = G_LOAD(&g->table[idx].present);
	uint64_t h, magic;

	if (p != 1 && !((p & G_PRESENT_TRANSIT) &&
			g_vclaim_names(w, G_HOLDER_IDX(p), (p >> 13) & ((1U << G_PRESENT_GEN_BITS) - 1))))
		return 0;
	/*
	 * A removed volume (magic 0: a file's remove got that far, or an
	 * absent slot of a device, which a forged claim may name and where a
	 * write would fault) is not put back: unlinked, it is left to its
	 * transit word.
	 */
	magic = G_LOAD(&g_vol(g, idx)->magic);
	if (magic != GROOVE_VOLUME_MAGIC_DATA && magic != GROOVE_VOLUME_MAGIC_EMPTY)
		return 0;
	if (magic == GROOVE_VOLUME_MAGIC_EMPTY ||
	    !g_root_sb_ok(g, (uint64_t)((uint8_t *)root - g->vol0), G_LOAD(&root->bits)))
		return 1;	/* no root superblock: nothing else can own it */
	h = G_LOAD(&root->holder);
	return g_vclaim_names(w, G_HOLDER_IDX(h), G_HOLDER_GEN(h)) && g_cas(&root->holder, h, g->holder);
}

/*
 * g_vstack_unstick - a claimed head @w whose claimer may be dead: if it
 * is, take the claim over and finish it.
 * Pre:  @w was read from the head.
 * Post: 1: the claimer was dead and its claim is finished: the head clean,
 *       the volume it named a clean, present, EMPTY volume on top, or, if
 *       a take-over owns its root superblock, unlinked.  0: not a claim,
 *       its claimer may be live (the kernel's always is), or another
 *       reclaimer won; nothing written.
 * Concurrent: anything.  The claim CAS of the head to our own decides
 *       among reclaimers; from then on nobody else writes the head, the
 *       top's link or the volume (pushes and pops wait on a claimed head,
 *       join.c leaves a slot in transit that a claim names alone), but for
 *       a take-over of its root superblock, which g_vol_reclaimable()'s
 *       holder CAS orders against us.
 */
int g_vstack_unstick(struct groove *g, uint64_t w)
{
	__u64 *head = &g->hdr->empty_stack;
	uint32_t idx = GROOVE_STACK_IDX(w);
	struct groove_volume_hdr *vh;

	if (!(w & GROOVE_STACK_CLAIMED) ||
	    g_join_live_low(g, GROOVE_STACK_CLAIM_JOIN(w), GROOVE_STACK_CLAIM_GEN(w),
			    GROOVE_STACK_CLAIM_GEN_BITS))
		return 0;
	if (idx >= g->volume_max)	/* names nothing: verify's to report */
		return groove_vs_cas64(head, w, GROOVE_STACK_WORD(0, GROOVE_VOL_NIL));
	if (!groove_vs_cas64(head, w, g_vclaim(g, idx)))
		return 0;
	if (!g_vol_reclaimable(g, idx, w)) {
		groove_vstack_unclaim(head, 0, G_LOAD_RLX(&g->table[idx].next));
		return 1;
	}
	vh = g_vol(g, idx);
	G_STORE(&g_sb_at(g, ((uint64_t)idx << g->vshift) + G_BLK)->bits, G_T_NONE);
	G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_EMPTY);
	G_STORE(&g->table[idx].present, 1);
	groove_vstack_unclaim(head, 0, idx);
	return 1;
}

/*
 * Wait for another claim of the head (@w) to end: spin, then yield, then
 * sleep (a claim lasts a few instructions unless its claimer was
 * preempted); from the first yield on, a dead claimer's claim is finished
 * here (g_vstack_unstick()).
 */
static void g_vstack_wait(struct groove *g, uint64_t w, unsigned int *spins)
{
	if (g_claim_spin(spins) || g_vstack_unstick(g, w))
		return;
	g_claim_sleep(*spins);
}

/*
 * Claim the clean head for the pop of its top: *@old the clean word, *@idx
 * the top.  GROOVE_SUCCESS (we hold the claim), GROOVE_ERR_EMPTY,
 * GROOVE_ERR_CORRUPT (the head names no slot).  Waits out other claims.
 */
static int g_vstack_claim_pop(struct groove *g, uint64_t *old, uint32_t *idx)
{
	__u64 *head = &g->hdr->empty_stack, w;
	unsigned int spins = 0;
	uint32_t top;

	for (;;) {
		w = G_LOAD(head);
		top = GROOVE_STACK_IDX(w);
		if (w & GROOVE_STACK_CLAIMED) {
			g_vstack_wait(g, w, &spins);
			continue;
		}
		if (top == GROOVE_VOL_NIL)
			return GROOVE_ERR_EMPTY;
		if (top >= g->volume_max) {
			if (G_LOAD(head) == w)
				return GROOVE_ERR_CORRUPT;
			continue;
		}
		/*
		 * Touch the top's header before the claim: a first touch is a
		 * page fault, which a claim should not wait on.  A stale top
		 * reads another header, or zeros (a removed slot): harmless.
		 */
		(void)__atomic_load_n(&g_vol(g, top)->magic, __ATOMIC_RELAXED);
		if (groove_vs_cas64(head, w, g_vclaim(g, top)))
			break;
		G_PAUSE();
	}
	*old = w;
	*idx = top;
	return GROOVE_SUCCESS;
}

/*
 * Link volume @idx and claim the clean head with it on top: *@old the clean
 * word replaced.  Waits out other claims.  Pre: we own @idx.
 */
static void g_vstack_claim_push(struct groove *g, uint32_t idx, uint64_t *old)
{
	__u64 *head = &g->hdr->empty_stack, w;
	unsigned int spins = 0;

	for (;;) {
		w = G_LOAD(head);
		if (w & GROOVE_STACK_CLAIMED) {
			g_vstack_wait(g, w, &spins);
			continue;
		}
		G_STORE_RLX(&g->table[idx].next, GROOVE_STACK_IDX(w));
		if (groove_vs_cas64(head, w, g_vclaim(g, idx)))
			break;
		G_PAUSE();
	}
	*old = w;
}

/*
 * The claimed top @idx (claim replaced clean word @old) is an EMPTY volume
 * of a slot that holds one, with a link in range: 1; else the claim is
 * undone (head back to @old: nothing changed) and 0.
 */
static int g_vstack_top_ok(struct groove *g, uint32_t idx, uint64_t old, uint32_t *next)
{
	struct groove_volume_hdr *vh = g_vol(g, idx);

	*next = G_LOAD_RLX(&g->table[idx].next);
	if ((*next != GROOVE_VOL_NIL && *next >= g->volume_max) ||
	    G_LOAD_RLX(&g->table[idx].present) != 1 ||
	    G_LOAD(&vh->magic) != GROOVE_VOLUME_MAGIC_EMPTY || G_LOAD_RLX(&vh->idx) != idx) {
		G_STORE(&g->hdr->empty_stack, old);
		return 0;
	}
	return 1;
}

/*
 * g_vol_acquire - take an empty volume and make it a new root superblock
 * of class @szc.
 * Pre:  @szc's parent is GROOVE_SZC_PARENT_VOLUME.
 * Post: GROOVE_SUCCESS: *@root_off is a superblock held by us (holder word
 *       ours), every object free, in a volume whose magic says DATA.
 *       GROOVE_ERR_FULL: no empty volume.  GROOVE_ERR_CORRUPT: the stack is
 *       corrupt, or its top was not an empty volume (left there, nothing
 *       changed).
 * Concurrent: any pool or allocator operation, the kernel's ADD and REMOVE
 *       (they see a busy head while we claim it).  From the claim until
 *       the head is clean again the head records the volume as ours;
 *       after it, the root superblock's holder word does.
 */
int g_vol_acquire(struct groove *g, uint32_t szc, uint64_t *root_off)
{
	uint64_t old, off;
	uint32_t idx, next;
	struct g_sb *sb;
	int err;

	err = g_vstack_claim_pop(g, &old, &idx);
	if (err)
		return err == GROOVE_ERR_EMPTY ? GROOVE_ERR_FULL : err;
	G_TEST_CRASH_POINT(g, G_CRASH_VOL_POP_CLAIMED);
	if (!g_vstack_top_ok(g, idx, old, &next))
		return GROOVE_ERR_CORRUPT;
	G_STORE(&g_vol(g, idx)->magic, GROOVE_VOLUME_MAGIC_DATA);
	off = ((uint64_t)idx << g->vshift) + G_BLK;
	sb = g_sb_at(g, off);
	G_STORE_RLX(&sb->next, 0);
	G_STORE_RLX(&sb->holder, g->holder);
	G_STORE_RLX(&sb->free, g->szc[szc].full);
	G_STORE(&sb->bits, g_bits(G_T_SB, szc, 0, 0, 0, 0, off));
	G_TEST_CRASH_POINT(g, G_CRASH_VOL_POP_WRITTEN);
	groove_vstack_unclaim(&g->hdr->empty_stack, old, next);
	*root_off = off;
	return GROOVE_SUCCESS;
}

/*
 * g_vol_release - give the volume of an empty root superblock back to the
 * empty-volume stack.
 * Pre:  the caller holds root superblock @root_off (its holder word is
 *       ours) and owns it outright: every object free, in no slot or stack.
 * Post: its header is G_T_NONE, the volume says EMPTY and is on the stack
 *       (groove_remove_volumes() may take it from now on).
 * Concurrent: anything.  Until the claim our holder word records the
 *       superblock; from the claim the head does.
 */
void g_vol_release(struct groove *g, uint64_t root_off)
{
	uint32_t idx = (uint32_t)(root_off >> g->vshift);
	uint64_t old;

	g_vstack_claim_push(g, idx, &old);
	G_TEST_CRASH_POINT(g, G_CRASH_VOL_PUSH_CLAIMED);
	G_STORE(&g_sb_at(g, root_off)->bits, G_T_NONE);
	G_STORE(&g_vol(g, idx)->magic, GROOVE_VOLUME_MAGIC_EMPTY);
	G_TEST_CRASH_POINT(g, G_CRASH_VOL_PUSH_CLEARED);
	groove_vstack_unclaim(&g->hdr->empty_stack, old, idx);
}

/*
 * Pre:  the region's slots are ours (file backend: claimed, space allocated);
 *       none is on the stack.
 * Post: each volume is formatted EMPTY, present, and pushed, highest index
 *       first so the lowest pops first.
 * Concurrent: every other pool and allocator operation.
 */
G_API int groove_volume_pool_add(groove_t *g, void *shmem, uint64_t footprint,
				 const void *info, uint64_t info_sz)
{
	uint64_t off, n, i;

	if (!footprint)
		return GROOVE_SUCCESS;
	if (!g || !shmem || g->is_dev)	/* the kernel owns a device's slots */
		return GROOVE_ERR_INVAL;
	if ((uint8_t *)shmem < g->vol0)
		return GROOVE_ERR_INVAL;
	off = (uint64_t)((uint8_t *)shmem - g->vol0);
	if ((off & (g->volume_size - 1)) || (footprint & (g->volume_size - 1)) ||
	    off >= g->region_size || footprint > g->region_size - off)
		return GROOVE_ERR_INVAL;
	n = footprint >> g->vshift;
	for (i = 0; i < n; i++)
		if (G_LOAD_RLX(&g->table[(off >> g->vshift) + i].present) == 1)
			return GROOVE_ERR_INVAL;	/* overlaps a volume */
	if (!info)
		info_sz = 0;
	if (info_sz > GROOVE_VOLUME_INFO_MAX)
		info_sz = GROOVE_VOLUME_INFO_MAX;

	for (i = n; i-- > 0; ) {
		uint32_t idx = (uint32_t)((off >> g->vshift) + i);
		struct groove_volume_hdr *vh = g_vol(g, idx);
		uint64_t old;

		G_STORE_RLX(&vh->magic, 0);
		vh->idx = idx;
		vh->next = 0;
		vh->info_sz = info_sz;
		memset(vh->info, 0, sizeof(vh->info));
		if (info_sz)
			memcpy(vh->info, info, info_sz);
		G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_EMPTY);
		g_vstack_claim_push(g, idx, &old);
		G_TEST_CRASH_POINT(g, G_CRASH_FILE_ADD_PUSH_CLAIMED);
		G_STORE(&g->table[idx].present, 1);
		groove_vstack_unclaim(&g->hdr->empty_stack, old, idx);
	}
	return GROOVE_SUCCESS;
}

/*
 * Pre:  none.
 * Post: non-NULL: the caller owns the returned volume, its magic is 0 (no
 *       longer a groove volume); its slot's present word names our join
 *       (g_present_transit(): not present for anyone else, and freed by a
 *       reclaimer if we die; the caller clears it after releasing the
 *       memory).
 * Concurrent: every other pool and allocator operation.
 */
G_API void *groove_volume_pool_remove(groove_t *g)
{
	struct groove_volume_hdr *vh;
	uint32_t idx, next;
	uint64_t old;

	if (!g || g_vstack_claim_pop(g, &old, &idx))
		return NULL;
	if (!g_vstack_top_ok(g, idx, old, &next))
		return NULL;
	vh = g_vol(g, idx);
	G_STORE(&g->table[idx].present, g_present_transit(g));
	G_STORE(&vh->magic, 0);
	G_TEST_CRASH_POINT(g, G_CRASH_FILE_REMOVE_CLAIMED);
	groove_vstack_unclaim(&g->hdr->empty_stack, old, next);
	return vh;
}
