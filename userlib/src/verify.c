// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Verify and statistics: bounded walks of the shared state.  Upstream
 * aborted on a failed check; here every check returns GROOVE_ERR_CORRUPT,
 * every walk has a bound or a visited map, and only present volumes are
 * read.  Meant for quiescent moments (no alloc or free running).
 */
#include <stdlib.h>
#include <string.h>
#include "groove_internal.h"

struct g_walk {
	struct groove *g;
	struct groove_stats *st;	/* NULL: verify only */
	uint8_t *seen;			/* superblock blocks seen in slots/stacks */
	uint64_t budget;		/* walk steps left */
	int strict;			/* verify: report; stats: skip what is in flight */
};

/*
 * A check failed.  verify reports it; stats (which may run while others
 * allocate, e.g. groovectl status) skips the object or superblock: it may
 * just be half way through an alloc or free.
 */
#define G_BAD()	(w->strict ? GROOVE_ERR_CORRUPT : GROOVE_SUCCESS)

static int g_walk_sb(struct g_walk *w, uint64_t sb_off, uint32_t szc, int depth);

/*
 * @n free objects of class @c.  A container's free object is not held for
 * any class (any class's superblock can still take it): bytes_open, left
 * out of bytes_reserved.  Every other free object is held for its class.
 */
static void g_stats_free(struct g_walk *w, uint32_t szc, uint64_t n)
{
	const struct g_szc *c = &w->g->szc[szc];

	w->st->szc_stats[szc].free_objs += n;
	if (c->container)
		w->st->bytes_open += n * c->fp;
}

static int g_walk_obj(struct g_walk *w, uint64_t obj_off, uint32_t szc, uint32_t i,
		      uint64_t vend, int depth)
{
	struct groove *g = w->g;
	const struct g_szc *c = &g->szc[szc];
	uint64_t bits = G_LOAD(&((struct g_obj *)(g->vol0 + obj_off))->bits), pad;
	uint32_t child;

	if (G_F_TYPE(bits) == G_T_FREED || (G_F_TYPE(bits) == G_T_NONE && bits)) {
		/*
		 * A clear bit with a claimed header (type NONE): a free object
		 * in a thread cache's mask; with a FREED header: a free whose
		 * OR is still to come (or one a crash cut short: rebuild's).
		 */
		if (!g_bits_ok((bits & ~3ULL) | G_T_OBJ, obj_off) || G_F_IDX(bits) != i ||
		    G_F_SZC(bits) != szc)
			return G_BAD();
		if (w->st)
			g_stats_free(w, szc, 1);
		return GROOVE_SUCCESS;
	}
	if (!g_bits_ok(bits, obj_off) || G_F_IDX(bits) != i)
		return G_BAD();
	if (G_F_TYPE(bits) == G_T_SB) {
		child = (uint32_t)G_F_SZC(bits);
		if (child >= g->szc_cnt || g->szc[child].parent != szc)
			return G_BAD();
		return g_walk_sb(w, obj_off, child, depth + 1);
	}
	if (G_F_TYPE(bits) != G_T_OBJ || G_F_SZC(bits) != szc || G_F_ALOG(bits) > 12)
		return G_BAD();
	pad = G_F_PAD(bits);
	if (pad < GROOVE_OBJ_HDR_SIZE || pad + G_F_SZ(bits) > c->fp ||
	    obj_off + c->fp > vend)
		return G_BAD();
	if (pad > GROOVE_OBJ_HDR_SIZE) {
		uint64_t inner = G_LOAD(&((struct g_obj *)(g->vol0 + obj_off + pad -
							  GROOVE_OBJ_HDR_SIZE))->bits);

		if (inner != bits) {
			/* An aligned free between its CAS and its first-block store. */
			if (!g_bits_is_freeing(bits, inner, szc, i, obj_off))
				return G_BAD();
			if (w->st)
				g_stats_free(w, szc, 1);
			return GROOVE_SUCCESS;
		}
	}
	if (w->st) {
		w->st->szc_stats[szc].objects++;
		w->st->szc_stats[szc].bytes += G_F_SZ(bits);
		w->st->objects++;
		w->st->bytes_in_use += G_F_SZ(bits);
	}
	return GROOVE_SUCCESS;
}

