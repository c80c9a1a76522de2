// SPDX-License-Identifier: GPL-2.0
/*
 * groove end to end with crashes: processes die by SIGKILL in the middle of
 * libgroove operations, the survivors keep going, and afterwards
 * groove_data_rebuild() (run with no other process joined) returns what the
 * dead left stranded to circulation and keeps every live object.
 *
 * random_kills: the load of e2e_load_test with a parent that, driven by the
 * workers' progress ticks (never by time), kills a random worker or the
 * volume manager and starts a replacement, more than 100 times.  After each
 * kill the parent, a live join, runs groove_reclaim() while the survivors
 * go on, until it takes nothing more (how long that took is printed).  No
 * block is handed out twice (the owner map says who holds each payload
 * block), survivors finish their operations; at the end of each round the
 * bytes still stranded (what online reclaim cannot see: the crash points
 * userlib/README.md lists) are measured, an offline rebuild takes them,
 * and once everything is freed every volume leaves.
 *
 * crash_point.*: a child takes the allocator to one scripted point (after
 * taking an active superblock, after an inactive-stack pop, after the bitmap
 * update of an allocation or of a free, after acquiring a volume) with
 * libgroove's internal steps, and dies there; the offline rebuild (or
 * groovectl fsck) takes back what it stranded.  crash_point.online_*: the
 * child dies inside groove_free() or groove_alloc(), at a crash hook of
 * libgroove's test build, with an object in flight (tests/in_flight_test.c
 * has every such point, on a file); one groove_reclaim()
 * of the survivor, no rebuild, takes it back.  These need libgroove's
 * internal header (and its hooks build) and are skipped without it (a copy
 * in a kernel tree).
 */
#include "e2e_common.h"

#if __has_include("../../userlib/src/groove_internal.h")
#include "../../userlib/src/groove_internal.h"
#define E2E_HAVE_INTERNALS 1
#else
#define E2E_HAVE_INTERNALS 0
#endif

#define CRASH_KILLS		34	/* SIGKILLs per round (102 in all) */
#define CRASH_ROUNDS		3	/* rounds of load, kills and rebuild */
#define CRASH_ONE_IN		4	/* a read of ticks kills with these odds */

static int sigchld_fd = -1;

/* Wake the tick reader when a child exits, so it never waits for nothing. */
static void on_sigchld(int sig)
{
	int e = errno;

	(void)sig;
	if (sigchld_fd >= 0 && write(sigchld_fd, "c", 1) < 0)
		e = errno;	/* a full pipe wakes the reader anyway */
	errno = e;
}

FIXTURE(e2e_crash) {
	E2E_FIXTURE_FIELDS;
};

FIXTURE_SETUP(e2e_crash)
{
	static const struct e2e_geo geo = {
		"volume_size=2M volume_max=32 limit_bytes=64M", 2 * MiB, 32
	};

	E2E_SETUP(self, &geo);
}

FIXTURE_TEARDOWN(e2e_crash)
{
	E2E_TEARDOWN(self);
}

struct proc_slot {
	pid_t pid;
	uint32_t proc;
};

/* Online reclaim after a kill: superblocks taken, and how long it took. */
struct reclaim_figures {
	uint64_t taken, calls;
	double ns_sum, ns_max;
	uint32_t kills, failed;
};

/* Reclaim until nothing more is taken, while the survivors run. */
static void reclaim_after_kill(groove_t *g, struct reclaim_figures *f)
{
	double t0 = groove_now_ns(), ns;
	int r;

	do {
		r = groove_reclaim(g);
		f->calls++;
		if (r > 0)
			f->taken += (uint64_t)r;
	} while (r > 0);
	f->failed += r < 0;
	ns = groove_now_ns() - t0;
	f->ns_sum += ns;
	if (ns > f->ns_max)
		f->ns_max = ns;
	f->kills++;
}

/*
 * CRASH_ROUNDS, or GROOVE_E2E_CRASH_ROUNDS (1..CRASH_ROUNDS): the debug
 * kernel runs one round, of a third of the kills (GROOVE_TEST_REPS_PERCENT):
 * each kill takes the same exit and reclaim paths, which KASAN and lockdep
 * judge the first time.
 */
