// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What a process had in flight when SIGKILL came is taken back online
 * (file backend, libgroove built with GROOVE_TEST_HOOKS): a child dies at a
 * crash point of groove_free() or of a superblock's release (after the
 * header says FREED, before the bit is set), of groove_alloc() (the object
 * claimed, not handed out; a superblock taken, carved, or filled by its
 * last object; an active slot or a stack head claimed to take or put a
 * superblock), of a free into this thread's stash (the object FREED or
 * claimed), of a free's candidate or of groove_trim() (superblocks in
 * its hands), the dry-run rebuild sees the bytes stranded, and one
 * groove_reclaim() by the survivor, with no rebuild, brings them back to 0: verify passes, every live object keeps
 * its bytes, and once the survivor frees everything every volume leaves.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS		(2ULL << 20)
#define NVOL		8
#define NOBJ		200
#define OBJ_SIZE	100	/* one block: the smallest class */

enum victim {
	VICTIM_IN_FULL,		/* an object of a full superblock (its OR sees 0) */
	VICTIM_IN_PARTIAL,	/* an object of a superblock with free objects */
	VICTIM_ALIGNED,		/* a 4096-aligned object the survivor allocated */
	VICTIM_OWN_ALIGNED,	/* a 4096-aligned object the child allocated itself */
	VICTIM_RELEASE,		/* the child frees all it allocated and trims */
	VICTIM_NEW_SHARED,	/* the child allocates from a class without thread caches */
	VICTIM_NEW_CACHED,	/* the child allocates from a thread-cached class */
	VICTIM_SECOND_SHARED,	/* ... twice from a class without: the second from the slot */
	VICTIM_CARVE,		/* the child's first object of a class nobody uses yet */
	VICTIM_FILL,		/* the child allocates until the groove is full */
	VICTIM_EMPTY_ONE,	/* the child empties its superblock in the active slot */
	VICTIM_TRIM,		/* the child trims while it has objects */
	VICTIM_STASH,		/* the child frees an object of a class without thread caches */
};

FIXTURE(in_flight) {
	groove_t *g;
	char path[256];
	uint64_t objs[NOBJ];
	size_t sz[NOBJ];
};

FIXTURE_VARIANT(in_flight) {
	enum victim victim;
	int point;		/* G_CRASH_* */
};

