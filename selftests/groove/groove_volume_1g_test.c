// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: a 1 GiB volume (volume_size=1G, far above the buddy
 * allocator's limit: the alloc_contig_range() path) is added, aligned to
 * 1 GiB in physical memory, zeroed, mapped and touched end to end, removed;
 * and splits of a GiB mapped by one PUD entry (6.12+) race with faults.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "groove_selftest.h"

FIXTURE(gib) {
	GROOVE_FIXTURE_FIELDS;
};

/*
 * Each REMOVE hands a GiB back to the page allocator, and the next
 * processes' newest pages there wait in per-CPU LRU batches, which the
 * module's range check and the kernel's own isolation both take for
 * unmovable until they drain; a module cannot drain them
 * (lru_add_drain_all() is not exported).  Compaction drains them first
 * (and makes free GiBs), as hugetlb's documentation advises before
 * gigantic pages: without it, a GiB removed by one test was still refused
 * to the next now and then.
 */
static void gib_drain_lru_batches(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

	if (fd < 0)
		return;	/* no CONFIG_COMPACTION: nothing to drain that way */
	if (write(fd, "1", 1) != 1)
		ksft_print_msg("compact_memory: %s\n", strerror(errno));
	close(fd);
}

FIXTURE_SETUP(gib)
{
	gib_drain_lru_batches();
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
	char zone[32];
	int node;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	ASSERT_EQ(0, groove_phys(self->fd, 0, &phys, &node));
	EXPECT_EQ(0ULL, phys % GiB) TH_LOG("phys %#llx", (unsigned long long)phys);
	/*
	 * Volumes never move: they come from the zones an unmovable
	 * allocation uses, never ZONE_MOVABLE (the debug stage boots with
	 * movablecore= so that there is one to avoid).
	 */
	ASSERT_EQ(0, groove_zone_of_phys(phys, zone, sizeof(zone)));
	EXPECT_STRNE("Movable", zone);
	ksft_print_msg("1 GiB volume at %#llx, zone %s\n", (unsigned long long)phys, zone);
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
	/* Slot 1 has no volume: zeros to read, SIGBUS to write. */
	EXPECT_EQ(0, vols[GiB]);
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + GiB, GROOVE_TOUCH_WRITE));

	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(0, vols[2 * MiB]);
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + 2 * MiB, GROOVE_TOUCH_READ_WRITE));
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

/*
 * Split operations per run: enough to hit the window every time without
 * the fix (groove_test_reps(): a third of them on the debug kernel, which
 * fails on the first misread PUD).
 */
#define SPLIT_ROUNDS		300
/* x86-64 present | PSE: what pmd_trans_huge() takes for a huge entry. */
#define FAKE_HUGE_PMD		0x81ULL

static int set_split_delay_us(unsigned int us)
{
	FILE *f = fopen("/sys/module/groove/parameters/test_split_delay_us", "w");
	int err;

	if (!f)
		return -errno;
	err = fprintf(f, "%u\n", us) < 0;
	return fclose(f) || err ? -EIO : 0;
}

struct split_race {
	volatile char *vols;
	atomic_int stop;
	atomic_ulong reads, mismatches;
};

/*
 * Read one byte near the start of every 2 MiB chunk (past the volume
 * header) and check the pattern, until told to stop.
 */
static void *split_reader(void *arg)
{
	struct split_race *r = arg;
	unsigned long reads = 0, bad = 0;
	__u64 off;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		for (off = 2 * MiB; off < GiB; off += 2 * MiB) {
			if (r->vols[off + 1024] != (char)(off >> 21 | 1))
				bad++;
			reads++;
		}
	}
	atomic_fetch_add(&r->reads, reads);
	atomic_fetch_add(&r->mismatches, bad);
	return NULL;
}

/*
 * Three threads read a GiB that one PUD entry maps (where the kernel does)
 * while a fourth splits the mapping at odd 4 KiB offsets, each round on a
 * freshly mapped window whose PUD the splitter has just faulted in:
 * mprotect there and back, munmap and MAP_FIXED the page back, madvise a
 * page, MAP_FIXED over a page.  A PUD reinstalled by a racing fault between
 * the driver's zap and the core's split would be walked as a PMD table:
 * "bad pud" in the log (the VM runner fails the run on it) or an oops.
 * The first page of the volume, which such a walk would take for the PMD
 * table, is filled with words that look like huge PMD entries: a stock
 * kernel "splits" one by clearing it (the test sees the word gone), a
 * lockdep kernel oopses on the page's missing page-table lock.
 * The module's test_split_delay_us widens the core's window between
 * ->may_split() and its own vma write lock to 2 ms, so a run without the
 * fix fails every time instead of once a minute.  The data must stay in
 * place throughout.
 */
