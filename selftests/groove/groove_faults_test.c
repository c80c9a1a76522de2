// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: what a first touch of volume memory costs in faults.
 *
 * Faults are counted (getrusage minor faults), never timed, so the bounds
 * are exact: at most 512 per GiB where the kernel maps 4 KiB entries (one
 * fault fills a whole 2 MiB chunk), and on kernels with huge PFNMAP
 * entries (6.12 and later, THP not "never") one per 2 MiB volume (PMD) and
 * one per 1 GiB-aligned 1 GiB volume (PUD).  What the touch costs in time,
 * next to anonymous memory with THP, is bench/map_bench.c's business.
 */
#include <sys/resource.h>
#include <sys/utsname.h>

#include "groove_selftest.h"

FIXTURE(faults) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(faults) {
	const char *params;
	__u32 count;
};

FIXTURE_VARIANT_ADD(faults, size_2m) {
	.params = "volume_size=2M volume_max=32 limit_bytes=64M",
	.count = 32,
};

FIXTURE_VARIANT_ADD(faults, size_1g) {
	.params = "volume_size=1G volume_max=1 limit_bytes=1G",
	.count = 1,
};

FIXTURE_SETUP(faults)
{
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(faults)
{
	GROOVE_TEARDOWN(self);
}

/* Huge PFNMAP entries: kernel 6.12 or later, with THP not disabled. */
static int huge_pfnmap_expected(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	char buf[128] = "";
	FILE *f;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	if (major < 6 || (major == 6 && minor < 12))
		return 0;
	/* No THP at all (PREEMPT_RT kernels): no huge PFN entries either. */
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strstr(buf, "[never]");
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Write one byte in every page; return the minor faults taken. */
static long touch_pages(volatile char *p, __u64 len)
{
	long before;
	__u64 off;

	/* Fault in what the counting itself touches (its stack, getrusage). */
	before = minflt();
	before = minflt();
	for (off = 0; off < len; off += 4096)
		p[off + 2048] = 1;
	return minflt() - before;
}

TEST_F_TIMEOUT(faults, first_touch_per_gib, 300)
{
	const struct groove_info *i = &self->info;
	__u64 len = (__u64)variant->count * i->volume_size;
	__u64 align = i->volume_size < GiB ? i->volume_size : GiB;
	long faults, bound_per_gib, bound;
	int huge = huge_pfnmap_expected();
	char *vols;

	ASSERT_EQ((int)variant->count, groove_add(self->fd, variant->count, NULL, 0))
		TH_LOG("%s", i->volume_size >= GiB ? GROOVE_1G_HINT : "");
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	/* get_unmapped_area lines the mapping up with the volumes. */
	EXPECT_EQ(0ULL, (uintptr_t)vols % align);

	faults = touch_pages(vols, len);
	bound_per_gib = !huge ? 512 : i->volume_size >= GiB ? 1 : 512;
	bound = (bound_per_gib * len + GiB - 1) / GiB;
	EXPECT_LE(faults, bound) TH_LOG("%ld faults over %llu MiB, bound %ld",
					faults, (unsigned long long)(len / MiB), bound);
	/* Every byte written is there. */
	EXPECT_EQ(1, vols[len - 4096 + 2048]);
	EXPECT_EQ(0, munmap(vols, i->map_size - i->vol0_off));
	EXPECT_EQ((int)variant->count, groove_remove(self->fd, variant->count));

	ksft_print_msg("first touch of %llu MiB in %llu MiB volumes: %ld faults (%.1f per GiB, bound %ld)\n",
		       (unsigned long long)(len / MiB),
		       (unsigned long long)(i->volume_size / MiB), faults,
		       (double)faults * GiB / len, bound_per_gib);
}

TEST_HARNESS_MAIN
