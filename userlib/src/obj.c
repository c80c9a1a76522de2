// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Objects: groove_alloc() and groove_free(), the top of the allocator.
 *
 * Better than upstream: free claims the object by a CAS on its header
 * (OBJ -> FREED) before it sets the free bit with an atomic OR, so of two
 * racing frees exactly one wins and the other gets GROOVE_ERR_INVAL, and a
 * second free never touches the bitmap (upstream used ADD/SUB and could
 * mark a live neighbour free).  Every bad pointer is refused before
 * anything changes.
 */
#define _GNU_SOURCE
#include <sched.h>
#include "groove_internal.h"

#ifdef GROOVE_TEST_HOOKS
G_API groove_test_crash_hook_fn groove_test_crash_hook;
#endif

#ifdef G_TSAN
char g_tsan_handover;
int g_tsan_cross_process;
#endif

static __thread unsigned int g_tls_hint G_TLS_MODEL;
static __thread int g_tls_hint_set G_TLS_MODEL;

unsigned int g_hint(void)
{
	if (G_UNLIKELY(!g_tls_hint_set)) {
		int cpu = sched_getcpu();

		g_tls_hint = cpu < 0 ? 0 : (unsigned int)cpu;
		g_tls_hint_set = 1;
	}
	return g_tls_hint;
}

G_API void groove_cgroup_hint_set(unsigned int hint)
{
	g_tls_hint = hint;
	g_tls_hint_set = 1;
}

G_API unsigned int groove_cgroup_hint(void)
{
	return g_hint();
}

G_API size_t groove_alloc_max(const groove_t *g)
{
	return g ? (size_t)(((uint64_t)g->largest_blocks << G_BLK_SHIFT) - GROOVE_OBJ_HDR_SIZE) : 0;
}

/* Payload offset from the object start for alignment @align at @obj_off. */
static inline uint64_t g_pad(uint64_t align, uint64_t obj_off)
{
	if (align <= GROOVE_OBJ_HDR_SIZE)
		return GROOVE_OBJ_HDR_SIZE;
	if (align <= G_BLK)
		return align;
	return ((obj_off + GROOVE_OBJ_HDR_SIZE + align - 1) & ~(align - 1)) - obj_off;
}

/* Write the header(s) of object @idx at @obj_off; its payload address. */
static inline __attribute__((always_inline))
void *g_obj_init(groove_t *g, uint32_t szc, uint64_t obj_off, uint32_t idx,
		 size_t align, size_t sz, uint64_t tag, int *err)
{
	uint64_t pad, bits;
	struct g_obj *h;

	G_TSAN_ALLOCATED();
	pad = g_pad(align, obj_off);
	bits = g_bits(G_T_OBJ, szc, idx, (uint32_t)__builtin_ctzll(align), pad, sz, obj_off);
	h = (struct g_obj *)(g->vol0 + obj_off + pad - GROOVE_OBJ_HDR_SIZE);
	G_STORE_RLX(&h->tag, tag);
	G_STORE(&h->bits, bits);
	if (pad > GROOVE_OBJ_HDR_SIZE) {
		/* The first block's header, for walkers. */
		h = (struct g_obj *)(g->vol0 + obj_off);
		G_STORE_RLX(&h->tag, tag);
		G_STORE(&h->bits, bits);
	}
	if (err)
		*err = GROOVE_SUCCESS;
	return g->vol0 + obj_off + pad;
}

/*
 * Off the fast path (its own frame, so the fast path saves no registers):
 * bad arguments, and objects that need a superblock operation.
 */
