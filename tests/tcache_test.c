// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The per-thread held superblocks: two per class for batches larger than
 * one; given back at thread exit, on a switch
 * between joins and by groove_thread_flush(); forgotten by a forked child
 * (the parent still holds them, so the two never hand out the same block).
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
