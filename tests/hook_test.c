// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The inactive-stack pop hazard, replayed deterministically (file backend,
 * built with -DGROOVE_TEST_HOOKS): between the popper's head load and its
 * claim of the head, the hook pops that superblock, frees its object (it
 * empties), releases its volume and removes the volume.  The popper's read
 * of the top's header before the claim then reads the removed slot -- a
 * punched hole, zeros -- its claim CAS fails, it retries and pops the
 * superblock below, and verify passes.  (Up to ABI 3 the popper read the
 * top's link there; now it reads it only under its claim.)
 *
 * The reclaim walk's reads of a superblock released and reused under it
 * (a second thread, stopped at the walk's hook): the walk takes nothing
 * over and writes none of the user's bytes, and TSan sees no race.
 *
 * A free whose OR made a full superblock non-full and whose CAS from FULL
 * comes late (G_CRASH_FREE_FULL_OR, used as a pause): meanwhile a reclaim
 * takes the superblock from FULL and circulates it, and an alloc takes
 * its last object and drops it FULL again.  The late CAS succeeds on that
 * full superblock; it must not circulate it (an alloc would then find a
 * full superblock in the slot: GROOVE_ERR_CORRUPT).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)

static struct {
	uint64_t sb;		/* the superblock the hook takes away */
	void *obj;		/* its one allocated object */
	int calls;
	int pop_err, free_err, removed;
	uint32_t present_after;	/* its slot's present word after the remove */
	uint64_t next_after;	/* what its next link reads after the remove */
	uint64_t bits_after;	/* what its header reads after the remove */
} hk;

static void take_it_away(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	uint64_t got = 0;

	hk.calls++;
	groove_test_inactive_pop_hook = NULL;	/* the pop below calls it again */
	if (sb_off != hk.sb)
		return;
	hk.pop_err = g_inactive_pop(g, szc, &got);
	if (hk.pop_err || got != hk.sb) {
		hk.pop_err = hk.pop_err ? hk.pop_err : -100;
		return;
	}
	/* Held by us and down to one object: the free empties it. */
	hk.free_err = groove_free(g, hk.obj);
	groove_thread_flush(g);	/* its bit set, not kept in this thread's stash */
	if (!hk.free_err && G_LOAD(&g_sb_at(g, hk.sb)->free) == g->szc[szc].full &&
	    G_LOAD(&g_sb_at(g, hk.sb)->bits) != G_T_NONE)
		hk.free_err = g_sb_release(g, szc, hk.sb);	/* empty, still ours */
	hk.removed = groove_remove_volumes(g, 1);
	hk.present_after = G_LOAD(&g->table[hk.sb >> g->vshift].present);
	hk.next_after = G_LOAD_RLX(&g_sb_at(g, hk.sb)->next);
	hk.bits_after = G_LOAD_RLX(&g_sb_at(g, hk.sb)->bits);
}

/* The smallest volume-level class that holds user objects. */
static uint32_t volume_level_class(const struct groove *g)
{
	uint32_t k;

	for (k = 0; k < g->szc_cnt; k++)
		if (g->szc[k].parent == GROOVE_SZC_PARENT_VOLUME && !g->szc[k].container &&
		    !g->szc[k].tcache && g->szc[k].cnt >= 2)
			return k;
	return g->szc_cnt;
}

/* The superblock of object @p, and its class. */
static uint64_t sb_of(struct groove *g, void *p, uint32_t *szc)
{
	uint64_t off = groove_off(g, p) - GROOVE_OBJ_HDR_SIZE;
	uint64_t bits = G_LOAD(&((struct g_obj *)(g->vol0 + off))->bits);

	*szc = (uint32_t)G_F_SZC(bits);
	return off - G_BLK - G_F_IDX(bits) * g->szc[*szc].fp;
}

TEST(pop_retries_when_its_top_is_removed_between_loads)
{
	groove_t *g = test_groove_new(VS, 4, 2, NULL, 0);
	uint64_t sb, below, off, stale_word;
	uint32_t szc, k, cnt, cg, i;
	void *objs[65], *keep_below;
	size_t sz;
	int err;

	ASSERT_NE(NULL, g);
	szc = volume_level_class(g);
	ASSERT_GT(g->szc_cnt, szc);
	cnt = g->szc[szc].cnt;
	sz = g->szc[szc].fp - GROOVE_OBJ_HDR_SIZE;
	memset(&hk, 0, sizeof(hk));

	/*
	 * Fill the first volume's superblock and start one in the second;
	 * freeing all but one object of the first brings it back to
	 * circulation (the active slot or, the second being there, the
	 * inactive stack).  Then line both up on the stack: [first (one
	 * object), second (one object)], the first's link naming the second.
	 */
	for (i = 0; i <= cnt; i++) {
		objs[i] = groove_alloc(g, 0, sz, i, &err);
		ASSERT_NE(NULL, objs[i]);
	}
	sb = sb_of(g, objs[0], &k);
	ASSERT_EQ(szc, k);
	ASSERT_EQ(G_BLK, sb & (VS - 1));	/* the root of its volume */
	below = sb_of(g, objs[cnt], &k);
	ASSERT_NE(sb >> g->vshift, below >> g->vshift);
	for (i = 1; i < cnt; i++)
		ASSERT_EQ(0, groove_free(g, objs[i]));
	groove_thread_flush(g);	/* the object our stash kept: its bit too */
	hk.obj = objs[0];
	keep_below = objs[cnt];
	for (cg = 0; cg < GROOVE_CGROUP_MAX; cg++)
		if (G_LOAD(&g->st->active[szc][cg].w) == sb ||
		    G_LOAD(&g->st->active[szc][cg].w) == below)
			G_STORE(&g->st->active[szc][cg].w, 0);
	do {
		ASSERT_EQ(GROOVE_SUCCESS, g_inactive_pop(g, szc, &off));
	} while (off);
	ASSERT_EQ(0, g_inactive_push(g, szc, below));
	ASSERT_EQ(0, g_inactive_push(g, szc, sb));
	ASSERT_EQ(below >> G_BLK_SHIFT, G_LOAD(&g_sb_at(g, sb)->next));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	stale_word = G_LOAD(&g->st->inactive[szc].w);
	ASSERT_EQ(sb >> G_BLK_SHIFT, g_stk_blk(g, stale_word));

	hk.sb = sb;
	groove_test_inactive_pop_hook = take_it_away;
	off = 1;
	ASSERT_EQ(GROOVE_SUCCESS, g_inactive_pop(g, szc, &off));
	groove_test_inactive_pop_hook = NULL;

	ASSERT_EQ(1, hk.calls);
	ASSERT_EQ(0, hk.pop_err);
	ASSERT_EQ(0, hk.free_err);
	ASSERT_EQ(1, hk.removed);
	ASSERT_EQ(0, hk.present_after);		/* the slot is gone */
	ASSERT_EQ(0, hk.next_after);		/* a punched hole reads zeros, not below */
	ASSERT_EQ(0, hk.bits_after);
	TH_LOG("between the loads: slot %llu removed (present %u); the removed top reads next=%llu (was %llu), header=%#llx: zeros, a punched hole; the popper's claim CAS failed and it retried",
	       (unsigned long long)(sb >> g->vshift), hk.present_after,
	       (unsigned long long)hk.next_after, (unsigned long long)(below >> G_BLK_SHIFT),
	       (unsigned long long)hk.bits_after);
	/* Retried: it popped the new top, not the zeros it read. */
	ASSERT_EQ(below, off);
	ASSERT_NE(stale_word, G_LOAD(&g->st->inactive[szc].w));
	ASSERT_EQ(0, g_stk_blk(g, G_LOAD(&g->st->inactive[szc].w)));
	ASSERT_EQ(0, g_inactive_push(g, szc, below));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));

	/* The groove still works, and a volume can be added back. */
	ASSERT_EQ(0, groove_free(g, keep_below));
	ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	hk.obj = groove_alloc(g, 0, sz, 8, &err);
	ASSERT_NE(NULL, hk.obj);
	ASSERT_EQ(0, groove_free(g, hk.obj));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_close(g);
}

