// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The per-thread held superblocks: two per class for batches larger than
 * one; given back at thread exit, on a switch
 * between joins and by groove_thread_flush(); forgotten by a forked child
 * (the parent still holds them, so the two never hand out the same block).
 * The stash of classes without thread caches: one freed object kept for the
 * next allocation, issued once, given back like a held superblock, when an
 * allocation finds the groove full (this thread's, then idle threads'), and
 * by a reclaimer if its process dies.
 */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)

static void *alloc_some_and_exit(void *arg)
{
	groove_t *g = arg;
	void **p = calloc(100, sizeof(*p));
	int i;

	for (i = 0; i < 100; i++)
		p[i] = groove_alloc(g, 0, 100 + i, 0, NULL);
	return p;	/* the thread's held superblocks go back at exit */
}

TEST(thread_exit_gives_back)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	pthread_t t;
	void **p;
	int i;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, pthread_create(&t, NULL, alloc_some_and_exit, g));
	ASSERT_EQ(0, pthread_join(t, (void **)&p));
	for (i = 0; i < 100; i++) {
		ASSERT_NE(NULL, p[i]);
		ASSERT_EQ(0, groove_free(g, p[i]));
	}
	free(p);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));	/* nothing held anywhere */
	groove_close(g);
}

TEST(flush_gives_back)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	void *p;

	ASSERT_NE(NULL, g);
	p = groove_alloc(g, 0, 64, 0, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, groove_free(g, p));
	groove_thread_flush(g);
	groove_thread_flush(g);
	groove_thread_flush(NULL);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));
	groove_close(g);
}

/*
 * A batch larger than one superblock: the thread keeps the superblock it
 * used up as its previous one and swaps between the two.  After the first
 * round a round changes neither which superblocks it holds nor their
 * bitmaps (no atomic on them), and hands out distinct objects; verify and
 * a flush see everything.
 */
TEST(batch_swaps_two_held_superblocks)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	uint64_t lo, hi, was_lo = 0, was_hi = 0;
	uint32_t szc, batch;
	void *p[128];
	int round, k, j;

	ASSERT_NE(NULL, g);
	szc = g_szc_of(g, 2);	/* 512 B and its header: two blocks */
	ASSERT_TRUE(g->szc[szc].tcache);
	batch = g->szc[szc].cnt + 1;	/* more than one superblock, less than two */
	ASSERT_LE(batch, 2 * (g->szc[szc].cnt - 1));
	ASSERT_LE(batch, 128);
	for (round = 0; round < 4; round++) {
		for (k = 0; k < (int)batch; k++) {
			p[k] = groove_alloc(g, 0, 512, k, NULL);
			ASSERT_NE(NULL, p[k]);
			for (j = 0; j < k; j++)
				ASSERT_NE(p[j], p[k]);
		}
		ASSERT_EQ(0, groove_verify(g));
		for (k = 0; k < (int)batch; k++)
			ASSERT_EQ(0, groove_free(g, p[k]));
		/* the two held superblocks, in address order (they swap roles) */
		lo = g_tc.held[szc] < g_tc.prev[szc] ? g_tc.held[szc] : g_tc.prev[szc];
		hi = g_tc.held[szc] ^ g_tc.prev[szc] ^ lo;
		ASSERT_NE(0, lo);
		if (round > 0) {
			ASSERT_EQ(was_lo, lo);
			ASSERT_EQ(was_hi, hi);
			/* only the bit that keeps each held: no atomic touched them */
			ASSERT_EQ(1, __builtin_popcountll(G_LOAD(&g_sb_at(g, lo)->free)));
			ASSERT_EQ(1, __builtin_popcountll(G_LOAD(&g_sb_at(g, hi)->free)));
		}
		was_lo = lo;
		was_hi = hi;
	}
	ASSERT_EQ(0, groove_verify(g));
	groove_thread_flush(g);
	ASSERT_EQ(0, g_tc.prev[szc]);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));	/* nothing held anywhere */
	groove_close(g);
}