static uint32_t crash_rounds(void)
{
	const char *s = getenv("GROOVE_E2E_CRASH_ROUNDS");
	long v = s && *s ? strtol(s, NULL, 10) : CRASH_ROUNDS;

	return v >= 1 && v <= CRASH_ROUNDS ? (uint32_t)v : CRASH_ROUNDS;
}

/* 240 s were not enough on the debug kernel's single TCG thread. */
TEST_F_TIMEOUT(e2e_crash, random_kills, 800)
{
	const uint32_t procs = 3, threads = 2;
	struct e2e_ctl *c = self->c;
	struct proc_slot w[3], mgr;
	struct groove_rebuild_stats before, fix, after;
	struct e2e_census k0, k;
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART };
	uint32_t next_proc = 0, i, round, killed_workers, killed_manager;
	uint32_t survivors = 0, survivors_failed = 0, ticks, kills_all = 0;
	const uint32_t rounds = crash_rounds();
	const uint32_t kills = groove_test_reps(CRASH_KILLS);
	struct reclaim_figures rf;
	uint64_t rs, n, bad = 0;
	int tick[2], verify_before, status;
	long present;
	char buf[64];

	c->threads = threads;
	c->ops = 6000;
	c->ring_on = 1;
	c->sync_ops = E2E_SYNC_OPS;
	rs = c->seed ^ 0x6b696c6cULL;
	e2e_rand(&rs);
	ASSERT_EQ(4, groove_add_volumes(self->g, 4, -1, NULL, 0));

	/*
	 * Rounds of load with kills, each ended by a rebuild: the next round
	 * runs on the rebuilt state, with the earlier rounds' objects still
	 * live (and passed around through the ring).
	 */
	for (round = 0; round < rounds; round++) {
		killed_workers = killed_manager = ticks = 0;
		memset(&rf, 0, sizeof(rf));
		ASSERT_EQ(0, pipe(tick));
		c->tick_fd = tick[1];
		c->stop_manager = 0;
		sigchld_fd = tick[1];
		ASSERT_EQ(0, sigaction(SIGCHLD, &sa, NULL));

		mgr.proc = next_proc++;
		mgr.pid = e2e_spawn_manager(c, mgr.proc, 50000000);
		ASSERT_LT(0, mgr.pid);
		for (i = 0; i < procs; i++) {
			w[i].proc = next_proc++;
			w[i].pid = e2e_spawn_worker(c, w[i].proc);
			ASSERT_LT(0, w[i].pid);
		}

		/* Kill on progress ticks until enough died or no proc id is left. */
		while (killed_workers + killed_manager < kills && next_proc < E2E_PROC_MAX) {
			ssize_t got = read(tick[0], buf, sizeof(buf));

			if (got <= 0) {
				ASSERT_EQ(EINTR, errno);
				continue;
			}
			ticks += (uint32_t)got;
			/* Finished workers are survivors; a fresh one takes the slot. */
			for (i = 0; i < procs; i++) {
				if (waitpid(w[i].pid, &status, WNOHANG) != w[i].pid)
					continue;
				survivors++;
				survivors_failed += !WIFEXITED(status) || WEXITSTATUS(status);
				w[i].proc = next_proc++;
				w[i].pid = e2e_spawn_worker(c, w[i].proc);
				ASSERT_LT(0, w[i].pid);
			}
			if (e2e_rand(&rs) % CRASH_ONE_IN)
				continue;
			if (e2e_rand(&rs) % 5 == 0) {
				kill(mgr.pid, SIGKILL);
				EXPECT_EQ(128 + SIGKILL, e2e_wait(mgr.pid));
				killed_manager++;
				reclaim_after_kill(self->g, &rf);
				mgr.proc = next_proc++;
				mgr.pid = e2e_spawn_manager(c, mgr.proc, 50000000);
				ASSERT_LT(0, mgr.pid);
				continue;
			}
			i = (uint32_t)(e2e_rand(&rs) % procs);
			kill(w[i].pid, SIGKILL);
			status = e2e_wait(w[i].pid);
			if (status == 128 + SIGKILL) {
				killed_workers++;
				reclaim_after_kill(self->g, &rf);
			} else {
				survivors++;
				survivors_failed += status != 0;
			}
			w[i].proc = next_proc++;
			w[i].pid = e2e_spawn_worker(c, w[i].proc);
			ASSERT_LT(0, w[i].pid);
		}
		/* No more kills: the last ones run to the end. */
		__atomic_store_n(&c->tick_fd, -1, __ATOMIC_RELEASE);
		signal(SIGCHLD, SIG_DFL);
		sigchld_fd = -1;
		for (i = 0; i < procs; i++) {
			survivors++;
			survivors_failed += e2e_wait(w[i].pid) != 0;
		}
		__atomic_store_n(&c->stop_manager, 1, __ATOMIC_RELEASE);
		EXPECT_EQ(0, e2e_wait(mgr.pid));
		close(tick[0]);
		close(tick[1]);
		kills_all += killed_workers + killed_manager;

		ksft_print_msg("crash round %u: seed %#llx, %u ticks, killed %u workers + %u managers; so far %u survivors finished (%u failed), %u procs\n",
			       round, (unsigned long long)c->seed, ticks, killed_workers,
			       killed_manager, survivors, survivors_failed, next_proc);
		ksft_print_msg("crash round %u: so far ops %llu allocs %llu frees %llu ring push/pop %llu/%llu full %llu; volumes added %llu removed %llu\n",
			       round, (unsigned long long)c->ops_done,
			       (unsigned long long)c->allocs, (unsigned long long)c->frees,
			       (unsigned long long)c->ring_push, (unsigned long long)c->ring_pop,
			       (unsigned long long)c->full, (unsigned long long)c->adds,
			       (unsigned long long)c->removes);
		ksft_print_msg("crash round %u: blocks handed out twice %llu, worker errors %u\n",
			       round, (unsigned long long)c->handed_out_twice, c->errors);
		ksft_print_msg("crash round %u: online reclaim after %u kills: %llu superblocks taken over in %llu calls, %.3f ms a kill on average, %.3f ms at most (TCG)\n",
			       round, rf.kills, (unsigned long long)rf.taken,
			       (unsigned long long)rf.calls,
			       rf.kills ? rf.ns_sum / rf.kills / 1e6 : 0, rf.ns_max / 1e6);
		EXPECT_EQ(0U, rf.failed);
		/*
		 * Not asserted: that this reclaim took anything.  A survivor's
		 * allocation that would say GROOVE_ERR_FULL reclaims first, so
		 * under pressure the survivors take a dead join's superblocks
		 * before the parent does (seen on the debug kernel: 0 of a
		 * round's kills left anything to the parent).  The dry run
		 * below counts what nobody took.
		 */
		EXPECT_EQ(kills, killed_workers + killed_manager);
		EXPECT_EQ(0ULL, c->handed_out_twice);
		EXPECT_EQ(0U, c->errors) TH_LOG("%u errors, first: %s", c->errors, c->first_error);
		EXPECT_LE(procs * (round + 1), survivors);
		EXPECT_EQ(0U, survivors_failed);
		EXPECT_LE((uint64_t)survivors * threads * c->ops, c->ops_done);

		/* Recovery, with nobody else joined. */
		verify_before = groove_verify(self->g);
		ASSERT_EQ(0, e2e_census_init(&k0, c, self->g, 0));
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
								 &before, e2e_census_fn, &k0));
		ASSERT_EQ(0, e2e_census_init(&k, c, self->g, 1));
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, 0, &fix,
								 e2e_census_fn, &k));
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
								 &after, NULL, NULL));
		ksft_print_msg("crash round %u: after online reclaim, before rebuild: verify %s, stranded bytes %llu (%llu superblocks, %llu objects claimed but never handed out)\n",
			       round, groove_strerror(verify_before),
			       (unsigned long long)before.stranded_bytes,
			       (unsigned long long)before.superblocks_stranded,
			       (unsigned long long)before.objects_reclaimed);
		ksft_print_msg("crash round %u: rebuild: %llu live objects kept (%llu accounted, %llu in flight at a kill), %llu superblocks released, %llu requeued, %u volumes back on the stack\n",
			       round, (unsigned long long)fix.objects,
			       (unsigned long long)k.known, (unsigned long long)k.unknown,
			       (unsigned long long)fix.superblocks_released,
			       (unsigned long long)fix.superblocks_requeued, fix.volumes_released);
		ksft_print_msg("crash round %u: after rebuild: verify %s, stranded bytes %llu\n",
			       round, groove_strerror(groove_verify(self->g)),
			       (unsigned long long)after.stranded_bytes);
		EXPECT_EQ(before.stranded_bytes, fix.stranded_bytes);
		EXPECT_EQ(0ULL, after.stranded_bytes);
		EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
		EXPECT_EQ(k0.live, k.live);
		EXPECT_EQ(0ULL, e2e_census_missing(&k));
		EXPECT_EQ(0ULL, k.bad_pattern);
		/* At most one object per killed thread was between alloc and account. */
		EXPECT_LE(k.unknown, (uint64_t)killed_workers * threads);

		/*
		 * The objects in flight at a kill have no owner to free them:
		 * free them now, so the owner map names every live object.
		 * After the last round, free everything.
		 */
		for (n = 0; n < k.offs_cnt; n++) {
			uint64_t off = k.offs[n], own = *e2e_owner(c, off);

			if (round + 1 < rounds && own &&
			    (own & (E2E_BLK - 1)) == (off & (E2E_BLK - 1)))
				continue;
			if (groove_free(self->g, groove_ptr(self->g, off)))
				bad++;
			*e2e_owner(c, off) = 0;
		}
		EXPECT_EQ(0ULL, bad);
		EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
		e2e_census_fini(&k0);
		e2e_census_fini(&k);
	}
	/* Everything freed, every volume leaves: nothing was lost for good. */
	present = e2e_volumes_present(self->g);
	EXPECT_EQ(present, groove_remove_volumes(self->g, 32));
	EXPECT_EQ(0, e2e_volumes_present(self->g));
	ksft_print_msg("crash: %u rounds, %u kills in all; freed everything, removed all %ld volumes\n",
		       rounds, kills_all, present);
}

