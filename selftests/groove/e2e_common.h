/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared parts of the groove end-to-end selftests (e2e_*_test.c): a groove
 * with libgroove on /dev/groove, worker processes that allocate, check and
 * free patterned objects and pass them to each other through a shared ring,
 * a volume manager process that adds and removes volumes meanwhile, and the
 * bookkeeping that lets the test prove at the end that nothing was lost.
 *
 * Shared bookkeeping lives in one MAP_SHARED anonymous control block that
 * every process inherits.  It never holds pointers: objects are named by
 * their groove offset (groove_off()), since every process maps the groove at
 * its own address.
 *
 * For development the tests also run on a host without the module:
 * GROOVE_E2E_FILE=/path/file makes them use a file-backed groove instead of
 * loading groove.ko.
 *
 * Workers never use the harness's ASSERT (they are forked processes); they
 * count errors in the control block and keep the first message.
 */
#ifndef _E2E_COMMON_H
#define _E2E_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <groove/groove.h>

#include "groove_selftest.h"

#define E2E_BLK			512ULL
#define E2E_RING		256	/* ring slots */
#define E2E_RING_SCAN		16	/* slots a push or pop looks at */
#define E2E_HOLD		48	/* objects a worker thread holds at most */
#define E2E_PROC_MAX		256	/* worker processes over a test's life */
#define E2E_THREADS_MAX		4
#define E2E_TICK_OPS		64	/* a worker thread ticks the pipe this often */
#define E2E_MANAGER_MIN_ROUNDS	100
#define E2E_FULL_WAIT		1000000	/* yields a worker waits for a manager round */
#define E2E_SYNC_OPS		500	/* worker ops between waits for a manager round */

/* Owner word of a payload block: (owner id << 32) | payload offset in the block. */
#define E2E_OWNER(id, off)	(((uint64_t)(id) << 32) | ((off) & (E2E_BLK - 1)))
#define E2E_OWNER_ID(w)		((uint32_t)((w) >> 32))

struct e2e_ctl {
	/* configuration */
	uint64_t seed;
	uint32_t threads;		/* per worker process */
	uint32_t ops;			/* per worker thread */
	double run_until_ns;		/* when nonzero: run until then, not @ops */
	uint32_t ring_on;
	uint32_t sync_ops;		/* every this many ops wait for a manager round */
	int tick_fd;			/* worker ticks go here when >= 0 */
	char path[128];

	/* progress and figures (atomics) */
	uint64_t ops_done, allocs, frees, ring_push, ring_pop, full, bytes_alloc;
	uint64_t adds, removes, manager_rounds, manager_rounds_loaded, manager_errors;
	uint64_t handed_out_twice;
	uint32_t stop_manager;
	uint32_t errors;
	uint32_t error_claimed;
	char first_error[256];
	uintptr_t vol0[E2E_PROC_MAX];	/* where each process mapped the groove */

	/* the objects passed between processes */
	uint64_t ring[E2E_RING];
	/* one owner word per payload block of the groove */
	uint64_t owner_cnt;
	uint64_t owner[];
};

static inline void e2e_error(struct e2e_ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void e2e_error(struct e2e_ctl *c, const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&c->error_claimed, 1, __ATOMIC_ACQ_REL))
		return;
	va_start(ap, fmt);
	vsnprintf(c->first_error, sizeof(c->first_error), fmt, ap);
	va_end(ap);
}

#define E2E_ADD(c, field, n)	__atomic_fetch_add(&(c)->field, (n), __ATOMIC_RELAXED)
#define E2E_GET(c, field)	__atomic_load_n(&(c)->field, __ATOMIC_ACQUIRE)

