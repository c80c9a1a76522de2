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
 * Classes without thread caches (bigger superblocks) keep one object per
 * thread instead: a free stashes it when the thread's stash of the class is
 * empty (claimed header, bit clear: struct g_tcache) and the thread's next
 * allocation of the class takes it back without touching a superblock.  It
 * goes back (its bit set) with the held superblocks, and when an allocation
 * would otherwise fail with GROOVE_ERR_FULL (one object of the largest
 * class may be a whole superblock): the allocating thread's own, then,
 * through groove_flush_all_threads(), those of the process's idle threads.
 *
 * A thread caches for one join at a time.  Joins are registered with a
 * generation number, so a flush never touches a join that was closed (its
 * held superblocks are then lost to circulation: close a join only after
 * its threads flushed).  A forked child forgets what the parent's thread
 * held: the parent still holds it.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
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

/*
 * Give back every object @tc stashed for tc->g (their bits set): how many.
 * Pre: @tc is this thread's cache inside a call, or one this thread flushes.
 */
static unsigned int g_tc_stash_return(struct g_tcache *tc)
{
	unsigned int n = 0;
	uint32_t szc;

	for (szc = 0; szc < tc->g->szc_cnt; szc++) {
		if (tc->g->szc[szc].tcache || !tc->stash[szc])
			continue;
		g_stash_give_back(tc->g, szc, tc->stash[szc]);
		tc->stash[szc] = 0;
		n++;
	}
	return n;
}

/*
 * Pre: g_reg_lock held; @tc is this thread's cache, or another thread's
 * that this thread drains (G_TC_DRAINING).  Post: @tc holds nothing and
 * caches no join (its handshake words are kept).
 */
static void g_tc_flush_locked(struct g_tcache *tc)
{
	struct g_tcache **pp;
	uint32_t szc;

	if (tc->g && g_registered(tc->g, tc->gen)) {
		tc->g->tc_bound--;
		for (pp = &tc->g->tc_list; *pp; pp = &(*pp)->bound_next) {
			if (*pp == tc) {
				*pp = tc->bound_next;
				break;
			}
		}
		g_tc_stash_return(tc);
		for (szc = 0; szc < tc->g->szc_cnt; szc++) {
			if (!tc->g->szc[szc].tcache)
				continue;	/* pmask[] is its stash, given back */
			if (tc->prev[szc])
				g_tc_give_back(tc->g, szc, tc->prev[szc], tc->pmask[szc]);
			if (tc->held[szc])
				g_tc_give_back(tc->g, szc, tc->held[szc], tc->mask[szc]);
		}
	}
	tc->bound_next = NULL;
	memset(tc, 0, offsetof(struct g_tcache, busy));
}

/*
 * Pre:  inside a call (g_tc_enter()), drains answered.
 * Post: this thread's stash for @g is given back (its objects' bits set);
 *       returns how many objects that was.
 */
unsigned int g_tc_stash_give_back(struct groove *g)
{
	return g_tc_bound_to(g) ? g_tc_stash_return(&g_tc) : 0;
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
	for (r = g_reg_head; r; r = r->reg_next) {
		r->tc_bound = 0;
		r->tc_list = NULL;
	}
}

/*
 * exit() runs no thread-specific destructor, and other threads may still
 * be alive (idle, or in a call): every open join's thread caches go back
 * (groove_flush_all_threads(): the idle ones are drained, a thread in a
 * call keeps its cache; the join dies with the process and a survivor's
 * groove_reclaim() takes it).  A forked child's registry names its
 * parent's joins: nothing of them is ours to flush.
 */
static void g_tc_at_exit(void)
{
	struct groove *r;

	for (r = g_reg_head; r; r = r->reg_next)
		if (!g_join_forked(r))
			groove_flush_all_threads(r);
	g_tc_exit(&g_tc);
}

static int g_membarrier_ok;

static void g_reg_init(void)
{
	pthread_key_create(&g_reg_key, g_tc_exit);
	pthread_atfork(NULL, NULL, g_tc_forked_child);
	atexit(g_tc_at_exit);
	g_membarrier_ok = syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
				  0, 0) == 0;
}

/* A full barrier on every running thread of this process (0: none to be had). */
static int g_membarrier(void)
{
	if (!g_membarrier_ok)
		return 0;
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return 1;
	/* A forked child: register again (cheap, once). */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return 1;
	g_membarrier_ok = 0;
	return 0;
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
	g_tc.bound_next = g->tc_list;
	g->tc_list = &g_tc;
	pthread_mutex_unlock(&g_reg_lock);
	pthread_setspecific(g_reg_key, &g_tc);	/* flush at thread exit */
	return &g_tc;
}

G_API void groove_thread_flush(groove_t *g)
{
	if (!g)
		return;
	/* Under the lock: a drainer may be flushing this cache right now. */
	pthread_mutex_lock(&g_reg_lock);
	if (g_tc.g == g)
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
	n = g->tc_bound - g_tc_bound_to(g);
	pthread_mutex_unlock(&g_reg_lock);
	return n;
}

