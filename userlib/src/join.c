// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Joins and online reclaim.
 *
 * Every groove_open() takes a join: an entry (idx, generation) of the join
 * table at GROOVE_JOIN_OFF(volume_max), the file-offset hole between the
 * header region and volume slot 0.  Its holder word G_HOLDER(idx, gen) is
 * what a thread cache writes into the superblocks it holds (superblock.c),
 * so what a join holds is in shared memory, and a survivor that sees the
 * join dead takes those superblocks over (groove_reclaim()).
 *
 *   device  GROOVE_IOC_JOIN on the join's own file; the kernel writes the
 *           table (mapped read-only here) and marks the entry dead when the
 *           file's last reference goes (SIGKILL included).  Live exactly
 *           while the entry reads GROOVE_JOIN_WORD(gen, 1).
 *   file    the table's bytes exist in the file but nothing vouches for
 *           them: the join holds an OFD write lock on byte join_off + 8 * idx
 *           for its whole life (the kernel drops it with the open file
 *           description, SIGKILL included); it is live iff someone holds
 *           that lock (F_OFD_GETLK from another description).  The word
 *           GROOVE_JOIN_WORD(gen, 1) is written for information and to
 *           number generations (old + 1, under the lock).  The lock bytes
 *           lie in [join_off, join_off + 32 KiB), at most 804 KiB into the
 *           file, clear of exclusive.c's byte at 2 MiB - 1 for every
 *           geometry (checked in g_join_begin()).
 *
 * Join states (one entry of the table):
 *
 *   free     --groove_open-->   live (gen + 1): its threads write G_HOLDER
 *                               into superblocks they take and clear it
 *                               when they give them back
 *   live     --close / exit / SIGKILL-->  dead (same gen): no thread of
 *                               it writes shared memory again; the
 *                               superblocks naming it are frozen: bits may
 *                               only be set (frees), never cleared
 *   dead     --groove_reclaim-->  reclaimed: each of its superblocks is
 *                               taken over by one CAS of the holder word
 *                               and put back in circulation; the entry
 *                               itself is free for the next join
 *
 * A forked child shares its parent's open file, so it must not act under
 * the parent's join: the paths that write holder words check the pid and
 * say GROOVE_ERR_FORKED; the child calls groove_open() itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "groove_internal.h"

#ifdef GROOVE_TEST_HOOKS
G_API groove_test_walk_hook_fn groove_test_reclaim_walk_hook;
#endif

/* The largest join_off (groove_join_off(GROOVE_VOLUME_MAX_LIMIT)) plus the table. */
_Static_assert(GROOVE_VOL_TABLE_OFF + GROOVE_VOLUME_MAX_LIMIT * sizeof(struct groove_vol_entry) +
	       GROOVE_ALLOC_STATE_SIZE + GROOVE_JOIN_TABLE_SIZE <= G_FILE_LOCK_OFF,
	       "file join lock bytes must stay clear of the exclusive claim byte");

static void g_join_range(struct flock *fl, short type, uint64_t join_off, uint32_t idx)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)(join_off + (uint64_t)idx * sizeof(struct groove_join_entry));
	fl->l_len = 1;
}

static void g_join_anon(struct groove *g)
{
	g->join_idx = GROOVE_JOIN_MAX;
	g->join_gen = 0;
	g->holder = G_HOLDER_ANON;
}

/*
 * Take this handle's join.  Device: the table is mapped here, read-only.
 * File: @g->hdr_map covers the table (backing.c maps it with the header).
 * Returns 0, or -1 with errno (ENOSPC: every entry is live).  Without a way
 * to vouch for liveness (a module without GROOVE_IOC_JOIN, a filesystem
 * without OFD locks) the join is anonymous: its superblocks are never
 * taken over (stranded until an offline rebuild if it dies).
 */