static __attribute__((noinline))
void *g_alloc_slow(groove_t *g, int bad, uint32_t szc, size_t align, size_t sz,
		   uint64_t tag, int *err)
{
	uint64_t obj_off;
	uint32_t idx;
	int r = GROOVE_ERR_INVAL;

	if (!bad) {
		if (g_tc_asked(g))
			g_tc_answer(g);
		r = g_obj_take(g, szc, &obj_off, &idx);
		/*
		 * Before saying full, once per call: the objects this thread
		 * stashed (a big one may hold a whole superblock), what dead
		 * joins hold, what this process's idle threads keep.
		 */
		if (G_UNLIKELY(r == GROOVE_ERR_FULL) && g_tc_stash_give_back(g))
			r = g_obj_take(g, szc, &obj_off, &idx);
		if (G_UNLIKELY(r == GROOVE_ERR_FULL) && groove_reclaim(g) > 0)
			r = g_obj_take(g, szc, &obj_off, &idx);
		if (G_UNLIKELY(r == GROOVE_ERR_FULL) && g_tc_bound_others(g) &&
		    groove_flush_all_threads(g) == GROOVE_SUCCESS)
			r = g_obj_take(g, szc, &obj_off, &idx);
	}
	if (r) {
		if (err)
			*err = r;
		return NULL;
	}
	G_TEST_CRASH_POINT(g, G_CRASH_ALLOC_BEFORE_INIT);
	return g_obj_init(g, szc, obj_off, idx, align, sz, tag, err);
}

/*
 * Inside the call (g_tc_enter()): g_alloc_slow() for valid arguments, then
 * the end of the call (so that callers end in a tail call and keep no frame).
 */
static __attribute__((noinline))
void *g_alloc_slow_leave(groove_t *g, uint32_t szc, size_t align, size_t sz, uint64_t tag,
			 int *err)
{
	void *p = g_alloc_slow(g, 0, szc, align, sz, tag, err);

	if (g_tc_bound_to(g))
		g_tc.last_szc = szc;	/* its free's first guess */
	g_tc_leave();
	return p;
}

/*
 * Any allocation: every argument checked, any alignment, any class (the
 * fast path below sends here what it does not serve: bad arguments and
 * alignments past 16).
 */
static __attribute__((noinline))
void *g_alloc_any(groove_t *g, size_t align, size_t sz, uint64_t tag, int *err)
{
	uint64_t worst, need;

	if (G_UNLIKELY(!g))
		return g_alloc_slow(g, 1, 0, 0, 0, 0, err);
	if (!align)
		align = GROOVE_ALIGN_DEFAULT;
	if (G_UNLIKELY((align & (align - 1)) || align > GROOVE_ALIGN_MAX))
		return g_alloc_slow(g, 1, 0, 0, 0, 0, err);
	worst = align <= GROOVE_OBJ_HDR_SIZE ? GROOVE_OBJ_HDR_SIZE : align;
	need = worst + sz;
	if (G_UNLIKELY(sz > G_SZ_LIMIT || need > ((uint64_t)g->largest_blocks << G_BLK_SHIFT)))
		return g_alloc_slow(g, 1, 0, 0, 0, 0, err);
	g_tc_enter();
	/* g_obj_take() takes from this thread's mask or stash first */
	return g_alloc_slow_leave(g, g_szc_of(g, (need + G_BLK - 1) >> G_BLK_SHIFT), align, sz,
				  tag, err);
}

/*
 * Pre:  none.
 * Post: non-NULL: a new object, no other live object overlaps it, its
 *       header holds size, alignment and @tag.
 * Concurrent: anything.
 *
 * The fast path: alignment 16 or less and an object in this thread's mask
 * or stash for the class, with nothing asked of the cache.  It checks what
 * g_alloc_any() checks for such a call; other arguments go there, other
 * cases to g_alloc_slow().
 */