FIXTURE_VARIANT_ADD(in_flight, free_in_full_superblock) {
	.victim = VICTIM_IN_FULL, .point = G_CRASH_FREE_BEFORE_OR,
};
FIXTURE_VARIANT_ADD(in_flight, free_in_full_superblock_after_or) {
	.victim = VICTIM_IN_FULL, .point = G_CRASH_FREE_FULL_OR,
};
FIXTURE_VARIANT_ADD(in_flight, free_in_partial_superblock) {
	.victim = VICTIM_IN_PARTIAL, .point = G_CRASH_FREE_BEFORE_OR,
};
FIXTURE_VARIANT_ADD(in_flight, aligned_free_before_first_block) {
	.victim = VICTIM_ALIGNED, .point = G_CRASH_FREE_ALIGNED_INNER,
};
FIXTURE_VARIANT_ADD(in_flight, aligned_free_before_or) {
	.victim = VICTIM_ALIGNED, .point = G_CRASH_FREE_BEFORE_OR,
};
FIXTURE_VARIANT_ADD(in_flight, own_aligned_free_into_mask) {
	.victim = VICTIM_OWN_ALIGNED, .point = G_CRASH_FREE_ALIGNED_INNER,
};
FIXTURE_VARIANT_ADD(in_flight, release_before_parent_bit) {
	.victim = VICTIM_RELEASE, .point = G_CRASH_RELEASE_BEFORE_OR,
};
FIXTURE_VARIANT_ADD(in_flight, shared_alloc_before_handing_out) {
	.victim = VICTIM_NEW_SHARED, .point = G_CRASH_ALLOC_BEFORE_INIT,
};
FIXTURE_VARIANT_ADD(in_flight, cached_alloc_before_handing_out) {
	.victim = VICTIM_NEW_CACHED, .point = G_CRASH_ALLOC_BEFORE_INIT,
};
FIXTURE_VARIANT_ADD(in_flight, carved_superblock_before_holder_store) {
	.victim = VICTIM_CARVE, .point = G_CRASH_SB_ACQUIRED,
};
FIXTURE_VARIANT_ADD(in_flight, last_object_before_drop) {
	.victim = VICTIM_FILL, .point = G_CRASH_LAST_OBJECT_FULL,
};
FIXTURE_VARIANT_ADD(in_flight, shared_alloc_superblock_in_hand) {
	.victim = VICTIM_NEW_SHARED, .point = G_CRASH_SHARED_AFTER_AND,
};
FIXTURE_VARIANT_ADD(in_flight, free_candidate_in_hand) {
	.victim = VICTIM_EMPTY_ONE, .point = G_CRASH_RETURN_CANDIDATE,
};
FIXTURE_VARIANT_ADD(in_flight, trim_private_list) {
	.victim = VICTIM_TRIM, .point = G_CRASH_TRIM_KEPT,
};
FIXTURE_VARIANT_ADD(in_flight, slot_take_before_holder_cached) {
	.victim = VICTIM_NEW_CACHED, .point = G_CRASH_SLOT_TAKE_CLAIMED,
};
FIXTURE_VARIANT_ADD(in_flight, slot_take_before_unclaim_cached) {
	.victim = VICTIM_NEW_CACHED, .point = G_CRASH_SLOT_TAKE_STAMPED,
};
FIXTURE_VARIANT_ADD(in_flight, slot_take_before_holder_shared) {
	.victim = VICTIM_SECOND_SHARED, .point = G_CRASH_SLOT_TAKE_CLAIMED,
};
FIXTURE_VARIANT_ADD(in_flight, slot_put_before_holder_clear) {
	.victim = VICTIM_NEW_SHARED, .point = G_CRASH_SLOT_PUT_CLAIMED,
};
FIXTURE_VARIANT_ADD(in_flight, slot_put_before_unclaim) {
	.victim = VICTIM_NEW_SHARED, .point = G_CRASH_SLOT_PUT_CLEARED,
};
FIXTURE_VARIANT_ADD(in_flight, pop_before_holder) {
	.victim = VICTIM_TRIM, .point = G_CRASH_POP_CLAIMED,
};
FIXTURE_VARIANT_ADD(in_flight, pop_before_unclaim) {
	.victim = VICTIM_TRIM, .point = G_CRASH_POP_STAMPED,
};
FIXTURE_VARIANT_ADD(in_flight, push_before_holder_clear) {
	.victim = VICTIM_TRIM, .point = G_CRASH_PUSH_CLAIMED,
};
FIXTURE_VARIANT_ADD(in_flight, push_before_unclaim) {
	.victim = VICTIM_TRIM, .point = G_CRASH_PUSH_CLEARED,
};
FIXTURE_VARIANT_ADD(in_flight, stash_free_before_claim) {
	.victim = VICTIM_STASH, .point = G_CRASH_FREE_STASH_FREED,
};
FIXTURE_VARIANT_ADD(in_flight, stash_free_claimed) {
	.victim = VICTIM_STASH, .point = G_CRASH_FREE_STASHED,
};

static uint64_t fill_tag(uint32_t i)
{
	return 0x1f1a9e00ULL << 16 | i;
}

static void fill(void *p, size_t n, uint64_t tag)
{
	memset(p, (int)(tag & 0xff), n);
}

static int intact(const void *p, size_t n, uint64_t tag)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(tag & 0xff))
			return 0;
	return 1;
}

/*
 * Objects of the smallest class in a few superblocks: every third of the
 * first half freed (partly free superblocks), the rest full; and two
 * 4096-aligned objects at the end.
 */
