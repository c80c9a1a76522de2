// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: the inactive-stack pop hazard on the device, replayed
 * deterministically.  Between a popper's load of the stack head and its
 * claim of the head, a test hook (libgroove built with GROOVE_TEST_HOOKS)
 * pops that superblock, empties it, releases its volume and has the kernel
 * REMOVE it.  The popper's read of the top's header before its claim then
 * touches a slot with no volume: it must read zeros (the module's
 * read-only zero page), not raise SIGBUS, so the popper's claim CAS fails,
 * it retries, pops the superblock below, and verify passes.  (Before ABI 2
 * the popper's link load raised SIGBUS there; since ABI 4 the link is read
 * only under the claim.)
 *
 * Needs libgroove's internal header and its hooks build; skipped without
 * them (a copy in a kernel tree).
 */
#include <signal.h>

#include "groove_selftest.h"

#if __has_include("../../userlib/src/groove_internal.h") && defined(GROOVE_TEST_HOOKS)
#include "../../userlib/src/groove_internal.h"
#define HAVE_HOOKS 1
#else
#define HAVE_HOOKS 0
#endif

FIXTURE(hazard) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_SETUP(hazard)
{
	GROOVE_SETUP(self, "volume_size=2M volume_max=4 limit_bytes=8M");
}

FIXTURE_TEARDOWN(hazard)
{
	GROOVE_TEARDOWN(self);
}

#if HAVE_HOOKS
static struct {
	uint64_t sb;		/* the superblock the hook takes away */
	void *obj;		/* its one allocated object */
	int calls, pop_err, free_err, removed;
	uint32_t present_after;
	uint64_t next_after, bits_after;
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
	hk.free_err = groove_free(g, hk.obj);
	groove_thread_flush(g);	/* its bit set, not kept in this thread's stash */
	if (!hk.free_err && G_LOAD(&g_sb_at(g, hk.sb)->free) == g->szc[szc].full &&
	    G_LOAD(&g_sb_at(g, hk.sb)->bits) != G_T_NONE)
		hk.free_err = g_sb_release(g, szc, hk.sb);
	/* GROOVE_IOC_REMOVE: the kernel unmaps the slot from every process. */
	hk.removed = groove_remove_volumes(g, 1);
	hk.present_after = G_LOAD(&g->table[hk.sb >> g->vshift].present);
	hk.next_after = G_LOAD_RLX(&g_sb_at(g, hk.sb)->next);
	hk.bits_after = G_LOAD_RLX(&g_sb_at(g, hk.sb)->bits);
}

static uint32_t volume_level_class(const struct groove *g)
{
	uint32_t k;

	for (k = 0; k < g->szc_cnt; k++)
		if (g->szc[k].parent == GROOVE_SZC_PARENT_VOLUME && !g->szc[k].container &&
		    !g->szc[k].tcache && g->szc[k].cnt >= 2)
			return k;
	return g->szc_cnt;
}

static uint64_t sb_of(struct groove *g, void *p, uint32_t *szc)
{
	uint64_t off = groove_off(g, p) - GROOVE_OBJ_HDR_SIZE;
	uint64_t bits = G_LOAD(&((struct g_obj *)(g->vol0 + off))->bits);

	*szc = (uint32_t)G_F_SZC(bits);
	return off - G_BLK - G_F_IDX(bits) * g->szc[*szc].fp;
}
#endif

TEST_F(hazard, pop_reads_zeros_when_its_top_is_removed_between_loads)
{
#if HAVE_HOOKS
	uint64_t sb, below, off, stale;
	uint32_t szc, k, cnt, cg, i;
	void *objs[65], *keep_below;
	struct groove *g;
	size_t sz;
	int err;

	close(self->fd);	/* the library opens its own */
	self->fd = -1;
	g = groove_open(groove_dev_path(), 0);
	ASSERT_NE(NULL, g) TH_LOG("groove_open: %s", strerror(errno));
	ASSERT_EQ(2, groove_add_volumes(g, 2, -1, NULL, 0));
	szc = volume_level_class(g);
	ASSERT_GT(g->szc_cnt, szc);
	cnt = g->szc[szc].cnt;
	sz = g->szc[szc].fp - GROOVE_OBJ_HDR_SIZE;
	memset(&hk, 0, sizeof(hk));

	/*
	 * [first (one object), second (one object)] on the inactive stack:
	 * the frees put them in circulation (slot or stack), then line them
	 * up by hand.
	 */
	for (i = 0; i <= cnt; i++) {
		objs[i] = groove_alloc(g, 0, sz, i, &err);
		ASSERT_NE(NULL, objs[i]);
	}
	sb = sb_of(g, objs[0], &k);
	ASSERT_EQ(szc, k);
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
	stale = G_LOAD(&g->st->inactive[szc].w);

	hk.sb = sb;
	groove_test_inactive_pop_hook = take_it_away;
	off = 1;
	/* Before ABI 2, SIGBUS here killed the test. */
	ASSERT_EQ(GROOVE_SUCCESS, g_inactive_pop(g, szc, &off));
	groove_test_inactive_pop_hook = NULL;

	ASSERT_EQ(1, hk.calls);
	ASSERT_EQ(0, hk.pop_err);
	ASSERT_EQ(0, hk.free_err);
	ASSERT_EQ(1, hk.removed);
	ASSERT_EQ(0U, hk.present_after);
	ASSERT_EQ(0ULL, hk.next_after);		/* the zero page */
	ASSERT_EQ(0ULL, hk.bits_after);
	ASSERT_EQ(below, off);			/* retried: the new top */
	ASSERT_NE(stale, G_LOAD(&g->st->inactive[szc].w));
	ASSERT_EQ(0, g_inactive_push(g, szc, below));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));

	/* A write to the removed slot is still refused. */
	EXPECT_EQ(SIGBUS, groove_touch_signal((volatile char *)g_sb_at(g, sb),
					      GROOVE_TOUCH_WRITE));
	/* The groove still works; a volume added back reads as itself. */
	ASSERT_EQ(0, groove_free(g, keep_below));
	ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_thread_flush(g);
	EXPECT_EQ(2, groove_remove_volumes(g, 4));
	groove_close(g);
#else
	SKIP(return, "needs libgroove's internal header and hooks build (make -C userlib test-hooks)");
#endif
}

TEST_HARNESS_MAIN