int g_join_begin(struct groove *g, uint64_t join_off)
{
	struct flock fl;
	uint32_t idx;

	g->join_pid = (int)getpid();
	g_join_anon(g);
	if (g->is_dev) {
		struct groove_join j;
		void *m;

		memset(&j, 0, sizeof(j));
		if (ioctl(g->fd, GROOVE_IOC_JOIN, &j) < 0)
			return errno == ENOTTY ? 0 : -1;
		if (j.idx >= GROOVE_JOIN_MAX || !j.generation) {
			errno = EPROTO;
			return -1;
		}
		g->join_idx = j.idx;
		g->join_gen = j.generation;
		g->holder = G_HOLDER(j.idx, j.generation & G_HOLDER_GEN_MASK);
		m = mmap(NULL, (size_t)GROOVE_JOIN_TABLE_SIZE, PROT_READ, MAP_SHARED, g->fd,
			 (off_t)join_off);
		if (m != MAP_FAILED) {
			g->join_map = m;
			g->join_tab = m;
		}	/* else: we cannot judge others, they can judge us */
		return 0;
	}
	if (!g->file_locked || join_off + GROOVE_JOIN_TABLE_SIZE > G_FILE_LOCK_OFF)
		return 0;
	g->join_tab = (struct groove_join_entry *)((uint8_t *)g->hdr_map + join_off);
	for (idx = 0; idx < GROOVE_JOIN_MAX; idx++) {
		uint64_t word, gen;

		g_join_range(&fl, F_WRLCK, join_off, idx);
		if (fcntl(g->fd, F_OFD_SETLK, &fl) < 0) {
			if (errno == EAGAIN || errno == EACCES)
				continue;
			g->join_tab = NULL;
			return 0;
		}
		word = G_LOAD(&g->join_tab[idx].word);
		gen = (GROOVE_JOIN_GEN(word) + 1) & G_HOLDER_GEN_MASK;
		if (!gen)
			gen = 1;
		G_STORE(&g->join_tab[idx].word, GROOVE_JOIN_WORD(gen, 1));
		g->join_idx = idx;
		g->join_gen = gen;
		g->holder = G_HOLDER(idx, gen);
		return 0;
	}
	g->join_tab = NULL;
	errno = ENOSPC;
	return -1;
}

/* End this handle's join (groove_close(); closing the fd ends it too). */
void g_join_end(struct groove *g)
{
	struct flock fl;

	if (g->is_dev) {
		if (g->join_map)
			munmap(g->join_map, (size_t)GROOVE_JOIN_TABLE_SIZE);
	} else if (g->join_tab && g->join_idx < GROOVE_JOIN_MAX) {
		uint64_t join_off = (uint64_t)((uint8_t *)g->join_tab - (uint8_t *)g->hdr_map);

		G_STORE(&g->join_tab[g->join_idx].word, GROOVE_JOIN_WORD(g->join_gen, 0));
		g_join_range(&fl, F_UNLCK, join_off, g->join_idx);
		fcntl(g->fd, F_OFD_SETLK, &fl);
	}
	g->join_map = NULL;
	g->join_tab = NULL;
	g_join_anon(g);
}

/*
 * g_join_live - may join (@idx, @gen) still be live?  A predicate: reads
 * only.  0 only when it is dead for sure (and a dead join stays dead:
 * generations only grow); 1 for a live join, for this handle's own, and for
 * anything it cannot judge (an index out of bounds, a generation the entry
 * never had, no join table).  Every decision to take a superblock over
 * rests on this returning 0.
 */
int g_join_live(const struct groove *g, uint32_t idx, uint64_t gen)
{
	uint64_t word, wgen;
	struct flock fl;

	if (idx >= GROOVE_JOIN_MAX || !gen || !g->join_tab)
		return 1;
	word = G_LOAD(&g->join_tab[idx].word);
	wgen = GROOVE_JOIN_GEN(word) & G_HOLDER_GEN_MASK;
	if (wgen < gen)
		return 1;	/* a generation the entry never had: garbage, leave it */
	if (wgen > gen)
		return 0;	/* the entry was taken again since: that join ended */
	if (g->is_dev)
		return (word & GROOVE_JOIN_LIVE) != 0;
	if (idx == g->join_idx)
		return 1;	/* our own: our lock does not conflict with itself */
	g_join_range(&fl, F_WRLCK,
		     (uint64_t)((uint8_t *)g->join_tab - (uint8_t *)g->hdr_map), idx);
	if (fcntl(g->fd, F_OFD_GETLK, &fl) < 0)
		return 1;
	return fl.l_type != F_UNLCK;
}

