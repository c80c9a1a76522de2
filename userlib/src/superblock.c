// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Superblocks: a block of header (struct g_sb) followed by 1..64 objects of
 * one size class, with a 64-bit free bitmap.  A superblock is either an
 * object of its parent class or the whole data area of a volume.
 *
 * Circulation invariant: a superblock with at least one free object is in
 * exactly one of: an active slot, its class's inactive stack, or the hands
 * of one allocating thread.  A full superblock is nowhere (out of
 * circulation) until the free that makes it non-full puts it back.  Only
 * the thread holding a superblock clears bits of its bitmap; frees only set
 * bits.  So a holder that sees every bit set owns it outright.
 *
 * States, and who reads and writes which word of the header (bits, free,
 * next, holder) in each -- the one table (userlib/README.md, "Superblock
 * states", has it as a table: change both together); tcache.c and join.c
 * refer here:
 *
 *   held      In one thread cache (tcache.c), classes with c->tcache; or,
 *             any class, in one thread's hands for one operation: a class
 *             without thread caches for one object (g_obj_take_shared()),
 *             groove_trim()'s private list (next = its link), a free's
 *             popped candidate (g_obj_return()).  holder = G_HOLDER of the
 *             thread's join, written by the taker right after it took the
 *             superblock out of circulation (while its claim holds the
 *             slot or the stack head; by g_sb_new() for one it carves) and
 *             cleared (to 0) by it while its claim of the slot or head
 *             that puts it back holds.
 *             free: the holder clears bits (claims, one AND); anyone sets
 *             bits (frees, OR).  At least one bit stays set while held
 *             (until a last-object AND: then "full"), so no free sees 0
 *             and circulates it.  Objects with a clear bit
 *             are live (OBJ header), being freed elsewhere (FREED header,
 *             the freer's OR to come) or claimed into the holder's mask
 *             (g_bits_claimed() header, written before the bit is cleared
 *             or, for frees into the mask, by the header CAS itself).  So
 *             shared memory alone says what the holder may hand out.
 *             If the holder's join dies: any live join takes it over by a
 *             CAS of holder (dead -> self), merges the claimed objects,
 *             clears holder and circulates it (join.c, groove_reclaim()).
 *   claimed   Named by a claimed link word (g_claim(): the claimer's join
 *             and the block index).  An active slot: being taken out
 *             (g_slot_take(): claim CAS, holder store, slot store 0) or put
 *             in (g_slot_put(): claim CAS of an empty slot, holder clear,
 *             slot store of the offset).  The inactive stack's head: being
 *             popped (g_inactive_pop(): claim CAS of the clean head, holder
 *             store, next read, head store of next) or pushed (
 *             g_inactive_push(): next store, claim CAS of the clean head,
 *             which links it, holder clear, head store of its index).
 *             holder = 0 or the claimer's; either way the claim records
 *             that the claimer's join holds it.  Only the claimer writes
 *             the claimed word and the superblock's next and holder or,
 *             once its join is dead, a reclaimer: the one whose CAS
 *             empties the slot (join.c, g_rc_slots()), which then owns the
 *             superblock, or the one whose CAS takes the head's claim over
 *             (g_stack_unstick()), which clears holder and leaves it
 *             linked.  A take-over elsewhere leaves a superblock a claim
 *             names alone.  Others wait out a claimed head (pushes) or
 *             carve instead (pops); a claimed slot they treat as empty.
 *             Frees set bits.
 *   active    In an active slot (active[szc][cg]), linked: the slot word
 *             is its offset; holder = 0.  Taken by a claim of the slot
 *             (the claimer owns it then).  Frees set bits; nothing else
 *             writes it.
 *   inactive  On its class's inactive stack, the head clean; holder = 0;
 *             next = the link, written by the pusher before its claim CAS;
 *             read by a popper only while its claim holds the head (so
 *             never stale).  Frees set bits.
 *   full      free = 0, in no slot, no stack, no hands.  holder =
 *             G_HOLDER_FULL, or still the word of the holder that took
 *             the last object until its drop (g_sb_drop_full(): a CAS to
 *             FULL, then a look at the bitmap; if it dies first, its
 *             take-over merges that object, join.c).  A free whose OR sees
 *             0 takes it by a CAS of holder from FULL (g_sb_claim_full())
 *             and puts it back; if holder is not FULL yet, the dropper's
 *             look (both sides sequentially consistent) or the take-over
 *             does.  A superblock with holder FULL and a free object is
 *             such a free cut short (or about to CAS): any reclaimer may
 *             take it from FULL (join.c); the CAS decides.
 *   released  Empty and owned outright (free == full): bits = a FREED
 *             header of its object in the parent with the releaser's
 *             holder word in the next word (where free was), then the
 *             parent's bit: the parent's "freeing" object below.  A root
 *             superblock: bits = G_T_NONE, then the volume goes to the
 *             empty-volume stack.  Its memory is a free object of the parent.
 *
 * And of an object (its first block's header and tag words, its bit):
 *
 *   live      OBJ header, bit clear: the application's.
 *   freeing   A free between its header CAS and its OR (or a release
 *             between its header store and the parent's bit): FREED header
 *             (an aligned object: the copy before its payload), bit clear,
 *             the freer's holder word in the tag word, written before the
 *             CAS (g_bits_is_freeing()).  Only the freer writes it, or, once
 *             the freer's join is dead, the one reclaimer that wins a CAS of
 *             the tag word (join.c, g_obj_take_back()).
 *   free      Bit set; any header.  A taker writes a claimed header
 *             (g_bits_claimed()) before the AND that clears the bit, so a
 *             clear bit under a stale FREED header never looks "freeing".
 *   claimed   Claimed header, bit clear, the claimer's holder word in
 *             the tag word (every claim, g_mark_claimed(), and every free
 *             into a mask or a stash writes both): in a holder's mask (see
 *             "held"), in a taker's hands until g_obj_init() writes OBJ, or
 *             in one thread's stash (a class without thread caches: the
 *             freer's header store after its CAS to FREED, tcache.c) until
 *             that thread allocates it or gives it back (its OR).  Once the
 *             claimer's join is dead: a take-over of a superblock that join
 *             held merges it; in a superblock nobody holds (a class without
 *             thread caches, or a superblock its holder filled and dropped,
 *             maybe held by another since) the one reclaimer that wins a CAS
 *             of the tag word sets the bit (join.c).  A claimed object whose
 *             claimer is live is never touched: it may be about to become
 *             OBJ.
 *
 * holder != 0 therefore means "in the hands of a thread cache or of a
 * reclaimer, or full (FULL, or its last taker's word until the drop), in
 * no slot and no stack unless a claim names it": a reclaimer never races a
 * taker.  Every superblock is always named by a
 * link word, a claim or a holder word, so a dead join strands none.
 * A root superblock is written (g_sb_new()) and released (g_sb_release())
 * under a claim of the empty-volume stack's head (volume_pool.c), so its
 * volume too is always named by a claim or a holder word.  (A free in
 * flight and a non-root release before the parent's bit are recorded:
 * "freeing"; an object claimed and not handed out: "claimed".)
 */
#include <sched.h>
#include "groove_internal.h"

static int g_slot_put_any(struct groove *g, uint32_t szc, uint64_t sb_off);

/*
 * Only the outermost g_sb_acquire() of an allocation looks again before
 * "full" (so the retries of nested carving do not multiply): g_sb_new()
 * calls in progress on this thread, and whether a class they acquired for
 * was busy when it came up short.
 */
static __thread unsigned int g_carve_depth G_TLS_MODEL;
static __thread int g_carve_busy G_TLS_MODEL;

#ifdef GROOVE_TEST_HOOKS
G_API groove_test_pop_hook_fn groove_test_inactive_pop_hook;
#endif

/*
 * g_stack_unstick - a claimed inactive-stack head @w of class @szc whose
 * claimer may be dead: if it is, take the claim over and finish it.
 * Pre:  @w was read from the head.
 * Post: 1: the claimer's join was dead and the head is clean now (ours or
 *       another reclaimer's doing), its top linked with holder word 0; 0:
 *       the claimer may be live (or another reclaimer won), nothing written.
 * Concurrent: anything.  A claim is finished the same way whether its
 *       claimer was popping (then the top stays on the stack: its pop never
 *       got to unlink it) or pushing (its push CAS linked it): the claim CAS
 *       of the head to our own decides among reclaimers, and from then on
 *       nobody else writes the head or the top (pops and pushes wait on a
 *       claimed head, a take-over leaves a superblock a claim names alone),
 *       so its holder word may be cleared: the dead claimer's stamp, or the
 *       pusher's word not cleared yet.
 */
int g_stack_unstick(struct groove *g, uint32_t szc, uint64_t w)
{
	uint64_t *head = &g->st->inactive[szc].w, off = g_claim_off(w);

	if (!(w & G_CLAIMED) ||
	    g_join_live_low(g, g_claim_idx(w), g_claim_gen(w), G_CLAIM_GEN_BITS))
		return 0;
	if (!g_sb_off_ok(g, off))
		return g_cas(head, w, 0);	/* names nothing: verify's to report */
	if (!g_cas(head, w, g_claim(g->holder, off)))
		return 0;
	G_STORE(&g_sb_at(g, off)->holder, 0);
	G_STORE(head, g_stk_word(g, 0, off >> G_BLK_SHIFT));
	return 1;
}

/*
 * Wait for another thread's claim of class @szc's head (@w) to end: spin,
 * then yield, then sleep (a claim lasts a few instructions unless its
 * claimer was preempted, and a sleep lets a preempted claimer of lower
 * priority run); from the first yield on, a dead claimer's claim is
 * finished here (g_stack_unstick()).
 */
static void g_stack_wait(struct groove *g, uint32_t szc, uint64_t w, unsigned int *spins)
{
	if (g_claim_spin(spins) || g_stack_unstick(g, szc, w))
		return;
	g_claim_sleep(*spins);
}

/*
 * g_inactive_push - push superblock @sb_off on class @szc's inactive stack.
 * Pre:  the caller holds @sb_off (its holder word is ours; it is in no
 *       slot and no stack).
 * Post: it is on the stack, its holder word 0; the head is clean, its tag
 *       bumped (g_stk_tag()).  Or, when another thread's claim held the
 *       head past the spins and yields (its claimer preempted, stopped by
 *       a signal or a debugger), it is in an empty active slot of @szc.
 * Concurrent: pushes and pops of any class (a claimed head is waited out,
 *       g_stack_wait(), and past that an empty slot of the class takes the
 *       superblock), allocs and frees.  The push CAS links it and
 *       claims the head for our join at once, so from then until the head
 *       is clean again the head records that we hold it; before the CAS
 *       our holder word does: a death anywhere leaves it to
 *       groove_reclaim().
 */
int g_inactive_push(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	uint64_t *head = &g->st->inactive[szc].w, old;
	struct g_sb *sb = g_sb_at(g, sb_off);
	unsigned int spins = 0;

	for (;;) {
		old = G_LOAD(head);
		if (old & G_CLAIMED) {
			if (spins >= 2 * G_STACK_SPINS && g_slot_put_any(g, szc, sb_off))
				return GROOVE_SUCCESS;
			g_stack_wait(g, szc, old, &spins);
			continue;
		}
		G_STORE_RLX(&sb->next, g_stk_blk(g, old));
		if (g_cas(head, old, g_claim(g->holder, sb_off)))
			break;
		G_PAUSE();
	}
	G_TEST_CRASH_POINT(g, G_CRASH_PUSH_CLAIMED);
	G_STORE(&sb->holder, 0);
	G_TEST_CRASH_POINT(g, G_CRASH_PUSH_CLEARED);
	G_TSAN_FREED();	/* it may leave this process from here on */
	G_STORE(head, g_stk_word(g, g_stk_tag(g, old) + 1, sb_off >> G_BLK_SHIFT));
	return GROOVE_SUCCESS;
}

/*
 * g_inactive_pop - pop the top of class @szc's inactive stack.
 * Pre:  none.
 * Post: GROOVE_SUCCESS with *@sb_off = 0 (empty, or its head claimed by
 *       another thread for longer than a short spin: the caller carves a
 *       superblock instead) or the superblock, now held by the caller (its
 *       holder word is ours).  GROOVE_ERR_CORRUPT: the head named no
 *       superblock, or its top no superblock of @szc (unlinked: its link
 *       installed, as a free pop would).
 * Concurrent: pushes and pops.  The claim CAS of the head takes the top;
 *       its link is read only then, when nobody can change it, so a stale
 *       link is never read (the old pop hazard is gone: the head's
 *       word only ever names a superblock on the stack, and a removed
 *       volume holds none).  From the claim until the head is clean again
 *       the head records that we hold the top: a death there leaves it to
 *       groove_reclaim() (it stays on the stack).  tests/hook_test.c still
 *       replays a removal between the head's load and the claim
 *       (G_TEST_POP_HOOK): the claim CAS fails and the pop retries.
 */
int g_inactive_pop(struct groove *g, uint32_t szc, uint64_t *sb_off)
{
	uint64_t *head = &g->st->inactive[szc].w, old, off, next, bits;
	unsigned int spins = 0;
	struct g_sb *sb;

	for (;;) {
		old = G_LOAD(head);
		off = g_stk_blk(g, old) << G_BLK_SHIFT;
		if (!off) {
			*sb_off = 0;
			return GROOVE_SUCCESS;
		}
		if (old & G_CLAIMED) {
			if (spins >= G_STACK_SPINS && !g_stack_unstick(g, szc, old)) {
				*sb_off = 0;	/* busy: not worth waiting for */
				return GROOVE_SUCCESS;
			}
			g_stack_wait(g, szc, old, &spins);
			continue;
		}
		if (G_UNLIKELY(!g_sb_off_ok(g, off))) {
			if (G_LOAD(head) == old)
				return GROOVE_ERR_CORRUPT;
			continue;
		}
		G_TEST_POP_HOOK(g, szc, off);	/* the window of the old pop hazard */
		/* A first touch faults here, not inside the claim (stale: zeros or bytes). */
		(void)g_load_stale(&g_sb_at(g, off)->bits);
		if (g_cas(head, old, g_claim(g->holder, off)))
			break;
		G_PAUSE();
	}
	G_TEST_CRASH_POINT(g, G_CRASH_POP_CLAIMED);
	sb = g_sb_at(g, off);
	bits = G_LOAD_RLX(&sb->bits);
	next = G_LOAD_RLX(&sb->next) & g->stk_blk_mask;
	if (G_UNLIKELY(bits != g_bits(G_T_SB, szc, G_F_IDX(bits), 0, 0, 0, off))) {
		G_STORE(head, g_stk_word(g, g_stk_tag(g, old) + 1, next));
		return GROOVE_ERR_CORRUPT;	/* dropped: we cannot trust it */
	}
	G_STORE(&sb->holder, g->holder);
	G_TEST_CRASH_POINT(g, G_CRASH_POP_STAMPED);
	G_STORE(head, g_stk_word(g, g_stk_tag(g, old) + 1, next));
	*sb_off = off;
	return GROOVE_SUCCESS;
}

/*
 * g_sb_new - make a new, empty superblock of class @szc.
 * Pre:  none.
 * Post: GROOVE_SUCCESS: *@sb_off is held by the caller, all objects free;
 *       its holder word is already ours (so a death before the caller's
 *       first use leaves it recorded: the header, written last, publishes
 *       both).
 *       Else nothing changed (GROOVE_ERR_FULL: no empty volume).
 * Concurrent: anything.
 */
int g_sb_new(struct groove *g, uint32_t szc, uint64_t *sb_off)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t off;
	uint32_t idx;
	struct g_sb *sb;
	int err;

	if (c->parent == GROOVE_SZC_PARENT_VOLUME)
		return g_vol_acquire(g, szc, sb_off);	/* written under its claim */
	g_carve_depth++;
	err = g_obj_take(g, c->parent, &off, &idx);
	g_carve_depth--;
	if (err)
		return err;
	sb = g_sb_at(g, off);
	G_STORE_RLX(&sb->next, 0);
	G_STORE_RLX(&sb->holder, g->holder);
	/*
	 * free is the tag word of our claimed object in the parent: from
	 * here on it holds no holder word (a full bitmap never decodes to a
	 * live-judgeable join: its low 13 bits are all ones, or its
	 * generation bits are 0), so until the header below only the
	 * parent's holder can take the object back.
	 */
	G_STORE(&sb->free, c->full);
	G_STORE(&sb->bits, g_bits(G_T_SB, szc, idx, 0, 0, 0, off));
	*sb_off = off;
	return GROOVE_SUCCESS;
}

/*
 * g_sb_release - give an empty superblock back to its parent.
 * Pre:  the caller owns @sb_off outright: every object is free and it is in
 *       no slot and no stack.
 * Post: its memory is a free object of the parent class again (or its volume
 *       is back on the empty-volume stack).
 * Concurrent: anything.
 */
int g_sb_release(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t bits = G_LOAD(&sb->bits);
	uint32_t parent = g->szc[szc].parent, idx = (uint32_t)G_F_IDX(bits);

	if (parent == GROOVE_SZC_PARENT_VOLUME) {
		g_vol_release(g, sb_off);	/* its header cleared under its claim */
		return GROOVE_SUCCESS;
	}
	/*
	 * The superblock's first 16 bytes are its object's header in the
	 * parent: make that a free in flight (FREED, our holder word in its
	 * tag word, g_bits_is_freeing()) before the parent's bit, so a
	 * reclaimer finishes it if we die in between.
	 */
	G_STORE_RLX(&sb->free, g->holder);
	G_STORE(&sb->bits, g_bits_freed(parent, idx, sb_off));
	G_TEST_CRASH_POINT(g, G_CRASH_RELEASE_BEFORE_OR);
	return g_obj_return(g, parent,
			    sb_off - G_BLK - (uint64_t)idx * g->szc[parent].fp, idx);
}

/*
 * g_slot_take - take the superblock linked in active slot @slot of @szc.
 * Pre:  none.
 * Post: GROOVE_SUCCESS with *@sb_off = 0 (the slot is empty, or claimed:
 *       another thread is moving a superblock in or out of it) or the
 *       superblock, now held by us: its holder word is ours, the slot is
 *       empty.  GROOVE_ERR_CORRUPT: the slot named no superblock of @szc
 *       (it is empty now).
 * Concurrent: takes and puts of the slot (one claim CAS wins; only the
 *       claimer writes a claimed slot, or a reclaimer once the claimer's
 *       join is dead), frees into the superblock (they set bits).  From
 *       the claim to the slot's last store the slot names our join and the
 *       superblock, whose holder word is 0 until the stamp and ours after
 *       it: dying there leaves it to groove_reclaim() (join.c).
 */
static int g_slot_take(struct groove *g, uint32_t szc, uint64_t *slot, uint64_t *sb_off)
{
	uint64_t w = G_LOAD(slot), bits;
	struct g_sb *sb;

	for (;;) {
		if (!w || (w & G_CLAIMED)) {
			*sb_off = 0;
			return GROOVE_SUCCESS;
		}
		if (G_UNLIKELY(!g_sb_off_ok(g, w))) {
			if (g_cas(slot, w, 0))
				return GROOVE_ERR_CORRUPT;
		} else if (g_cas(slot, w, g_claim(g->holder, w))) {
			break;
		}
		G_PAUSE();
		w = G_LOAD(slot);
	}
	G_TEST_CRASH_POINT(g, G_CRASH_SLOT_TAKE_CLAIMED);
	sb = g_sb_at(g, w);
	bits = G_LOAD_RLX(&sb->bits);
	if (G_UNLIKELY(bits != g_bits(G_T_SB, szc, G_F_IDX(bits), 0, 0, 0, w))) {
		G_STORE(slot, 0);	/* dropped: we cannot trust it */
		return GROOVE_ERR_CORRUPT;
	}
	G_STORE(&sb->holder, g->holder);
	G_TEST_CRASH_POINT(g, G_CRASH_SLOT_TAKE_STAMPED);
	G_STORE(slot, 0);
	*sb_off = w;
	return GROOVE_SUCCESS;
}

/*
 * g_slot_put - link superblock @sb_off into active slot @slot if it is empty.
 * Pre:  we hold it (its holder word is ours) and it has a free object.
 * Post: 1: it is linked in the slot, its holder word 0.  0: the slot was
 *       not empty (a superblock, or a claim); nothing changed.
 * Concurrent: as g_slot_take(): from the claim until the slot names the
 *       superblock, the slot records that our join holds it.
 */
static int g_slot_put(struct groove *g, uint64_t *slot, uint64_t sb_off)
{
	if (G_LOAD_RLX(slot) || !g_cas(slot, 0, g_claim(g->holder, sb_off)))
		return 0;
	G_TEST_CRASH_POINT(g, G_CRASH_SLOT_PUT_CLAIMED);
	G_STORE(&g_sb_at(g, sb_off)->holder, 0);
	G_TEST_CRASH_POINT(g, G_CRASH_SLOT_PUT_CLEARED);
	G_TSAN_FREED();	/* it may leave this process from here on */
	G_STORE(slot, sb_off);
	return 1;
}

/* Put held @sb_off into any empty active slot of @szc: 1, or 0 (none). */
static int g_slot_put_any(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	uint32_t cg;

	for (cg = 0; cg <= g->szc[szc].cg_mask; cg++)
		if (g_slot_put(g, &g->st->active[szc][cg].w, sb_off))
			return 1;
	return 0;
}

/*
 * g_claim_names - does an active slot or the stack head of @szc hold a
 * claim of @sb_off?  A predicate for reclaimers (join.c): a superblock a
 * claim names is whoever finishes the claim's, whatever its holder word
 * says.
 */
int g_claim_names(const struct groove *g, uint32_t szc, uint64_t sb_off)
{
	uint64_t w = G_LOAD(&g->st->inactive[szc].w);
	uint32_t cg;

	if ((w & G_CLAIMED) && g_claim_off(w) == sb_off)
		return 1;
	for (cg = 0; cg <= g->szc[szc].cg_mask; cg++) {
		w = G_LOAD(&g->st->active[szc][cg].w);
		if ((w & G_CLAIMED) && g_claim_off(w) == sb_off)
			return 1;
	}
	return 0;
}

/*
 * g_sb_circulate - put a held superblock with a free object back in circulation.
 * Pre:  the caller holds @sb_off (its holder word is ours) and it has at
 *       least one free object.
 * Post: it is in the active slot of this thread's group if that was empty,
 *       else on the inactive stack; its holder word is 0.
 * Concurrent: anything.
 */
void g_sb_circulate(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	if (g_slot_put(g, &g->st->active[szc][g_hint() & g->szc[szc].cg_mask].w, sb_off))
		return;
	g_inactive_push(g, szc, sb_off);
}

/*
 * g_sb_settle - put back a superblock we took from FULL or took over.
 * Pre:  we hold @sb_off (its holder word is ours), it has a free object,
 *       and it is in no slot and no stack.
 * Post: released to its parent if every object is free, else circulated.
 *       Returns the release's result.
 */
int g_sb_settle(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	if (G_LOAD(&g_sb_at(g, sb_off)->free) == g->szc[szc].full)
		return g_sb_release(g, szc, sb_off);
	g_sb_circulate(g, szc, sb_off);
	return GROOVE_SUCCESS;
}

/*
 * g_sb_claim_full - take a full superblock that an object was freed into.
 * Pre:  @sb_off was a superblock of @szc whose bitmap we saw go from 0 to
 *       non-zero (our free's OR), or that we dropped and then saw
 *       non-zero, or that a walk found FULL with a free object.  Since then
 *       someone else may have taken it, put it back, released it, and its
 *       bytes may be another superblock's (a FULL one too) or a user's.
 * Post: 1: our CAS took its holder word from FULL, it is still a
 *       superblock of @szc and has a free object: it is back with its
 *       parent or in circulation (*@err: the release's result).  0:
 *       nothing of ours (*@err GROOVE_SUCCESS): its holder word was not
 *       FULL (another taker won, or its last-object taker has not dropped
 *       it yet and will look again); or, after our CAS, it was no longer a
 *       superblock of @szc (the word put back) or it was full (a newer
 *       superblock there, which we drop again as its taker did).
 * Concurrent: the free that made room, the dropper's look after its
 *       drop, reclaimers (join.c): one CAS from FULL wins.  Sequentially
 *       consistent against g_sb_drop_full(): its drop CAS and bitmap read
 *       against a free's OR and this CAS, so a free that finds the holder
 *       word not FULL yet is seen by the dropper's look.  The checks after
 *       the CAS cover a CAS that comes late (preempted after the OR or the
 *       look): the word may be FULL again for another life of those bytes.
 */
int g_sb_claim_full(struct groove *g, uint32_t szc, uint64_t sb_off, int *err)
{
	struct g_sb *sb = g_sb_at(g, sb_off);

	*err = GROOVE_SUCCESS;
	if (!g_cas_sc(&sb->holder, G_HOLDER_FULL, g->holder))
		return 0;
	if (!g_sb_hdr_is(G_LOAD(&sb->bits), szc, sb_off)) {
		g_cas(&sb->holder, g->holder, G_HOLDER_FULL);	/* not ours: put back */
		return 0;
	}
	if (!__atomic_load_n(&sb->free, __ATOMIC_SEQ_CST)) {
		g_sb_drop_full(g, szc, sb_off);	/* full again: held a moment, dropped */
		return 0;
	}
	*err = g_sb_settle(g, szc, sb_off);
	return 1;
}

/*
 * g_sb_drop_full - let go of a held superblock whose bitmap is 0.
 * Pre:  we hold @sb_off (holder word ours) and took its last object.
 * Post: its holder word is FULL, or, if a free made room meanwhile, the
 *       superblock is back in circulation (g_sb_claim_full(): that free
 *       or we, whichever CAS won).
 * Concurrent: frees of its objects (OR, then the CAS from FULL).  A death
 *       between our AND and the drop leaves it held by a dead join: a
 *       take-over (join.c) merges our claimed object and puts it back.
 */
void g_sb_drop_full(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	struct g_sb *sb = g_sb_at(g, sb_off);
	int err;

	if (g_cas_sc(&sb->holder, g->holder, G_HOLDER_FULL) &&
	    __atomic_load_n(&sb->free, __ATOMIC_SEQ_CST))
		g_sb_claim_full(g, szc, sb_off, &err);
}

/*
 * g_stash_give_back - a thread cache gives back its stashed object @w of @szc.
 * Pre:  the object is claimed by this join (struct g_tcache, stash[]).
 * Post: its bit is set (g_obj_return(): its superblock is back in
 *       circulation if it was full, released if that left it empty and
 *       nobody holds it).
 * Concurrent: anything (our join is live: reclaimers leave it alone).
 */
void g_stash_give_back(struct groove *g, uint32_t szc, uint64_t w)
{
	uint32_t idx = g_stash_idx(w);

	g_obj_return(g, szc, g_stash_off(w) - G_BLK - (uint64_t)idx * g->szc[szc].fp, idx);
}

/*
 * g_tc_give_back - a thread cache gives back held superblock @sb_off.
 * Pre:  this join holds it (its holder word is ours); @mask: the objects
 *       claimed from it that the cache did not hand out.
 * Post: they are free in the bitmap, the holder word is 0, and the
 *       superblock is in circulation (g_sb_circulate()).
 * Concurrent: frees (they set bits; our kept bit means none circulates
 *       it), reclaimers (our join is live: they leave it alone).
 */
void g_tc_give_back(struct groove *g, uint32_t szc, uint64_t sb_off, uint64_t mask)
{
	struct g_sb *sb = g_sb_at(g, sb_off);

	if (mask)
		G_OR(&sb->free, mask);
	g_sb_circulate(g, szc, sb_off);
}

/*
 * Write the claimed headers (g_bits_claimed()) of the objects @claimed of
 * superblock @sb_off, which the caller holds, before their bits are
 * cleared, with our holder word in their tag words: a clear bit is then
 * never a free object without a claimed header, and a claimed object
 * names its claimer (a take-over merges only its dead holder's, join.c).
 */
static void g_mark_claimed(struct groove *g, uint32_t szc, uint64_t sb_off, uint64_t claimed)
{
	const struct g_szc *c = &g->szc[szc];

	while (claimed) {
		uint32_t i = (uint32_t)__builtin_ctzll(claimed);
		struct g_obj *o = (struct g_obj *)(g->vol0 + sb_off + G_BLK + i * c->fp);

		claimed &= claimed - 1;
		G_STORE_RLX(&o->tag, g->holder);
		G_STORE_RLX(&o->bits, g_bits_claimed(szc, i, sb_off + G_BLK + i * c->fp));
	}
}

/*
 * No memory for a new superblock of @szc: take one from another group's
 * active slot instead (*@sb_off), or say whether one may come back soon: a
 * slot or the inactive stack's head was claimed (another thread is moving
 * a superblock in or out of it) or the stack is not empty (any more).
 */
static int g_sb_other_slots(struct groove *g, uint32_t szc, uint64_t *sb_off, int *busy)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t head;
	uint32_t cg;
	int err;

	*busy = 0;
	for (cg = 0; cg <= c->cg_mask; cg++) {
		uint64_t *slot = &g->st->active[szc][cg].w;

		*busy |= !!(G_LOAD(slot) & G_CLAIMED);
		err = g_slot_take(g, szc, slot, sb_off);
		if (err || *sb_off)
			return err;
	}
	head = G_LOAD(&g->st->inactive[szc].w);
	*busy |= (head & G_CLAIMED) || g_stk_blk(g, head);
	return GROOVE_SUCCESS;
}

/*
 * Take a superblock of class @szc into the caller's hands (its holder word
 * ours): the active slot of this thread's group, else the inactive stack's
 * top, else a new one.  Short of memory for a new one: another group's
 * active slot, and while others are moving superblocks of the class
 * (claims, which these steps do not wait for) look again a few times
 * before saying GROOVE_ERR_FULL.
 */
static int g_sb_acquire(struct groove *g, uint32_t szc, uint64_t *sb_offp, uint64_t *bitsp)
{
	const struct g_szc *c = &g->szc[szc];
	unsigned int tries = 0;
	uint64_t sb_off, bits;
	int err, busy;

	for (;;) {
		err = g_slot_take(g, szc, &g->st->active[szc][g_hint() & c->cg_mask].w, &sb_off);
		if (err)
			return err;
		if (sb_off)
			break;
		err = g_inactive_pop(g, szc, &sb_off);
		if (err)
			return err;
		if (sb_off)
			break;
		if (!g_carve_depth)
			g_carve_busy = 0;
		err = g_sb_new(g, szc, &sb_off);
		if (err != GROOVE_ERR_FULL)
			break;
		err = g_sb_other_slots(g, szc, &sb_off, &busy);
		if (err || sb_off)
			break;
		if (g_carve_depth) {
			g_carve_busy |= busy;	/* carving for a child: it decides */
			return GROOVE_ERR_FULL;
		}
		if (!(busy || g_carve_busy) || ++tries > G_FULL_RETRIES)
			return GROOVE_ERR_FULL;
		sched_yield();	/* let the claimer finish its few stores */
	}
	if (err)
		return err;
	/* Checked by the take or the pop, or just written by g_sb_new(). */
	bits = G_LOAD_RLX(&g_sb_at(g, sb_off)->bits);
	G_TEST_CRASH_POINT(g, G_CRASH_SB_ACQUIRED);
	*sb_offp = sb_off;
	*bitsp = bits;
	return GROOVE_SUCCESS;
}

/*
 * A class without thread caches: a slot take (g_slot_take()) takes the
 * active superblock, one AND takes an object, a slot put puts it back
 * (unless it is full now).
 */
static int g_obj_take_shared(struct groove *g, uint32_t szc, uint64_t *sb_offp, uint32_t *idx)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t sb_off, bm, bit, old, bits;
	struct g_sb *sb;
	int err;

	err = g_sb_acquire(g, szc, &sb_off, &bits);
	if (err)
		return err;
	sb = g_sb_at(g, sb_off);
	/* Held by us (acquired so) while in our hands: recorded if we die. */
	bm = G_LOAD(&sb->free);
	if (G_UNLIKELY(!bm || (bm & ~c->full)))
		return GROOVE_ERR_CORRUPT;
	*idx = (uint32_t)__builtin_ctzll(bm);
	bit = 1ULL << *idx;
	g_mark_claimed(g, szc, sb_off, bit);
	old = G_AND(&sb->free, ~bit);
	if (G_UNLIKELY(!(old & bit)))
		return GROOVE_ERR_CORRUPT;
	G_TEST_CRASH_POINT(g, G_CRASH_SHARED_AFTER_AND);
	if (old & ~bit)
		g_sb_circulate(g, szc, sb_off);
	else
		g_sb_drop_full(g, szc, sb_off);	/* as g_obj_take_held()'s last object */
	*sb_offp = sb_off;
	return GROOVE_SUCCESS;
}

/*
 * A thread-cached class whose mask ran out: claim the held superblock's free
 * objects but one; if only that one is left, swap in the previous held
 * superblock (whose objects this thread freed meanwhile), else hold a fresh
 * one and keep the exhausted one as the previous (the oldest goes back to
 * circulation).  Only when no superblock can be had is the last bit taken
 * and the superblock dropped (full: the free that makes room brings it back).
 */
static int g_obj_take_held(struct groove *g, struct g_tcache *tc, uint32_t szc,
			   uint64_t *sb_offp, uint32_t *idx)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t sb_off, bm, old, keep, claim, fresh, fresh_bits;
	uint16_t sig;
	int swapped = 0, acquired = 0, err;
	struct g_sb *sb;

	for (;;) {
		sb_off = tc->held[szc];
		if (sb_off) {
			sb = g_sb_at(g, sb_off);
			bm = G_LOAD(&sb->free);
			if (G_UNLIKELY(!bm || (bm & ~c->full)))
				goto corrupt;
			if (bm & (bm - 1)) {
				/*
				 * Claim all but the lowest free object into the
				 * mask: claimed headers first, then one AND of
				 * exactly those bits (bits set meanwhile stay).
				 */
				keep = bm & -bm;
				claim = bm & ~keep;
				g_mark_claimed(g, szc, sb_off, claim);
				old = G_AND(&sb->free, ~claim);
				if (G_UNLIKELY((old & bm) != bm))
					goto corrupt;
				*idx = (uint32_t)__builtin_ctzll(claim);
				tc->mask[szc] = claim & (claim - 1);
				*sb_offp = sb_off;
				return GROOVE_SUCCESS;
			}
		}
		/* Held is empty or down to the bit that keeps it held. */
		if (tc->prev[szc] && !swapped) {
			sig = tc->hsig[szc];
			tc->held[szc] = tc->prev[szc];
			tc->mask[szc] = tc->pmask[szc];
			tc->hsig[szc] = tc->psig[szc];
			tc->prev[szc] = sb_off;
			tc->pmask[szc] = 0;
			tc->psig[szc] = sig;
			swapped = 1;
			if (tc->mask[szc]) {
				*idx = (uint32_t)__builtin_ctzll(tc->mask[szc]);
				tc->mask[szc] &= tc->mask[szc] - 1;
				*sb_offp = tc->held[szc];
				return GROOVE_SUCCESS;
			}
			continue;
		}
		if (acquired)
			break;
		err = g_sb_acquire(g, szc, &fresh, &fresh_bits);
		if (err) {
			if (!sb_off)
				return err;
			break;	/* the last object of the held one, below */
		}
		acquired = 1;
		if (tc->prev[szc])
			g_tc_give_back(g, szc, tc->prev[szc], tc->pmask[szc]);
		tc->prev[szc] = sb_off;
		tc->pmask[szc] = 0;
		tc->psig[szc] = tc->hsig[szc];
		tc->held[szc] = fresh;
		tc->hsig[szc] = g_sb_sig(fresh_bits);
	}
	/* Take the last free object of the held superblock and drop it. */
	sb_off = tc->held[szc];
	if (!sb_off)
		return GROOVE_ERR_CORRUPT;
	sb = g_sb_at(g, sb_off);
	bm = G_LOAD(&sb->free);
	if (G_UNLIKELY(!bm || (bm & ~c->full)))
		goto corrupt;
	*idx = (uint32_t)__builtin_ctzll(bm);
	keep = 1ULL << *idx;
	/*
	 * Still held (our holder word stays) while bits remain.  If the AND
	 * leaves it full, it is dropped (g_sb_drop_full(): FULL, then a
	 * look for a free that came meanwhile).  Dying between the AND and
	 * the drop leaves it full and held by a dead join: its take-over
	 * merges our claimed object (g_sb_take_over()).
	 */
	g_mark_claimed(g, szc, sb_off, keep);
	old = G_AND(&sb->free, ~keep);
	if (G_UNLIKELY(!(old & keep)))
		goto corrupt;
	if (!(old & ~keep)) {
		tc->held[szc] = 0;	/* full: the free that makes room brings it back */
		G_TEST_CRASH_POINT(g, G_CRASH_LAST_OBJECT_FULL);
		g_sb_drop_full(g, szc, sb_off);
	}
	*sb_offp = sb_off;
	return GROOVE_SUCCESS;
corrupt:
	tc->held[szc] = 0;
	return GROOVE_ERR_CORRUPT;
}

