// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Joins and online reclaim (file backend): every handle holds a join whose
 * liveness another handle can check; a process SIGKILLed while its thread
 * caches hold superblocks of several classes strands nothing once a
 * survivor calls groove_reclaim(), while the survivor's threads keep
 * allocating: the dry-run rebuild finds 0 stranded bytes, verify passes,
 * every live object is intact, and allocating everything afterwards hands
 * no range out twice.  A live process's holdings are never touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS	(2ULL << 20)
#define NVOL	16
#define NLIVE	200

static const size_t sizes[] = { 40, 600, 3000, 9000, 30000, 100000 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

/* What the child reports through shared anonymous memory. */
struct shared {
	uint64_t holder;
	uint32_t nlive;
	uint64_t live_off[NSIZES * 8];
	uint64_t live_sz[NSIZES * 8];
};

/* A superblock some thread cache holds: offset, holder word, bitmap. */
struct held {
	uint64_t off, holder, free;
};

static void held_walk(struct groove *g, uint64_t sb_off, uint32_t szc, int depth,
		      struct held *out, size_t *n, size_t cap)
{
	const struct g_szc *c = &g->szc[szc];
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t fr = G_LOAD(&sb->free), i;

	if (depth > (int)GROOVE_SZC_MAX)
		return;
	if (g_holder_holds(G_LOAD(&sb->holder)) && *n < cap) {
		out[*n].off = sb_off;
		out[*n].holder = G_LOAD(&sb->holder);
		out[*n].free = fr;
		(*n)++;
	}
	for (i = 0; i < c->cnt; i++) {
		uint64_t o = sb_off + G_BLK + i * c->fp, bits;

		if (fr & (1ULL << i))
			continue;
		bits = G_LOAD(&((struct g_obj *)(g->vol0 + o))->bits);
		if (g_child_sb_ok(g, o, bits, szc, (uint32_t)i))
			held_walk(g, o, (uint32_t)G_F_SZC(bits), depth + 1, out, n, cap);
	}
}

/* Every held superblock of the groove (a quiescent snapshot). */
static size_t held_list(struct groove *g, struct held *out, size_t cap)
{
	size_t n = 0;
	uint32_t v;

	for (v = 0; v < g->volume_max; v++) {
		uint64_t root = ((uint64_t)v << g->vshift) + G_BLK, bits;

		if (G_LOAD(&g->table[v].present) != 1 ||
		    G_LOAD(&g_vol(g, v)->magic) != GROOVE_VOLUME_MAGIC_DATA)
			continue;
		bits = G_LOAD(&g_sb_at(g, root)->bits);
		if (g_root_sb_ok(g, root, bits))
			held_walk(g, root, (uint32_t)G_F_SZC(bits), 0, out, &n, cap);
	}
	return n;
}

static size_t held_by(const struct held *h, size_t n, uint64_t holder)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += h[i].holder == holder;
	return k;
}

/*
 * A child joins @path, allocates and frees objects of every size (so its
 * thread cache holds superblocks of several classes, with claimed objects
 * in its masks), keeps some live, reports them and its holder word, says
 * 'r' and waits for a byte on @down (or to be killed).
 */
static pid_t child_hold(const char *path, struct shared *sh, int *down_w)
{
	int up[2], down[2];
	char c;
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		groove_t *g = groove_open(path, 0);
		void *p[NSIZES][16];
		size_t s, i;
		int err;

		close(up[0]);
		close(down[1]);
		if (!g)
			_exit(2);
		for (s = 0; s < NSIZES; s++) {
			for (i = 0; i < 16; i++) {
				p[s][i] = groove_alloc(g, 0, sizes[s], s, &err);
				if (!p[s][i])
					_exit(3);
				memset(p[s][i], 0xc0 + (int)s, sizes[s]);
			}
			/* Free every other one: into the thread's masks. */
			for (i = 0; i < 16; i += 2)
				if (groove_free(g, p[s][i]))
					_exit(4);
			for (i = 1; i < 16; i += 2) {
				uint32_t k = sh->nlive++;

				sh->live_off[k] = groove_off(g, p[s][i]);
				sh->live_sz[k] = sizes[s];
			}
		}
		sh->holder = g->holder;
		c = 'r';
		if (write(up[1], &c, 1) != 1)
			_exit(5);
		if (read(down[0], &c, 1) < 0)
			_exit(6);
		groove_close(g);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1 || c != 'r') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(up[0]);
	*down_w = down[1];
	return pid;
}

