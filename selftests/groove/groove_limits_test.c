// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: the reserved-bytes limit and the slot count hold, and an
 * ADD they refuse leaves no trace (all or nothing).
 */
#include "groove_selftest.h"

FIXTURE(limits) {
	GROOVE_FIXTURE_FIELDS;
	void *hdr;
	void *before;
};

FIXTURE_VARIANT(limits) {
	const char *params;
	__u32 fit;	/* volumes the limit or the slots allow */
};

/* The byte limit binds first: 4 volumes of 2 MiB in 8 slots. */
FIXTURE_VARIANT_ADD(limits, bytes_2m) {
	.params = "volume_size=2M volume_max=8 limit_bytes=8M",
	.fit = 4,
};

/* The slots bind first: 3 slots, room for 8 volumes. */
FIXTURE_VARIANT_ADD(limits, slots_2m) {
	.params = "volume_size=2M volume_max=3 limit_bytes=16M",
	.fit = 3,
};

/* The byte limit on the alloc_contig_range() path. */
FIXTURE_VARIANT_ADD(limits, bytes_8m) {
	.params = "volume_size=8M volume_max=4 limit_bytes=16M",
	.fit = 2,
};

FIXTURE_SETUP(limits)
{
	GROOVE_SETUP(self, variant->params);
	self->hdr = groove_map_hdr(self->fd, &self->info, PROT_READ);
	ASSERT_NE(MAP_FAILED, self->hdr);
	self->before = malloc(self->info.hdr_size);
	ASSERT_NE(NULL, self->before);
}

FIXTURE_TEARDOWN(limits)
{
	if (self->hdr && self->hdr != MAP_FAILED)
		munmap(self->hdr, self->info.hdr_size);
	free(self->before);
	GROOVE_TEARDOWN(self);
}

static void expect_usage(struct __test_metadata *_metadata, int fd,
			 __u32 present)
{
	struct groove_info info;

	ASSERT_EQ(0, groove_info(fd, &info));
	EXPECT_EQ(present, info.volumes_present);
	EXPECT_EQ(present * info.volume_size, info.bytes_reserved);
	EXPECT_LE(info.bytes_reserved, info.bytes_limit);
	EXPECT_EQ((long long)present, groove_sysfs_read("volumes_present"));
}

TEST_F(limits, refused_add_leaves_no_trace)
{
	__u32 n;

	/*
	 * Too many at once: refused whole, even though some would fit
	 * (EINVAL when the count exceeds the slots outright).
	 */
	memcpy(self->before, self->hdr, self->info.hdr_size);
	EXPECT_EQ(variant->fit + 1 > self->info.volume_max ? -EINVAL : -ENOSPC,
		  groove_add(self->fd, variant->fit + 1, NULL, 0));
	expect_usage(_metadata, self->fd, 0);
	EXPECT_EQ(0, memcmp(self->before, self->hdr, self->info.hdr_size));
	EXPECT_EQ(0, groove_sysfs_read("volumes_added"));

	/* One by one up to the bound, then one more is refused. */
	for (n = 0; n < variant->fit; n++)
		ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	memcpy(self->before, self->hdr, self->info.hdr_size);
	EXPECT_EQ(-ENOSPC, groove_add(self->fd, 1, NULL, 0));
	expect_usage(_metadata, self->fd, variant->fit);
	EXPECT_EQ(0, memcmp(self->before, self->hdr, self->info.hdr_size));

	/* Room made is room usable. */
	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	expect_usage(_metadata, self->fd, variant->fit);
	EXPECT_EQ((int)variant->fit, groove_remove(self->fd, variant->fit));
	expect_usage(_metadata, self->fd, 0);
}

TEST_F(limits, all_at_once_up_to_the_bound)
{
	EXPECT_EQ((int)variant->fit, groove_add(self->fd, variant->fit, NULL, 0));
	expect_usage(_metadata, self->fd, variant->fit);
	EXPECT_EQ((int)variant->fit, groove_remove(self->fd, variant->fit + 1));
	expect_usage(_metadata, self->fd, 0);
}

TEST_HARNESS_MAIN