/*
 * The drain handshake: give back another thread's cache, idle or not.
 *
 *   owner, every public call that touches its cache (g_tc_enter/leave):
 *       busy = 1 (relaxed store; compiler barrier); read drain; ...;
 *       busy = 0 (release store).
 *   drainer (groove_flush_all_threads(), under g_reg_lock):
 *       drain = REQ on every cache bound to the join (CAS from NONE);
 *       membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
 *       for each: if busy == 0 (acquire) and CAS drain REQ -> DRAINING:
 *       flush it, drain = DONE (release).
 *   owner, when its entry sees drain != NONE (g_tc_answer()):
 *       REQ: CAS REQ -> DRAINING and flush itself; DRAINING: wait for
 *       DONE; then drain = NONE and go on with an empty cache.
 *
 * Why it is safe: the membarrier runs a full barrier on every thread of
 * the process between the drainer's REQ stores and its busy loads, so for
 * an owner either its busy = 1 is visible to the drainer (then it is left
 * alone: it answers REQ itself at its next entry), or its entry comes after
 * the barrier and its drain load sees REQ/DRAINING (then it keeps off its
 * cache until DONE).  busy = 0 is a release store after the owner's last
 * cache write, read with acquire by the drainer, so the drainer sees the
 * cache as the owner left it; DONE is a release store read with acquire by
 * the owner.  The CAS on drain makes owner and drainer exclusive: one of
 * them flushes.  The owner reads drain before any field of its cache (a
 * drainer may be writing them until DONE), and reads them only while busy.
 * Owner fast path cost: two plain stores and two loads.
 * Without membarrier (old kernel, seccomp) no cache is drained from
 * outside: each is flushed at its owner's next entry.
 */
void g_tc_answer(struct groove *g)
{
	uint32_t d = G_LOAD(&g_tc.drain), req = G_TC_REQ;
	uint64_t epoch, seen;

	if (d != G_TC_NONE) {
		if (d == G_TC_REQ &&
		    __atomic_compare_exchange_n(&g_tc.drain, &req, G_TC_DRAINING, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			pthread_mutex_lock(&g_reg_lock);
			g_tc_flush_locked(&g_tc);
			pthread_mutex_unlock(&g_reg_lock);
		} else {
			while (G_LOAD(&g_tc.drain) == G_TC_DRAINING)
				sched_yield();
		}
		G_STORE(&g_tc.drain, G_TC_NONE);
	}
	epoch = G_LOAD(&g->st->giveback.w);
	seen = G_LOAD(&g->giveback_seen);
	if (epoch != seen && !g_join_forked(g) &&
	    __atomic_compare_exchange_n(&g->giveback_seen, &seen, epoch, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		groove_flush_all_threads(g);
}

/* Drain every cache of @g's list that is idle and asked (g_reg_lock held). */
static unsigned int g_drain_idle(struct groove *g)
{
	struct g_tcache *tc, *next;
	unsigned int left = 0;

	for (tc = g->tc_list; tc; tc = next) {
		uint32_t req = G_TC_REQ;

		next = tc->bound_next;
		if (G_LOAD(&tc->drain) != G_TC_REQ)
			continue;
		if (G_LOAD(&tc->busy) ||
		    !__atomic_compare_exchange_n(&tc->drain, &req, G_TC_DRAINING, 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			left++;
			continue;
		}
		g_tc_flush_locked(tc);
		G_STORE(&tc->drain, G_TC_DONE);
	}
	return left;
}

/*
 * Pre:  none.
 * Post: every thread cache of this process bound to @g that was idle (not
 *       inside an allocator call) is flushed, this thread's too; a thread
 *       that was inside a call flushes its own at its next entry (we retry
 *       it a few times first).
 * Concurrent: anything; other drainers serialize on g_reg_lock.
 */
G_API int groove_flush_all_threads(groove_t *g)
{
	struct g_tcache *tc;
	unsigned int round;

	if (!g)
		return GROOVE_ERR_INVAL;
	if (g_join_forked(g))
		return GROOVE_ERR_FORKED;
	pthread_once(&g_reg_once, g_reg_init);
	pthread_mutex_lock(&g_reg_lock);
	if (g_tc_bound_to(g))
		g_tc_flush_locked(&g_tc);
	for (tc = g->tc_list; tc; tc = tc->bound_next) {
		uint32_t none = G_TC_NONE;

		__atomic_compare_exchange_n(&tc->drain, &none, G_TC_REQ, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	if (g->tc_list && g_membarrier()) {
		for (round = 0; g_drain_idle(g) && round < 64; round++) {
			/* Threads in a call: let them leave it (or take the lock). */
			pthread_mutex_unlock(&g_reg_lock);
			sched_yield();
			pthread_mutex_lock(&g_reg_lock);
		}
	}
	pthread_mutex_unlock(&g_reg_lock);
	return GROOVE_SUCCESS;
}
