// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: unload is refused while a file or a mapping is alive,
 * and frees every volume: MemAvailable comes back.
 *
 * delete_module() reports a module in use as EWOULDBLOCK (EAGAIN); rmmod
 * turns that into "Module groove is in use".
 */
#include "groove_selftest.h"

TEST(unload_refused_while_open)
{
	int fd;

	if (groove_load_or_skip(_metadata, "volume_size=2M volume_max=4 limit_bytes=8M"))
		return;
	fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, groove_unload());
	EXPECT_EQ(0, access(GROOVE_DEV, F_OK));
	close(fd);
	EXPECT_EQ(0, groove_unload());
}

TEST(unload_refused_while_mapped)
{
	struct groove_info info;
	void *hdr, *vols;
	int fd;

	if (groove_load_or_skip(_metadata, "volume_size=2M volume_max=4 limit_bytes=8M"))
		return;
	fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, groove_info(fd, &info));
	ASSERT_EQ(1, groove_add(fd, 1, NULL, 0));
	hdr = groove_map_hdr(fd, &info, PROT_READ);
	vols = groove_map_volumes(fd, &info, PROT_READ);
	ASSERT_NE(MAP_FAILED, hdr);
	ASSERT_NE(MAP_FAILED, vols);
	close(fd);

	/* The file is closed; the mappings still hold it. */
	EXPECT_EQ(-EWOULDBLOCK, groove_unload());
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, *(volatile __u64 *)vols);
	EXPECT_EQ(0, munmap(hdr, info.hdr_size));
	EXPECT_EQ(-EWOULDBLOCK, groove_unload());
	EXPECT_EQ(0, munmap(vols, info.map_size - info.vol0_off));
	EXPECT_EQ(0, groove_unload());
}

/* Load, add and touch volumes, unload with them still present. */
static void fill_and_unload(struct __test_metadata *_metadata,
			    const char *params, __u32 count)
{
	struct groove_info info;
	volatile char *vols;
	__u64 off;
	int fd;

	if (groove_load_or_skip(_metadata, params))
		return;
	fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, groove_info(fd, &info));
	ASSERT_EQ((int)count, groove_add(fd, count, NULL, 0));
	vols = groove_map_volumes(fd, &info, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	for (off = 0; off < count * info.volume_size; off += 4096)
		vols[off + 1024] = 1;	/* past the volume header */
	/* Remove some, leave the rest for the unload to free. */
	EXPECT_EQ((int)count / 2, groove_remove(fd, count / 2));
	EXPECT_EQ(0, munmap((void *)vols, info.map_size - info.vol0_off));
	close(fd);
	EXPECT_EQ(0, groove_unload());
}

TEST(memavailable_restored_after_unload)
{
	long long before, after, diff;

	before = groove_meminfo_kib("MemAvailable");
	ASSERT_LT(0, before);
	fill_and_unload(_metadata, "volume_size=2M volume_max=64 limit_bytes=128M", 64);
	fill_and_unload(_metadata, "volume_size=16M volume_max=8 limit_bytes=128M", 8);
	after = groove_meminfo_kib("MemAvailable");
	diff = after > before ? after - before : before - after;
	TH_LOG("MemAvailable before %lld KiB, after %lld KiB", before, after);
	EXPECT_LE(diff * 100, before) TH_LOG("MemAvailable moved by %lld KiB", diff);
}

TEST_HARNESS_MAIN