FIXTURE_SETUP(in_flight)
{
	uint32_t i;

	self->g = test_groove_new(VS, NVOL, 4, self->path, sizeof(self->path));
	ASSERT_NE(NULL, self->g);
	groove_cgroup_hint_set(0);
	for (i = 0; i < NOBJ; i++) {
		size_t align = i >= NOBJ - 2 ? 4096 : 0;
		void *p;

		self->sz[i] = OBJ_SIZE;
		p = groove_alloc(self->g, align, self->sz[i], fill_tag(i), NULL);
		ASSERT_NE(NULL, p);
		fill(p, self->sz[i], fill_tag(i));
		self->objs[i] = groove_off(self->g, p);
	}
	for (i = 0; i < NOBJ / 2; i += 3) {
		ASSERT_EQ(0, groove_free(self->g, groove_ptr(self->g, self->objs[i])));
		self->objs[i] = 0;
	}
	groove_thread_flush(self->g);
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
}

FIXTURE_TEARDOWN(in_flight)
{
	groove_close(self->g);
	unlink(self->path);
}

static int crash_at, crash_nth = 1;

/* SIGKILL at the crash_nth time the library reaches point crash_at. */
static void die_here(struct groove *g, int point)
{
	(void)g;
	if (point == crash_at && !--crash_nth)
		raise(SIGKILL);
}

/* The superblock of the live object at payload offset @off. */
static uint64_t sb_of(struct groove *g, uint64_t off)
{
	uint64_t b = G_LOAD(&((struct g_obj *)(g->vol0 + off - GROOVE_OBJ_HDR_SIZE))->bits);

	return off - G_F_PAD(b) - G_BLK - G_F_IDX(b) * g->szc[G_F_SZC(b)].fp;
}

/* The smallest class without thread caches (none: szc_cnt). */
static uint32_t shared_class(struct groove *g)
{
	uint32_t k;

	for (k = 0; k < g->szc_cnt; k++)
		if (!g->szc[k].tcache && !g->szc[k].container)
			return k;
	return g->szc_cnt;
}

/*
 * The largest class whose superblocks live in a parent superblock: one the
 * fixture's small objects do not use, so its superblocks empty when the
 * child frees what it allocated.
 */
static uint32_t nested_class(struct groove *g)
{
	uint32_t k;

	for (k = g->szc_cnt; k-- > 0;)
		if (g->szc[k].parent != GROOVE_SZC_PARENT_VOLUME && !g->szc[k].container)
			return k;
	return g->szc_cnt;
}

