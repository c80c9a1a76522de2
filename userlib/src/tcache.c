// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Thread cache: each thread holds, per size class (classes whose superblocks
 * are at most 1/8 of a volume and 8 MiB), the superblock it allocates from
 * and the one before it (struct g_tcache), and claims all but one of a held
 * superblock's free objects in one atomic AND into a private mask (one per
 * held superblock): allocations from the mask
 * need no atomic operation, and a free of an object of a superblock the
 * thread holds goes back to the mask (after the header CAS that makes
 * double frees safe).  A held superblock is "in the hands of one allocating
 * thread" in the circulation invariant (superblock.c): it keeps at least
 * one bit set in its bitmap (so a bitmap of 0 still means "full and out of
 * circulation"), no one else clears its bits, and it goes back to an active
 * slot, mask merged into the bitmap, when the thread flushes
 * (groove_thread_flush(), groove_trim(), a switch to another join, thread
 * exit, exit(), groove_close()).  Claimed objects carry a FREED header, so
 * verify and rebuild see them as free objects whose bit is clear.
 *
 * A thread caches for one join at a time.  Joins are registered with a
 * generation number, so a flush never touches a join that was closed (its
 * held superblocks are then lost to circulation: close a join only after
 * its threads flushed).  A forked child forgets what the parent's thread
 * held: the parent still holds it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "groove_internal.h"

__thread struct g_tcache g_tc G_TLS_MODEL;

static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct groove *g_reg_head;
static uint64_t g_reg_gen;
static pthread_once_t g_reg_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_reg_key;

static int g_registered(const struct groove *g, uint64_t gen)
{
	const struct groove *r;

	for (r = g_reg_head; r; r = r->reg_next)
		if (r == g && r->gen == gen)
			return 1;
	return 0;
}

/* Pre: g_reg_lock held.  Post: @tc holds nothing and caches no join. */
static void g_tc_flush_locked(struct g_tcache *tc)
{
	uint32_t szc;

	if (tc->g && g_registered(tc->g, tc->gen)) {
		tc->g->tc_bound--;
		for (szc = 0; szc < tc->g->szc_cnt; szc++) {
			if (tc->prev[szc])
				g_tc_give_back(tc->g, szc, tc->prev[szc], tc->pmask[szc]);
			if (tc->held[szc])
				g_tc_give_back(tc->g, szc, tc->held[szc], tc->mask[szc]);
		}
	}
	memset(tc, 0, sizeof(*tc));
}

static void g_tc_exit(void *p)
{
	pthread_mutex_lock(&g_reg_lock);
	g_tc_flush_locked(p);
	pthread_mutex_unlock(&g_reg_lock);
}

static void g_tc_forked_child(void)
{
	struct groove *r;

	memset(&g_tc, 0, sizeof(g_tc));
	pthread_mutex_init(&g_reg_lock, NULL);
	/* The parent's other threads are not here; this one forgot its cache. */
	for (r = g_reg_head; r; r = r->reg_next)
		r->tc_bound = 0;
}

/* exit() runs no thread-specific destructor for the thread calling it. */
static void g_tc_at_exit(void)
{
	g_tc_exit(&g_tc);
}

static void g_reg_init(void)
{
	pthread_key_create(&g_reg_key, g_tc_exit);
	pthread_atfork(NULL, NULL, g_tc_forked_child);
	atexit(g_tc_at_exit);
}

void g_register(struct groove *g)
{
	pthread_once(&g_reg_once, g_reg_init);
	pthread_mutex_lock(&g_reg_lock);
	g->gen = ++g_reg_gen;
	g->reg_next = g_reg_head;
	g_reg_head = g;
	pthread_mutex_unlock(&g_reg_lock);
}

void g_unregister(struct groove *g)
{
	struct groove **pp;

	pthread_mutex_lock(&g_reg_lock);
	if (g_tc.g == g)
		g_tc_flush_locked(&g_tc);
	for (pp = &g_reg_head; *pp; pp = &(*pp)->reg_next) {
		if (*pp == g) {
			*pp = g->reg_next;
			break;
		}
	}
	pthread_mutex_unlock(&g_reg_lock);
}

/*
 * Bind this thread's cache to @g.  NULL in a forked child that uses its
 * parent's join: its holder words would name the parent's join.
 */
struct g_tcache *g_tc_switch(struct groove *g)
{
	if (g_join_forked(g))
		return NULL;
	pthread_mutex_lock(&g_reg_lock);
	g_tc_flush_locked(&g_tc);
	g_tc.g = g;
	g_tc.gen = g->gen;
	g->tc_bound++;
	pthread_mutex_unlock(&g_reg_lock);
	pthread_setspecific(g_reg_key, &g_tc);	/* flush at thread exit */
	return &g_tc;
}

G_API void groove_thread_flush(groove_t *g)
{
	if (!g || g_tc.g != g)
		return;
	pthread_mutex_lock(&g_reg_lock);
	g_tc_flush_locked(&g_tc);
	pthread_mutex_unlock(&g_reg_lock);
}

/*
 * Thread caches of other threads bound to @g (exclusive.c: a bound cache
 * may take superblocks at any moment without a lock, so only an unbound one
 * is known to hold nothing).  This thread's own does not count: its owner
 * flushes it.  Changes nothing, so a refusal leaves shared memory as it was.
 */
uint32_t g_tc_bound_others(struct groove *g)
{
	uint32_t n;

	pthread_once(&g_reg_once, g_reg_init);
	pthread_mutex_lock(&g_reg_lock);
	n = g->tc_bound - (g_tc.g == g && g_tc.gen == g->gen);
	pthread_mutex_unlock(&g_reg_lock);
	return n;
}