/* Check superblock @sb_off of class @szc and everything allocated in it. */
static int g_walk_sb(struct g_walk *w, uint64_t sb_off, uint32_t szc, int depth)
{
	struct groove *g = w->g;
	const struct g_szc *c;
	uint64_t bits, fr, vend, i;
	int r;

	if (depth > (int)GROOVE_SZC_MAX || !w->budget)
		return GROOVE_ERR_CORRUPT;	/* a cycle: even stats stops here */
	w->budget--;
	if (szc >= g->szc_cnt || !g_sb_off_ok(g, sb_off))
		return G_BAD();
	c = &g->szc[szc];
	vend = ((sb_off >> g->vshift) + 1) << g->vshift;
	bits = G_LOAD(&g_sb_at(g, sb_off)->bits);
	if (G_F_TYPE(bits) != G_T_SB || G_F_SZC(bits) != szc || !g_bits_ok(bits, sb_off))
		return G_BAD();
	if (sb_off + G_BLK + c->cnt * c->fp > vend)
		return G_BAD();
	fr = G_LOAD(&g_sb_at(g, sb_off)->free);
	if (fr & ~c->full)
		return G_BAD();
	if (w->st) {
		w->st->szc_stats[szc].superblocks++;
		g_stats_free(w, szc, (uint64_t)__builtin_popcountll(fr));
		if (fr) {
			uint64_t m = c->container ? groove_alloc_max(g) : c->fp - GROOVE_OBJ_HDR_SIZE;

			if (m > w->st->largest_alloc)
				w->st->largest_alloc = m;
		}
	}
	for (i = 0; i < c->cnt; i++) {
		if (fr & (1ULL << i))
			continue;
		r = g_walk_obj(w, sb_off + G_BLK + i * c->fp, szc, (uint32_t)i, vend, depth);
		if (r)
			return r;
	}
	return GROOVE_SUCCESS;
}

/* A superblock named by an active slot or an inactive stack. */
static int g_circulating(struct g_walk *w, uint64_t sb_off, uint32_t szc)
{
	struct groove *g = w->g;
	uint64_t bits, blk;

	if (szc >= g->szc_cnt || !g_sb_off_ok(g, sb_off))
		return G_BAD();
	bits = G_LOAD(&g_sb_at(g, sb_off)->bits);
	if (G_F_TYPE(bits) != G_T_SB || G_F_SZC(bits) != szc || !g_bits_ok(bits, sb_off))
		return G_BAD();
	if (!G_LOAD(&g_sb_at(g, sb_off)->free))
		return G_BAD();	/* in circulation with nothing free */
	if (w->seen) {
		blk = sb_off >> G_BLK_SHIFT;
		if (w->seen[blk >> 3] & (1u << (blk & 7)))
			return G_BAD();	/* twice: a cycle or a duplicate */
		w->seen[blk >> 3] |= (uint8_t)(1u << (blk & 7));
	}
	return GROOVE_SUCCESS;
}

static int g_volume_check(struct g_walk *w, uint32_t idx)
{
	struct groove *g = w->g;
	struct groove_volume_hdr *vh;
	uint32_t present = G_LOAD_RLX(&g->table[idx].present);
	uint64_t magic, bits, root;

	if (present == 0 || (present & G_PRESENT_TRANSIT))
		return GROOVE_SUCCESS;	/* absent, or being added or removed (file backend) */
	if (present != 1)
		return G_BAD();
	vh = g_vol(g, idx);
	magic = G_LOAD(&vh->magic);
	if (vh->idx != idx || vh->info_sz > GROOVE_VOLUME_INFO_MAX)
		return G_BAD();
	if (w->st)
		w->st->volumes_present++;
	if (magic == GROOVE_VOLUME_MAGIC_EMPTY)
		return GROOVE_SUCCESS;
	if (magic != GROOVE_VOLUME_MAGIC_DATA)
		return G_BAD();
	if (w->st)
		w->st->volumes_data++;
	root = ((uint64_t)idx << g->vshift) + G_BLK;
	bits = G_LOAD(&g_sb_at(g, root)->bits);
	if (G_F_SZC(bits) >= g->szc_cnt ||
	    g->szc[G_F_SZC(bits)].parent != GROOVE_SZC_PARENT_VOLUME)
		return G_BAD();
	return g_walk_sb(w, root, (uint32_t)G_F_SZC(bits), 0);
}