/* In the child: join, arm the hook, do the one operation that dies. */
static void child(const char *path, enum victim v, int point, uint64_t victim_off)
{
	struct groove *g = groove_open(path, 0);
	void *p[64];
	uint32_t k, i, n;

	if (!g)
		_exit(1);
	crash_at = point;
	switch (v) {
	case VICTIM_OWN_ALIGNED:
		p[0] = groove_alloc(g, 4096, OBJ_SIZE, 1, NULL);
		if (!p[0])
			_exit(2);
		groove_test_crash_hook = die_here;
		groove_free(g, p[0]);
		break;
	case VICTIM_RELEASE:
		k = nested_class(g);
		if (k >= g->szc_cnt)
			_exit(3);
		n = 2 * g->szc[k].cnt < 64 ? 2 * g->szc[k].cnt : 64;
		for (i = 0; i < n; i++) {
			p[i] = groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, i, NULL);
			if (!p[i])
				_exit(4);
		}
		for (i = 0; i < n; i++)
			if (groove_free(g, p[i]))
				_exit(5);
		/* The trim releases what this thread's cache held. */
		groove_test_crash_hook = die_here;
		groove_trim(g);
		break;
	case VICTIM_CARVE:
		/*
		 * The largest thread-cached class: no slot or stack has one yet,
		 * so it is carved from an object of its parent, whose superblock
		 * is acquired first (the first time the point is reached).
		 */
		for (k = g->szc_cnt; k-- > 0 && !g->szc[k].tcache;)
			;
		crash_nth = 2;
		groove_test_crash_hook = die_here;
		groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		break;
	case VICTIM_EMPTY_ONE:
	case VICTIM_TRIM: {
		uint64_t slot = 0;

		/*
		 * Two superblocks of the largest thread-cached class (no one
		 * else uses it): after the flush one is in the active slot,
		 * the other on the inactive stack.
		 */
		for (k = g->szc_cnt; k-- > 0 && !g->szc[k].tcache;)
			;
		n = 2 * g->szc[k].cnt < 64 ? 2 * g->szc[k].cnt : 64;
		for (i = 0; i < n; i++) {
			p[i] = groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, i, NULL);
			if (!p[i])
				_exit(3);
		}
		groove_thread_flush(g);
		groove_test_crash_hook = die_here;
		if (v == VICTIM_TRIM) {
			groove_trim(g);
			break;
		}
		for (i = 0; i <= g->szc[k].cg_mask && !slot; i++)
			slot = G_LOAD(&g->st->active[k][i].w);
		/* Free all of the slot's: the last free pops the other. */
		for (i = 0; i < n; i++)
			if (sb_of(g, groove_off(g, p[i])) == slot)
				groove_free(g, p[i]);
		break;
	}
	case VICTIM_STASH:
		/* Its allocation binds this thread's cache; its free stashes it. */
		k = shared_class(g);
		if (k >= g->szc_cnt)
			_exit(3);
		p[0] = groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		if (!p[0])
			_exit(4);
		groove_test_crash_hook = die_here;
		groove_free(g, p[0]);
		break;
	case VICTIM_FILL:
		/* Until the last object of a held superblock goes (no volume left). */
		groove_test_crash_hook = die_here;
		while (groove_alloc(g, 0, OBJ_SIZE, 2, NULL))
			;
		break;
	case VICTIM_NEW_SHARED:
	case VICTIM_NEW_CACHED:
	case VICTIM_SECOND_SHARED:
		k = v == VICTIM_NEW_CACHED ? g_szc_of(g, 1) : shared_class(g);
		if (k >= g->szc_cnt || g->szc[k].tcache != (v == VICTIM_NEW_CACHED))
			_exit(3);
		/* The first object puts its superblock in the slot; it stays live. */
		if (v == VICTIM_SECOND_SHARED &&
		    !groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL))
			_exit(4);
		groove_test_crash_hook = die_here;
		groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		break;
	default:
		groove_test_crash_hook = die_here;
		groove_free(g, groove_ptr(g, victim_off));
		break;
	}
	_exit(6);	/* the hook did not fire */
}

/*
 * One groove_reclaim() by the survivor, no rebuild: it takes something
 * back and leaves nothing stranded (@before: the dry run after the kill).
 */
static void reclaim_strands_nothing(struct __test_metadata *_metadata, struct groove *g,
				    const struct groove_rebuild_stats *before)
{
	struct groove_rebuild_stats after;
	int taken = groove_reclaim(g);

	EXPECT_LT(0, taken);
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(g, GROOVE_REBUILD_DRY_RUN, &after,
							 NULL, NULL));
	TH_LOG("stranded bytes %llu after the kill, %llu after groove_reclaim() (%d taken)",
	       (unsigned long long)before->stranded_bytes,
	       (unsigned long long)after.stranded_bytes, taken);
	EXPECT_EQ(0ULL, after.stranded_bytes);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
}

TEST_F(in_flight, reclaim_finishes_it)
{
	struct groove *g = self->g;
	struct groove_rebuild_stats before;
	uint64_t victim_off = 0;
	uint32_t i, freed_by_child = NOBJ;
	int status;
	pid_t pid;

	switch (variant->victim) {
	case VICTIM_IN_FULL:
	case VICTIM_IN_PARTIAL:
		for (i = 0; i < NOBJ - 2 && !victim_off; i++) {
			int full;

			if (!self->objs[i])
				continue;
			full = !G_LOAD(&g_sb_at(g, sb_of(g, self->objs[i]))->free);
			if (full == (variant->victim == VICTIM_IN_FULL)) {
				victim_off = self->objs[i];
				freed_by_child = i;
			}
		}
		break;
	case VICTIM_ALIGNED:
		freed_by_child = NOBJ - 1;
		victim_off = self->objs[freed_by_child];
		break;
	default:
		break;
	}
	if (freed_by_child < NOBJ) {
		ASSERT_NE(0ULL, victim_off);
		self->objs[freed_by_child] = 0;
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		child(self->path, variant->victim, variant->point, victim_off);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("child ended with status %#x, not at the crash point", status);

	/* The kill hit the window: a free is in flight, its bytes stranded. */
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(g, GROOVE_REBUILD_DRY_RUN, &before,
							 NULL, NULL));
	EXPECT_LT(0ULL, before.stranded_bytes);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));

	/* Online: one reclaim, no rebuild. */
	reclaim_strands_nothing(_metadata, g, &before);

	/* Every live object intact; then free them all, and every volume leaves. */
	for (i = 0; i < NOBJ; i++) {
		void *p;

		if (!self->objs[i])
			continue;
		p = groove_ptr(g, self->objs[i]);
		EXPECT_TRUE(intact(p, self->sz[i], fill_tag(i)));
		EXPECT_EQ(0, groove_free(g, p));
	}
	EXPECT_EQ(GROOVE_SUCCESS, groove_trim(g));
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	/* Objects the child still had stay: handed out, they are live. */
	if (variant->victim != VICTIM_FILL && variant->victim != VICTIM_EMPTY_ONE &&
	    variant->victim != VICTIM_TRIM && variant->victim != VICTIM_SECOND_SHARED)
		EXPECT_EQ(4, groove_remove_volumes(g, NVOL));
}

