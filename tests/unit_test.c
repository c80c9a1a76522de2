// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests: ABI packing, the header-word encoding, the size-class table
 * for every volume size and the size-class lookup for every size.
 */
#include <stddef.h>
#include <string.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

TEST(uapi_packing)
{
	ASSERT_EQ(128, sizeof(struct groove_shared_hdr));
	ASSERT_EQ(64, offsetof(struct groove_shared_hdr, empty_stack));
	ASSERT_EQ(8, sizeof(struct groove_vol_entry));
	ASSERT_EQ(GROOVE_VOLUME_HDR_SIZE, sizeof(struct groove_volume_hdr));
	ASSERT_EQ(32, offsetof(struct groove_volume_hdr, info));
	ASSERT_EQ(GROOVE_OBJ_HDR_SIZE, sizeof(struct g_obj));
	ASSERT_EQ(GROOVE_BLOCK_SIZE, G_BLK);
	ASSERT_GE(GROOVE_ALLOC_STATE_SIZE, sizeof(struct g_alloc_state));
	ASSERT_EQ(0, offsetof(struct g_alloc_state, active[0][1]) % G_CACHELINE);
	ASSERT_EQ(0, offsetof(struct g_alloc_state, inactive[1]) % G_CACHELINE);
	/* 2 MiB volumes, 16 slots: header 4 KiB + table page + 256 KiB state */
	ASSERT_EQ(2 * 4096 + (256 << 10), GROOVE_HDR_SIZE(16));
	ASSERT_EQ(2 << 20, GROOVE_VOL0_OFF(16, 2 << 20));
	ASSERT_EQ((2ULL << 20) * 17, GROOVE_MAP_SIZE(16, 2 << 20));
	ASSERT_EQ(GROOVE_ALLOC_OFF(65536) + GROOVE_ALLOC_STATE_SIZE, GROOVE_HDR_SIZE(65536));
	ASSERT_EQ(0, GROOVE_ALLOC_OFF(1000) % 4096);
	ASSERT_EQ(0xdeadbeefU, GROOVE_STACK_IDX(GROOVE_STACK_WORD(7, 0xdeadbeefU)));
	ASSERT_EQ(7, GROOVE_STACK_VER(GROOVE_STACK_WORD(7, 0xdeadbeefU)));
}

TEST(header_word_roundtrip)
{
	uint64_t s = 1, i;

	for (i = 0; i < 100000; i++) {
		uint64_t type = test_rand(&s) & 3, szc = test_rand(&s) & 63;
		uint64_t idx = test_rand(&s) & 63, alog = test_rand(&s) % 13;
		uint64_t pad = (test_rand(&s) % 257) << 4, sz = test_rand(&s) & G_SZ_LIMIT;
		uint64_t off = (test_rand(&s) & ((1ULL << 46) - 1)) & ~(G_BLK - 1);
		uint64_t b = g_bits(type, szc, idx, alog, pad, sz, off);

		ASSERT_EQ(type, G_F_TYPE(b));
		ASSERT_EQ(szc, G_F_SZC(b));
		ASSERT_EQ(idx, G_F_IDX(b));
		ASSERT_EQ(alog, G_F_ALOG(b));
		ASSERT_EQ(pad, G_F_PAD(b));
		ASSERT_EQ(sz, G_F_SZ(b));
		ASSERT_TRUE(g_bits_ok(b, off));
		/* the same bits at another object are not valid there */
		ASSERT_FALSE(g_bits_ok(b, off + G_BLK) && g_bits_ok(b, off + 2 * G_BLK) &&
			     g_bits_ok(b, off + 3 * G_BLK));
	}
}

/*
 * The check bits (ABI 6): no 10-bit window of the multiplier that a single
 * flipped bit could leave the top bits unmoved with, every single flip of
 * the 54 checked bits changes the check, and one value is pinned (another
 * formula is another ABI).
 */