G_API void *groove_alloc(groove_t *g, size_t align, size_t sz, uint64_t tag, int *err)
{
	uint64_t m, obj_off, bits;
	uint32_t szc, idx;
	struct g_obj *h;

	if (G_UNLIKELY(!g || align > GROOVE_OBJ_HDR_SIZE || (align & (align - 1)) ||
		       sz > g->sz_max_align16))
		return g_alloc_any(g, align, sz, tag, err);
	szc = g_szc_of(g, (sz + GROOVE_OBJ_HDR_SIZE + G_BLK - 1) >> G_BLK_SHIFT);
	g_tc_enter();
	/* The drain word before any read of the cache, as in g_alloc_any(). */
	if (G_UNLIKELY(g_tc_asked(g) || !g_tc_bound_to(g)))
		goto slow;
	m = g_tc.mask[szc];
	if (G_LIKELY(m)) {
		g_tc.last_szc = szc;
		idx = (uint32_t)__builtin_ctzll(m);
		g_tc.mask[szc] = m & (m - 1);
		obj_off = g_tc.held[szc] + G_BLK + idx * g->szc[szc].fp;
	} else if (g->szc[szc].tcache || !g_stash_take(&g_tc, szc, &obj_off, &idx)) {
		goto slow;	/* taken otherwise: the object this thread freed last */
	}
	G_TSAN_ALLOCATED();
	if (sz > G_SZ_LIMIT)
		__builtin_unreachable();	/* sz_max_align16 says so: no check bit to clear */
	/* alignment 0 is the default, 16: log2 4 */
	bits = g_bits(G_T_OBJ, szc, idx, (uint32_t)__builtin_ctzll(align | GROOVE_OBJ_HDR_SIZE),
		      GROOVE_OBJ_HDR_SIZE, sz, obj_off);
	h = (struct g_obj *)(g->vol0 + obj_off);
	G_STORE_RLX(&h->tag, tag);
	G_STORE(&h->bits, bits);
	if (err)
		*err = GROOVE_SUCCESS;
	g_tc_leave();
	return h + 1;
slow:
	return g_alloc_slow_leave(g, szc, align ? align : GROOVE_ALIGN_DEFAULT, sz, tag, err);
}

/*
 * Find and check the header of the object whose payload is at @p.  Reads
 * only present volumes.  On success: *@hp, *@bits, *@obj_off, *@sb_off, and
 * *@maskp: this thread's mask for the superblock when the thread holds it
 * (its header is then compared with the word the thread checked when it
 * took it, not checked again), else NULL.
 */
static inline __attribute__((always_inline))
int g_obj_lookup(groove_t *g, const void *p, struct g_obj **hp,
		 uint64_t *bitsp, uint64_t *obj_offp, uint64_t *sb_offp,
		 uint64_t **maskp)
{
	uint64_t off, voff, vbase, bits, pad, obj_off, sb_off, szc, idx, sbb;
	const struct g_szc *c;
	struct g_obj *h;
	uint32_t vi;

	if (G_UNLIKELY(!g || !p))
		return GROOVE_ERR_INVAL;
	G_TSAN_ALLOCATED();	/* the object may come from another process */
	if ((const uint8_t *)p < g->vol0)
		return GROOVE_ERR_INVAL;
	off = (uint64_t)((const uint8_t *)p - g->vol0);
	if (G_UNLIKELY(off >= g->region_size || (off & (GROOVE_OBJ_HDR_SIZE - 1))))
		return GROOVE_ERR_INVAL;
	vi = (uint32_t)(off >> g->vshift);
	vbase = (uint64_t)vi << g->vshift;
	voff = off - vbase;
	/* volume header block, superblock header block, object header */
	if (G_UNLIKELY(voff < 2 * G_BLK + GROOVE_OBJ_HDR_SIZE))
		return GROOVE_ERR_INVAL;
	if (G_UNLIKELY(G_LOAD_RLX(&g->table[vi].present) != 1 ||
		       G_LOAD(&g_vol(g, vi)->magic) != GROOVE_VOLUME_MAGIC_DATA))
		return GROOVE_ERR_INVAL;

	h = (struct g_obj *)(g->vol0 + off - GROOVE_OBJ_HDR_SIZE);
	bits = G_LOAD(&h->bits);
	pad = G_F_PAD(bits);
	szc = G_F_SZC(bits);
	idx = G_F_IDX(bits);
	if (G_UNLIKELY(G_F_TYPE(bits) != G_T_OBJ || szc >= g->szc_cnt))
		return GROOVE_ERR_INVAL;
	/*
	 * Payload at +16 (alignment 16 or less), the common case: the word is
	 * the header at block-aligned @obj_off, and the pad agrees with every
	 * alignment up to 16, so the check bits (a flipped bit, a stray word)
	 * are the one test left besides the position checks below.  A larger
	 * pad: the word is the copy inside the object's first blocks, and the
	 * pad must also lead back to the start that the alignment gives.
	 */
	if (G_LIKELY(pad == GROOVE_OBJ_HDR_SIZE)) {
		obj_off = off - GROOVE_OBJ_HDR_SIZE;
		if (G_UNLIKELY((obj_off & (G_BLK - 1)) || G_F_ALOG(bits) > 4))
			return GROOVE_ERR_INVAL;
	} else {
		if (G_UNLIKELY(pad < GROOVE_OBJ_HDR_SIZE || pad > voff))
			return GROOVE_ERR_INVAL;
		obj_off = off - pad;
		if (G_UNLIKELY((obj_off & (G_BLK - 1)) || G_F_ALOG(bits) > 12 ||
			       g_pad(1ULL << G_F_ALOG(bits), obj_off) != pad))
			return GROOVE_ERR_INVAL;
	}
	if (G_UNLIKELY(!g_bits_ok(bits, obj_off)))
		return GROOVE_ERR_INVAL;
	c = &g->szc[szc];
	if (G_UNLIKELY(idx >= c->cnt))
		return GROOVE_ERR_INVAL;
	sbb = G_BLK + idx * c->fp;
	if (G_UNLIKELY(obj_off - vbase < G_BLK + sbb))
		return GROOVE_ERR_INVAL;
	sb_off = obj_off - sbb;
	*maskp = NULL;
	{
		uint64_t sbits = G_LOAD(&g_sb_at(g, sb_off)->bits);

		if (g_tc_bound_to(g)) {
			if (g_tc.held[szc] == sb_off) {
				if (G_UNLIKELY(sbits != g_sb_bits_of_sig(szc, g_tc.hsig[szc])))
					return GROOVE_ERR_INVAL;
				*maskp = &g_tc.mask[szc];
			} else if (g_tc.prev[szc] == sb_off) {
				if (G_UNLIKELY(sbits != g_sb_bits_of_sig(szc, g_tc.psig[szc])))
					return GROOVE_ERR_INVAL;
				*maskp = &g_tc.pmask[szc];
			}
		}
		if (!*maskp &&
		    G_UNLIKELY(G_F_TYPE(sbits) != G_T_SB || G_F_SZC(sbits) != szc ||
			       !g_bits_ok(sbits, sb_off)))
			return GROOVE_ERR_INVAL;
	}
	*hp = h;
	*bitsp = bits;
	*obj_offp = obj_off;
	*sb_offp = sb_off;
	return GROOVE_SUCCESS;
}