/* Slots of @g whose present word says "in transit" (file backend). */
static unsigned int slots_in_transit(struct groove *g)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < g->volume_max; i++)
		n += !!(G_LOAD(&g->table[i].present) & G_PRESENT_TRANSIT);
	return n;
}

/* Volumes of @g present (present word 1). */
static unsigned int volumes_present(struct groove *g)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < g->volume_max; i++)
		n += G_LOAD(&g->table[i].present) == 1;
	return n;
}

/*
 * A child adding volumes to a file (slots claimed, space allocated; or the
 * first volume formatted and its push claiming the empty-volume stack's
 * head) or removing one (its pop claiming the head; or popped, space not
 * punched out yet) dies: its slots say it holds them (and the head, its
 * claim), and the survivor's groove_reclaim() settles them: an add whose
 * push claimed the head is done, a remove that got past its slot's transit
 * mark is done, every other slot is free, so every free slot can take a
 * volume again.
 */
static void volume_cut_short(struct __test_metadata *_metadata, int point)
{
	int adding = point == G_CRASH_FILE_ADD_CLAIMED || point == G_CRASH_FILE_ADD_PUSH_CLAIMED;
	int claims = point == G_CRASH_FILE_ADD_PUSH_CLAIMED || point == G_CRASH_FILE_REMOVE_CLAIMED;
	unsigned int present;
	char path[256];
	groove_t *g = test_groove_new(VS, NVOL, 4, path, sizeof(path));
	int status, freed;
	pid_t pid;

	ASSERT_NE(NULL, g);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		groove_t *c = groove_open(path, 0);

		if (!c)
			_exit(1);
		crash_at = point;
		groove_test_crash_hook = die_here;
		if (adding)
			groove_add_volumes(c, 3, -1, NULL, 0);
		else
			groove_remove_volumes(c, 1);
		_exit(6);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(adding ? 3U : 1U, slots_in_transit(g));
	EXPECT_EQ(claims, !!(G_LOAD(&g->hdr->empty_stack) & GROOVE_STACK_CLAIMED));
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));

	freed = groove_reclaim(g);
	TH_LOG("slots in transit after the kill: %u freed by groove_reclaim()", freed);
	EXPECT_EQ(0U, slots_in_transit(g));
	EXPECT_EQ(0, !!(G_LOAD(&g->hdr->empty_stack) & GROOVE_STACK_CLAIMED));
	present = volumes_present(g);
	/* A remove that cleared the magic is done; an add that claimed the head, too. */
	EXPECT_EQ(adding ? (claims ? 5U : 4U) : 3U, present);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	/* Every slot but the present ones takes a volume again. */
	EXPECT_EQ((int)(NVOL - present), groove_add_volumes(g, NVOL - present, -1, NULL, 0));
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	EXPECT_EQ(NVOL, groove_remove_volumes(g, NVOL));
	groove_close(g);
	unlink(path);
}

TEST(file_volume_add_cut_short)
{
	volume_cut_short(_metadata, G_CRASH_FILE_ADD_CLAIMED);
}