/*
 * g_obj_take - take one free object of class @szc.
 * Pre:  none.
 * Post: GROOVE_SUCCESS: object *@idx of the superblock at
 *       *@obj_off - G_BLK - *@idx * fp is ours (its bit is clear, it is in
 *       no thread cache mask).
 * Concurrent: anything.  Small classes (tcache.c): from this thread's mask
 *       without atomics; when it is empty, one AND claims every free object
 *       of the held superblock but one (whose bit stays set, so the bitmap
 *       is never 0 while held), or the thread swaps to its previous held
 *       superblock or holds a new one (g_obj_take_held).  Other classes:
 *       a slot take takes the active superblock of the thread's group
 *       (else the inactive stack's top, else a new superblock), one AND
 *       takes an object, a slot put puts it back.  A superblock whose
 *       last object is taken is dropped: out of circulation until the free
 *       that makes room.
 */
int g_obj_take(struct groove *g, uint32_t szc, uint64_t *obj_off, uint32_t *idx)
{
	const struct g_szc *c = &g->szc[szc];
	struct g_tcache *tc;
	uint64_t sb_off;
	uint32_t i;
	int err;

	if (!c->tcache) {
		/* Bound, so that this thread's frees of the class stash one object. */
		tc = g_tc_get(g);
		if (tc && g_stash_take(tc, szc, obj_off, idx))
			return GROOVE_SUCCESS;	/* the object this thread freed last */
		err = g_obj_take_shared(g, szc, &sb_off, &i);
	} else {
		tc = g_tc_get(g);
		if (G_UNLIKELY(!tc))
			return GROOVE_ERR_FORKED;
		if (G_LIKELY(tc->mask[szc])) {
			i = (uint32_t)__builtin_ctzll(tc->mask[szc]);
			tc->mask[szc] &= tc->mask[szc] - 1;
			sb_off = tc->held[szc];
			err = GROOVE_SUCCESS;
		} else {
			err = g_obj_take_held(g, tc, szc, &sb_off, &i);
		}
	}
	if (G_UNLIKELY(err))
		return err;
	*obj_off = sb_off + G_BLK + i * c->fp;
	*idx = i;
	return GROOVE_SUCCESS;
}

