// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: GROOVE_IOC_ADD and GROOVE_IOC_REMOVE.  Added volumes are
 * zeroed, carry the documented volume header and sit on the shared
 * empty-volume stack; only empty volumes leave.
 */
#include "groove_selftest.h"
#include "groove_vstack.h"

FIXTURE(addremove) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(addremove) {
	const char *params;
};

FIXTURE_VARIANT_ADD(addremove, size_2m) {
	.params = "volume_size=2M volume_max=16 limit_bytes=32M",
};

FIXTURE_VARIANT_ADD(addremove, size_4m) {
	.params = "volume_size=4M volume_max=8 limit_bytes=32M",
};

/* Above the buddy limit: the alloc_contig_range() path. */
FIXTURE_VARIANT_ADD(addremove, size_16m) {
	.params = "volume_size=16M volume_max=4 limit_bytes=64M",
};

FIXTURE_SETUP(addremove)
{
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(addremove)
{
	GROOVE_TEARDOWN(self);
}

TEST_F(addremove, round_trip)
{
	struct groove_info info;

	ASSERT_EQ(3, groove_add(self->fd, 3, NULL, 0));
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(3U, info.volumes_present);
	EXPECT_EQ(3 * info.volume_size, info.bytes_reserved);
	EXPECT_EQ(3, groove_sysfs_read("volumes_present"));
	EXPECT_EQ(3, groove_sysfs_read("volumes_added"));
	EXPECT_EQ((long long)(3 * info.volume_size), groove_sysfs_read("bytes_reserved"));

	/* Asking for more than there are removes what there is. */
	EXPECT_EQ(3, groove_remove(self->fd, 5));
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(0U, info.volumes_present);
	EXPECT_EQ(0ULL, info.bytes_reserved);
	EXPECT_EQ(3, groove_sysfs_read("volumes_removed"));
	EXPECT_EQ(0, groove_remove(self->fd, 1));
}

TEST_F(addremove, volumes_are_zero_with_header)
{
	static const char tag[] = "groove selftest info";
	const struct groove_info *i = &self->info;
	struct groove_vol_entry *table;
	__u64 idx, off, nonzero, seen = 0;
	char *hdr, *vols;

	ASSERT_EQ(2, groove_add(self->fd, 2, tag, sizeof(tag)));
	hdr = groove_map_hdr(self->fd, i, PROT_READ);
	ASSERT_NE(MAP_FAILED, hdr);
	vols = groove_map_volumes(self->fd, i, PROT_READ);
	ASSERT_NE(MAP_FAILED, vols);
	table = groove_table(hdr);

	for (idx = 0; idx < i->volume_max; idx++) {
		const struct groove_volume_hdr *vh;
		const __u64 *data;

		if (!table[idx].present)
			continue;
		seen++;
		vh = (const void *)(vols + idx * i->volume_size);
		EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, vh->magic);
		EXPECT_EQ(idx, vh->idx);
		EXPECT_EQ(0ULL, vh->next);
		EXPECT_EQ(sizeof(tag), vh->info_sz);
		EXPECT_EQ(0, memcmp(vh->info, tag, sizeof(tag)));
		nonzero = 0;
		for (off = sizeof(tag); off < GROOVE_VOLUME_INFO_MAX; off++)
			nonzero |= vh->info[off];
		EXPECT_EQ(0ULL, nonzero) TH_LOG("info padding of slot %llu",
						(unsigned long long)idx);
		/* Every byte after the header block is zero. */
		data = (const void *)((const char *)vh + GROOVE_VOLUME_HDR_SIZE);
		for (off = 0; off < (i->volume_size - GROOVE_VOLUME_HDR_SIZE) / 8; off++)
			nonzero |= data[off];
		EXPECT_EQ(0ULL, nonzero) TH_LOG("data of slot %llu",
						(unsigned long long)idx);
	}
	EXPECT_EQ(2ULL, seen);
	EXPECT_EQ(0, munmap(vols, i->map_size - i->vol0_off));
	EXPECT_EQ(0, munmap(hdr, i->hdr_size));
}