/* The survivor's other threads: allocate, fill, check, free, until told. */
struct churn {
	groove_t *g;
	int stop;
	int bad;
	uint64_t seed;
};

static void *churn_main(void *arg)
{
	struct churn *ch = arg;
	unsigned char *p[32];
	size_t sz[32];
	uint64_t seed = ch->seed;
	int i, err;

	while (!__atomic_load_n(&ch->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 32; i++) {
			sz[i] = sizes[test_rand(&seed) % NSIZES];
			p[i] = groove_alloc(ch->g, 0, sz[i], i, &err);
			if (p[i])
				memset(p[i], i, sz[i]);
		}
		for (i = 0; i < 32; i++) {
			if (!p[i])
				continue;
			if (p[i][0] != i || p[i][sz[i] - 1] != i)
				__atomic_store_n(&ch->bad, 1, __ATOMIC_RELEASE);
			if (groove_free(ch->g, p[i]))
				__atomic_store_n(&ch->bad, 2, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

/* TSan: the memory other processes hand over (groove_internal.h). */
__attribute__((constructor)) static void cross_process(void)
{
	setenv("GROOVE_TSAN_CROSS_PROCESS", "1", 1);
}

struct range {
	uint64_t lo, hi;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

FIXTURE(rc) {
	char path[256];
	groove_t *g;
	struct shared *sh;
	unsigned char *live[NLIVE];
	size_t live_sz[NLIVE];
};

FIXTURE_SETUP(rc)
{
	int err, i;

	self->g = test_groove_new(VS, NVOL, NVOL, self->path, sizeof(self->path));
	ASSERT_NE(NULL, self->g);
	self->sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
	for (i = 0; i < NLIVE; i++) {
		self->live_sz[i] = sizes[i % NSIZES] / 2 + 1;
		self->live[i] = groove_alloc(self->g, 0, self->live_sz[i], i, &err);
		ASSERT_NE(NULL, self->live[i]);
		memset(self->live[i], (i * 7) & 0xff, self->live_sz[i]);
	}
}

FIXTURE_TEARDOWN(rc)
{
	munmap(self->sh, sizeof(*self->sh));
	groove_close(self->g);
	unlink(self->path);
}

static int live_intact(FIXTURE_DATA(rc) *self)
{
	size_t i, k;

	for (i = 0; i < NLIVE; i++)
		for (k = 0; k < self->live_sz[i]; k++)
			if (self->live[i][k] != ((i * 7) & 0xff))
				return 0;
	return 1;
}

TEST_F(rc, joins_are_distinct_and_checkable)
{
	uint32_t idx;
	uint64_t gen;
	groove_t *g2;

	g2 = groove_open(self->path, 0);
	ASSERT_NE(NULL, g2);
	ASSERT_GT(GROOVE_JOIN_MAX, self->g->join_idx);
	ASSERT_GT(GROOVE_JOIN_MAX, g2->join_idx);
	ASSERT_NE(self->g->join_idx, g2->join_idx);
	ASSERT_EQ(GROOVE_JOIN_WORD(g2->join_gen, 1),
		  G_LOAD(&self->g->join_tab[g2->join_idx].word));
	/* Each sees the other live, and itself. */
	ASSERT_EQ(1, g_join_live(self->g, g2->join_idx, g2->join_gen));
	ASSERT_EQ(1, g_join_live(g2, self->g->join_idx, self->g->join_gen));
	ASSERT_EQ(1, g_join_live(self->g, self->g->join_idx, self->g->join_gen));
	/* Garbage is never "dead": out of bounds, a future generation. */
	ASSERT_EQ(1, g_join_live(self->g, GROOVE_JOIN_MAX, 1));
	ASSERT_EQ(1, g_join_live(self->g, g2->join_idx, g2->join_gen + 5));
	idx = g2->join_idx;
	gen = g2->join_gen;
	groove_close(g2);
	ASSERT_EQ(0, g_join_live(self->g, idx, gen));
	/* The entry is taken again with the next generation. */
	g2 = groove_open(self->path, 0);
	ASSERT_NE(NULL, g2);
	ASSERT_EQ(idx, g2->join_idx);
	ASSERT_EQ(gen + 1, g2->join_gen);
	ASSERT_EQ(0, g_join_live(self->g, idx, gen));
	ASSERT_EQ(1, g_join_live(self->g, idx, gen + 1));
	groove_close(g2);
}

TEST_F(rc, forked_child_may_not_use_the_parents_join)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int err = 0;
		groove_t *own;

		/* A thread-cached class needs the join: refused. */
		if (groove_alloc(self->g, 0, 100, 0, &err) || err != GROOVE_ERR_FORKED)
			_exit(1);
		if (groove_reclaim(self->g) != GROOVE_ERR_FORKED)
			_exit(2);
		own = groove_open(self->path, 0);
		if (!own || own->join_idx == self->g->join_idx)
			_exit(3);
		if (!groove_alloc(own, 0, 100, 0, &err))
			_exit(4);
		groove_close(own);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F(rc, live_child_is_left_alone)
{
	struct held before[256], after[256];
	size_t nb, na, mine;
	pid_t pid;
	int down, status;

	groove_thread_flush(self->g);
	pid = child_hold(self->path, self->sh, &down);
	ASSERT_LT(0, pid);
	nb = held_list(self->g, before, 256);
	mine = held_by(before, nb, self->sh->holder);
	ASSERT_LE(NSIZES, mine);	/* at least one per class */
	ASSERT_EQ(nb, mine);
	ASSERT_EQ(0, groove_reclaim(self->g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_trim(self->g));
	na = held_list(self->g, after, 256);
	ASSERT_EQ(nb, na);
	ASSERT_EQ(0, memcmp(before, after, nb * sizeof(before[0])));
	close(down);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* A clean close flushed: nothing held, nothing to take. */
	ASSERT_EQ(0, held_list(self->g, after, 256));
	ASSERT_EQ(0, groove_reclaim(self->g));
}

TEST_F(rc, killed_child_is_reclaimed_online)
{
	struct groove_rebuild_stats st;
	struct held h[256];
	struct churn ch[2];
	pthread_t t[2];
	struct range *r;
	size_t nr = 0, cap = 1 << 17, i, nh;
	pid_t pid;
	int down, status, taken, err, s;

	pid = child_hold(self->path, self->sh, &down);
	ASSERT_LT(0, pid);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	close(down);
	nh = held_list(self->g, h, 256);
	ASSERT_LE(NSIZES, held_by(h, nh, self->sh->holder));

	/* Reclaim while two other threads allocate and free. */
	for (i = 0; i < 2; i++) {
		ch[i].g = self->g;
		ch[i].stop = 0;
		ch[i].bad = 0;
		ch[i].seed = 0x1234 + i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn_main, &ch[i]));
	}
	taken = groove_reclaim(self->g);
	for (i = 0; i < 2; i++)
		__atomic_store_n(&ch[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		ASSERT_EQ(0, ch[i].bad);
	}
	EXPECT_LE(NSIZES, taken);
	nh = held_list(self->g, h, 256);
	EXPECT_EQ(0, held_by(h, nh, self->sh->holder));

	/* Nothing stranded, no rebuild needed; every live object intact. */
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
							  &st, NULL, NULL));
	EXPECT_EQ(0, st.stranded_bytes);
	EXPECT_EQ(0, st.objects_reclaimed);
	EXPECT_EQ(NLIVE + self->sh->nlive, st.objects);
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	ASSERT_TRUE(live_intact(self));

	/* Allocate everything: no range twice, none over a live object. */
	r = calloc(cap, sizeof(*r));
	ASSERT_NE(NULL, r);
	for (i = 0; i < NLIVE; i++) {
		r[nr].lo = groove_off(self->g, self->live[i]);
		r[nr].hi = r[nr].lo + self->live_sz[i];
		nr++;
	}
	for (i = 0; i < self->sh->nlive; i++) {
		r[nr].lo = self->sh->live_off[i];
		r[nr].hi = r[nr].lo + self->sh->live_sz[i];
		nr++;
	}
	for (s = (int)NSIZES - 1; s >= 0; s--) {
		void *p;

		while (nr < cap && (p = groove_alloc(self->g, 0, sizes[s], 0, &err))) {
			r[nr].lo = groove_off(self->g, p);
			r[nr].hi = r[nr].lo + sizes[s];
			nr++;
		}
		ASSERT_EQ(GROOVE_ERR_FULL, err);
	}
	qsort(r, nr, sizeof(*r), range_cmp);
	for (i = 1; i < nr; i++)
		ASSERT_LE(r[i - 1].hi, r[i].lo);
	free(r);
	ASSERT_TRUE(live_intact(self));
}

TEST_HARNESS_MAIN