#if E2E_HAVE_INTERNALS

enum crash_point {
	AFTER_ACTIVE_TAKE,
	AFTER_INACTIVE_POP,
	AFTER_ALLOC_BITMAP,
	AFTER_FREE_BITMAP,
	AFTER_VOLUME_ACQUIRE,
	/* Through libgroove's crash hook (its GROOVE_TEST_HOOKS build): */
	FREE_BEFORE_OR,		/* groove_free(): header CAS done, bit not set */
	ALLOC_BEFORE_INIT,	/* groove_alloc(), no thread cache: claimed, not handed out */
	SLOT_TAKE_CLAIMED,	/* groove_alloc(): active slot claimed, holder not stored */
	SLOT_PUT_CLEARED,	/* groove_alloc(), no thread cache: put back, slot still claimed */
	POP_STAMPED,		/* groove_alloc(): popped and held, stack head still claimed */
	VOL_POP_WRITTEN,	/* groove_alloc(): a volume's root written, its head still claimed */
};

FIXTURE(crash_point) {
	E2E_FIXTURE_FIELDS;
	uint64_t objs[256];
	uint32_t nobjs;
};

FIXTURE_VARIANT(crash_point) {
	enum crash_point point;
	int fsck;		/* recover with groovectl fsck, not the library call */
	int online;		/* recover with groove_reclaim() alone, no rebuild */
};