TEST(header_check_bits)
{
	uint64_t s = 7, i, low, off;
	int b;

	for (b = 0; b < 54; b++) {
		uint64_t w = (G_CHECK_MUL >> (54 - b)) & 1023;

		ASSERT_TRUE(w != 0 && w != 1023);
	}
	for (i = 0; i < 1000; i++) {
		low = test_rand(&s) & ((1ULL << 54) - 1);
		off = (test_rand(&s) & ((1ULL << 46) - 1)) & ~(G_BLK - 1);
		for (b = 0; b < 54; b++)
			ASSERT_NE(g_check(low, off), g_check(low ^ (1ULL << b), off));
	}
	ASSERT_EQ(0x3c5, g_check(0x0123456789abcdULL, 0x40000200));
}

/* Table invariants for every volume size, 2 MiB .. 1 GiB. */
TEST(size_class_table_every_volume_size)
{
	uint64_t v;

	for (v = GROOVE_VOLUME_SIZE_MIN; v <= GROOVE_VOLUME_SIZE_MAX; v <<= 1) {
		struct groove_szc t[GROOVE_SZC_MAX];
		unsigned int n = groove_szc_table(v, t, GROOVE_SZC_MAX), k;
		uint64_t want_max = v - 2 * G_BLK < (10ULL << 20) + G_BLK ?
				    v - 2 * G_BLK : (10ULL << 20) + G_BLK;

		unsigned int user = n, roots = 0;

		ASSERT_GT(n, 10);
		ASSERT_LE(n, GROOVE_SZC_MAX);
		ASSERT_EQ(G_BLK, t[0].obj_footprint);
		if (t[n - 1].obj_max == 0) {
			/* a container: 64 of them fill a volume, all nest in it */
			user = n - 1;
			ASSERT_EQ((v / G_BLK - 2) / 64 * G_BLK, t[n - 1].obj_footprint);
			ASSERT_EQ(64, t[n - 1].obj_cnt);
		}
		ASSERT_EQ(want_max, t[user - 1].obj_footprint);
		if (v >= (16ULL << 20))
			ASSERT_GE(t[user - 1].obj_max, 10ULL << 20);
		for (k = 0; k < n; k++) {
			ASSERT_EQ(0, t[k].obj_footprint % G_BLK);
			if (k)
				ASSERT_GT(t[k].obj_footprint, t[k - 1].obj_footprint);
			ASSERT_GE(t[k].obj_cnt, 1);
			ASSERT_LE(t[k].obj_cnt, 64);
			ASSERT_EQ(0, t[k].cgroup_cnt & (t[k].cgroup_cnt - 1));
			ASSERT_LE(t[k].cgroup_cnt, GROOVE_CGROUP_MAX);
			if (t[k].parent == GROOVE_SZC_PARENT_VOLUME) {
				ASSERT_LE(2 * G_BLK + t[k].obj_cnt * t[k].obj_footprint, v);
				roots++;
			} else {
				ASSERT_GT(t[k].parent, k);
				ASSERT_LT(t[k].parent, n);
				ASSERT_GE(t[k].obj_cnt, t[t[k].parent].obj_max ? 2 : 1);
				ASSERT_LE(G_BLK + t[k].obj_cnt * t[k].obj_footprint,
					  t[t[k].parent].obj_footprint);
			}
		}
		if (user < n)
			ASSERT_EQ(1, roots);
		TH_LOG("%4llu MiB volumes: %u classes, %u volume-level, largest object %llu",
		       (unsigned long long)(v >> 20), n, roots,
		       (unsigned long long)t[user - 1].obj_max);
	}
	ASSERT_EQ(0, groove_szc_table(3 << 20, NULL, 0));
	ASSERT_EQ(0, groove_szc_table(1 << 20, NULL, 0));
	ASSERT_EQ(0, groove_szc_table(2ULL << 30, NULL, 0));
}