TEST_F(addremove, added_volumes_are_on_the_stack)
{
	const struct groove_info *i = &self->info;
	struct groove_shared_hdr *sh;
	struct groove_vol_entry *table;
	__u32 idx, depth = 0, seen_mask = 0;
	__u64 head;

	ASSERT_EQ(3, groove_add(self->fd, 3, NULL, 0));
	sh = groove_map_hdr(self->fd, i, PROT_READ);
	ASSERT_NE(MAP_FAILED, sh);
	table = groove_table(sh);
	head = sh->empty_stack;
	EXPECT_NE(0U, GROOVE_STACK_VER(head));
	for (idx = GROOVE_STACK_IDX(head); idx != GROOVE_VOL_NIL && depth <= i->volume_max;
	     idx = table[idx].next) {
		ASSERT_LT(idx, i->volume_max);
		EXPECT_EQ(1U, table[idx].present);
		EXPECT_EQ(0U, seen_mask & (1U << idx)) TH_LOG("slot %u twice", idx);
		seen_mask |= 1U << idx;
		depth++;
	}
	EXPECT_EQ(3U, depth);
	EXPECT_EQ(0, munmap(sh, i->hdr_size));
}

/*
 * A volume the data allocator took (popped, magic DATA) is not on the stack,
 * so REMOVE cannot take it; once given back it can.
 */
TEST_F(addremove, only_empty_volumes_are_removed)
{
	const struct groove_info *i = &self->info;
	struct groove_volume_hdr *vh;
	struct groove_info info;
	struct groove_shared_hdr *sh;
	char *vols;
	__u32 idx;

	ASSERT_EQ(2, groove_add(self->fd, 2, NULL, 0));
	sh = groove_map_hdr(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, sh);
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);

	ASSERT_EQ(GROOVE_VS_OK, groove_vstack_pop(&sh->empty_stack, groove_table(sh),
						  i->volume_max, &idx, 0));
	vh = (void *)(vols + (__u64)idx * i->volume_size);
	vh->magic = GROOVE_VOLUME_MAGIC_DATA;
	memset((char *)vh + GROOVE_VOLUME_HDR_SIZE, 0x5a, 4096);

	EXPECT_EQ(1, groove_remove(self->fd, 2));
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(1U, info.volumes_present);
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_DATA, vh->magic);
	EXPECT_EQ(0x5a, ((unsigned char *)vh)[GROOVE_VOLUME_HDR_SIZE]);

	vh->magic = GROOVE_VOLUME_MAGIC_EMPTY;
	ASSERT_EQ(GROOVE_VS_OK, groove_vstack_push(&sh->empty_stack, groove_table(sh),
						   i->volume_max, idx, 0));
	EXPECT_EQ(1, groove_remove(self->fd, 2));
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(0U, info.volumes_present);
	EXPECT_EQ(0, munmap(vols, i->map_size - i->vol0_off));
	EXPECT_EQ(0, munmap(sh, i->hdr_size));
}

/* A slot reused after removal comes back zeroed, never with old data. */
TEST_F(addremove, reused_slot_is_zeroed)
{
	const struct groove_info *i = &self->info;
	__u64 n, nonzero = 0;
	__u64 *data;
	char *vols;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	/* ADD fills the lowest free slots: the volume is slot 0. */
	data = (__u64 *)(vols + GROOVE_VOLUME_HDR_SIZE);
	for (n = 0; n < 4096; n++)
		data[n] = ~0ULL;
	ASSERT_EQ(1, groove_remove(self->fd, 1));
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	for (n = 0; n < 4096; n++)
		nonzero |= data[n];
	EXPECT_EQ(0ULL, nonzero);
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, ((struct groove_volume_hdr *)vols)->magic);
	EXPECT_EQ(0, munmap(vols, i->map_size - i->vol0_off));
}

/* A requested node is honoured (node 0 exists on every machine). */
TEST_F(addremove, add_on_a_node)
{
	struct groove_add a = { .count = 2, .node = 0 };
	__u64 phys;
	int node = -1;

	ASSERT_EQ(0, ioctl(self->fd, GROOVE_IOC_ADD, &a));
	EXPECT_EQ(2U, a.added);
	ASSERT_EQ(0, groove_phys(self->fd, 0, &phys, &node));
	EXPECT_EQ(0, node);
	ASSERT_EQ(0, groove_phys(self->fd, 1, &phys, &node));
	EXPECT_EQ(0, node);
	EXPECT_EQ(2, groove_remove(self->fd, 2));
}

TEST_F(addremove, fill_every_slot)
{
	const struct groove_info *i = &self->info;
	__u32 fit = i->bytes_limit / i->volume_size;

	if (fit > i->volume_max)
		fit = i->volume_max;
	EXPECT_EQ((int)fit, groove_add(self->fd, fit, NULL, 0));
	EXPECT_EQ(-ENOSPC, groove_add(self->fd, 1, NULL, 0));
	EXPECT_EQ((int)fit, groove_remove(self->fd, i->volume_max));
}

TEST_HARNESS_MAIN