FIXTURE_VARIANT_ADD(crash_point, after_active_take) { .point = AFTER_ACTIVE_TAKE };
FIXTURE_VARIANT_ADD(crash_point, after_inactive_pop) { .point = AFTER_INACTIVE_POP };
FIXTURE_VARIANT_ADD(crash_point, after_alloc_bitmap) { .point = AFTER_ALLOC_BITMAP };
FIXTURE_VARIANT_ADD(crash_point, after_free_bitmap) { .point = AFTER_FREE_BITMAP };
FIXTURE_VARIANT_ADD(crash_point, after_volume_acquire) { .point = AFTER_VOLUME_ACQUIRE };
FIXTURE_VARIANT_ADD(crash_point, fsck_after_alloc_bitmap) {
	.point = AFTER_ALLOC_BITMAP, .fsck = 1,
};
FIXTURE_VARIANT_ADD(crash_point, fsck_after_volume_acquire) {
	.point = AFTER_VOLUME_ACQUIRE, .fsck = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_free_before_or) {
	.point = FREE_BEFORE_OR, .online = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_alloc_before_handing_out) {
	.point = ALLOC_BEFORE_INIT, .online = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_slot_take_before_holder) {
	.point = SLOT_TAKE_CLAIMED, .online = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_slot_put_before_unclaim) {
	.point = SLOT_PUT_CLEARED, .online = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_pop_before_unclaim) {
	.point = POP_STAMPED, .online = 1,
};
FIXTURE_VARIANT_ADD(crash_point, online_volume_acquire_before_unclaim) {
	.point = VOL_POP_WRITTEN, .online = 1,
};