/*
 * The walk enters superblock X (its parent checked X's header); the hook
 * stops it there while the main thread empties X, trims it away (X, its
 * parent and the root go back; the volume is empty) and allocates an
 * object of X's parent class on X's bytes, whose payload holds a dead
 * join's holder word where X's holder word was.  The walk reads that
 * word: it must see that X is no superblock any more before it CASes
 * anything (else it wrote the user's bytes, and CASed them back).
 *
 * The two threads meet through relaxed flags on purpose: the real walk
 * has no happens-before with a user of the bytes either, and TSan must
 * not be handed one here.
 */
static struct {
	uint64_t target;	/* X */
	int armed;		/* the hook stops the walk once */
	int go, done, finished;	/* relaxed, see above */
	int calls;
} wk;

static void walk_pause(struct groove *g, uint32_t szc, uint64_t sb_off)
{
	if (sb_off != wk.target || !__atomic_exchange_n(&wk.armed, 0, __ATOMIC_RELAXED))
		return;
	wk.calls++;
	__atomic_store_n(&wk.go, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&wk.done, __ATOMIC_RELAXED))
		sched_yield();
}

static void *walker(void *arg)
{
	intptr_t taken = groove_reclaim(arg);

	__atomic_store_n(&wk.finished, 1, __ATOMIC_RELAXED);
	return (void *)taken;
}