/* One thread alternating between two joins of two grooves. */
TEST(switching_joins)
{
	groove_t *a = test_groove_new(VS, 8, 2, NULL, 0);
	groove_t *b = test_groove_new(VS, 8, 2, NULL, 0);
	void *pa[50], *pb[50];
	int i;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	for (i = 0; i < 50; i++) {
		pa[i] = groove_alloc(a, 0, 200, 0, NULL);
		pb[i] = groove_alloc(b, 0, 200, 0, NULL);
		ASSERT_NE(NULL, pa[i]);
		ASSERT_NE(NULL, pb[i]);
	}
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, groove_free(a, pa[i]));
		ASSERT_EQ(GROOVE_ERR_INVAL, groove_free(a, pb[i]));	/* not a's */
		ASSERT_EQ(0, groove_free(b, pb[i]));
	}
	ASSERT_EQ(0, groove_verify(a));
	ASSERT_EQ(0, groove_verify(b));
	ASSERT_EQ(2, groove_remove_volumes(a, 2));
	ASSERT_EQ(2, groove_remove_volumes(b, 2));
	groove_close(b);	/* b is cached: close flushes it */
	groove_close(a);
}

/*
 * A child forked while the parent holds a superblock must not use it: with
 * the parent's handle a thread-cached allocation is refused
 * (GROOVE_ERR_FORKED: its holder records would name the parent's join);
 * with its own groove_open() it gets objects of its own.
 */
TEST(fork_child_forgets_held)
{
	char path[256];
	groove_t *g = test_groove_new(VS, 8, 2, path, sizeof(path));
	uint64_t mine[40], theirs[40];
	int fds[2], i, j, status;
	pid_t pid;

	ASSERT_NE(NULL, g);
	ASSERT_NE(NULL, groove_alloc(g, 0, 64, 0, NULL));	/* now held */
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		groove_t *own;
		int err = 0;

		if (groove_alloc(g, 0, 64, 1, &err) || err != GROOVE_ERR_FORKED)
			_exit(3);
		own = groove_open(path, 0);
		if (!own)
			_exit(4);
		for (i = 0; i < 40; i++)
			theirs[i] = groove_off(own, groove_alloc(own, 0, 64, 1, NULL));
		groove_close(own);
		_exit(write(fds[1], theirs, sizeof(theirs)) != sizeof(theirs));
	}
	for (i = 0; i < 40; i++)
		mine[i] = groove_off(g, groove_alloc(g, 0, 64, 0, NULL));
	ASSERT_EQ(sizeof(theirs), read(fds[0], theirs, sizeof(theirs)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	unlink(path);
	for (i = 0; i < 40; i++) {
		ASSERT_NE(0, mine[i]);
		ASSERT_NE(0, theirs[i]);
		for (j = 0; j < 40; j++)
			ASSERT_NE(mine[i], theirs[j]);
	}
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

/* The largest object of the smallest class without thread caches (0: none). */
static size_t stash_size(const struct groove *g)
{
	uint32_t k;

	for (k = 0; k < g->szc_cnt; k++)
		if (!g->szc[k].tcache && !g->szc[k].container)
			return g->szc[k].fp - GROOVE_OBJ_HDR_SIZE;
	return 0;
}

/* Object @p's bit in its superblock's bitmap (1: free). */
static int bit_of(struct groove *g, void *p)
{
	uint64_t off = groove_off(g, p) - GROOVE_OBJ_HDR_SIZE;
	uint64_t bits = G_LOAD(&((struct g_obj *)(g->vol0 + off))->bits);
	uint32_t szc = (uint32_t)G_F_SZC(bits), idx = (uint32_t)G_F_IDX(bits);
	uint64_t sb_off = off - G_BLK - idx * g->szc[szc].fp;

	return (int)((G_LOAD(&g_sb_at(g, sb_off)->free) >> idx) & 1);
}

/*
 * A free of a class without thread caches keeps the object (claimed, its
 * bit clear) for this thread's next allocation of the class; a second free
 * of it is refused, it is issued once, and a free with the stash taken goes
 * to the bitmap.
 */
TEST(stash_keeps_one_object_and_issues_it_once)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	void *a, *b, *c, *d;
	size_t sz;

	ASSERT_NE(NULL, g);
	sz = stash_size(g);
	ASSERT_NE(0, sz);
	a = groove_alloc(g, 0, sz, 1, NULL);
	b = groove_alloc(g, 0, sz, 2, NULL);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, groove_free(g, a));
	EXPECT_EQ(0, bit_of(g, a));			/* kept */
	EXPECT_EQ(GROOVE_ERR_INVAL, groove_free(g, a));	/* freed already */
	EXPECT_EQ(GROOVE_ERR_INVAL, groove_obj_info(g, a, NULL, NULL));
	ASSERT_EQ(0, groove_free(g, b));
	EXPECT_EQ(1, bit_of(g, b));			/* the stash was taken */
	ASSERT_EQ(0, groove_verify(g));
	c = groove_alloc(g, 0, sz, 3, NULL);
	d = groove_alloc(g, 0, sz, 4, NULL);
	EXPECT_EQ(a, c);				/* the stash first */
	EXPECT_NE(a, d);				/* and once */
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, groove_free(g, c));
	ASSERT_EQ(0, groove_free(g, d));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));	/* the stash went back too */
	groove_close(g);
}