#ifdef GROOVE_TEST_HOOKS
static int crash_hook_point;

static void crash_hook(struct groove *g, int point)
{
	(void)g;
	if (point == crash_hook_point)
		raise(SIGKILL);
}
#endif


#define POINT_OBJS	200
#define POINT_SIZE	100	/* one block: the smallest class */

/*
 * A groove with objects in a few superblocks of the smallest class: the
 * first 100 have every third freed (partly free superblocks, in the active
 * slot), the rest are full superblocks out of circulation.
 */
FIXTURE_SETUP(crash_point)
{
	static const struct e2e_geo geo = {
		"volume_size=2M volume_max=8 limit_bytes=16M", 2 * MiB, 8
	};
	uint32_t i;

	E2E_SETUP(self, &geo);
	ASSERT_EQ(3, groove_add_volumes(self->g, 3, -1, NULL, 0));
	groove_cgroup_hint_set(0);
	for (i = 0; i < POINT_OBJS; i++) {
		uint64_t tag = 0x5ca1ab1eULL << 20 | i;
		void *p = groove_alloc(self->g, 0, POINT_SIZE, tag, NULL);

		ASSERT_NE(NULL, p);
		e2e_fill(p, POINT_SIZE, tag);
		self->objs[i] = groove_off(self->g, p);
	}
	for (i = 0; i < POINT_OBJS / 2; i += 3) {
		ASSERT_EQ(0, groove_free(self->g, groove_ptr(self->g, self->objs[i])));
		self->objs[i] = 0;
	}
	groove_thread_flush(self->g);	/* our held superblocks back to the slots */
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
}

FIXTURE_TEARDOWN(crash_point)
{
	E2E_TEARDOWN(self);
}

/* The superblock holding the live object at @off (internals). */
static uint64_t sb_of(struct groove *g, uint64_t off, uint32_t *idx, uint64_t *bits)
{
	struct g_obj *h = (struct g_obj *)(g->vol0 + off - GROOVE_OBJ_HDR_SIZE);
	uint64_t b = G_LOAD(&h->bits), szc = G_F_SZC(b);

	*idx = (uint32_t)G_F_IDX(b);
	*bits = b;
	return off - G_F_PAD(b) - G_BLK - *idx * g->szc[szc].fp;
}

/* The largest class whose superblock is a whole volume. */
static uint32_t volume_class(struct groove *g)
{
	uint32_t k;

	for (k = g->szc_cnt; k-- > 0;)
		if (g->szc[k].parent == GROOVE_SZC_PARENT_VOLUME && !g->szc[k].container)
			return k;
	return 0;
}