/*
 * g_obj_return - mark object @idx of superblock @sb_off free.
 * Pre:  the caller owns the object (its header was claimed, or it is a
 *       superblock being released); the bit is clear.
 * Post: the bit is set.  If the superblock was full it is back in
 *       circulation; if it was held by nobody and is now empty (a one-object
 *       superblock) it went back to its parent.  If it became empty, one
 *       empty superblock of the class (if the inactive stack's top is one)
 *       went back to its parent.
 * Concurrent: anything.
 */
int g_obj_return(struct groove *g, uint32_t szc, uint64_t sb_off, uint32_t idx)
{
	const struct g_szc *c = &g->szc[szc];
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t bit = 1ULL << idx, old, now, cand;
	int err;

	G_TSAN_FREED();	/* it may leave this process from here on */
	old = __atomic_fetch_or(&sb->free, bit, __ATOMIC_SEQ_CST);
	if (G_UNLIKELY(old & bit))
		return GROOVE_ERR_CORRUPT;
	now = old | bit;
	if (!old) {
		G_TEST_CRASH_POINT(g, G_CRASH_FREE_FULL_OR);
		/*
		 * It was full: whoever takes its holder word from FULL puts
		 * it back, we if nobody beat us ("full" above).  A holder word
		 * that is not FULL yet is a last-object taker's, which
		 * re-checks the bitmap after its drop, or a reclaimer's, which
		 * circulates it: either way not ours.
		 */
		g_sb_claim_full(g, szc, sb_off, &err);
		return err;
	}
	if (now != c->full)
		return GROOVE_SUCCESS;
	err = g_inactive_pop(g, szc, &cand);
	if (err || !cand)
		return GROOVE_SUCCESS;	/* a corrupt stack is verify's to report */
	if (G_LOAD(&g_sb_at(g, cand)->free) == c->full)
		return g_sb_release(g, szc, cand);
	/* Held by us (the pop stamped it) until it is back: recorded if we die. */
	G_TEST_CRASH_POINT(g, G_CRASH_RETURN_CANDIDATE);
	return g_inactive_push(g, szc, cand);
}