struct stash_thread {
	groove_t *g;
	size_t sz;
	void *p;
	int idle;		/* 1: freed, now out of every call */
	int go;			/* set by the main thread: exit */
};

static void *stash_and_exit(void *arg)
{
	struct stash_thread *st = arg;

	st->p = groove_alloc(st->g, 0, st->sz, 0, NULL);
	if (st->p)
		groove_free(st->g, st->p);
	return NULL;
}

static void *stash_and_idle(void *arg)
{
	struct stash_thread *st = arg;

	st->p = groove_alloc(st->g, 0, st->sz, 0, NULL);
	if (st->p)
		groove_free(st->g, st->p);
	__atomic_store_n(&st->idle, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&st->go, __ATOMIC_ACQUIRE))
		sched_yield();
	return NULL;
}

/* A thread's stash goes back at its exit, and an idle thread's to a drain. */
TEST(stash_given_back_at_exit_and_by_a_drain)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	struct stash_thread st = { 0 };
	pthread_t t;

	ASSERT_NE(NULL, g);
	st.g = g;
	st.sz = stash_size(g);
	ASSERT_NE(0, st.sz);
	ASSERT_EQ(0, pthread_create(&t, NULL, stash_and_exit, &st));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_NE(NULL, st.p);
	EXPECT_EQ(1, bit_of(g, st.p));

	memset(&st, 0, sizeof(st));
	st.g = g;
	st.sz = stash_size(g);
	ASSERT_EQ(0, pthread_create(&t, NULL, stash_and_idle, &st));
	while (!__atomic_load_n(&st.idle, __ATOMIC_ACQUIRE))
		sched_yield();
	ASSERT_NE(NULL, st.p);
	EXPECT_EQ(0, bit_of(g, st.p));			/* in its stash */
	ASSERT_EQ(0, groove_flush_all_threads(g));
	EXPECT_EQ(1, bit_of(g, st.p));			/* drained */
	__atomic_store_n(&st.go, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));
	groove_close(g);
}

/*
 * The largest class at volume level (one object fills a volume) in *@big,
 * the smallest one in *@other.
 */
static void volume_classes(const struct groove *g, uint32_t *big, uint32_t *other)
{
	uint32_t k;

	*big = *other = 0;
	for (k = 0; k < g->szc_cnt; k++) {
		if (g->szc[k].container || g->szc[k].tcache ||
		    g->szc[k].parent != GROOVE_SZC_PARENT_VOLUME)
			continue;
		if (!*other)
			*other = k;
		*big = k;
	}
}

/*
 * A full groove: an allocation of another class gets the memory of an
 * object this thread stashed (here a whole volume) instead of "full".
 */