/*
 * g_join_live_low - may the join of entry @idx whose generation's low @bits
 * bits are @gen_low still be live?  As g_join_live(), from a truncated
 * generation: an entry whose generation differs in those bits has moved
 * past that join (it ended); one that agrees is judged by its own
 * generation (that join, or one 2^@bits generations later: either live is
 * "live").  So it never says dead of a live join.
 */
int g_join_live_low(const struct groove *g, uint32_t idx, uint64_t gen_low, uint32_t bits)
{
	uint64_t wgen;

	if (idx >= GROOVE_JOIN_MAX || !g->join_tab)
		return 1;
	wgen = GROOVE_JOIN_GEN(G_LOAD(&g->join_tab[idx].word)) & G_HOLDER_GEN_MASK;
	if ((wgen & ((1ULL << bits) - 1)) != gen_low)
		return 0;
	return g_join_live(g, idx, wgen);
}

/* This process is not the one that took @g's join (a forked child). */
int g_join_forked(const struct groove *g)
{
	return G_UNLIKELY((int)getpid() != g->join_pid);
}

/*
 * g_sb_take_over - take a superblock held by a dead join and put it back.
 * Pre:  @h (a holder word of a join g_join_live() said is dead) was read
 *       from @sb_off's holder word by a walk of class @szc that holds
 *       nothing there: since then @sb_off may have been released and its
 *       bytes handed to a user object.
 * Post: 1: this join won the holder CAS; every object the dead join
 *       claimed (clear bit, g_bits_is_claimed() header, @h in its tag word:
 *       in the dead thread's mask, never handed out) is free in the bitmap
 *       again, and the superblock is back (g_sb_settle(): with its parent
 *       if all free, else in circulation, its holder word 0), or dropped
 *       when its bitmap is 0 (g_sb_drop_full(): FULL, the free that makes
 *       room brings it back, as for any full superblock).  0: someone else won, @sb_off is no
 *       longer a superblock of @szc (found before the CAS: nothing written;
 *       after it: the word was put back), or a claim of an active slot or
 *       of the stack head names it (g_rc_slots() finishes it: nothing
 *       written); nothing else changed.
 * Concurrent: other reclaimers (one CAS wins: the dead join never writes
 *       again, so @h cannot come back); frees of its live objects, which
 *       only set bits (OBJ -> FREED header CAS, then OR); a free in flight
 *       (FREED header, bit still clear) is not claimed-format and is left
 *       to its freer (or, dead, to g_obj_take_back()).  While held (dead
 *       owner, then us) the superblock keeps its last set bit -- only its
 *       holder clears bits -- so no such free sees a 0 bitmap; except
 *       when the dead holder took its last object and died before its
 *       drop: then a free whose OR sees 0 finds the holder word not FULL
 *       and leaves the superblock to whoever holds that word (us, once
 *       our CAS wins; sequentially consistent, so our bitmap read after
 *       the CAS sees that free's bit).
 *       If we die half way, our join is dead and owns it: the next
 *       reclaimer repeats the merge (an OR of bits that are clear and
 *       claimed: idempotent).
 *       A release and reuse of @sb_off: the header is checked before the
 *       CAS, so a user's bytes that happen to read @h are not CASed
 *       (tests/hook_test.c).  Left open, since a superblock held by the
 *       dead @h is frozen until someone takes it over: another reclaimer's
 *       take-over, the superblock's release and reuse, and a user's store
 *       of @h where its holder word was, all between our check and our
 *       CAS; the check after the CAS puts the user's word back (changed
 *       for that moment).
 */