/* In the child: go to the scripted point, then die there. */
static void crash_child(const char *path, enum crash_point point, uint64_t victim)
{
	struct groove *g = groove_open(path, 0);
	uint32_t szc, cg, idx;
	uint64_t off = 0, bits, sb, bit;

	if (!g)
		_exit(1);
	szc = g_szc_of(g, 1);
	switch (point) {
	case AFTER_ACTIVE_TAKE:
	case AFTER_ALLOC_BITMAP:
		/* groove_alloc()'s first step: take the active superblock. */
		for (cg = 0; cg <= g->szc[szc].cg_mask && !off; cg++)
			off = G_XCHG(&g->st->active[szc][cg].w, 0);
		if (!off)
			_exit(2);
		if (point == AFTER_ALLOC_BITMAP) {
			/* ... and claim its first free object. */
			bit = G_LOAD(&g_sb_at(g, off)->free);
			if (!bit)
				_exit(3);
			G_AND(&g_sb_at(g, off)->free, ~(bit & -bit));
		}
		break;
	case AFTER_INACTIVE_POP:
		if (g_inactive_pop(g, szc, &off) || !off)
			_exit(2);
		break;
	case AFTER_FREE_BITMAP:
		/* groove_free() of an object of a full superblock, up to its OR. */
		sb = sb_of(g, victim, &idx, &bits);
		if (G_LOAD(&g_sb_at(g, sb)->free))
			_exit(2);
		if (!g_cas(&((struct g_obj *)(g->vol0 + victim - GROOVE_OBJ_HDR_SIZE))->bits,
			   bits, (bits & ~3ULL) | G_T_FREED))
			_exit(3);
		G_OR(&g_sb_at(g, sb)->free, 1ULL << idx);
		break;
	case AFTER_VOLUME_ACQUIRE:
		if (g_vol_acquire(g, volume_class(g), &off))
			_exit(2);
		break;
#ifdef GROOVE_TEST_HOOKS
	case FREE_BEFORE_OR:
		crash_hook_point = G_CRASH_FREE_BEFORE_OR;
		groove_test_crash_hook = crash_hook;
		groove_free(g, groove_ptr(g, victim));
		_exit(5);	/* the hook did not fire */
	case SLOT_TAKE_CLAIMED:
	case POP_STAMPED:
		/*
		 * The first object of the smallest class comes from its active
		 * slot, or from its inactive stack where the test moved it.
		 */
		crash_hook_point = point == POP_STAMPED ? G_CRASH_POP_STAMPED :
							  G_CRASH_SLOT_TAKE_CLAIMED;
		groove_test_crash_hook = crash_hook;
		groove_alloc(g, 0, POINT_SIZE, 1, NULL);
		_exit(5);
	case ALLOC_BEFORE_INIT:
	case SLOT_PUT_CLEARED: {
		uint32_t k;

		/* The smallest class without thread caches: the shared path. */
		for (k = 0; k < g->szc_cnt && (g->szc[k].tcache || g->szc[k].container); k++)
			;
		if (k >= g->szc_cnt)
			_exit(2);
		crash_hook_point = point == ALLOC_BEFORE_INIT ? G_CRASH_ALLOC_BEFORE_INIT :
								 G_CRASH_SLOT_PUT_CLEARED;
		groove_test_crash_hook = crash_hook;
		groove_alloc(g, 0, g->szc[k].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		_exit(5);
	}
	case VOL_POP_WRITTEN:
		/* The first object of a whole-volume class: a volume off the stack. */
		crash_hook_point = G_CRASH_VOL_POP_WRITTEN;
		groove_test_crash_hook = crash_hook;
		groove_alloc(g, 0, g->szc[volume_class(g)].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
		_exit(5);
#endif
	default:
		_exit(2);
	}
	raise(SIGKILL);
	_exit(4);
}

/* groovectl --device @path --quiet fsck; its exit status (127: not found). */
static int run_fsck(const char *path)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execlp("groovectl", "groovectl", "--device", path, "--quiet", "fsck", (char *)NULL);
		_exit(127);
	}
	return e2e_wait(pid);
}