static int g_walk_all(struct groove *g, struct groove_stats *st)
{
	struct g_walk wk = { .g = g, .st = st, .strict = !st }, *w = &wk;
	const struct groove_shared_hdr *h = g->hdr;
	uint64_t head, blocks = g->region_size >> G_BLK_SHIFT, n;
	uint8_t *vseen;
	uint32_t i, idx, claimed, szc, cg, empty = 0;
	int r = GROOVE_SUCCESS;

	if (G_LOAD(&h->magic) != GROOVE_SHARED_MAGIC || h->abi_version != GROOVE_ABI_VERSION ||
	    h->volume_size != g->volume_size || h->volume_max != g->volume_max ||
	    h->vol0_off != g->vol0_off)
		return GROOVE_ERR_CORRUPT;
	w->budget = blocks + 1;

	/* The empty-volume stack: bounded by a visited map over the slots. */
	vseen = calloc(g->volume_max, 1);
	if (!vseen)
		return GROOVE_ERR_AGAIN;
	head = G_LOAD(&h->empty_stack);
	claimed = GROOVE_VOL_NIL;
	idx = GROOVE_STACK_IDX(head);
	if ((head & GROOVE_STACK_CLAIMED) && idx < g->volume_max) {
		/* In its claimer's hands (or a dead one's, for reclaim): not checked. */
		claimed = idx;
		vseen[idx] = 1;
		idx = G_LOAD_RLX(&g->table[idx].next);
	}
	for (; idx != GROOVE_VOL_NIL; idx = G_LOAD_RLX(&g->table[idx].next)) {
		if (idx >= g->volume_max || vseen[idx] ||
		    G_LOAD_RLX(&g->table[idx].present) != 1 ||
		    G_LOAD(&g_vol(g, idx)->magic) != GROOVE_VOLUME_MAGIC_EMPTY) {
			r = G_BAD();
			break;
		}
		vseen[idx] = 1;
		empty++;
	}
	/* Every present EMPTY volume is on the stack, and only those. */
	for (i = 0; !r && i < g->volume_max; i++) {
		if (i == claimed)
			continue;
		r = g_volume_check(w, i);
		if (!r && w->strict && G_LOAD_RLX(&g->table[i].present) == 1 &&
		    (G_LOAD(&g_vol(g, i)->magic) == GROOVE_VOLUME_MAGIC_EMPTY) != vseen[i])
			r = G_BAD();
	}
	free(vseen);
	if (r)
		return r;
	if (st) {
		st->volumes_empty = empty;
		/*
		 * Counted whole: a data volume is held for its classes but
		 * for the container slots still open to any class.
		 */
		st->bytes_reserved = (uint64_t)st->volumes_data * g->volume_size - st->bytes_open;
		if (empty)
			st->largest_alloc = groove_alloc_max(g);
	}

	if (!w->strict)
		return r;	/* circulation changes under a live walk */

	/* Active slots and inactive stacks: each superblock at most once. */
	if (blocks <= (1ULL << 31))
		w->seen = calloc((size_t)(blocks / 8 + 1), 1);
	for (szc = 0; !r && szc < g->szc_cnt; szc++) {
		for (cg = 0; !r && cg < GROOVE_CGROUP_MAX; cg++) {
			uint64_t off = G_LOAD(&g->st->active[szc][cg].w);

			/* Claimed: in its claimer's hands, or a dead one's to reclaim. */
			if (off & G_CLAIMED)
				off = g_claim_off(off);
			if (off)
				r = g_circulating(w, off, szc);
		}
		head = G_LOAD(&g->st->inactive[szc].w);
		for (n = 0; !r && g_stk_blk(g, head); n++) {
			uint64_t off = g_stk_blk(g, head) << G_BLK_SHIFT;

			if (n > blocks) {
				r = G_BAD();
				break;
			}
			r = g_circulating(w, off, szc);
			if (!r)
				head = G_LOAD_RLX(&g_sb_at(g, off)->next);
		}
	}
	for (szc = g->szc_cnt; !r && szc < GROOVE_SZC_MAX; szc++) {
		if (g_stk_blk(g, G_LOAD(&g->st->inactive[szc].w)))
			r = G_BAD();
		for (cg = 0; !r && cg < GROOVE_CGROUP_MAX; cg++)
			if (G_LOAD(&g->st->active[szc][cg].w))
				r = G_BAD();
	}
	free(w->seen);
	return r;
}