TEST(stash_given_back_when_the_groove_is_full)
{
	groove_t *g = test_groove_new(VS, 8, 2, NULL, 0);
	uint32_t big, other;
	void *p[2], *q;
	int err = 0;

	ASSERT_NE(NULL, g);
	volume_classes(g, &big, &other);
	ASSERT_EQ(1, g->szc[big].cnt);
	ASSERT_GT(big, other);
	p[0] = groove_alloc(g, 0, g->szc[big].fp - GROOVE_OBJ_HDR_SIZE, 1, NULL);
	p[1] = groove_alloc(g, 0, g->szc[big].fp - GROOVE_OBJ_HDR_SIZE, 2, NULL);
	ASSERT_NE(NULL, p[0]);
	ASSERT_NE(NULL, p[1]);
	ASSERT_EQ(NULL, groove_alloc(g, 0, 64, 3, &err));
	ASSERT_EQ(GROOVE_ERR_FULL, err);
	ASSERT_EQ(0, groove_free(g, p[0]));
	EXPECT_EQ(0, bit_of(g, p[0]));			/* stashed: its volume held */
	q = groove_alloc(g, 0, g->szc[other].fp - GROOVE_OBJ_HDR_SIZE, 4, &err);
	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, groove_free(g, q));
	ASSERT_EQ(0, groove_free(g, p[1]));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(2, groove_remove_volumes(g, 2));
	groove_close(g);
}

/*
 * Another thread of the process stashed an object that holds a whole
 * volume and went idle: an allocation that finds the groove full drains it
 * (groove_flush_all_threads()) instead of saying "full".
 */
TEST(idle_threads_stash_drained_when_the_groove_is_full)
{
	groove_t *g = test_groove_new(VS, 8, 2, NULL, 0);
	struct stash_thread st = { 0 };
	uint32_t big, other;
	void *p, *q;
	pthread_t t;
	int err = 0;

	ASSERT_NE(NULL, g);
	volume_classes(g, &big, &other);
	ASSERT_EQ(1, g->szc[big].cnt);
	ASSERT_GT(big, other);
	st.g = g;
	st.sz = g->szc[big].fp - GROOVE_OBJ_HDR_SIZE;
	ASSERT_EQ(0, pthread_create(&t, NULL, stash_and_idle, &st));
	while (!__atomic_load_n(&st.idle, __ATOMIC_ACQUIRE))
		sched_yield();
	ASSERT_NE(NULL, st.p);
	EXPECT_EQ(0, bit_of(g, st.p));			/* its volume held by the idle thread */
	p = groove_alloc(g, 0, st.sz, 1, NULL);		/* the other volume */
	ASSERT_NE(NULL, p);
	q = groove_alloc(g, 0, g->szc[other].fp - GROOVE_OBJ_HDR_SIZE, 2, &err);
	EXPECT_NE(NULL, q);
	__atomic_store_n(&st.go, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t, NULL));
	if (q)
		ASSERT_EQ(0, groove_free(g, q));
	ASSERT_EQ(0, groove_free(g, p));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(2, groove_remove_volumes(g, 2));
	groove_close(g);
}

/*
 * A process that dies with an object in its stash (_exit(): no flush):
 * the object stays claimed, its bit clear, until a survivor's
 * groove_reclaim() takes it back; then it is free and issued again.
 */
TEST(stash_of_a_dead_process_is_reclaimed)
{
	char path[256];
	groove_t *g = test_groove_new(VS, 8, 4, path, sizeof(path));
	uint64_t off = 0;
	int fds[2], status;
	void *p;
	size_t sz;
	pid_t pid;

	ASSERT_NE(NULL, g);
	sz = stash_size(g);
	ASSERT_NE(0, sz);
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		groove_t *own = groove_open(path, 0);
		void *o;

		if (!own)
			_exit(2);
		o = groove_alloc(own, 0, sz, 1, NULL);
		if (!o || groove_free(own, o))
			_exit(3);
		off = groove_off(own, o);
		_exit(write(fds[1], &off, sizeof(off)) != sizeof(off));
	}
	ASSERT_EQ(sizeof(off), read(fds[0], &off, sizeof(off)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	unlink(path);
	p = (uint8_t *)groove_volume0(g) + off;
	EXPECT_EQ(0, bit_of(g, p));			/* stranded in the dead stash */
	EXPECT_LE(1, groove_reclaim(g));
	EXPECT_EQ(1, bit_of(g, p));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));
	groove_close(g);
}