static int g_sb_take_over(struct groove *g, uint32_t szc, uint64_t sb_off, uint64_t h)
{
	const struct g_szc *c = &g->szc[szc];
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t bits, fr, merge = 0, i;

	/* A claim names it: whoever finishes the claim deals with it. */
	if (!g_sb_hdr_is(g_load_stale(&sb->bits), szc, sb_off) ||
	    g_claim_names(g, szc, sb_off))
		return 0;
	if (!g_cas_sc(&sb->holder, h, g->holder))
		return 0;
	bits = G_LOAD(&sb->bits);
	if (!g_sb_hdr_is(bits, szc, sb_off)) {
		/* Released and reused after the check: not ours to touch. */
		g_cas(&sb->holder, g->holder, h);
		return 0;
	}
	fr = G_LOAD(&sb->free);
	if (fr & ~c->full) {
		g_cas(&sb->holder, g->holder, h);	/* corrupt: leave it held */
		return 0;
	}
	for (i = 0; i < c->cnt; i++) {
		uint64_t obj_off = sb_off + G_BLK + i * c->fp;
		struct g_obj *o = (struct g_obj *)(g->vol0 + obj_off);

		/*
		 * Only what the dead join claimed: a superblock that another
		 * taker filled and dropped, then circulated and held by the
		 * dead join, may still hold that taker's claimed object,
		 * about to be handed out.
		 */
		if (!(fr & (1ULL << i)) && g_bits_is_claimed(G_LOAD(&o->bits), szc, i, obj_off) &&
		    G_LOAD_RLX(&o->tag) == h)
			merge |= 1ULL << i;
	}
	/*
	 * Ours now, whatever the bitmap: a free whose OR saw 0 (the dead
	 * holder took its last object) leaves a superblock whose holder word
	 * is not FULL to whoever holds that word (g_obj_return()).  With a
	 * free object it goes back; still full (nothing to merge, no free
	 * came), it is dropped as its taker would have.
	 */
	if (merge)
		__atomic_fetch_or(&sb->free, merge, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sb->free, __ATOMIC_SEQ_CST))
		g_sb_settle(g, szc, sb_off);	/* held by us until it is back */
	else
		g_sb_drop_full(g, szc, sb_off);
	return 1;
}

/*
 * g_sb_take_full - a walk found superblock @sb_off of class @szc with its
 * holder word FULL and a free object: a free that made room and was cut
 * short before its CAS (or is about to make it).  Take it from FULL and
 * put it back.
 * Pre:  as g_sb_take_over() (the walk holds nothing there).
 * Post: as g_sb_claim_full(); 0 also when it is no longer such a
 *       superblock before the CAS (nothing written).
 * Concurrent: the free itself, droppers, other reclaimers: one CAS from
 *       FULL wins (g_sb_claim_full()).
 */
static int g_sb_take_full(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	struct g_sb *sb = g_sb_at(g, sb_off);
	int err;

	if (!g_sb_hdr_is(g_load_stale(&sb->bits), szc, sb_off) || !g_load_stale(&sb->free))
		return 0;
	return g_sb_claim_full(g, szc, sb_off, &err);
}

/*
 * g_obj_take_back - set the bit of an object a dead join left in flight.
 * Pre:  a walk of class @szc's superblock @sb_off (which this join does
 *       not hold) found object @i's bit clear, read @b0 from the object's
 *       first block, @inner before its payload and @h from the first
 *       block's tag word, and judged @h dead; and either @b0 says
 *       "freeing" (g_bits_is_freeing(): a free or release cut short), or
 *       @b0 is claimed (g_bits_is_claimed()) and the superblock's holder
 *       word read 0 (an object a taker outside any thread cache claimed and
 *       did not hand out: g_obj_take_shared(), the last-object path).
 *       Since then @sb_off may have been released and its bytes handed to
 *       a user object.
 * Post: 1: this join won the CAS of the tag word (@h -> ours), the first
 *       block says FREED (a freeing object) or stays claimed, and the bit
 *       is set (g_obj_return(): the superblock is back in circulation if
 *       it was full, released if it is empty now and nobody holds it).
 *       0: someone else won, or it is no longer that object (found before
 *       the CAS: nothing written; after it: the tag word was put back).
 * Concurrent: other reclaimers (one CAS wins: the dead join never writes
 *       again; a winner that dies leaves its own holder word, dead in turn,
 *       for the next one).  Nothing else writes such an object: no taker
 *       clears or sets its bit, no free passes its header check.  A
 *       claimed object of a superblock someone holds is the holder's (its
 *       take-over merges it), hence the holder check after the CAS too: a
 *       holder's claims only ever clear set bits.  A release and reuse of
 *       @sb_off between the checks and the CAS is as for g_sb_take_over():
 *       the checks after the CAS put a user's word back.
 */
