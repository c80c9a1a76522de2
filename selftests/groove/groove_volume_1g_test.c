// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: a 1 GiB volume (volume_size=1G, far above the buddy
 * allocator's limit: the alloc_contig_range() path) is added, aligned to
 * 1 GiB in physical memory, zeroed, mapped and touched end to end, removed.
 */
#include <signal.h>

#include "groove_selftest.h"

FIXTURE(gib) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_SETUP(gib)
{
	GROOVE_SETUP(self, "volume_size=1G volume_max=2 limit_bytes=1G");
}

FIXTURE_TEARDOWN(gib)
{
	GROOVE_TEARDOWN(self);
}

TEST_F_TIMEOUT(gib, add_touch_remove, 240)
{
	const struct groove_info *i = &self->info;
	__u64 phys = 1, off, nonzero = 0;
	volatile char *vols;
	int node;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	ASSERT_EQ(0, groove_phys(self->fd, 0, &phys, &node));
	EXPECT_EQ(0ULL, phys % GiB) TH_LOG("phys %#llx", (unsigned long long)phys);
	EXPECT_EQ(-ENOSPC, groove_add(self->fd, 1, NULL, 0));

	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, *(volatile __u64 *)vols);
	/* One page in every 2 MiB, and the very last byte: zero, then ours. */
	for (off = 2 * MiB; off < GiB; off += 2 * MiB) {
		nonzero |= vols[off] | vols[off + 4095];
		vols[off] = 1;
	}
	nonzero |= vols[GiB - 1];
	vols[GiB - 1] = 1;
	EXPECT_EQ(0ULL, nonzero);
	EXPECT_EQ(1, vols[GiB - 1]);
	/* Slot 1 has no volume. */
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + GiB, 0));

	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + 2 * MiB, 0));
	EXPECT_EQ(0, munmap((void *)vols, i->map_size - i->vol0_off));
}

TEST_HARNESS_MAIN