/*
 * The end of a free whose header CAS made object @bits at @obj_off FREED
 * (ours: our holder word in its tag word, its bit clear).  A class without
 * thread caches keeps it in this thread's stash (struct g_tcache) for the
 * next allocation of the class when the stash is empty: its header becomes
 * a claimed one.  Otherwise its bit is set.  Out of line, so the fast path
 * (a free into this thread's mask) saves no registers for it.
 */
static __attribute__((noinline))
int g_free_settle(groove_t *g, uint64_t bits, uint64_t obj_off, uint64_t sb_off)
{
	uint64_t szc = G_F_SZC(bits);

	if (!g->szc[szc].tcache && g_tc_bound_to(g) && !g_tc.stash[szc]) {
		G_TEST_CRASH_POINT(g, G_CRASH_FREE_STASH_FREED);
		G_STORE(&((struct g_obj *)(g->vol0 + obj_off))->bits, (bits & ~3ULL) | G_T_NONE);
		g_tc.stash[szc] = g_stash_word(obj_off, G_F_IDX(bits));
		G_TEST_CRASH_POINT(g, G_CRASH_FREE_STASHED);
		return GROOVE_SUCCESS;
	}
	G_TEST_CRASH_POINT(g, G_CRASH_FREE_BEFORE_OR);
	return g_obj_return(g, (uint32_t)szc, sb_off, (uint32_t)G_F_IDX(bits));
}

