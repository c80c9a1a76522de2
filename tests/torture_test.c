// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Torture: 2 processes x 2 threads share one file-backed groove, each
 * process mapping it at a different address.  Threads allocate random
 * geometric sizes and alignments, fill and check patterns, free their own
 * objects and objects handed over by other threads and processes (by
 * offset), while one thread adds and removes volumes.  A shared shadow
 * ownership map (one byte per 512-byte block) proves no block is handed
 * out twice.  At barriers, with everyone stopped, verify must pass and the
 * live object count must match the allocator's statistics; at the end
 * every volume must come back and leave.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define NPROC	2
#define NTHR	2
#define NW	(NPROC * NTHR)
#define RING	256
#define PHASES	8
#define LIVE_CAP 384

struct ring {			/* single producer, single consumer */
	uint64_t slot[RING];
	uint64_t head;		/* consumer */
	uint64_t tail;		/* producer */
};

struct ctl {
	pthread_barrier_t bar;
	char path[256];
	uint64_t ops_per_worker;
	uint64_t blocks;
	int64_t live;
	uint64_t ops;
	uint64_t fulls, adds, removes, verifies, handoffs;
	uint64_t vol0[NPROC];
	int fail;
	char msg[512];
	struct ring ring[NW][NW];	/* [from][to] */
	uint8_t shadow[];		/* owner worker + 1 per block, 0: free */
};

struct live {
	uint64_t off, sz, tag;
};

struct worker {
	struct ctl *c;
	groove_t *g;
	int id;
	uint64_t rnd;
	struct live own[LIVE_CAP];
	int n;
	uint64_t done;		/* allocs and frees by this worker */
};

static void failf(struct ctl *c, const char *fmt, uint64_t a, uint64_t b)
{
	if (__atomic_exchange_n(&c->fail, 1, __ATOMIC_ACQ_REL) == 0)
		snprintf(c->msg, sizeof(c->msg), fmt, (unsigned long long)a,
			 (unsigned long long)b);
}

static uint8_t pat(uint64_t tag, uint64_t i)
{
	return (uint8_t)((tag >> (i & 31)) + i * 131);
}

/* Touch: all of a small object, the ends and one byte per page of a big one. */
#define FOR_EACH_CHECKED(i, sz) \
	for (i = 0; i < (sz); i = (sz) <= 2048 || i < 256 || i + 256 >= (sz) ? i + 1 : \
	     ((i + 4096) < (sz) - 256 ? i + 4096 : (sz) - 256))

static void fill(uint8_t *p, uint64_t sz, uint64_t tag)
{
	uint64_t i;

	FOR_EACH_CHECKED(i, sz)
		p[i] = pat(tag, i);
}

static int check(const uint8_t *p, uint64_t sz, uint64_t tag)
{
	uint64_t i;

	FOR_EACH_CHECKED(i, sz)
		if (p[i] != pat(tag, i))
			return 0;
	return 1;
}