static int g_obj_take_back(struct groove *g, uint32_t szc, uint64_t sb_off, uint32_t i,
			   uint64_t b0, uint64_t inner, uint64_t h)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t obj_off = sb_off + G_BLK + (uint64_t)i * c->fp;
	struct g_obj *o = (struct g_obj *)(g->vol0 + obj_off);
	struct g_sb *sb = g_sb_at(g, sb_off);
	int claimed = G_F_TYPE(b0) == G_T_NONE;

	if (!g_sb_hdr_is(g_load_stale(&sb->bits), szc, sb_off) || !g_cas(&o->tag, h, g->holder))
		return 0;
	if (!g_sb_hdr_is(G_LOAD(&sb->bits), szc, sb_off) || G_LOAD(&o->bits) != b0 ||
	    (G_LOAD(&sb->free) & (1ULL << i)) || (claimed && g_holder_holds(G_LOAD(&sb->holder))) ||
	    (G_F_TYPE(b0) == G_T_OBJ &&
	     G_LOAD(&((struct g_obj *)(g->vol0 + obj_off + G_F_PAD(b0) -
				       GROOVE_OBJ_HDR_SIZE))->bits) != inner)) {
		g_cas(&o->tag, g->holder, h);
		return 0;
	}
	if (G_F_TYPE(b0) == G_T_OBJ)
		G_STORE(&o->bits, (b0 & ~3ULL) | G_T_FREED);	/* what the freer's next store was */
	return g_obj_return(g, szc, sb_off, i) == GROOVE_SUCCESS;
}

struct g_rc {
	struct groove *g;
	uint64_t budget;		/* superblocks left to walk */
	uint64_t *seen_h;		/* per join index: last holder word judged */
	uint8_t *seen_dead;		/* ... and whether it was dead */
	int taken;
};

static int g_rc_dead(struct g_rc *rc, uint64_t h)
{
	uint32_t idx = G_HOLDER_IDX(h);

	if (h == rc->g->holder || idx >= GROOVE_JOIN_MAX)
		return 0;
	if (rc->seen_h[idx] != h) {
		rc->seen_h[idx] = h;
		rc->seen_dead[idx] = !g_join_live(rc->g, idx, G_HOLDER_GEN(h));
	}
	return rc->seen_dead[idx];
}

/*
 * Walk superblock @sb_off of class @szc (its header was checked by the
 * caller) and its child superblocks; take over those a dead join holds,
 * and take back the objects a dead join left in flight in them (frees cut
 * short, objects claimed outside a thread cache and never handed out).
 * Reads a live tree: a child may be released under us and its bytes
 * handed to a user (its header then fails the check, or the take-over's
 * checks), which costs nothing but a missed superblock (the next reclaim
 * finds it).  So every word of it is read with g_load_stale(): validated
 * before use, racing the user's stores by design.
 */