static inline uint64_t e2e_rand(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t e2e_seed(void)
{
	const char *s = getenv("GROOVE_E2E_SEED");

	return s && *s ? strtoull(s, NULL, 0) : 0x67726f6f7665ULL;
}

static inline struct e2e_ctl *e2e_ctl_new(uint64_t region_size)
{
	uint64_t blocks = region_size / E2E_BLK;
	size_t len = sizeof(struct e2e_ctl) + blocks * sizeof(uint64_t);
	struct e2e_ctl *c;

	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	c->owner_cnt = blocks;
	c->tick_fd = -1;
	c->seed = e2e_seed();
	return c;
}

static inline void e2e_ctl_free(struct e2e_ctl *c)
{
	if (c)
		munmap(c, sizeof(*c) + c->owner_cnt * sizeof(uint64_t));
}

/* The pattern of an object is a function of its tag and size only. */
static inline uint64_t e2e_word(uint64_t tag, uint64_t i)
{
	uint64_t x = tag ^ (i * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static inline void e2e_fill(void *p, size_t sz, uint64_t tag)
{
	uint64_t *w = p, i, n = sz / 8;
	unsigned char *b = p;

	for (i = 0; i < n; i++)
		w[i] = e2e_word(tag, i);
	for (i = n * 8; i < sz; i++)
		b[i] = (unsigned char)(e2e_word(tag, n) >> (8 * (i & 7)));
}

/* 0 when the object at @p holds the pattern of its tag; else its first bad byte + 1. */
static inline size_t e2e_check_pattern(const void *p, size_t sz, uint64_t tag)
{
	const uint64_t *w = p;
	const unsigned char *b = p;
	uint64_t i, n = sz / 8;

	for (i = 0; i < n; i++)
		if (w[i] != e2e_word(tag, i))
			return i * 8 + 1;
	for (i = n * 8; i < sz; i++)
		if (b[i] != (unsigned char)(e2e_word(tag, n) >> (8 * (i & 7))))
			return i + 1;
	return 0;
}

/*
 * Check the live object at offset @off: libgroove knows it (size, tag) and
 * its payload holds its pattern.  0 or a GROOVE_ERR_* / 1 for a bad pattern.
 */
static inline int e2e_check_obj(groove_t *g, uint64_t off, size_t *szp)
{
	void *p = groove_ptr(g, off);
	uint64_t tag;
	size_t sz;
	int r;

	r = groove_obj_info(g, p, &sz, &tag);
	if (r)
		return r;
	if (szp)
		*szp = sz;
	return e2e_check_pattern(p, sz, tag) ? 1 : 0;
}

static inline uint64_t *e2e_owner(struct e2e_ctl *c, uint64_t off)
{
	return &c->owner[off / E2E_BLK];
}

/* Sizes: mostly small, some medium, a few large (bounded by @max). */
static inline size_t e2e_pick_size(uint64_t *rs, size_t max)
{
	uint64_t r = e2e_rand(rs) % 1000;
	size_t sz;

	if (r < 650)
		sz = 1 + e2e_rand(rs) % 496;
	else if (r < 900)
		sz = 497 + e2e_rand(rs) % 7700;
	else if (r < 990)
		sz = 8192 + e2e_rand(rs) % 57344;
	else
		sz = 65536 + e2e_rand(rs) % 458752;
	return sz < max ? sz : max;
}

static inline size_t e2e_pick_align(uint64_t *rs)
{
	uint64_t r = e2e_rand(rs) % 100;

	return r < 80 ? 0 : r < 90 ? 64 : r < 96 ? 512 : 4096;
}

/*
 * Open the groove from a fresh process, at an address of its own: a
 * reservation whose size depends on @proc (128 MiB steps, more than any
 * test's groove) moves where libgroove's mapping lands.
 */
static inline groove_t *e2e_join(struct e2e_ctl *c, uint32_t proc, uint64_t *rs)
{
	size_t pad = ((size_t)(proc % 16 + 1) << 27) + ((size_t)(e2e_rand(rs) % 64) << 21);
	void *shift = mmap(NULL, pad, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			   -1, 0);
	groove_t *g = groove_open(c->path, 0);

	if (shift != MAP_FAILED)
		munmap(shift, pad);
	if (!g) {
		e2e_error(c, "proc %u: groove_open(%s): %s", proc, c->path, strerror(errno));
		return NULL;
	}
	if (proc < E2E_PROC_MAX)
		c->vol0[proc] = (uintptr_t)groove_volume0(g);
	return g;
}

struct e2e_thread {
	struct e2e_ctl *c;
	groove_t *g;
	uint32_t id;			/* owner id, nonzero, unique per thread */
	uint64_t rs;			/* random state */
	uint64_t seq;			/* tags: (id << 40) | seq */
	uint32_t held_cnt;
	uint64_t held[E2E_HOLD];	/* offsets */
};

/*
 * Wait (yielding, bounded) until the volume manager finishes a round, so
 * that volumes come and go while the workers run however fast they are.
 */
static inline void e2e_wait_manager_round(struct e2e_ctl *c)
{
	uint64_t r0 = E2E_GET(c, manager_rounds), n;

	for (n = 0; n < E2E_FULL_WAIT && E2E_GET(c, manager_rounds) == r0; n++)
		sched_yield();
}

static inline void e2e_tick(struct e2e_thread *t)
{
	if (t->c->tick_fd >= 0 && write(t->c->tick_fd, "t", 1) != 1)
		e2e_error(t->c, "worker %u: tick: %s", t->id, strerror(errno));
}

/* Free a live object we account for: check, drop ownership, free. */
static inline void e2e_free_obj(struct e2e_thread *t, uint64_t off)
{
	struct e2e_ctl *c = t->c;
	uint64_t own;
	int r;

	r = e2e_check_obj(t->g, off, NULL);
	if (r)
		e2e_error(c, "worker %u: object at %#llx before free: %s", t->id,
			  (unsigned long long)off, r == 1 ? "pattern broken" : groove_strerror(r));
	own = __atomic_exchange_n(e2e_owner(c, off), 0, __ATOMIC_ACQ_REL);
	if (!own || (own & (E2E_BLK - 1)) != (off & (E2E_BLK - 1)))
		e2e_error(c, "worker %u: object at %#llx had owner word %#llx", t->id,
			  (unsigned long long)off, (unsigned long long)own);
	r = groove_free(t->g, groove_ptr(t->g, off));
	if (r)
		e2e_error(c, "worker %u: groove_free(%#llx): %s", t->id,
			  (unsigned long long)off, groove_strerror(r));
	E2E_ADD(c, frees, 1);
}

static inline void e2e_drop_held(struct e2e_thread *t, uint32_t k)
{
	t->held[k] = t->held[--t->held_cnt];
}

static inline void e2e_op_alloc(struct e2e_thread *t)
{
	struct e2e_ctl *c = t->c;
	size_t sz = e2e_pick_size(&t->rs, groove_alloc_max(t->g) - 4096);
	size_t align = e2e_pick_align(&t->rs);
	uint64_t tag = ((uint64_t)t->id << 40) | ++t->seq, off, want;
	void *p;
	int err;

	p = groove_alloc(t->g, align, sz, tag, &err);
	if (!p) {
		if (err != GROOVE_ERR_FULL) {
			e2e_error(c, "worker %u: groove_alloc(%zu, %zu): %s", t->id, align, sz,
				  groove_strerror(err));
			return;
		}
		E2E_ADD(c, full, 1);
		if (t->held_cnt) {	/* make room */
			uint32_t k = (uint32_t)(e2e_rand(&t->rs) % t->held_cnt);

			e2e_free_obj(t, t->held[k]);
			e2e_drop_held(t, k);
		} else {
			/*
			 * Nothing to give back: let the manager add a volume
			 * rather than spin through our operations failing.
			 */
			e2e_wait_manager_round(c);
		}
		return;
	}
	off = groove_off(t->g, p);
	if (align && (off & (align - 1)))
		e2e_error(c, "worker %u: object at %#llx not aligned to %zu", t->id,
			  (unsigned long long)off, align);
	if (__atomic_load_n(e2e_owner(c, off), __ATOMIC_ACQUIRE)) {
		E2E_ADD(c, handed_out_twice, 1);
		e2e_error(c, "worker %u: block of %#llx handed out twice (owner word %#llx)",
			  t->id, (unsigned long long)off,
			  (unsigned long long)__atomic_load_n(e2e_owner(c, off), __ATOMIC_ACQUIRE));
	}
	e2e_fill(p, sz, tag);
	/* Owned (accounted for) only once the pattern is complete. */
	want = 0;
	if (!__atomic_compare_exchange_n(e2e_owner(c, off), &want, E2E_OWNER(t->id, off), 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		E2E_ADD(c, handed_out_twice, 1);
		e2e_error(c, "worker %u: block of %#llx handed out twice (owner word %#llx)",
			  t->id, (unsigned long long)off, (unsigned long long)want);
	}
	t->held[t->held_cnt++] = off;
	E2E_ADD(c, allocs, 1);
	E2E_ADD(c, bytes_alloc, sz);
}

static inline void e2e_op_ring_push(struct e2e_thread *t)
{
	struct e2e_ctl *c = t->c;
	uint32_t k = (uint32_t)(e2e_rand(&t->rs) % t->held_cnt), i;
	uint32_t start = (uint32_t)(e2e_rand(&t->rs) % E2E_RING);

	for (i = 0; i < E2E_RING_SCAN; i++) {
		uint64_t zero = 0, *slot = &c->ring[(start + i) % E2E_RING];

		if (__atomic_compare_exchange_n(slot, &zero, t->held[k], 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			e2e_drop_held(t, k);
			E2E_ADD(c, ring_push, 1);
			return;
		}
	}
}

static inline void e2e_op_ring_pop(struct e2e_thread *t)
{
	struct e2e_ctl *c = t->c;
	uint32_t start = (uint32_t)(e2e_rand(&t->rs) % E2E_RING), i;
	uint64_t off = 0, own;
	int r;

	for (i = 0; i < E2E_RING_SCAN && !off; i++)
		off = __atomic_exchange_n(&c->ring[(start + i) % E2E_RING], 0, __ATOMIC_ACQ_REL);
	if (!off)
		return;
	E2E_ADD(c, ring_pop, 1);
	if (t->held_cnt == E2E_HOLD || e2e_rand(&t->rs) & 1) {
		e2e_free_obj(t, off);
		return;
	}
	/* Adopt it: checked, then owned by us. */
	r = e2e_check_obj(t->g, off, NULL);
	if (r)
		e2e_error(c, "worker %u: object at %#llx from the ring: %s", t->id,
			  (unsigned long long)off, r == 1 ? "pattern broken" : groove_strerror(r));
	own = __atomic_exchange_n(e2e_owner(c, off), E2E_OWNER(t->id, off), __ATOMIC_ACQ_REL);
	if (!own)
		e2e_error(c, "worker %u: object at %#llx from the ring had no owner", t->id,
			  (unsigned long long)off);
	t->held[t->held_cnt++] = off;
}

/* Whether a worker thread that has done @n operations goes on. */
static inline bool e2e_thread_goes_on(const struct e2e_ctl *c, uint32_t n)
{
	if (!c->run_until_ns)
		return n < c->ops;
	/* The clock every tick: a read per operation would cost more under TCG. */
	return n % E2E_TICK_OPS || groove_now_ns() < c->run_until_ns;
}

/*
 * One worker thread: @c->ops random operations, or as many as fit before
 * @c->run_until_ns.  The objects it holds at the end stay allocated (the
 * owner map names them) for the test to check.
 */
static inline void *e2e_thread_main(void *arg)
{
	struct e2e_thread *t = arg;
	uint32_t n;

	groove_cgroup_hint_set((unsigned int)e2e_rand(&t->rs));
	for (n = 0; e2e_thread_goes_on(t->c, n); n++) {
		uint64_t r = e2e_rand(&t->rs) % 100;

		if (r < 45 && t->held_cnt < E2E_HOLD)
			e2e_op_alloc(t);
		else if (r < 80 && t->held_cnt) {
			uint32_t k = (uint32_t)(e2e_rand(&t->rs) % t->held_cnt);

			e2e_free_obj(t, t->held[k]);
			e2e_drop_held(t, k);
		} else if (r < 90 && t->held_cnt && t->c->ring_on)
			e2e_op_ring_push(t);
		else if (t->c->ring_on)
			e2e_op_ring_pop(t);
		E2E_ADD(t->c, ops_done, 1);
		if (n % E2E_TICK_OPS == E2E_TICK_OPS - 1)
			e2e_tick(t);
		if (t->c->sync_ops && n % t->c->sync_ops == t->c->sync_ops - 1)
			e2e_wait_manager_round(t->c);
	}
	return NULL;
}

/* A worker process (never returns): join, run the threads, leave. */
static inline void e2e_worker(struct e2e_ctl *c, uint32_t proc)
{
	struct e2e_thread *t;
	pthread_t tid[E2E_THREADS_MAX];
	uint64_t rs = c->seed ^ (0x1000193ULL * (proc + 1));
	uint32_t i, threads = c->threads < E2E_THREADS_MAX ? c->threads : E2E_THREADS_MAX;
	groove_t *g;

	e2e_rand(&rs);
	g = e2e_join(c, proc, &rs);
	t = calloc(threads, sizeof(*t));
	if (!g || !t)
		_exit(1);
	for (i = 0; i < threads; i++) {
		t[i].c = c;
		t[i].g = g;
		t[i].id = 1 + proc * E2E_THREADS_MAX + i;
		t[i].rs = rs ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		e2e_rand(&t[i].rs);
		if (pthread_create(&tid[i], NULL, e2e_thread_main, &t[i])) {
			e2e_error(c, "proc %u: pthread_create failed", proc);
			_exit(1);
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	groove_close(g);
	_exit(0);
}

/*
 * The volume manager process (never returns): adds and removes volumes
 * through the ioctls (libgroove's add/remove) until told to stop, but at
 * least E2E_MANAGER_MIN_ROUNDS rounds, yielding between rounds so the
 * workers run.  @rounds_max bounds it.
 */
static inline void e2e_manager(struct e2e_ctl *c, uint32_t proc, uint64_t rounds_max)
{
	static const char info[] = "e2e manager";
	uint64_t rs = c->seed ^ 0x6d616e61676572ULL ^ proc, round;
	groove_t *g;
	int r;

	e2e_rand(&rs);
	g = e2e_join(c, proc, &rs);
	if (!g)
		_exit(1);
	for (round = 0; round < rounds_max &&
	     (round < E2E_MANAGER_MIN_ROUNDS || !E2E_GET(c, stop_manager)); round++) {
		unsigned int n = 1 + (unsigned int)(e2e_rand(&rs) % 2);

		if (e2e_rand(&rs) % 100 < 55) {
			r = groove_add_volumes(g, n, -1, info, sizeof(info));
			if (r > 0)
				E2E_ADD(c, adds, (uint64_t)r);
			else if (r != GROOVE_ERR_FULL)
				E2E_ADD(c, manager_errors, 1);
		} else {
			r = groove_remove_volumes(g, n);
			if (r >= 0)
				E2E_ADD(c, removes, (uint64_t)r);
			else if (r != GROOVE_ERR_AGAIN)
				e2e_error(c, "manager: groove_remove_volumes(%u): %s", n,
					  groove_strerror(r));
		}
		E2E_ADD(c, manager_rounds, 1);
		if (!E2E_GET(c, stop_manager))
			E2E_ADD(c, manager_rounds_loaded, 1);	/* while workers ran */
		sched_yield();
	}
	if (round == rounds_max)
		e2e_error(c, "manager: ran out of its %llu rounds", (unsigned long long)rounds_max);
	groove_close(g);
	_exit(0);
}

static inline pid_t e2e_spawn_worker(struct e2e_ctl *c, uint32_t proc)
{
	pid_t pid = fork();

	if (!pid)
		e2e_worker(c, proc);
	return pid;
}

static inline pid_t e2e_spawn_manager(struct e2e_ctl *c, uint32_t proc, uint64_t rounds_max)
{
	pid_t pid = fork();

	if (!pid)
		e2e_manager(c, proc, rounds_max);
	return pid;
}

/* How many distinct addresses the processes mapped the groove at. */
static inline unsigned int e2e_distinct_vol0(const struct e2e_ctl *c)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < E2E_PROC_MAX; i++) {
		if (!c->vol0[i])
			continue;
		for (j = 0; j < i && c->vol0[j] != c->vol0[i]; j++)
			;
		n += j == i;
	}
	return n;
}

/* Census of live objects against the owner map (a rebuild callback). */
struct e2e_census {
	struct e2e_ctl *c;
	groove_t *g;
	uint64_t live, known, unknown, bad_pattern;
	uint64_t *offs;			/* every live object, when collecting */
	uint64_t offs_cnt, offs_cap;
	uint8_t *seen;			/* per owner word: reported live */
};

static inline int e2e_census_fn(void *obj, size_t sz, uint64_t tag, void *arg)
{
	struct e2e_census *k = arg;
	uint64_t off = groove_off(k->g, obj), own = *e2e_owner(k->c, off);

	k->live++;
	if (own && (own & (E2E_BLK - 1)) == (off & (E2E_BLK - 1))) {
		k->known++;
		k->seen[off / E2E_BLK] = 1;
		if (e2e_check_pattern(obj, sz, tag))
			k->bad_pattern++;
	} else {
		k->unknown++;
	}
	if (k->offs) {
		if (k->offs_cnt == k->offs_cap) {
			uint64_t *n = realloc(k->offs, 2 * k->offs_cap * sizeof(*n));

			if (!n)
				return GROOVE_ERR_AGAIN;
			k->offs = n;
			k->offs_cap *= 2;
		}
		k->offs[k->offs_cnt++] = off;
	}
	return 0;
}

static inline int e2e_census_init(struct e2e_census *k, struct e2e_ctl *c, groove_t *g,
				  int collect)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	k->g = g;
	k->seen = calloc(c->owner_cnt, 1);
	if (collect) {
		k->offs_cap = 1024;
		k->offs = malloc(k->offs_cap * sizeof(*k->offs));
	}
	return k->seen && (!collect || k->offs) ? 0 : -1;
}

/* Owned objects that the walk did not report live. */
static inline uint64_t e2e_census_missing(const struct e2e_census *k)
{
	uint64_t i, n = 0;

	for (i = 0; i < k->c->owner_cnt; i++)
		if (k->c->owner[i] && !k->seen[i])
			n++;
	return n;
}

static inline void e2e_census_fini(struct e2e_census *k)
{
	free(k->seen);
	free(k->offs);
}

/* Free every owned object (checking it first); returns the number freed. */
static inline uint64_t e2e_free_owned(struct e2e_ctl *c, groove_t *g, uint64_t *bad)
{
	uint64_t i, n = 0;

	for (i = 0; i < c->owner_cnt; i++) {
		uint64_t own = c->owner[i], off;

		if (!own)
			continue;
		off = i * E2E_BLK + (own & (E2E_BLK - 1));
		if (e2e_check_obj(g, off, NULL) || groove_free(g, groove_ptr(g, off)))
			(*bad)++;
		c->owner[i] = 0;
		n++;
	}
	return n;
}

/* Geometry of the groove a test wants. */
struct e2e_geo {
	const char *params;		/* module parameters */
	uint64_t volume_size;
	uint32_t volume_max;
};

/* Fixture fields of every e2e fixture. */
#define E2E_FIXTURE_FIELDS	\
	int loaded;		\
	groove_t *g;		\
	struct e2e_ctl *c;	\
	char path[128]

/*
 * Load the module with @geo's parameters, or create the named groove
 * (groove_fixture_up()), or format the file named by GROOVE_E2E_FILE;
 * join, make the control block.  Skips when the module is missing.
 */
#define E2E_SETUP(self, geo)						\
	do {								\
		const char *__file = getenv("GROOVE_E2E_FILE");		\
		int __err;						\
									\
		if (__file && *__file) {				\
			struct groove_geometry __geo = {		\
				.volume_size = (geo)->volume_size,	\
				.volume_max = (geo)->volume_max,	\
			};						\
			snprintf((self)->path, sizeof((self)->path), "%s", __file); \
			(self)->g = groove_open(__file, GROOVE_OPEN_CREATE, &__geo); \
		} else {						\
			__err = groove_fixture_up((geo)->params);	\
			if (__err == -ENOENT)				\
				SKIP(return, "groove.ko not found at %s (set GROOVE_KO)", \
				     groove_ko_path());			\
			ASSERT_EQ(0, __err) TH_LOG("set up %s (\"%s\"): %s", \
						   groove_dev_path(), (geo)->params, \
						   strerror(-__err));	\
			(self)->loaded = 1;				\
			snprintf((self)->path, sizeof((self)->path), "%s", groove_dev_path()); \
			(self)->g = groove_open((self)->path, 0);	\
		}							\
		ASSERT_NE(NULL, (self)->g) TH_LOG("groove_open(%s): %s", \
						  (self)->path, strerror(errno)); \
		(self)->c = e2e_ctl_new((uint64_t)groove_volume_max((self)->g) * \
					groove_volume_size((self)->g)); \
		ASSERT_NE(NULL, (self)->c);				\
		snprintf((self)->c->path, sizeof((self)->c->path), "%s", (self)->path); \
	} while (0)

#define E2E_TEARDOWN(self)						\
	do {								\
		groove_close((self)->g);				\
		(self)->g = NULL;					\
		e2e_ctl_free((self)->c);				\
		(self)->c = NULL;					\
		if ((self)->loaded) {					\
			int __err = groove_fixture_down();		\
									\
			EXPECT_EQ(0, __err) TH_LOG("tear down %s: %s",	\
						   groove_dev_path(),	\
						   strerror(-__err));	\
		}							\
		(self)->loaded = 0;					\
	} while (0)

/* Wait for @pid; its exit status as "0 ok / 1 failed / 128+sig". */
static inline int e2e_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Volumes present (groove_stats); -1 on error. */
static inline long e2e_volumes_present(groove_t *g)
{
	static struct groove_stats st;

	return groove_stats(g, &st) ? -1 : (long)st.volumes_present;
}

#endif /* _E2E_COMMON_H */