static void shadow_claim(struct worker *w, uint64_t off, uint64_t sz)
{
	uint64_t b = (off - GROOVE_OBJ_HDR_SIZE) >> G_BLK_SHIFT;
	uint64_t e = (off + sz - 1) >> G_BLK_SHIFT;	/* header + payload */

	for (; b <= e; b++) {
		uint8_t zero = 0;

		if (!__atomic_compare_exchange_n(&w->c->shadow[b], &zero, (uint8_t)(w->id + 1), 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			failf(w->c, "block %llu handed out twice (owner %llu)", b, zero);
	}
}

static void shadow_release(struct worker *w, uint64_t off, uint64_t sz)
{
	uint64_t b = (off - GROOVE_OBJ_HDR_SIZE) >> G_BLK_SHIFT;
	uint64_t e = (off + sz - 1) >> G_BLK_SHIFT;	/* header + payload */

	for (; b <= e; b++)
		if (!__atomic_exchange_n(&w->c->shadow[b], 0, __ATOMIC_ACQ_REL))
			failf(w->c, "block %llu of a live object was not owned (off %llu)", b, off);
}

static void op_free(struct worker *w, struct live l)
{
	uint8_t *p = groove_ptr(w->g, l.off);
	size_t sz;
	uint64_t tag;
	int r;

	if (!check(p, l.sz, l.tag))
		failf(w->c, "pattern of object at %llu (size %llu) overwritten", l.off, l.sz);
	r = groove_obj_info(w->g, p, &sz, &tag);
	if (r || sz != l.sz || tag != l.tag)
		failf(w->c, "obj_info of %llu: %llu", l.off, (uint64_t)-r);
	shadow_release(w, l.off, l.sz);
	r = groove_free(w->g, p);
	if (r)
		failf(w->c, "free of %llu: %llu", l.off, (uint64_t)-r);
	__atomic_fetch_sub(&w->c->live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->c->ops, 1, __ATOMIC_RELAXED);
	w->done++;
}

static void drain(struct worker *w)
{
	int from;

	for (from = 0; from < NW; from++) {
		struct ring *r = &w->c->ring[from][w->id];
		uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

		while (h != __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE)) {
			struct live l;
			uint64_t off = r->slot[h % RING];
			uint8_t *p = groove_ptr(w->g, off);

			l.off = off;
			if (groove_obj_info(w->g, p, &l.sz, &l.tag)) {
				failf(w->c, "handed-over object %llu is not live", off, 0);
				return;
			}
			h++;
			__atomic_store_n(&r->head, h, __ATOMIC_RELEASE);
			op_free(w, l);
		}
	}
}

static int handoff(struct worker *w, int to, uint64_t off)
{
	struct ring *r = &w->c->ring[w->id][to];
	uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);

	if (t - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) >= RING)
		return 0;
	r->slot[t % RING] = off;
	/*
	 * To the other process: for this process's TSan the object is gone
	 * as if freed here (that process frees it, may carve its bytes again
	 * and hand them back), but no free here releases it.  Release as the
	 * library's free does (groove_internal.h), so that what we wrote into
	 * it happens before every alloc and lookup here, the only ways those
	 * bytes come back.  The real order runs through the ring's release
	 * store and the other process, which TSan cannot see; a handoff
	 * inside this process needs nothing (TSan sees the ring).
	 */
	if (to / NTHR != w->id / NTHR)
		G_TSAN_FREED();
	__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	return 1;
}

static void op_alloc(struct worker *w)
{
	uint64_t r = test_rand(&w->rnd), max = groove_alloc_max(w->g);
	uint64_t lvl = (uint64_t)__builtin_ctzll(r | (1ULL << 20));
	uint64_t sz = test_rand(&w->rnd) % (32ULL << lvl);
	uint64_t align = (r >> 32) % 4 ? 0 : 1ULL << ((r >> 40) % 13);
	uint64_t tag = test_rand(&w->rnd);
	uint8_t *p;
	int err;

	if (sz > max - GROOVE_ALIGN_MAX)
		sz = max - GROOVE_ALIGN_MAX;
	p = groove_alloc(w->g, align, sz, tag, &err);
	if (!p) {
		if (err != GROOVE_ERR_FULL) {
			failf(w->c, "alloc of %llu failed: %llu", sz, (uint64_t)-err);
			return;
		}
		__atomic_fetch_add(&w->c->fulls, 1, __ATOMIC_RELAXED);
		if (w->n)	/* make room */
			op_free(w, w->own[--w->n]);
		return;
	}
	if (align && ((uintptr_t)p & (align - 1)))
		failf(w->c, "misaligned object %llu for alignment %llu", groove_off(w->g, p), align);
	__atomic_fetch_add(&w->c->live, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->c->ops, 1, __ATOMIC_RELAXED);
	w->done++;
	shadow_claim(w, groove_off(w->g, p), sz);
	fill(p, sz, tag);
	w->own[w->n].off = groove_off(w->g, p);
	w->own[w->n].sz = sz;
	w->own[w->n].tag = tag;
	w->n++;
}

/*
 * Quiescent: the reserved bytes are the data volumes but their open
 * container slots, and they hold every object's and every free object's
 * footprint (and the superblock headers and tail gaps besides).
 */