TEST(reclaim_walk_leaves_a_superblock_reused_under_it_alone)
{
	char path[256];
	groove_t *g = test_groove_new(VS, 4, 1, path, sizeof(path)), *other;
	const size_t hoff = offsetof(struct g_sb, holder) - GROOVE_OBJ_HDR_SIZE;
	uint64_t x, h_dead;
	uint32_t szc, pszc, k;
	uint8_t *u, *want;
	void *p0, *taken;
	pthread_t t;
	size_t psz;
	int err;

	ASSERT_NE(NULL, g);
	/* A join that ended: a reclaimer takes what its holder word names. */
	other = groove_open(path, 0);
	ASSERT_NE(NULL, other);
	h_dead = other->holder;
	groove_close(other);
	unlink(path);
	if (!g->join_tab || G_HOLDER_IDX(h_dead) >= GROOVE_JOIN_MAX)
		SKIP(groove_close(g); return, "no join liveness on this filesystem");
	ASSERT_EQ(0, g_join_live(g, G_HOLDER_IDX(h_dead), G_HOLDER_GEN(h_dead)));

	/* X: a thread-cached superblock that is an object of a superblock. */
	p0 = groove_alloc(g, 0, 100, 1, &err);
	ASSERT_NE(NULL, p0);
	x = sb_of(g, p0, &szc);
	pszc = g->szc[szc].parent;
	ASSERT_TRUE(g->szc[szc].tcache);
	ASSERT_NE(GROOVE_SZC_PARENT_VOLUME, pszc);
	ASSERT_EQ(0, groove_free(g, p0));
	groove_thread_flush(g);		/* X, empty, and its parent circulate */
	ASSERT_EQ(0, G_LOAD(&g_sb_at(g, x)->holder));
	ASSERT_EQ(g->szc[szc].full, G_LOAD(&g_sb_at(g, x)->free));

	memset(&wk, 0, sizeof(wk));
	wk.target = x;
	wk.armed = 1;
	groove_test_reclaim_walk_hook = walk_pause;
	ASSERT_EQ(0, pthread_create(&t, NULL, walker, g));
	while (!__atomic_load_n(&wk.go, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&wk.finished, __ATOMIC_RELAXED))
		sched_yield();
	ASSERT_TRUE(__atomic_load_n(&wk.go, __ATOMIC_RELAXED)) {
		__atomic_store_n(&wk.done, 1, __ATOMIC_RELAXED);
		pthread_join(t, NULL);
	}

	/* The walk is inside X: X goes back, its bytes become a user's. */
	ASSERT_EQ(0, groove_trim(g));
	psz = g->szc[pszc].fp - GROOVE_OBJ_HDR_SIZE;
	u = groove_alloc(g, 0, psz, 0, &err);	/* tag 0: X's "free" word reads 0 */
	ASSERT_NE(NULL, u);
	ASSERT_EQ(x, groove_off(g, u) - GROOVE_OBJ_HDR_SIZE) {
		__atomic_store_n(&wk.done, 1, __ATOMIC_RELAXED);
		pthread_join(t, NULL);
	}
	memset(u, 0xa5, psz);
	memcpy(u + hoff, &h_dead, sizeof(h_dead));	/* where X's holder word was */
	__atomic_store_n(&wk.done, 1, __ATOMIC_RELAXED);

	ASSERT_EQ(0, pthread_join(t, &taken));
	groove_test_reclaim_walk_hook = NULL;
	EXPECT_EQ(1, wk.calls);
	EXPECT_EQ(0, (intptr_t)taken);
	want = malloc(psz);
	ASSERT_NE(NULL, want);
	memset(want, 0xa5, psz);
	memcpy(want + hoff, &h_dead, sizeof(h_dead));
	EXPECT_EQ(0, memcmp(want, u, psz));	/* the walk wrote none of it */
	free(want);
	k = (uint32_t)G_F_SZC(G_LOAD(&((struct g_obj *)(u - GROOVE_OBJ_HDR_SIZE))->bits));
	EXPECT_EQ(pszc, k);
	ASSERT_EQ(0, groove_free(g, u));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_close(g);
}

