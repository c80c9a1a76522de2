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

/*
 * With the whole GiB mapped by one entry where the kernel can (a PUD on
 * 6.12): a child of fork sees and writes the same memory, and unmapping one
 * page in the middle leaves the rest mapped, with the data in place.
 */
TEST_F_TIMEOUT(gib, fork_and_partial_munmap, 240)
{
	const struct groove_info *i = &self->info;
	volatile char *vols;
	int status;
	pid_t pid;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	vols[GiB / 2] = 5;
	vols[GiB - 1] = 6;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (vols[GiB / 2] != 5 || vols[GiB - 1] != 6)
			_exit(1);
		vols[4096] = 7;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(7, vols[4096]);

	ASSERT_EQ(0, munmap((void *)(vols + GiB / 2 + 4096), 4096));
	EXPECT_EQ(SIGSEGV, groove_touch_signal(vols + GiB / 2 + 4096, 0));
	EXPECT_EQ(5, vols[GiB / 2]);
	EXPECT_EQ(6, vols[GiB - 1]);
	EXPECT_EQ(7, vols[4096]);
	EXPECT_EQ(0, munmap((void *)vols, GiB / 2 + 4096));
	EXPECT_EQ(0, munmap((void *)(vols + GiB / 2 + 8192),
			    i->map_size - i->vol0_off - GiB / 2 - 8192));
	EXPECT_EQ(1, groove_remove(self->fd, 1));
}

TEST_HARNESS_MAIN
