// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: how long ADD takes for one volume, against memset() of
 * the same bytes in the same VM.  Prints figures as TAP comments and never
 * asserts on time; it only checks that every ADD and REMOVE worked.
 *
 * memset runs twice: over memory already faulted in (the cost of writing
 * the bytes, which is what zeroing a volume costs at best) and over fresh
 * anonymous memory (what a process pays to get that many zeroed bytes).
 */
#include "groove_selftest.h"

FIXTURE(latency) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(latency) {
	const char *params;
	int rounds;
};

FIXTURE_VARIANT_ADD(latency, size_2m) {
	.params = "volume_size=2M volume_max=1 limit_bytes=2M",
	.rounds = 64,
};

FIXTURE_VARIANT_ADD(latency, size_16m) {
	.params = "volume_size=16M volume_max=1 limit_bytes=16M",
	.rounds = 16,
};

FIXTURE_VARIANT_ADD(latency, size_1g) {
	.params = "volume_size=1G volume_max=1 limit_bytes=1G",
	.rounds = 1,
};

FIXTURE_SETUP(latency)
{
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(latency)
{
	GROOVE_TEARDOWN(self);
}

static double memset_ns(size_t len, int populate)
{
	double t0, t1;
	char *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
	if (buf == MAP_FAILED)
		return -1;
	t0 = groove_now_ns();
	memset(buf, 0, len);
	__asm__ volatile("" : : "r"(buf) : "memory");
	t1 = groove_now_ns();
	munmap(buf, len);
	return t1 - t0;
}

TEST_F_TIMEOUT(latency, add_vs_memset, 240)
{
	size_t len = self->info.volume_size;
	double add = 0, warm = 0, cold = 0, t0;
	int round;

	for (round = 0; round < variant->rounds; round++) {
		t0 = groove_now_ns();
		ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0))
			TH_LOG("%s", len >= GiB ? GROOVE_1G_HINT : "");
		add += groove_now_ns() - t0;
		ASSERT_EQ(1, groove_remove(self->fd, 1));
		warm += memset_ns(len, 1);
		cold += memset_ns(len, 0);
	}
	add /= variant->rounds;
	warm /= variant->rounds;
	cold /= variant->rounds;
	ksft_print_msg("add %llu MiB: %.3f ms; memset: %.3f ms faulted-in, %.3f ms fresh; add/memset %.2f (faulted-in), %.2f (fresh)\n",
		       (unsigned long long)(len / MiB), add / 1e6, warm / 1e6,
		       cold / 1e6, add / warm, add / cold);
}

TEST_HARNESS_MAIN
