// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: GROOVE_IOC_INFO and the header formatted at load match
 * the module parameters; invalid parameters refuse to load.
 */
#include "groove_selftest.h"

FIXTURE(info) {
	int fd;
	int loaded;
	struct groove_info info;
};

FIXTURE_VARIANT(info) {
	const char *params;
	__u64 volume_size;
	__u32 volume_max;
	__u64 limit;
};

FIXTURE_VARIANT_ADD(info, size_2m) {
	.params = "volume_size=2M volume_max=8 limit_bytes=16M",
	.volume_size = 2 * MiB,
	.volume_max = 8,
	.limit = 16 * MiB,
};

FIXTURE_VARIANT_ADD(info, size_4m) {
	.params = "volume_size=4M volume_max=300 limit_bytes=64M",
	.volume_size = 4 * MiB,
	.volume_max = 300,
	.limit = 64 * MiB,
};

FIXTURE_VARIANT_ADD(info, size_1g) {
	.params = "volume_size=1G volume_max=3 limit_bytes=1G",
	.volume_size = GiB,
	.volume_max = 3,
	.limit = GiB,
};

FIXTURE_SETUP(info)
{
	self->fd = -1;
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(info)
{
	GROOVE_TEARDOWN(self);
}

TEST_F(info, matches_parameters)
{
	const struct groove_info *i = &self->info;
	__u64 hdr = GROOVE_HDR_SIZE(variant->volume_max);
	__u64 vol0 = GROOVE_VOL0_OFF(variant->volume_max, variant->volume_size);
	int n;

	EXPECT_EQ((__u32)GROOVE_ABI_VERSION, i->abi_version);
	EXPECT_EQ(0U, i->flags);
	EXPECT_EQ(variant->volume_size, i->volume_size);
	EXPECT_EQ(variant->volume_max, i->volume_max);
	EXPECT_EQ(0U, i->volumes_present);
	EXPECT_EQ(hdr, i->hdr_size);
	EXPECT_EQ(vol0, i->vol0_off);
	EXPECT_EQ(0ULL, i->vol0_off % variant->volume_size);
	EXPECT_EQ(vol0 + variant->volume_max * variant->volume_size, i->map_size);
	EXPECT_EQ(GROOVE_VOL_TABLE_OFF, i->vol_table_off);
	EXPECT_EQ(GROOVE_ALLOC_OFF(variant->volume_max), i->alloc_off);
	EXPECT_EQ(GROOVE_ALLOC_STATE_SIZE, i->alloc_size);
	EXPECT_EQ(0ULL, i->bytes_reserved);
	EXPECT_EQ(variant->limit, i->bytes_limit);
	EXPECT_EQ(hdr, i->join_off);
	EXPECT_EQ(GROOVE_JOIN_OFF(variant->volume_max), i->join_off);
	EXPECT_EQ(GROOVE_JOIN_MAX, i->join_max);
	EXPECT_EQ(0U, i->joins_live);
	EXPECT_LE(i->join_off + GROOVE_JOIN_TABLE_SIZE, i->vol0_off);
	for (n = 0; n < 2; n++)
		EXPECT_EQ(0ULL, i->reserved[n]);
}

TEST_F(info, sysfs_matches_info)
{
	EXPECT_EQ((long long)variant->volume_size, groove_sysfs_read("volume_size"));
	EXPECT_EQ((long long)variant->volume_max, groove_sysfs_read("volume_max"));
	EXPECT_EQ(0, groove_sysfs_read("volumes_present"));
	EXPECT_EQ(0, groove_sysfs_read("bytes_reserved"));
	EXPECT_EQ((long long)variant->limit, groove_sysfs_read("bytes_limit"));
	EXPECT_EQ(0, groove_sysfs_read("volumes_added"));
	EXPECT_EQ(0, groove_sysfs_read("volumes_removed"));
	EXPECT_EQ(0, groove_sysfs_read("node_bytes/node0"));
}

/* node_bytes/node<N>: one value per file, following ADD and REMOVE. */
TEST_F(info, node_bytes_per_node)
{
	char buf[64];
	int fd, n;

	if (variant->volume_size >= GiB)
		SKIP(return, "the smaller volume sizes cover it (a 1 GiB volume costs seconds of zeroing under TCG)");
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	EXPECT_EQ((long long)variant->volume_size, groove_sysfs_read("node_bytes/node0"));
	fd = groove_sysfs_open("node_bytes/node0");
	ASSERT_LE(0, fd);
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	/* One number and its newline, nothing else. */
	EXPECT_EQ((size_t)n - 1, strspn(buf, "0123456789"));
	EXPECT_EQ('\n', buf[n - 1]);
	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(0, groove_sysfs_read("node_bytes/node0"));
}

TEST_F(info, header_formatted_at_load)
{
	const struct groove_info *i = &self->info;
	const struct groove_shared_hdr *sh;
	const struct groove_vol_entry *table;
	const unsigned char *state;
	__u64 n, nonzero = 0;
	void *map;

	map = mmap(NULL, i->hdr_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	sh = map;
	EXPECT_EQ(GROOVE_SHARED_MAGIC, sh->magic);
	EXPECT_EQ((__u32)GROOVE_ABI_VERSION, sh->abi_version);
	EXPECT_EQ(i->volume_max, sh->volume_max);
	EXPECT_EQ(i->volume_size, sh->volume_size);
	EXPECT_EQ(i->hdr_size, sh->hdr_size);
	EXPECT_EQ(i->vol0_off, sh->vol0_off);
	EXPECT_EQ(i->vol_table_off, sh->vol_table_off);
	EXPECT_EQ(i->alloc_off, sh->alloc_off);
	EXPECT_EQ(i->alloc_size, sh->alloc_size);
	EXPECT_EQ(GROOVE_STACK_WORD(0, GROOVE_VOL_NIL), sh->empty_stack);

	table = (const void *)((const char *)map + sh->vol_table_off);
	for (n = 0; n < i->volume_max; n++) {
		if (table[n].next != GROOVE_VOL_NIL || table[n].present)
			break;
	}
	EXPECT_EQ((__u64)i->volume_max, n) TH_LOG("slot %llu: next %u present %u",
					   (unsigned long long)n,
					   table[n].next, table[n].present);

	state = (const unsigned char *)map + sh->alloc_off;
	for (n = 0; n < sh->alloc_size; n++)
		nonzero |= state[n];
	EXPECT_EQ(0ULL, nonzero);
	EXPECT_EQ(0, munmap(map, i->hdr_size));
}

/* Each of these must refuse to load (EINVAL) and leave nothing behind. */
TEST(invalid_parameters_refuse_to_load)
{
	static const char * const bad[] = {
		"volume_size=1M",		/* below 2 MiB */
		"volume_size=2G",		/* above 1 GiB */
		"volume_size=3M",		/* not a power of two */
		"volume_size=banana",		/* not a number */
		"volume_max=65537",		/* above GROOVE_VOLUME_MAX_LIMIT */
		"volume_size=4M limit_bytes=2M", /* no volume could fit */
		"limit_bytes=1000000G",		/* above RAM */
	};
	unsigned int n;
	int err;

	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		err = groove_load(bad[n]);
		if (err == -ENOENT)
			SKIP(return, "groove.ko not found at %s (set GROOVE_KO)",
			     groove_ko_path());
		if (!err)
			groove_unload();
		EXPECT_EQ(-EINVAL, err) TH_LOG("params \"%s\"", bad[n]);
		EXPECT_NE(0, access(GROOVE_DEV, F_OK)) TH_LOG("params \"%s\"", bad[n]);
	}
}

TEST(default_parameters)
{
	struct groove_info info;
	__u64 ram;
	int fd, err;

	err = groove_load("");
	if (err == -ENOENT)
		SKIP(return, "groove.ko not found at %s (set GROOVE_KO)",
		     groove_ko_path());
	ASSERT_EQ(0, err);
	/* The module parameters' groove, also under GROOVE_TEST_GROOVE=named. */
	fd = open(GROOVE_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, groove_info(fd, &info));
	EXPECT_EQ(GiB, info.volume_size);
	/* An eighth of RAM (one volume at least), and enough slots for it. */
	EXPECT_EQ(info.bytes_limit / GiB, (__u64)info.volume_max);
	EXPECT_LT(0ULL, info.bytes_limit);
	ram = (__u64)groove_meminfo_kib("MemTotal") << 10;
	EXPECT_TRUE(info.bytes_limit == GiB || info.bytes_limit <= ram / 8)
		TH_LOG("limit %llu, RAM %llu", (unsigned long long)info.bytes_limit,
		       (unsigned long long)ram);
	close(fd);
	EXPECT_EQ(0, groove_unload());
}

TEST_HARNESS_MAIN