static int stats_whole(const struct groove_stats *st)
{
	uint64_t parts = 0;
	unsigned int k;

	for (k = 0; k < st->szc_cnt; k++) {
		parts += st->szc_stats[k].objects * st->szc[k].obj_footprint;
		if (st->szc[k].obj_max)
			parts += st->szc_stats[k].free_objs * st->szc[k].obj_footprint;
	}
	return st->bytes_reserved + st->bytes_open == (uint64_t)st->volumes_data * st->volume_size &&
	       st->bytes_reserved >= parts + (uint64_t)st->volumes_data * 2 * GROOVE_BLOCK_SIZE &&
	       st->bytes_reserved >= st->bytes_in_use;
}

static void at_barrier(struct worker *w, int final)
{
	struct ctl *c = w->c;

	pthread_barrier_wait(&c->bar);
	if (w->id == 0) {
		struct groove_stats st;
		int r = groove_verify(w->g);

		if (r)
			failf(c, "verify at a barrier: %llu", (uint64_t)-r, 0);
		r = groove_stats(w->g, &st);
		if (r || st.objects != (uint64_t)c->live)
			failf(c, "stats: %llu objects, %llu live", st.objects, (uint64_t)c->live);
		if (!r && !stats_whole(&st))
			failf(c, "stats: %llu bytes reserved, %llu open", st.bytes_reserved,
			      st.bytes_open);
		c->verifies++;
		if (final) {
			uint32_t present = st.volumes_present;

			r = groove_remove_volumes(w->g, present + 1);
			if (r != (int)present)
				failf(c, "only %llu of %llu volumes came back", (uint64_t)r, present);
			r = groove_verify(w->g);
			if (r)
				failf(c, "verify after removing all: %llu", (uint64_t)-r, 0);
		}
	}
	pthread_barrier_wait(&c->bar);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ctl *c = w->c;
	uint64_t i, start, per_phase = c->ops_per_worker / PHASES + 1;
	int ph;

	groove_cgroup_hint_set((unsigned int)w->id);
	for (ph = 0; ph < PHASES; ph++) {	/* every worker meets every barrier */
		/* per_phase ops of our own; bounded in case FULL starves us */
		for (i = 0, start = w->done; w->done - start < per_phase && i < 4 * per_phase &&
		     !__atomic_load_n(&c->fail, __ATOMIC_RELAXED); i++) {
			uint64_t r = test_rand(&w->rnd) % 100;

			if ((i & 63) == 0)
				drain(w);
			if (w->id == 0 && (i & 2047) == 1024) {
				if (test_rand(&w->rnd) & 1) {
					if (groove_add_volumes(w->g, 1, -1, NULL, 0) == 1)
						__atomic_fetch_add(&c->adds, 1, __ATOMIC_RELAXED);
				} else if (groove_remove_volumes(w->g, 1) == 1) {
					__atomic_fetch_add(&c->removes, 1, __ATOMIC_RELAXED);
				}
			}
			if (w->n < LIVE_CAP && (r < 50 || !w->n)) {
				op_alloc(w);
			} else if (r < 85) {
				int k = (int)(test_rand(&w->rnd) % (uint64_t)w->n);
				struct live l = w->own[k];

				w->own[k] = w->own[--w->n];
				op_free(w, l);
			} else {
				int k = (int)(test_rand(&w->rnd) % (uint64_t)w->n);
				int to = (int)((w->id + 1 + test_rand(&w->rnd) % (NW - 1)) % NW);

				if (handoff(w, to, w->own[k].off)) {
					w->own[k] = w->own[--w->n];
					__atomic_fetch_add(&c->handoffs, 1, __ATOMIC_RELAXED);
				}
			}
		}
		at_barrier(w, 0);
	}
	while (w->n)
		op_free(w, w->own[--w->n]);
	pthread_barrier_wait(&c->bar);	/* no more handoffs */
	drain(w);
	groove_thread_flush(w->g);	/* held superblocks back to the slots */
	at_barrier(w, 1);
	return NULL;
}