static struct {
	uint32_t szc;
	int calls, taken;
	void *stashed;		/* the hook's first alloc: this thread's stash */
	void *last;		/* the object the hook's second alloc took */
} late;

/* At the free's pause: a reclaim puts it back, an alloc fills it again. */
static void fill_it_again(struct groove *g, int point)
{
	size_t sz = g->szc[late.szc].fp - GROOVE_OBJ_HDR_SIZE;

	if (point != G_CRASH_FREE_FULL_OR || late.calls++)
		return;
	late.taken = groove_reclaim(g);
	late.stashed = groove_alloc(g, 0, sz, 2, NULL);
	late.last = groove_alloc(g, 0, sz, 2, NULL);
}

TEST(late_cas_from_full_takes_nothing)
{
	groove_t *g = test_groove_new(VS, 8, 8, NULL, 0);
	void *objs[64], *p;
	uint32_t k, i, n;
	size_t sz;

	ASSERT_NE(NULL, g);
	/* The smallest class without thread caches: the shared path. */
	for (k = 0; k < g->szc_cnt && (g->szc[k].tcache || g->szc[k].container); k++)
		;
	ASSERT_GT(g->szc_cnt, k);
	late.szc = k;
	sz = g->szc[k].fp - GROOVE_OBJ_HDR_SIZE;
	n = g->szc[k].cnt;
	ASSERT_GE(64U, n);
	/* One superblock, filled: FULL. */
	for (i = 0; i < n; i++) {
		objs[i] = groove_alloc(g, 0, sz, 1, NULL);
		ASSERT_NE(NULL, objs[i]);
	}
	/*
	 * An object of another superblock fills this thread's stash, so the
	 * free below goes to the bitmap; the hook's first alloc takes it back.
	 */
	p = groove_alloc(g, 0, sz, 4, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, groove_free(g, p));
	groove_test_crash_hook = fill_it_again;
	EXPECT_EQ(0, groove_free(g, objs[0]));
	groove_test_crash_hook = NULL;
	ASSERT_EQ(1, late.calls);
	EXPECT_EQ(1, late.taken);
	EXPECT_EQ(p, late.stashed);
	ASSERT_NE(NULL, late.last);
	/* The superblock is full: the next object comes from another one. */
	p = groove_alloc(g, 0, sz, 3, NULL);
	EXPECT_NE(NULL, p);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	for (i = 1; i < n; i++)
		EXPECT_EQ(0, groove_free(g, objs[i]));
	EXPECT_EQ(0, groove_free(g, late.last));
	EXPECT_EQ(0, groove_free(g, late.stashed));
	if (p)
		EXPECT_EQ(0, groove_free(g, p));
	EXPECT_EQ(GROOVE_SUCCESS, groove_trim(g));
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	EXPECT_EQ(8, groove_remove_volumes(g, 8));
	groove_close(g);
}

TEST_HARNESS_MAIN