static void g_rc_walk(struct g_rc *rc, uint64_t sb_off, uint32_t szc, int depth)
{
	struct groove *g = rc->g;
	const struct g_szc *c = &g->szc[szc];
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t h, fr, i, inner;
	int held;

	if (depth > (int)GROOVE_SZC_MAX || !rc->budget)
		return;
	rc->budget--;
	G_TEST_WALK_HOOK(g, szc, sb_off);	/* it may be released and reused from here on */
	h = g_load_stale(&sb->holder);
	if (h == G_HOLDER_FULL)
		rc->taken += g_sb_take_full(g, szc, sb_off);
	else if (h && g_rc_dead(rc, h))
		rc->taken += g_sb_take_over(g, szc, sb_off, h);
	held = g_holder_holds(g_load_stale(&sb->holder));
	fr = g_load_stale(&sb->free);
	for (i = 0; i < c->cnt; i++) {
		uint64_t obj_off = sb_off + G_BLK + i * c->fp, bits;

		if (fr & (1ULL << i))
			continue;
		bits = g_load_stale(&((struct g_obj *)(g->vol0 + obj_off))->bits);
		if (g_child_sb_ok(g, obj_off, bits, szc, (uint32_t)i)) {
			g_rc_walk(rc, obj_off, (uint32_t)G_F_SZC(bits), depth + 1);
			continue;
		}
		if (G_F_TYPE(bits) == G_T_OBJ && G_F_PAD(bits) > GROOVE_OBJ_HDR_SIZE &&
		    G_F_PAD(bits) < c->fp)
			inner = g_load_stale(&((struct g_obj *)(g->vol0 + obj_off + G_F_PAD(bits) -
								GROOVE_OBJ_HDR_SIZE))->bits);
		else
			inner = 0;
		if (g_bits_is_freeing(bits, inner, szc, i, obj_off) ||
		    (!held && g_bits_is_claimed(bits, szc, i, obj_off))) {
			h = g_load_stale(&((struct g_obj *)(g->vol0 + obj_off))->tag);
			if (h && g_rc_dead(rc, h))
				rc->taken += g_obj_take_back(g, szc, sb_off, (uint32_t)i,
							     bits, inner, h);
		}
	}
}

/*
 * g_rc_slots - finish the stack heads that dead joins left claimed
 * (g_stack_unstick()), empty the active slots they left claimed
 * (g_slot_take(), g_slot_put() cut short) and take their superblocks.
 * Pre:  none.
 * Post: every stack head and active slot claimed, when it was read, by a
 *       join dead then is finished (unless another reclaimer did it): the
 *       head clean with its top linked, the slot empty and its superblock
 *       in circulation or taken over as held by the dead join.
 * Concurrent: other reclaimers (one CAS of the slot wins; a take-over
 *       elsewhere leaves a superblock a claimed slot names alone, so the
 *       winner's only rival for one the dead join stamped is a take-over
 *       that looked after the slot was emptied: the holder CAS decides);
 *       the rest of the groove (a claimed slot is written by its claimer
 *       only, and that join is dead).
 *       The holder word is read before the slot's CAS: 0 then means the
 *       dead join never stamped it, and nothing stamps it afterwards (a
 *       take-over only touches a dead join's word), so the CAS that empties
 *       the slot makes it ours alone.  Read after, 0 could already be a
 *       take-over's that circulated it.
 */
static void g_rc_slots(struct g_rc *rc)
{
	struct groove *g = rc->g;
	uint32_t szc, cg;

	for (szc = 0; szc < g->szc_cnt; szc++) {
		/* A dead join's claim of the stack head: finish it (it stays linked). */
		rc->taken += g_stack_unstick(g, szc, G_LOAD(&g->st->inactive[szc].w));
		for (cg = 0; cg <= g->szc[szc].cg_mask; cg++) {
			uint64_t *slot = &g->st->active[szc][cg].w;
			uint64_t w = G_LOAD(slot), off, h;
			struct g_sb *sb;

			if (!(w & G_CLAIMED) ||
			    g_join_live_low(g, g_claim_idx(w), g_claim_gen(w),
					    G_CLAIM_GEN_BITS))
				continue;
			off = g_claim_off(w);
			if (!g_sb_off_ok(g, off)) {
				g_cas(slot, w, 0);	/* names nothing: verify's to report */
				continue;
			}
			sb = g_sb_at(g, off);
			h = G_LOAD(&sb->holder);
			if (!g_cas(slot, w, 0))
				continue;
			if (!g_sb_hdr_is(G_LOAD(&sb->bits), szc, off))
				continue;
			if (!h) {
				G_STORE(&sb->holder, g->holder);
				g_sb_circulate(g, szc, off);
				rc->taken++;
			} else if (g_rc_dead(rc, h)) {
				rc->taken += g_sb_take_over(g, szc, off, h);
			}
		}
	}
}