static int process_main(struct ctl *c, int proc)
{
	static struct worker w[NTHR];
	pthread_t t[NTHR];
	void *shift;
	groove_t *g;
	int i;

	/* Push this process's mapping somewhere else than its sibling's. */
	shift = mmap(NULL, (size_t)(proc + 1) << 32, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	g = groove_open(c->path, 0);
	if (!g) {
		failf(c, "child open failed", 0, 0);
		return 1;
	}
	c->vol0[proc] = (uintptr_t)groove_volume0(g);
	for (i = 0; i < NTHR; i++) {
		w[i].c = c;
		w[i].g = g;
		w[i].id = proc * NTHR + i;
		w[i].rnd = 0x9e3779b97f4a7c15ULL * (uint64_t)(w[i].id + 1);
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < NTHR; i++)
		pthread_join(t[i], NULL);
	groove_close(g);
	if (shift != MAP_FAILED)
		munmap(shift, (size_t)(proc + 1) << 32);
	return c->fail;
}

FIXTURE(torture) {
	struct ctl *c;
	size_t c_len;
};

FIXTURE_VARIANT(torture) {
	uint64_t volume_size;
	uint32_t volume_max;
	uint32_t volumes;
	uint64_t ops;		/* total, all workers */
};

FIXTURE_VARIANT_ADD(torture, vol_2m) {
	.volume_size = 2ULL << 20, .volume_max = 48, .volumes = 12, .ops = 1000000,
};

FIXTURE_VARIANT_ADD(torture, vol_64m) {
	.volume_size = 64ULL << 20, .volume_max = 6, .volumes = 2, .ops = 200000,
};

/* tmpfs backs added volumes with RAM: at most 2 GiB here */
FIXTURE_VARIANT_ADD(torture, vol_1g) {
	.volume_size = 1ULL << 30, .volume_max = 2, .volumes = 1, .ops = 100000,
};

FIXTURE_SETUP(torture)
{
	uint64_t blocks = variant->volume_size * variant->volume_max >> G_BLK_SHIFT;
	pthread_barrierattr_t ba;
	const char *env = getenv("GROOVE_TORTURE_OPS");

	self->c_len = sizeof(struct ctl) + blocks;
	self->c = mmap(NULL, self->c_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->c);
	self->c->blocks = blocks;
	self->c->ops_per_worker = (env ? strtoull(env, NULL, 0) : variant->ops) / NW + 1;
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&self->c->bar, &ba, NW);
}

FIXTURE_TEARDOWN(torture)
{
	munmap(self->c, self->c_len);
}

TEST_F_TIMEOUT(torture, two_procs_two_threads, 900)
{
	struct ctl *c = self->c;
	groove_t *g;
	pid_t pid[NPROC];
	int i, n, status;

	/* TSan builds: memory handed over through the other process (groove_internal.h) */
	setenv("GROOVE_TSAN_CROSS_PROCESS", "1", 1);
	g = test_groove_new(variant->volume_size, variant->volume_max, variant->volumes,
			    c->path, sizeof(c->path));
	ASSERT_NE(NULL, g);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i])
			_exit(process_main(c, i));
	}
	/*
	 * Whichever ends first: a process that dies (a sanitizer's halt, a
	 * crash) leaves the other's threads at a barrier, so stop them and
	 * fail now rather than at the timeout.
	 */
	for (n = 0; n < NPROC; n++) {
		pid_t w = waitpid(-1, &status, 0);

		ASSERT_LT(0, w);
		for (i = 0; i < NPROC; i++)
			if (pid[i] == w)
				pid[i] = 0;	/* reaped: its pid may be reused */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		for (i = 0; i < NPROC; i++)
			if (pid[i])
				kill(pid[i], SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
		unlink(c->path);
		ASSERT_TRUE(0) TH_LOG("child %d ended with status %#x", w, status);
	}
	unlink(c->path);
	ASSERT_EQ(0, c->fail) TH_LOG("%s", c->msg);
	TH_LOG("%llu ops (alloc + free), %llu handed over, %llu FULL, %llu adds, %llu removes, %llu verifies",
	       (unsigned long long)c->ops, (unsigned long long)c->handoffs,
	       (unsigned long long)c->fulls, (unsigned long long)c->adds,
	       (unsigned long long)c->removes, (unsigned long long)c->verifies);
	TH_LOG("mapped at %#llx and %#llx", (unsigned long long)c->vol0[0],
	       (unsigned long long)c->vol0[1]);
	ASSERT_NE(c->vol0[0], c->vol0[1]);
	ASSERT_EQ(0, c->live);
	ASSERT_EQ(PHASES + 1, c->verifies);
	if (!getenv("GROOVE_TORTURE_OPS"))
		ASSERT_GE(c->ops, variant->ops);
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

TEST_HARNESS_MAIN
