// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: mappings that may be huge (PMD entries on kernels with
 * huge PFNMAP, whole 2 MiB chunks of 4 KiB entries elsewhere) behave like
 * any shared mapping under fork, partial munmap, mprotect, mremap and the
 * removal of a volume.  Every test first touches the whole mapping so the
 * large entries exist, then changes part of it.
 */
#include <signal.h>

#include "groove_selftest.h"

FIXTURE(hugemap) {
	GROOVE_FIXTURE_FIELDS;
	char *vols;
	__u64 len;	/* bytes of the volumes present: slots 0 and 1 */
};

FIXTURE_VARIANT(hugemap) {
	const char *params;
};

FIXTURE_VARIANT_ADD(hugemap, size_2m) {
	.params = "volume_size=2M volume_max=4 limit_bytes=8M",
};

FIXTURE_VARIANT_ADD(hugemap, size_8m) {
	.params = "volume_size=8M volume_max=2 limit_bytes=16M",
};

/* A tag for every page: its offset in the volume windows. */
static void fill(char *p, __u64 len)
{
	__u64 off;

	for (off = 0; off < len; off += 4096)
		*(__u64 *)(p + off + 1024) = off;
}

static __u64 mismatches(const char *p, __u64 from, __u64 to)
{
	__u64 off, bad = 0;

	for (off = from; off < to; off += 4096)
		bad += *(const __u64 *)(p + off + 1024) != off;
	return bad;
}

FIXTURE_SETUP(hugemap)
{
	GROOVE_SETUP(self, variant->params);
	ASSERT_EQ(2, groove_add(self->fd, 2, NULL, 0));
	self->len = 2 * self->info.volume_size;
	self->vols = groove_map_volumes(self->fd, &self->info, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->vols);
	fill(self->vols, self->len);
}

FIXTURE_TEARDOWN(hugemap)
{
	if (self->vols && self->vols != MAP_FAILED)
		munmap(self->vols, self->info.map_size - self->info.vol0_off);
	GROOVE_TEARDOWN(self);
}

TEST_F(hugemap, fork_shares_the_mapping)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (mismatches(self->vols, 0, self->len))
			_exit(1);
		self->vols[self->len - 1] = 0x3c;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x3c, self->vols[self->len - 1]);
}

TEST_F(hugemap, partial_munmap)
{
	__u64 hole = self->info.volume_size / 2;

	ASSERT_EQ(0, munmap(self->vols + hole, 4096));
	EXPECT_EQ(SIGSEGV, groove_touch_signal(self->vols + hole, 0));
	EXPECT_EQ(0ULL, mismatches(self->vols, 0, hole));
	EXPECT_EQ(0ULL, mismatches(self->vols, hole + 4096, self->len));
	fill(self->vols + hole + 4096, 4096);
	/* Unmap the rest in two pieces around the hole. */
	EXPECT_EQ(0, munmap(self->vols, hole));
	EXPECT_EQ(0, munmap(self->vols + hole + 4096,
			    self->info.map_size - self->info.vol0_off - hole - 4096));
	self->vols = NULL;
}

TEST_F(hugemap, mprotect_part_read_only)
{
	char *page = self->vols + self->info.volume_size / 2;

	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(SIGSEGV, groove_touch_signal(page, 1));
	EXPECT_EQ(0, groove_touch_signal(page, 0));
	EXPECT_EQ(0, groove_touch_signal(page + 4096, 1));
	EXPECT_EQ(0, groove_touch_signal(page - 4096, 1));
	EXPECT_EQ(0ULL, mismatches(self->vols, 0, self->len));
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, groove_touch_signal(page, 1));
}

TEST_F(hugemap, mremap_moves_the_mapping)
{
	__u64 size = self->info.map_size - self->info.vol0_off;
	char *moved, *target;

	/* A target that is deliberately not aligned to the volume size. */
	target = mmap(NULL, size + 2 * self->info.volume_size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	target += ((self->info.volume_size - (uintptr_t)target % self->info.volume_size) %
		   self->info.volume_size) + 4096;
	moved = mremap(self->vols, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_EQ(target, moved);
	self->vols = moved;
	EXPECT_EQ(0ULL, mismatches(moved, 0, self->len));
	fill(moved, self->len);
	EXPECT_EQ(0ULL, mismatches(moved, 0, self->len));
}

TEST_F(hugemap, remove_unmaps_huge_entries)
{
	char *gone, *kept;
	__u32 top;

	/* The stack top is the volume REMOVE will take. */
	{
		struct groove_shared_hdr *sh = groove_map_hdr(self->fd, &self->info, PROT_READ);

		ASSERT_NE(MAP_FAILED, sh);
		top = GROOVE_STACK_IDX(sh->empty_stack);
		munmap(sh, self->info.hdr_size);
	}
	ASSERT_LT(top, 2U);
	gone = self->vols + (__u64)top * self->info.volume_size;
	kept = self->vols + (__u64)(1 - top) * self->info.volume_size;
	ASSERT_EQ(1, groove_remove(self->fd, 1));
	/* Gone: reads see zeros, writes are SIGBUS. */
	EXPECT_EQ(0, gone[0]);
	EXPECT_EQ(0, gone[self->info.volume_size - 1]);
	EXPECT_EQ(SIGBUS, groove_touch_signal(gone, GROOVE_TOUCH_WRITE));
	EXPECT_EQ(SIGBUS, groove_touch_signal(gone + self->info.volume_size - 1,
					      GROOVE_TOUCH_READ_WRITE));
	EXPECT_EQ(0ULL, mismatches(self->vols, kept - self->vols,
				   kept - self->vols + self->info.volume_size));
}

TEST_HARNESS_MAIN