/*
 * Pre:  none (any pointer).
 * Post: GROOVE_SUCCESS: the object is free: its header says FREED and its
 *       bit is set, or it is claimed (g_bits_is_claimed()) in this thread's
 *       mask (this thread holds its superblock) or stash (a class without
 *       thread caches).  Any error: nothing changed but the first block's
 *       tag word of an object another free won (both wrote their holder
 *       word: if the winner then dies with its free in flight, the loser's
 *       word may stand there, and that free is finished once the loser's
 *       join is dead too).
 * Concurrent: anything, including another free of the same object (one of
 *       the two wins the header CAS; the other returns GROOVE_ERR_INVAL).
 *       If this process dies after the CAS and before the bit is set, or
 *       with the object in its stash, a reclaimer finishes the free (join.c,
 *       g_obj_take_back()).
 */
static inline __attribute__((always_inline)) int g_free(groove_t *g, void *p)
{
	uint64_t bits, obj_off, sb_off, idx, nb, *mask;
	struct g_obj *h;
	int r;

	r = g_obj_lookup(g, p, &h, &bits, &obj_off, &sb_off, &mask);
	if (G_UNLIKELY(r))
		return r;
	idx = G_F_IDX(bits);
	if (G_UNLIKELY(G_LOAD(&g_sb_at(g, sb_off)->free) & (1ULL << idx)))
		return GROOVE_ERR_INVAL;	/* already free */
	/*
	 * Our holder word in the first block's tag word before the CAS, so
	 * that if we die with the free in flight (g_bits_is_freeing()) a
	 * reclaimer that finds our join dead finishes it (join.c).  Into our
	 * own mask the header becomes a claimed one (type NONE,
	 * g_bits_is_claimed()) in the same CAS; elsewhere FREED until our OR.
	 */
	G_STORE_RLX(&((struct g_obj *)(g->vol0 + obj_off))->tag, g->holder);
	nb = (bits & ~3ULL) | (mask ? G_T_NONE : G_T_FREED);
	if (G_UNLIKELY(!g_cas(&h->bits, bits, G_F_PAD(bits) > GROOVE_OBJ_HDR_SIZE ?
						(bits & ~3ULL) | G_T_FREED : nb)))
		return GROOVE_ERR_INVAL;	/* lost to a concurrent free */
	G_TSAN_FREED();
	if (G_F_PAD(bits) > GROOVE_OBJ_HDR_SIZE) {
		G_TEST_CRASH_POINT(g, G_CRASH_FREE_ALIGNED_INNER);
		G_STORE(&((struct g_obj *)(g->vol0 + obj_off))->bits, nb);
	}
	if (mask) {
		/* Our own held superblock: back to this thread's mask. */
		*mask |= 1ULL << idx;
		return GROOVE_SUCCESS;
	}
	return g_free_settle(g, bits, obj_off, sb_off);
}

/*
 * Any free, inside the call (g_tc_enter()), nothing asked of this thread's
 * cache or the asking answered: the whole lookup (g_obj_lookup()), then
 * the end of the call (a tail call of the fast path, which keeps no frame).
 */
static __attribute__((noinline)) int g_free_any_leave(groove_t *g, void *p)
{
	int r = g_free(g, p);

	g_tc_leave();
	return r;
}

/* The same, first answering what is asked of this thread's cache. */
static __attribute__((noinline)) int g_free_answer_leave(groove_t *g, void *p)
{
	if (G_UNLIKELY(g_tc_asked(g)))
		g_tc_answer(g);
	return g_free_any_leave(g, p);
}

/*
 * Pre, Post, Concurrent: those of g_free().
 *
 * The fast path: an object with its payload at +16 in a superblock this
 * thread holds (held[] or prev[]) for the class it allocated last.  The
 * pointer is checked against that superblock before anything is read, so
 * the header read is inside memory this thread holds (its volume cannot
 * go), and the header must sit at an exact object start of it.  What a bad
 * pointer could break here is the object's ownership, so the checks are
 * those that decide it: type, class, pad 16 and check bits of the header,
 * the exact start, a clear free bit, and the header CAS.  An object that
 * passes is one this thread's superblock issued and nobody freed since (a
 * claimed one is in the mask already: setting its bit again changes
 * nothing).  The superblock's own header decides nothing here (the thread
 * holds it; the general paths and verify check it).  Anything else, or any
 * failed check, goes to g_free_any_leave(), which decides
 * (g_free_answer_leave() when something is asked of the cache, or it caches
 * for another join).
 */