/*
 * Pre:  none.  Post: every superblock that was empty and in circulation when
 * the call started (held by no other thread) is back with its parent (classes are visited smallest
 * first, so freed parents are visited after their children).
 * Concurrent: anything; allocations meanwhile may find a class's stack
 * briefly drained and carve a new superblock.
 */
static int g_trim(struct groove *g)
{
	uint32_t szc, cg;

	for (szc = 0; szc < g->szc_cnt; szc++) {
		const struct g_szc *c = &g->szc[szc];
		uint64_t keep = 0, off, bound = g->region_size >> (G_BLK_SHIFT + 1);
		int err;

		for (cg = 0; cg <= c->cg_mask; cg++) {
			err = g_slot_take(g, szc, &g->st->active[szc][cg].w, &off);
			if (err)
				return err;
			if (!off)
				continue;
			g_inactive_push(g, szc, off);
		}
		/* Drain the stack; keep the non-empty ones on a private list. */
		while (bound--) {
			err = g_inactive_pop(g, szc, &off);
			if (err)
				return err;
			if (!off)
				break;
			if (G_LOAD(&g_sb_at(g, off)->free) == c->full) {
				err = g_sb_release(g, szc, off);
				if (err)
					return err;
				continue;
			}
			/* Held by us (the pop stamped it) on the private list. */
			G_STORE_RLX(&g_sb_at(g, off)->next, keep >> G_BLK_SHIFT);
			keep = off;
			G_TEST_CRASH_POINT(g, G_CRASH_TRIM_KEPT);
		}
		while (keep) {
			off = keep;
			keep = G_LOAD_RLX(&g_sb_at(g, off)->next) << G_BLK_SHIFT;
			g_inactive_push(g, szc, off);
		}
	}
	return GROOVE_SUCCESS;
}

/*
 * groove_trim - the drain above after this thread's flush; then, once, what
 * dead joins hold (groove_reclaim()) and, if it took anything, the drain
 * again, so their empty superblocks and volumes come back too.
 */
G_API int groove_trim(groove_t *g)
{
	int err;

	if (!g)
		return GROOVE_ERR_INVAL;
	groove_thread_flush(g);
	err = g_trim(g);
	if (!err && groove_reclaim(g) > 0)
		err = g_trim(g);
	return err;
}
