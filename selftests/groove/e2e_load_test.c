// SPDX-License-Identifier: GPL-2.0
/*
 * groove end to end under load: P worker processes x T threads use libgroove
 * on /dev/groove, each process mapped at its own address.  They allocate
 * objects of every size class, fill them with a pattern of their tag, check
 * and free them, and pass them to each other through a shared ring, while a
 * manager process adds and removes volumes through the ioctls.  At the end:
 * verify passes, every live object is intact, no object is lost (the
 * allocator's live objects are exactly the ones the workers account for),
 * nothing is stranded, and once everything is freed every volume leaves.
 *
 * The race variant runs for a time instead of a number of operations:
 * GROOVE_E2E_RACE_SECONDS (60 unless set; vm-run sets 20 for the debug
 * kernel, whose one TCG thread runs a tenth as many operations a second, and
 * for a stock kernel whose vCPUs take turns in one TCG thread).  The debug
 * kernel runs the other variants with a third of their operations
 * (GROOVE_TEST_REPS_PERCENT).
 */
#include "e2e_common.h"

FIXTURE(e2e_load) {
	E2E_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(e2e_load) {
	struct e2e_geo geo;
	uint32_t procs, threads, ops;
	int start_volumes;
	bool timed;	/* GROOVE_E2E_RACE_SECONDS, not @ops */
};

/* 2 MiB volumes: many of them, the manager churns through slots. */
FIXTURE_VARIANT_ADD(e2e_load, size_2m) {
	.geo = { "volume_size=2M volume_max=32 limit_bytes=64M", 2 * MiB, 32 },
	.procs = 3, .threads = 2, .ops = 20000, .start_volumes = 12,
};

/* 8 MiB volumes: above the 6.1 buddy limit, few slots, more pressure. */
FIXTURE_VARIANT_ADD(e2e_load, size_8m) {
	.geo = { "volume_size=8M volume_max=6 limit_bytes=48M", 8 * MiB, 6 },
	.procs = 2, .threads = 2, .ops = 15000, .start_volumes = 3,
};

/* 3 processes x 2 threads against REMOVE/ADD for a minute (issue 11; above). */
FIXTURE_VARIANT_ADD(e2e_load, race_2m) {
	.geo = { "volume_size=2M volume_max=32 limit_bytes=64M", 2 * MiB, 32 },
	.procs = 3, .threads = 2, .start_volumes = 12, .timed = true,
};

static double e2e_race_seconds(void)
{
	const char *s = getenv("GROOVE_E2E_RACE_SECONDS");
	double v = s && *s ? strtod(s, NULL) : 60;

	return v > 0 ? v : 60;
}

FIXTURE_SETUP(e2e_load)
{
	E2E_SETUP(self, &variant->geo);
}

FIXTURE_TEARDOWN(e2e_load)
{
	E2E_TEARDOWN(self);
}

TEST_F_TIMEOUT(e2e_load, workers_ring_and_volume_churn, 600)
{
	struct e2e_ctl *c = self->c;
	pid_t workers[E2E_PROC_MAX], manager;
	struct groove_rebuild_stats rs;
	struct groove_stats *st;
	struct e2e_census k;
	uint64_t freed, bad = 0;
	uint32_t i, failed = 0;
	double t0;

	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	c->threads = variant->threads;
	/* The debug kernel runs a third of them (GROOVE_TEST_REPS_PERCENT). */
	c->ops = variant->timed ? 0 : groove_test_reps(variant->ops);
	c->ring_on = 1;
	c->sync_ops = E2E_SYNC_OPS;
	if (variant->timed)
		c->run_until_ns = groove_now_ns() + e2e_race_seconds() * 1e9;
	/* Enough for the large classes (a superblock each fills a volume). */
	ASSERT_EQ(variant->start_volumes,
		  groove_add_volumes(self->g, variant->start_volumes, -1, NULL, 0));

	t0 = groove_now_ns();
	manager = e2e_spawn_manager(c, 0, 50000000);
	ASSERT_LT(0, manager);
	for (i = 0; i < variant->procs; i++) {
		workers[i] = e2e_spawn_worker(c, 1 + i);
		ASSERT_LT(0, workers[i]);
	}
	for (i = 0; i < variant->procs; i++)
		failed += e2e_wait(workers[i]) != 0;
	__atomic_store_n(&c->stop_manager, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, e2e_wait(manager));

	TH_LOG("seed %#llx: %u procs x %u threads x %u ops = %llu ops in %.1f s (TCG)",
	       (unsigned long long)c->seed, variant->procs, variant->threads, c->ops,
	       (unsigned long long)c->ops_done, (groove_now_ns() - t0) / 1e9);
	ksft_print_msg("load: ops %llu allocs %llu frees %llu ring push/pop %llu/%llu full %llu bytes %llu\n",
		       (unsigned long long)c->ops_done, (unsigned long long)c->allocs,
		       (unsigned long long)c->frees, (unsigned long long)c->ring_push,
		       (unsigned long long)c->ring_pop, (unsigned long long)c->full,
		       (unsigned long long)c->bytes_alloc);
	ksft_print_msg("load: manager rounds %llu (%llu while workers ran), volumes added %llu removed %llu; mapped at %u distinct addresses\n",
		       (unsigned long long)c->manager_rounds,
		       (unsigned long long)c->manager_rounds_loaded, (unsigned long long)c->adds,
		       (unsigned long long)c->removes, e2e_distinct_vol0(c));
	ksft_print_msg("load: blocks handed out twice %llu, worker errors %u\n",
		       (unsigned long long)c->handed_out_twice, c->errors);
	EXPECT_EQ(0ULL, c->handed_out_twice);
	EXPECT_EQ(0U, c->errors) TH_LOG("%u errors, first: %s", c->errors, c->first_error);
	EXPECT_EQ(0U, failed);
	if (variant->timed) {
		EXPECT_GE(groove_now_ns(), c->run_until_ns) TH_LOG("workers stopped early");
	} else {
		EXPECT_EQ((uint64_t)variant->procs * variant->threads * c->ops, c->ops_done);
	}
	EXPECT_LT(0ULL, c->adds);
	EXPECT_LE((uint64_t)E2E_MANAGER_MIN_ROUNDS, c->manager_rounds);
	EXPECT_LE(2U, e2e_distinct_vol0(c));

	/* Everything quiet: the state is consistent and nothing is stranded. */
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	ASSERT_EQ(0, e2e_census_init(&k, c, self->g, 0));
	EXPECT_EQ(GROOVE_SUCCESS,
		  groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN, &rs, e2e_census_fn, &k));
	ksft_print_msg("load: live objects %llu (%llu bytes), accounted %llu, unaccounted %llu, accounted but not live %llu, stranded bytes %llu\n",
		       (unsigned long long)k.live, (unsigned long long)rs.bytes_live,
		       (unsigned long long)k.known, (unsigned long long)k.unknown,
		       (unsigned long long)e2e_census_missing(&k),
		       (unsigned long long)rs.stranded_bytes);
	EXPECT_EQ(0ULL, k.unknown);
	EXPECT_EQ(0ULL, e2e_census_missing(&k));
	EXPECT_EQ(0ULL, k.bad_pattern);
	EXPECT_EQ(0ULL, rs.stranded_bytes);
	e2e_census_fini(&k);
	ASSERT_EQ(GROOVE_SUCCESS, groove_stats(self->g, st));
	EXPECT_EQ(rs.objects, st->objects);

	/* Free all; then every volume can leave. */
	freed = e2e_free_owned(c, self->g, &bad);
	EXPECT_EQ(0ULL, bad);
	EXPECT_EQ(rs.objects, freed);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_stats(self->g, st));
	EXPECT_EQ(0ULL, st->objects);
	i = st->volumes_present;
	EXPECT_EQ((int)i, groove_remove_volumes(self->g, variant->geo.volume_max));
	EXPECT_EQ(0, e2e_volumes_present(self->g));
	ksft_print_msg("load: freed %llu at the end; %u volumes present, all removed\n",
		       (unsigned long long)freed, i);
	free(st);
}

TEST_HARNESS_MAIN