TEST_F_TIMEOUT(gib, pud_split_races_faults, 600)
{
	const struct groove_info *i = &self->info;
	struct split_race r = { 0 };
	size_t len = i->map_size - i->vol0_off;
	pthread_t readers[3];
	unsigned int round, rounds = groove_test_reps(SPLIT_ROUNDS), t;
	char *page;
	__u64 off;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	ASSERT_EQ(0, set_split_delay_us(2000));
	r.vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, r.vols);
	for (off = 2 * MiB; off < GiB; off += 2 * MiB)
		r.vols[off + 1024] = (char)(off >> 21 | 1);
	/* Past the volume header: PMD slots 64..511 of a misread table. */
	for (t = 64; t < 512; t++)
		((volatile __u64 *)r.vols)[t] = FAKE_HUGE_PMD;
	for (t = 0; t < 3; t++)
		ASSERT_EQ(0, pthread_create(&readers[t], NULL, split_reader, &r));

	for (round = 0; round < rounds; round++) {
		/*
		 * Odd page, never the first of a 2 MiB chunk (the readers'),
		 * in chunks 64..511 (their PMD slots hold FAKE_HUGE_PMD).
		 */
		off = (__u64)(64 + round * 37 % 448) * 2 * MiB + (round % 511 + 1) * 4096;
		page = (char *)r.vols + off;
		/* A fresh single vma over the window, PUD faulted in. */
		ASSERT_EQ((void *)r.vols, mmap((void *)r.vols, len, PROT_READ | PROT_WRITE,
					      MAP_SHARED | MAP_FIXED, self->fd, i->vol0_off));
		(void)r.vols[GiB / 2];
		switch (round % 4) {
		case 0:
			ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
			ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
			break;
		case 1:
			ASSERT_EQ(0, munmap(page, 4096));
			ASSERT_EQ((void *)page, mmap(page, 4096, PROT_READ | PROT_WRITE,
						     MAP_SHARED | MAP_FIXED, self->fd,
						     i->vol0_off + off));
			break;
		case 2:
			ASSERT_EQ(0, madvise(page, 4096, MADV_RANDOM));
			break;
		case 3:
			ASSERT_EQ((void *)page, mmap(page, 4096, PROT_READ,
						     MAP_SHARED | MAP_FIXED, self->fd,
						     i->vol0_off + off));
			break;
		}
	}
	atomic_store(&r.stop, 1);
	for (t = 0; t < 3; t++)
		ASSERT_EQ(0, pthread_join(readers[t], NULL));
	EXPECT_EQ(0, set_split_delay_us(0));
	ksft_print_msg("%u split rounds against %lu reads\n", round,
		       (unsigned long)atomic_load(&r.reads));
	EXPECT_EQ(0UL, atomic_load(&r.mismatches));
	for (t = 64; t < 512; t++)
		if (((volatile __u64 *)r.vols)[t] != FAKE_HUGE_PMD)
			r.mismatches++;
	EXPECT_EQ(0UL, atomic_load(&r.mismatches))
		TH_LOG("the kernel walked the PUD as a PMD table and cleared entries");
	EXPECT_EQ(0, munmap((void *)r.vols, len));
	EXPECT_EQ(1, groove_remove(self->fd, 1));
}

/*
 * A GiB written all over, removed and added again comes back zeroed: in
 * every 4 KiB page (one byte each, at a different offset) and in the
 * parts several CPUs claim and zero at once.  Most of the time it is the
 * same range again (compaction drains what the REMOVE left in between).
 */
TEST_F_TIMEOUT(gib, readded_volume_is_zeroed, 240)
{
	const struct groove_info *i = &self->info;
	__u64 phys0 = 1, phys1 = 1, off, nonzero = 0, bad = 0;
	volatile unsigned char *vols;
	int node;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	ASSERT_EQ(0, groove_phys(self->fd, 0, &phys0, &node));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	for (off = 4096; off < GiB; off += 4096)
		vols[off + ((off >> 12) & 4095)] = 0xa5;
	memset((void *)(vols + GiB / 2 - 4096), 0x5a, 8192);
	EXPECT_EQ(1, groove_remove(self->fd, 1));

	gib_drain_lru_batches();
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0)) TH_LOG("%s", GROOVE_1G_HINT);
	ASSERT_EQ(0, groove_phys(self->fd, 0, &phys1, &node));
	ksft_print_msg("1 GiB volume at %#llx, then at %#llx\n",
		       (unsigned long long)phys0, (unsigned long long)phys1);
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, *(volatile __u64 *)vols);
	for (off = 4096; off < GiB; off += 4096) {
		unsigned char c = vols[off + ((off >> 12) & 4095)];

		nonzero |= c;
		bad += !!c;
	}
	for (off = GiB / 2 - 4096; off < GiB / 2 + 4096; off++)
		nonzero |= vols[off];
	EXPECT_EQ(0ULL, nonzero) TH_LOG("%llu pages not zeroed", (unsigned long long)bad);
	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(0, munmap((void *)vols, i->map_size - i->vol0_off));
}

TEST_HARNESS_MAIN