TEST(file_volume_add_push_claimed)
{
	volume_cut_short(_metadata, G_CRASH_FILE_ADD_PUSH_CLAIMED);
}

TEST(file_volume_remove_cut_short)
{
	volume_cut_short(_metadata, G_CRASH_FILE_REMOVE_POPPED);
}

TEST(file_volume_remove_claimed)
{
	volume_cut_short(_metadata, G_CRASH_FILE_REMOVE_CLAIMED);
}

/* The largest class whose superblock is a whole volume (none: szc_cnt). */
static uint32_t volume_class(struct groove *g)
{
	uint32_t k;

	for (k = g->szc_cnt; k-- > 0;)
		if (g->szc[k].parent == GROOVE_SZC_PARENT_VOLUME && !g->szc[k].container)
			return k;
	return g->szc_cnt;
}

/*
 * A child dies while it takes an empty volume for a root superblock (the
 * head claimed; or the root written, the head still claimed) or gives one
 * back (the head claims it; or its magic says EMPTY, the head still
 * claimed).  The head stays claimed by a dead join, which would hold up
 * every pop and push; the survivor's groove_reclaim() finishes the claim,
 * nothing is stranded, the survivor's objects are intact and, once it
 * frees them, every volume leaves.
 */
static void volume_claim_cut_short(struct __test_metadata *_metadata, int point)
{
	struct groove_rebuild_stats before;
	uint64_t objs[16];
	char path[256];
	groove_t *g = test_groove_new(VS, NVOL, 4, path, sizeof(path));
	int status, i;
	uint32_t k;
	pid_t pid;

	ASSERT_NE(NULL, g);
	k = volume_class(g);
	ASSERT_GT(g->szc_cnt, k);
	for (i = 0; i < 16; i++) {
		void *p = groove_alloc(g, 0, OBJ_SIZE, fill_tag(i), NULL);

		ASSERT_NE(NULL, p);
		fill(p, OBJ_SIZE, fill_tag(i));
		objs[i] = groove_off(g, p);
	}
	groove_thread_flush(g);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		groove_t *c = groove_open(path, 0);
		void *p;

		if (!c)
			_exit(1);
		crash_at = point;
		if (point == G_CRASH_VOL_POP_CLAIMED || point == G_CRASH_VOL_POP_WRITTEN)
			groove_test_crash_hook = die_here;
		p = groove_alloc(c, 0, c->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		if (!p)
			_exit(2);
		groove_test_crash_hook = die_here;
		groove_free(c, p);
		groove_trim(c);
		_exit(6);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("child ended with status %#x, not at the crash point", status);
	ASSERT_NE(0ULL, G_LOAD(&g->hdr->empty_stack) & GROOVE_STACK_CLAIMED);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(g, GROOVE_REBUILD_DRY_RUN, &before,
							 NULL, NULL));

	reclaim_strands_nothing(_metadata, g, &before);
	EXPECT_EQ(0ULL, G_LOAD(&g->hdr->empty_stack) & GROOVE_STACK_CLAIMED);
	for (i = 0; i < 16; i++) {
		void *p = groove_ptr(g, objs[i]);

		EXPECT_TRUE(intact(p, OBJ_SIZE, fill_tag(i)));
		EXPECT_EQ(0, groove_free(g, p));
	}
	EXPECT_EQ(GROOVE_SUCCESS, groove_trim(g));
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(g));
	EXPECT_EQ(4, groove_remove_volumes(g, NVOL));
	groove_close(g);
	unlink(path);
}

TEST(volume_acquire_claimed)
{
	volume_claim_cut_short(_metadata, G_CRASH_VOL_POP_CLAIMED);
}

TEST(volume_acquire_root_written)
{
	volume_claim_cut_short(_metadata, G_CRASH_VOL_POP_WRITTEN);
}

TEST(volume_release_claimed)
{
	volume_claim_cut_short(_metadata, G_CRASH_VOL_PUSH_CLAIMED);
}

TEST(volume_release_cleared)
{
	volume_claim_cut_short(_metadata, G_CRASH_VOL_PUSH_CLEARED);
}

TEST_HARNESS_MAIN
