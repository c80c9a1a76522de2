// SPDX-License-Identifier: GPL-2.0
/*
 * groove end to end, persistence: objects belong to the groove, not to the
 * process that made them.  A chain of processes, each started only after
 * the previous one exited and nothing held /dev/groove open, joins (at an
 * address of its own), finds the previous generation's objects by their
 * offsets, checks every byte, frees some, writes new ones, and leaves.  The
 * module stays loaded throughout; a last process checks and frees the rest,
 * and every volume leaves.
 */
#include "e2e_common.h"

#define GENERATIONS	6
#define PER_GEN		300

struct persist_log {
	uint64_t off[GENERATIONS + 1][PER_GEN];	/* 0: freed or never made */
	uint64_t checked, bad, freed, made, open_between;
};

FIXTURE(e2e_persist) {
	E2E_FIXTURE_FIELDS;
};

FIXTURE_SETUP(e2e_persist)
{
	static const struct e2e_geo geo = {
		"volume_size=2M volume_max=16 limit_bytes=32M", 2 * MiB, 16
	};

	E2E_SETUP(self, &geo);
}

FIXTURE_TEARDOWN(e2e_persist)
{
	E2E_TEARDOWN(self);
}

/* The module's reference count: 0 when no file of it is open. */
static long module_refcnt(void)
{
	char buf[32] = "";
	long v = -1;
	int fd = open("/sys/module/groove/refcnt", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

/* One generation (a fresh process): check and thin out gen - 1, write gen. */
static void generation(struct e2e_ctl *c, struct persist_log *log, uint32_t gen)
{
	uint64_t rs = c->seed ^ (0xfeedULL * (gen + 1));
	uint32_t i, g2;
	groove_t *g;

	e2e_rand(&rs);
	g = e2e_join(c, gen, &rs);
	if (!g)
		_exit(1);
	if (gen == 0 && groove_add_volumes(g, 4, -1, "persist", 7) != 4)
		_exit(2);
	/* Everything earlier generations left must be intact. */
	for (g2 = 0; g2 < gen; g2++) {
		for (i = 0; i < PER_GEN; i++) {
			uint64_t off = log->off[g2][i];

			if (!off)
				continue;
			log->checked++;
			if (e2e_check_obj(g, off, NULL))
				log->bad++;
			/* The previous generation's odd ones go now. */
			if (g2 == gen - 1 && (i & 1)) {
				if (groove_free(g, groove_ptr(g, off)))
					log->bad++;
				log->off[g2][i] = 0;
				log->freed++;
			}
		}
	}
	if (gen < GENERATIONS) {
		for (i = 0; i < PER_GEN; i++) {
			size_t sz = e2e_pick_size(&rs, 256 * 1024);
			uint64_t tag = ((uint64_t)(gen + 1) << 40) | i;
			size_t align = e2e_pick_align(&rs);
			void *p;
			int err;

			p = groove_alloc(g, align, sz, tag, &err);
			if (!p && err == GROOVE_ERR_FULL && groove_add_volumes(g, 2, -1, NULL, 0) == 2)
				p = groove_alloc(g, align, sz, tag, &err);
			if (!p)
				_exit(3);
			e2e_fill(p, sz, tag);
			log->off[gen][i] = groove_off(g, p);
			log->made++;
		}
	} else {
		/* The last one frees everything that is left. */
		for (g2 = 0; g2 < gen; g2++)
			for (i = 0; i < PER_GEN; i++)
				if (log->off[g2][i]) {
					if (groove_free(g, groove_ptr(g, log->off[g2][i])))
						log->bad++;
					log->off[g2][i] = 0;
					log->freed++;
				}
	}
	groove_close(g);
	_exit(0);
}

TEST_F_TIMEOUT(e2e_persist, data_outlives_its_writer, 120)
{
	struct persist_log *log;
	struct groove_stats *st;
	uint32_t gen;
	long present;

	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, log);
	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	/* Nobody but the generations holds the groove. */
	groove_close(self->g);
	self->g = NULL;

	for (gen = 0; gen <= GENERATIONS; gen++) {
		pid_t pid;

		if (self->loaded && module_refcnt() != 0)
			log->open_between++;
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			generation(self->c, log, gen);
		ASSERT_EQ(0, e2e_wait(pid)) TH_LOG("generation %u failed", gen);
	}
	ksft_print_msg("persist: %u generations of %u objects: made %llu, checked %llu (bad %llu), freed %llu; %u distinct addresses; device held between generations %llu times\n",
		       GENERATIONS, PER_GEN, (unsigned long long)log->made,
		       (unsigned long long)log->checked, (unsigned long long)log->bad,
		       (unsigned long long)log->freed, e2e_distinct_vol0(self->c),
		       (unsigned long long)log->open_between);
	EXPECT_EQ(0ULL, log->bad);
	EXPECT_EQ(0ULL, log->open_between);
	EXPECT_EQ(log->made, log->freed);
	EXPECT_LE(2U, e2e_distinct_vol0(self->c));

	/* A fresh join: nothing left, consistent, every volume leaves. */
	self->g = groove_open(self->path, 0);
	ASSERT_NE(NULL, self->g);
	EXPECT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_stats(self->g, st));
	EXPECT_EQ(0ULL, st->objects);
	present = st->volumes_present;
	EXPECT_EQ(present, groove_remove_volumes(self->g, 16));
	EXPECT_EQ(0, e2e_volumes_present(self->g));
	free(st);
	munmap(log, sizeof(*log));
}

TEST_HARNESS_MAIN