/*
 * groove_reclaim - take over what dead joins hold.
 * Pre:  none.
 * Post: the empty-volume stack's head, if a join dead then left it
 *       claimed, is finished (g_vstack_unstick()); every stack head and
 *       active slot a join dead then left claimed is
 *       finished, its superblock back in circulation (g_rc_slots()); every
 *       superblock held, when the walk reached it, by a join that was dead
 *       then is back in circulation with its claimed objects free
 *       (g_sb_take_over()), and every object a dead join left in flight
 *       (a free cut short, an object claimed and never handed out) is free
 *       (g_obj_take_back()); live objects are untouched, superblocks of
 *       live joins are untouched; a file's volume slot that a dead join
 *       left in transit (adding or removing a volume there) is free.
 *       Returns how many claims were finished plus how many superblocks
 *       were taken over plus how many objects were taken back plus how
 *       many file slots were freed.
 * Concurrent: anything, other reclaimers included.
 */
G_API int groove_reclaim(groove_t *g)
{
	struct g_rc rc;
	uint32_t idx;

	if (!g)
		return GROOVE_ERR_INVAL;
	if (g_join_forked(g))
		return GROOVE_ERR_FORKED;
	if (!g->join_tab)
		return 0;	/* we cannot tell the dead from the live */
	memset(&rc, 0, sizeof(rc));
	rc.g = g;
	rc.budget = (g->region_size >> G_BLK_SHIFT) + 1;
	rc.seen_h = calloc(GROOVE_JOIN_MAX, sizeof(*rc.seen_h));
	rc.seen_dead = calloc(GROOVE_JOIN_MAX, 1);
	if (!rc.seen_h || !rc.seen_dead) {
		free(rc.seen_h);
		free(rc.seen_dead);
		return GROOVE_ERR_AGAIN;
	}
	/* A dead join's claim of the empty-volume stack: finish it first. */
	rc.taken += g_vstack_unstick(g, G_LOAD(&g->hdr->empty_stack));
	for (idx = 0; !g->is_dev && idx < g->volume_max; idx++) {
		uint32_t p = G_LOAD(&g->table[idx].present);

		/*
		 * A file's slot left in transit by a dead join: free it --
		 * unless a claim of the empty-volume stack names it (judged
		 * after the join's death, so that claim can only be the dead
		 * join's or its finisher's, which settles the slot).
		 */
		if ((p & G_PRESENT_TRANSIT) &&
		    !g_join_live_low(g, G_HOLDER_IDX(p), (p >> 13) & ((1U << G_PRESENT_GEN_BITS) - 1),
				     G_PRESENT_GEN_BITS) &&
		    !g_vstack_names(g, idx) &&
		    __atomic_compare_exchange_n(&g->table[idx].present, &p, g_present_transit(g), 0,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			g_file_slot_free(g, idx);
			rc.taken++;
		}
	}
	g_rc_slots(&rc);
	for (idx = 0; idx < g->volume_max; idx++) {
		uint64_t root = ((uint64_t)idx << g->vshift) + G_BLK, bits;

		if (G_LOAD(&g->table[idx].present) != 1 ||
		    G_LOAD(&g_vol(g, idx)->magic) != GROOVE_VOLUME_MAGIC_DATA)
			continue;
		bits = G_LOAD(&g_sb_at(g, root)->bits);
		if (g_root_sb_ok(g, root, bits))
			g_rc_walk(&rc, root, (uint32_t)G_F_SZC(bits), 0);
	}
	free(rc.seen_h);
	free(rc.seen_dead);
	return rc.taken;
}