/* The lookup gives the smallest class that fits, for every block count. */
TEST(size_class_lookup_every_size)
{
	uint64_t v;

	for (v = GROOVE_VOLUME_SIZE_MIN; v <= GROOVE_VOLUME_SIZE_MAX; v <<= 1) {
		struct groove g;
		uint64_t b;
		uint32_t lin = 0;

		memset(&g, 0, sizeof(g));
		g.volume_size = v;
		ASSERT_EQ(0, g_szc_init(&g));
		for (b = 1; b <= g.largest_blocks; b++) {
			while (g.szc[lin].fp_blocks < b)
				lin++;
			ASSERT_EQ(lin, g_szc_of(&g, b));
		}
	}
}

/* Every byte size up to the largest, through groove_alloc itself. */
TEST(alloc_every_size_fits)
{
	groove_t *g = test_groove_new(4 << 20, 64, 0, NULL, 0);
	size_t sz, max;
	int err;

	ASSERT_NE(NULL, g);
	max = groove_alloc_max(g);
	ASSERT_EQ(4 * 1024 * 1024 - 2 * 512 - 16, max);
	ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
	for (sz = 0; sz <= max; sz += sz < 70000 ? 1 : 4093) {
		char *p = groove_alloc(g, 0, sz, sz, &err);
		size_t got;
		uint64_t tag;

		if (!p && err == GROOVE_ERR_FULL) {
			ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
			p = groove_alloc(g, 0, sz, sz, &err);
		}
		ASSERT_NE(NULL, p) TH_LOG("sz %zu: %s", sz, groove_strerror(err));
		ASSERT_EQ(0, ((uintptr_t)p) % 16);
		if (sz) {
			p[0] = 1;
			p[sz - 1] = 2;
		}
		ASSERT_EQ(0, groove_obj_info(g, p, &got, &tag));
		ASSERT_EQ(sz, got);
		ASSERT_EQ(sz, tag);
		ASSERT_EQ(0, groove_free(g, p));
	}
	ASSERT_EQ(NULL, groove_alloc(g, 0, max + 1, 0, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

/*
 * Inactive-stack words: the block index takes ceil(log2(blocks)) bits and
 * the tag every bit above (ABI 2); at the largest geometry that is 37 + 27.
 */
TEST(inactive_stack_split_every_geometry)
{
	ASSERT_EQ(G_STK_IDX_BITS_MAX, g_stk_idx_bits((uint64_t)GROOVE_VOLUME_MAX_LIMIT *
						     GROOVE_VOLUME_SIZE_MAX));
	ASSERT_LE(27, 64 - G_STK_IDX_BITS_MAX);
	ASSERT_EQ(12, g_stk_idx_bits(GROOVE_VOLUME_SIZE_MIN));		/* 4096 blocks */
	ASSERT_EQ(14, g_stk_idx_bits(3 * GROOVE_VOLUME_SIZE_MIN));	/* 12288 blocks */
	ASSERT_EQ(16, g_stk_idx_bits(16 * GROOVE_VOLUME_SIZE_MIN));
	ASSERT_EQ(17, g_stk_idx_bits(16 * GROOVE_VOLUME_SIZE_MIN + GROOVE_VOLUME_SIZE_MIN));
	for (uint64_t vs = GROOVE_VOLUME_SIZE_MIN; vs <= GROOVE_VOLUME_SIZE_MAX; vs <<= 1)
		for (uint64_t n = 1; n <= GROOVE_VOLUME_MAX_LIMIT; n = n * 3 + 1) {
			uint32_t b = g_stk_idx_bits(n * vs);

			/* the last block's index fits, and no bit is wasted */
			ASSERT_EQ(0, ((n * vs >> G_BLK_SHIFT) - 1) >> b);
			ASSERT_NE(0, ((n * vs >> G_BLK_SHIFT) - 1) >> (b - 1));
		}
}

/*
 * The tag really has 63 - stk_shift bits: its top bit survives a pop and
 * never leaks into the index, the largest tag wraps to 0 with the index
 * intact, and a pop and push of the same superblock (same index) makes a
 * stale head word's CAS fail.
 */
TEST(inactive_stack_tag_wraps_and_distinguishes)
{
	groove_t *g = test_groove_new(2 << 20, 4, 2, NULL, 0);
	uint32_t szc, tag_bits;
	uint64_t *head, top_tag, tag_max, sb, got, stale;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_ABI_VERSION, g->hdr->abi_version);	/* the layout this test knows */
	szc = g_szc_of(g, 1);
	head = &g->st->inactive[szc].w;
	ASSERT_EQ(g_stk_idx_bits(4ULL * (2 << 20)), g->stk_shift);
	tag_bits = 63 - g->stk_shift;	/* bit 63 is the claim flag */
	ASSERT_EQ(49, tag_bits);
	top_tag = 1ULL << (tag_bits - 1);
	tag_max = top_tag | (top_tag - 1);

	ASSERT_EQ(0, g_sb_new(g, szc, &sb));
	ASSERT_EQ(0, g_inactive_push(g, szc, sb));
	ASSERT_EQ(sb >> G_BLK_SHIFT, g_stk_blk(g, *head));

	*head = g_stk_word(g, top_tag, sb >> G_BLK_SHIFT);
	ASSERT_EQ(top_tag, g_stk_tag(g, *head));
	ASSERT_EQ(0, g_inactive_pop(g, szc, &got));
	ASSERT_EQ(sb, got);
	ASSERT_EQ(top_tag + 1, g_stk_tag(g, *head));
	ASSERT_EQ(0, g_stk_blk(g, *head));

	*head = g_stk_word(g, tag_max, 0);
	ASSERT_EQ(0, g_inactive_push(g, szc, sb));
	ASSERT_EQ(0, g_stk_tag(g, *head));
	ASSERT_EQ(sb >> G_BLK_SHIFT, g_stk_blk(g, *head));

	/* Past where a 24-bit tag would wrap: the word still differs. */
	*head = g_stk_word(g, (1ULL << 24) - 1, sb >> G_BLK_SHIFT);
	stale = *head;
	ASSERT_EQ(0, g_inactive_pop(g, szc, &got));
	ASSERT_EQ(0, g_inactive_push(g, szc, sb));
	ASSERT_EQ(g_stk_blk(g, stale), g_stk_blk(g, *head));
	ASSERT_EQ((1ULL << 24) + 1, g_stk_tag(g, *head));
	ASSERT_NE(stale, *head);
	ASSERT_FALSE(g_cas(head, stale, 0));

	ASSERT_EQ(0, g_inactive_pop(g, szc, &got));
	ASSERT_EQ(sb, got);
	ASSERT_EQ(0, g_sb_release(g, szc, sb));
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

/*
 * A head that a live join's claim holds (a claimer preempted, or stopped by
 * a signal or a debugger, between its claim and its last store) holds
 * nobody up for good: a pop gives up after a short spin (the caller carves
 * a superblock instead), a push puts its superblock in an empty active
 * slot.  Neither writes the claimed head or its top.
 */
TEST(live_claim_of_the_head_is_worked_around)
{
	groove_t *g = test_groove_new(2 << 20, 4, 2, NULL, 0);
	uint64_t *head, claim, top, sb, got = 1, top_holder;
	uint32_t szc, cg;
	int in_slot = 0;

	ASSERT_NE(NULL, g);
	szc = g_szc_of(g, 1);
	head = &g->st->inactive[szc].w;
	ASSERT_EQ(0, g_sb_new(g, szc, &top));
	ASSERT_EQ(0, g_sb_new(g, szc, &sb));
	ASSERT_EQ(0, g_inactive_push(g, szc, top));
	/* Our own join's claim: live for as long as we are. */
	claim = g_claim(g->holder, top);
	G_STORE(head, claim);
	top_holder = G_LOAD(&g_sb_at(g, top)->holder);

	ASSERT_EQ(0, g_inactive_pop(g, szc, &got));
	ASSERT_EQ(0ULL, got);
	ASSERT_EQ(claim, G_LOAD(head));

	for (cg = 0; cg <= g->szc[szc].cg_mask; cg++)
		G_STORE(&g->st->active[szc][cg].w, 0);
	ASSERT_EQ(0, g_inactive_push(g, szc, sb));
	ASSERT_EQ(claim, G_LOAD(head));
	ASSERT_EQ(top_holder, G_LOAD(&g_sb_at(g, top)->holder));
	for (cg = 0; cg <= g->szc[szc].cg_mask; cg++)
		in_slot |= G_LOAD(&g->st->active[szc][cg].w) == sb;
	ASSERT_TRUE(in_slot);
	ASSERT_EQ(0ULL, G_LOAD(&g_sb_at(g, sb)->holder));

	/* The claimer comes back and finishes: the head is clean again. */
	G_STORE(head, g_stk_word(g, 1, top >> G_BLK_SHIFT));
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

/*
 * No memory for a new superblock, but another group's active slot holds
 * one with room: the allocation takes it instead of saying "full".
 */
TEST(full_only_when_no_group_has_room)
{
	groove_t *g = test_groove_new(2 << 20, 4, 1, NULL, 0);
	void *a, *b, *big[512];
	uint32_t szc, parent, n = 0, i;
	size_t sz, psz;
	int err = 0;

	ASSERT_NE(NULL, g);
	/*
	 * A class of two groups or more whose superblocks are objects of
	 * another class: filling that class fills every class above it.
	 */
	for (szc = 0; szc < g->szc_cnt; szc++) {
		parent = g->szc[szc].parent;
		if (g->szc[szc].cg_mask && parent != GROOVE_SZC_PARENT_VOLUME)
			break;
	}
	ASSERT_GT(g->szc_cnt, szc);
	sz = g->szc[szc].fp - GROOVE_OBJ_HDR_SIZE;
	psz = g->szc[parent].fp - GROOVE_OBJ_HDR_SIZE;
	groove_cgroup_hint_set(0);
	a = groove_alloc(g, 0, sz, 1, NULL);
	ASSERT_NE(NULL, a);
	groove_thread_flush(g);			/* its superblock: group 0's slot */
	while (n < 512 && (big[n] = groove_alloc(g, 0, psz, 2, &err)))
		n++;
	ASSERT_EQ(GROOVE_ERR_FULL, err);	/* no room for another superblock */
	groove_cgroup_hint_set(1);
	b = groove_alloc(g, 0, sz, 3, &err);
	groove_cgroup_hint_set(0);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(0, groove_free(g, a));
	ASSERT_EQ(0, groove_free(g, b));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, groove_free(g, big[i]));
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

TEST(strerror_names)
{
	ASSERT_STREQ("success", groove_strerror(GROOVE_SUCCESS));
	ASSERT_STREQ("bad input", groove_strerror(GROOVE_ERR_INVAL));
	ASSERT_STREQ("try again", groove_strerror(GROOVE_ERR_AGAIN));
	ASSERT_STREQ("corruption detected", groove_strerror(GROOVE_ERR_CORRUPT));
	ASSERT_STREQ("empty", groove_strerror(GROOVE_ERR_EMPTY));
	ASSERT_STREQ("full", groove_strerror(GROOVE_ERR_FULL));
	ASSERT_STREQ("key not found", groove_strerror(GROOVE_ERR_KEY));
	ASSERT_EQ(-7, GROOVE_ERR_BUSY);
	ASSERT_EQ(-8, GROOVE_ERR_UNSUPPORTED);
	ASSERT_STREQ("in use by another process or thread", groove_strerror(GROOVE_ERR_BUSY));
	ASSERT_STREQ("not supported by this groove", groove_strerror(GROOVE_ERR_UNSUPPORTED));
	/* the file join lock's byte is in the hole before slot 0 for every geometry */
	ASSERT_LT(GROOVE_HDR_SIZE(GROOVE_VOLUME_MAX_LIMIT), G_FILE_LOCK_OFF);
	ASSERT_LT(G_FILE_LOCK_OFF, GROOVE_VOL0_OFF(1, GROOVE_VOLUME_SIZE_MIN));
	ASSERT_STREQ("unknown", groove_strerror(42));
}

TEST(cgroup_hint)
{
	groove_cgroup_hint_set(77);
	ASSERT_EQ(77, groove_cgroup_hint());
}

TEST_HARNESS_MAIN