G_API int groove_free(groove_t *g, void *p)
{
	uint64_t off, sb, x, bits, idx, *mask;
	const struct g_szc *c;
	struct g_obj *h;
	uint32_t szc;

	if (G_UNLIKELY(!g))
		return GROOVE_ERR_INVAL;
	g_tc_enter();
	if (G_UNLIKELY(g_tc_asked(g) || !g_tc_bound_to(g)))
		return g_free_answer_leave(g, p);
	szc = g_tc.last_szc;
	c = &g->szc[szc];
	off = (uint64_t)((uint8_t *)p - g->vol0) - GROOVE_OBJ_HDR_SIZE;
	if (G_UNLIKELY(off & (G_BLK - 1)))
		goto any;	/* not a block-aligned header: not ours, or aligned */
	/* the header's offset in the held superblock (wraps if before it) */
	sb = g_tc.held[szc];
	mask = &g_tc.mask[szc];
	x = off - sb;
	if (x >= c->obj_end) {
		/* the one held before (none for classes without thread caches) */
		sb = g_tc.prev[szc];
		mask = &g_tc.pmask[szc];
		x = off - sb;
		if (G_UNLIKELY(x >= c->obj_end))
			goto any;
	}
	if (G_UNLIKELY(!sb))
		goto any;
	G_TSAN_ALLOCATED();	/* the object may come from another process */
	h = (struct g_obj *)((uint8_t *)p - GROOVE_OBJ_HDR_SIZE);
	bits = G_LOAD(&h->bits);
	idx = G_F_IDX(bits);
	if (G_UNLIKELY((bits & (3ULL | (63ULL << 2) | (511ULL << 18))) !=
		       (G_T_OBJ | ((uint64_t)szc << 2) | ((GROOVE_OBJ_HDR_SIZE >> 4) << 18)) ||
		       x != G_BLK + idx * c->fp ||
		       !g_bits_ok(bits, sb + x) ||
		       (G_LOAD(&g_sb_at(g, sb)->free) & (1ULL << idx))))
		goto any;
	/* As g_free() into its own mask: holder word, then a claimed header. */
	G_STORE_RLX(&h->tag, g->holder);
	if (G_UNLIKELY(!g_cas(&h->bits, bits, bits & ~3ULL))) {
		g_tc_leave();
		return GROOVE_ERR_INVAL;	/* lost to a concurrent free */
	}
	G_TSAN_FREED();
	*mask |= 1ULL << idx;
	g_tc_leave();
	return GROOVE_SUCCESS;
any:
	return g_free_any_leave(g, p);
}

static int g_obj_info(groove_t *g, const void *p, size_t *sz, uint64_t *tag);

G_API int groove_obj_info(groove_t *g, const void *p, size_t *sz, uint64_t *tag)
{
	int r;

	if (G_UNLIKELY(!g))
		return GROOVE_ERR_INVAL;
	g_tc_enter();
	if (G_UNLIKELY(g_tc_asked(g)))
		g_tc_answer(g);	/* the lookup reads this thread's cache */
	r = g_obj_info(g, p, sz, tag);
	g_tc_leave();
	return r;
}

static int g_obj_info(groove_t *g, const void *p, size_t *sz, uint64_t *tag)
{
	uint64_t bits, obj_off, sb_off, *mask;
	struct g_obj *h;
	int r;

	r = g_obj_lookup(g, p, &h, &bits, &obj_off, &sb_off, &mask);
	if (r)
		return r;
	if (G_LOAD(&g_sb_at(g, sb_off)->free) & (1ULL << G_F_IDX(bits)))
		return GROOVE_ERR_INVAL;
	/* A size past the footprint is a forged header (free needs no size). */
	if (G_F_PAD(bits) + G_F_SZ(bits) > g->szc[G_F_SZC(bits)].fp)
		return GROOVE_ERR_INVAL;
	if (sz)
		*sz = (size_t)G_F_SZ(bits);
	if (tag)
		*tag = G_LOAD_RLX(&h->tag);
	return GROOVE_SUCCESS;
}