/*
 * One process, four threads, small objects handed between threads: under
 * TSan (exact in one process) any missing happens-before between a free and
 * the next owner's writes shows up; the shadow map catches double hand-outs.
 */
#define ST_THREADS 4
#define ST_Q 64

struct st_ctl {
	groove_t *g;
	pthread_mutex_t lock;
	void *q[ST_THREADS][ST_Q];	/* objects handed to thread i */
	int qn[ST_THREADS];
	uint8_t *shadow;
	int fail;
};

static struct st_ctl st;

static void st_own(void *p, size_t sz, int claim)
{
	uint64_t b = (groove_off(st.g, p) - 16) >> 9, e = (groove_off(st.g, p) + sz - 1) >> 9;

	for (; b <= e; b++) {
		uint8_t want = claim ? 0 : 1;

		if (!__atomic_compare_exchange_n(&st.shadow[b], &want, claim, 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			__atomic_store_n(&st.fail, 1, __ATOMIC_RELAXED);
	}
}

static void st_free(void *p)
{
	size_t sz, i;
	uint64_t tag;

	if (groove_obj_info(st.g, p, &sz, &tag)) {
		__atomic_store_n(&st.fail, 2, __ATOMIC_RELAXED);
		return;
	}
	for (i = 0; i < sz; i++)
		if (((uint8_t *)p)[i] != (uint8_t)tag)
			__atomic_store_n(&st.fail, 3, __ATOMIC_RELAXED);
	st_own(p, sz, 0);
	if (groove_free(st.g, p))
		__atomic_store_n(&st.fail, 4, __ATOMIC_RELAXED);
}

static void *st_worker(void *arg)
{
	long me = (long)arg;
	uint64_t s = 77 + (uint64_t)me;
	void *mine[32];
	int n = 0, i;

	for (i = 0; i < 40000; i++) {
		uint64_t r = test_rand(&s);

		if (n < 32 && (r & 1)) {
			size_t sz = (size_t)(test_rand(&s) % 1500);
			uint8_t *p = groove_alloc(st.g, 0, sz, r >> 56, NULL);

			if (!p) {
				__atomic_store_n(&st.fail, 5, __ATOMIC_RELAXED);
				break;
			}
			st_own(p, sz, 1);
			memset(p, (int)(r >> 56), sz);
			mine[n++] = p;
		} else if (n && (r & 2)) {
			st_free(mine[--n]);
		} else if (n) {
			int to = (int)((me + 1) % ST_THREADS);

			pthread_mutex_lock(&st.lock);
			if (st.qn[to] < ST_Q) {
				st.q[to][st.qn[to]++] = mine[--n];
			}
			pthread_mutex_unlock(&st.lock);
		}
		if ((i & 15) == 0) {
			void *got[ST_Q];
			int k, m;

			pthread_mutex_lock(&st.lock);
			m = st.qn[me];
			memcpy(got, st.q[me], sizeof(void *) * (size_t)m);
			st.qn[me] = 0;
			pthread_mutex_unlock(&st.lock);
			for (k = 0; k < m; k++)
				st_free(got[k]);
		}
	}
	while (n)
		st_free(mine[--n]);
	return NULL;
}

TEST(threads_hand_over_small_objects)
{
	pthread_t t[ST_THREADS];
	long i;
	int k;

	memset(&st, 0, sizeof(st));
	st.g = test_groove_new(VS, 16, 8, NULL, 0);
	ASSERT_NE(NULL, st.g);
	st.shadow = calloc(16 * VS / 512, 1);
	pthread_mutex_init(&st.lock, NULL);
	for (i = 0; i < ST_THREADS; i++)
		pthread_create(&t[i], NULL, st_worker, (void *)i);
	for (i = 0; i < ST_THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < ST_THREADS; i++)
		for (k = 0; k < st.qn[i]; k++)
			st_free(st.q[i][k]);
	ASSERT_EQ(0, st.fail);
	ASSERT_EQ(0, groove_verify(st.g));
	ASSERT_EQ(8, groove_remove_volumes(st.g, 8));
	free(st.shadow);
	groove_close(st.g);
}

TEST_HARNESS_MAIN