G_API int groove_verify(groove_t *g)
{
	if (!g)
		return GROOVE_ERR_INVAL;
	return g_walk_all(g, NULL);
}

G_API int groove_volume_verify(groove_t *g, uint32_t idx)
{
	struct g_walk w;

	if (!g || idx >= g->volume_max)
		return GROOVE_ERR_INVAL;
	memset(&w, 0, sizeof(w));
	w.g = g;
	w.budget = (g->volume_size >> G_BLK_SHIFT) + 1;
	w.strict = 1;
	return g_volume_check(&w, idx);
}

/*
 * groove_stats@@GROOVE_0.3: struct groove_stats with bytes_reserved and
 * bytes_open.  Callers built against GROOVE_0.1's smaller struct bind to
 * g_stats_0_1() below.
 */
G_API int g_stats_0_3(groove_t *g, struct groove_stats *out);
__asm__(".symver g_stats_0_3, groove_stats@@GROOVE_0.3");

G_API int g_stats_0_3(groove_t *g, struct groove_stats *out)
{
	if (!g || !out)
		return GROOVE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->volume_size = g->volume_size;
	out->volume_max = g->volume_max;
	out->szc_cnt = groove_szc_table(g->volume_size, out->szc, GROOVE_SZC_MAX);
	return g_walk_all(g, out);
}

/* GROOVE_0.1's struct groove_stats: no bytes_reserved, bytes_open. */
#define G_STATS_0_1_SZC	40
struct g_stats_0_1 {
	uint64_t volume_size;
	uint32_t volume_max;
	uint32_t volumes_present;
	uint32_t volumes_empty;
	uint32_t volumes_data;
	uint64_t objects;
	uint64_t bytes_in_use;
	uint64_t largest_alloc;
	uint32_t szc_cnt;
	uint32_t reserved;
	struct groove_szc szc[G_STATS_0_1_SZC];
	struct groove_szc_stats szc_stats[G_STATS_0_1_SZC];
};

/* groove_stats@GROOVE_0.1, for binaries linked before GROOVE_0.3. */
G_API int g_stats_0_1(groove_t *g, struct g_stats_0_1 *out);
__asm__(".symver g_stats_0_1, groove_stats@GROOVE_0.1");

G_API int g_stats_0_1(groove_t *g, struct g_stats_0_1 *out)
{
	struct groove_stats *st;
	unsigned int n;
	int r;

	if (!g || !out)
		return GROOVE_ERR_INVAL;
	st = malloc(sizeof(*st));
	if (!st)
		return GROOVE_ERR_AGAIN;
	r = g_stats_0_3(g, st);
	memset(out, 0, sizeof(*out));
	out->volume_size = st->volume_size;
	out->volume_max = st->volume_max;
	out->volumes_present = st->volumes_present;
	out->volumes_empty = st->volumes_empty;
	out->volumes_data = st->volumes_data;
	out->objects = st->objects;
	out->bytes_in_use = st->bytes_in_use;
	out->largest_alloc = st->largest_alloc;
	n = st->szc_cnt < G_STATS_0_1_SZC ? st->szc_cnt : G_STATS_0_1_SZC;
	out->szc_cnt = n;
	memcpy(out->szc, st->szc, n * sizeof(st->szc[0]));
	memcpy(out->szc_stats, st->szc_stats, n * sizeof(st->szc_stats[0]));
	free(st);
	return r;
}