TEST_F(crash_point, recovered_after_the_kill)
{
	struct groove *g = self->g;
	struct groove_rebuild_stats before, fix, after;
	struct e2e_census k;
	uint64_t victim = 0, bad = 0;
	uint32_t i, idx, szc = g_szc_of(g, 1);
	int frees_victim = variant->point == AFTER_FREE_BITMAP ||
			   variant->point == FREE_BEFORE_OR;
	long present;
	pid_t pid;

#ifndef GROOVE_TEST_HOOKS
	if (variant->point >= FREE_BEFORE_OR)
		SKIP(return, "needs libgroove's GROOVE_TEST_HOOKS build (make -C userlib test-hooks)");
#endif
	if (variant->point == AFTER_INACTIVE_POP || variant->point == POP_STAMPED) {
		/* Move the active superblock to the inactive stack (a consistent state). */
		uint64_t off = G_XCHG(&g->st->active[szc][0].w, 0);

		ASSERT_NE(0ULL, off);
		ASSERT_EQ(0, g_inactive_push(g, szc, off));
		ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	}
	for (i = 0; i < POINT_OBJS; i++) {
		uint64_t bits, sb;

		if (!self->objs[i])
			continue;
		sb = sb_of(g, self->objs[i], &idx, &bits);
		if (!victim && !G_LOAD(&g_sb_at(g, sb)->free))
			victim = self->objs[i];
		*e2e_owner(self->c, self->objs[i]) = E2E_OWNER(1, self->objs[i]);
	}
	ASSERT_NE(0ULL, victim);
	if (frees_victim)
		*e2e_owner(self->c, victim) = 0;	/* the child frees it */

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		crash_child(self->path, variant->point, victim);
	ASSERT_EQ(128 + SIGKILL, e2e_wait(pid));

	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
							 &before, NULL, NULL));
	ksft_print_msg("%s: verify %s, stranded bytes %llu (%llu superblocks, %llu objects claimed but never handed out)\n",
		       "after the crash", groove_strerror(groove_verify(self->g)),
		       (unsigned long long)before.stranded_bytes,
		       (unsigned long long)before.superblocks_stranded,
		       (unsigned long long)before.objects_reclaimed);
	EXPECT_LT(0ULL, before.stranded_bytes);

	if (variant->online) {
		struct timespec t0, t1;
		int taken;

		/* Recorded in flight: one reclaim by this live join takes it back. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		taken = groove_reclaim(self->g);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		EXPECT_LT(0, taken);
		ksft_print_msg("groove_reclaim(): %d taken in %.3f ms, no rebuild\n", taken,
			       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
		ASSERT_EQ(0, e2e_census_init(&k, self->c, self->g, 0));
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
								 &fix, e2e_census_fn, &k));
	} else if (variant->fsck) {
		int status;

		/* fsck is exclusive: it refuses while this process is joined. */
		EXPECT_EQ(7, run_fsck(self->path));
		groove_close(self->g);
		status = run_fsck(self->path);
		self->g = groove_open(self->path, 0);
		ASSERT_NE(NULL, self->g);
		g = self->g;
		ASSERT_EQ(0, e2e_census_init(&k, self->c, self->g, 0));
		if (status == 127)
			SKIP(return, "groovectl is not in PATH");
		ASSERT_EQ(0, status) TH_LOG("groovectl fsck ended with %d", status);
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
								 &fix, e2e_census_fn, &k));
		ksft_print_msg("groovectl fsck: exit 0\n");
	} else {
		ASSERT_EQ(0, e2e_census_init(&k, self->c, self->g, 0));
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, 0, &fix,
								 e2e_census_fn, &k));
	}
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
							 &after, NULL, NULL));
	ksft_print_msg("rebuilt: %llu objects kept, %llu superblocks requeued, %u volumes back; stranded bytes now %llu\n",
		       (unsigned long long)fix.objects,
		       (unsigned long long)fix.superblocks_requeued, fix.volumes_released,
		       (unsigned long long)after.stranded_bytes);
	EXPECT_EQ(0ULL, after.stranded_bytes);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	EXPECT_EQ(0ULL, k.unknown);
	EXPECT_EQ(0ULL, k.bad_pattern);
	EXPECT_EQ(0ULL, e2e_census_missing(&k));
	e2e_census_fini(&k);

	/* The pool works again: allocate, free everything, remove every volume. */
	for (i = 0; i < 64; i++) {
		void *p = groove_alloc(self->g, 0, POINT_SIZE, i, NULL);

		ASSERT_NE(NULL, p);
		EXPECT_EQ(0, groove_free(self->g, p));
	}
	EXPECT_EQ(POINT_OBJS - (POINT_OBJS / 2 + 2) / 3 - frees_victim,
		  (int)e2e_free_owned(self->c, self->g, &bad));
	EXPECT_EQ(0ULL, bad);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	present = e2e_volumes_present(self->g);
	EXPECT_EQ(present, groove_remove_volumes(self->g, 8));
	EXPECT_EQ(0, e2e_volumes_present(self->g));
}

#endif /* E2E_HAVE_INTERNALS */

TEST_HARNESS_MAIN
