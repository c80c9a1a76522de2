// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Crash recovery: rebuild the allocator's circulation from the volumes.
 *
 * The superblock trees in the volumes are the source of truth: a clear bit
 * whose object header is a live object's (or a child superblock's) is kept,
 * every other clear bit is an allocation or free that a dead process cut
 * short.  Everything else -- active slots, inactive stacks, the empty-volume
 * stack -- is derived state, and is rebuilt from the trees.  What a dead
 * process can leave behind (see superblock.c, obj.c, volume_pool.c):
 *
 *   - a superblock it held (in its thread cache, taken from an active slot
 *     or an inactive stack, displaced from a slot, drained by
 *     groove_trim()): in no slot and no stack, its free objects unreachable;
 *   - an object whose bit it cleared but whose header it never wrote (alloc)
 *     or already marked FREED (free), and the objects its thread cache had
 *     claimed (FREED headers): a clear bit with no live header;
 *   - a superblock whose header it cleared on release but whose parent bit it
 *     never set: the same, one class up;
 *   - a volume it popped (still EMPTY, or DATA with no root superblock yet)
 *     or was giving back (EMPTY, not pushed).
 *
 * Not concurrent with anything: groove_exclusive_acquire() (exclusive.c)
 * makes sure no other join, handle or thread cache is live, and keeps new
 * joins out while the rebuild runs.
 */
#include <stdlib.h>
#include <string.h>
#include "groove_internal.h"
#include <groove/rebuild.h>

struct g_rb {
	struct groove *g;
	int fix;
	struct groove_rebuild_stats *st;
	groove_rebuild_obj_fn fn;
	void *arg;
	uint64_t *circ;		/* sorted offsets of superblocks in circulation */
	size_t circ_cnt, circ_cap;
	uint64_t budget;	/* superblocks left to walk */
};

static int g_rb_circ_add(struct g_rb *rb, uint64_t off)
{
	if (rb->circ_cnt == rb->circ_cap) {
		size_t cap = rb->circ_cap ? rb->circ_cap * 2 : 256;
		uint64_t *n = realloc(rb->circ, cap * sizeof(*n));

		if (!n)
			return GROOVE_ERR_AGAIN;
		rb->circ = n;
		rb->circ_cap = cap;
	}
	rb->circ[rb->circ_cnt++] = off;
	return GROOVE_SUCCESS;
}

static int g_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int g_rb_in_circ(const struct g_rb *rb, uint64_t off)
{
	return rb->circ_cnt &&
	       bsearch(&off, rb->circ, rb->circ_cnt, sizeof(off), g_u64_cmp) != NULL;
}

/*
 * Collect what the active slots and inactive stacks name.  A stack is
 * followed while its links name plausible superblocks, at most one step per
 * block of the region: a cut or looping stack only makes more superblocks
 * count as stranded.
 */
static int g_rb_collect_circ(struct g_rb *rb)
{
	struct groove *g = rb->g;
	uint64_t blocks = g->region_size >> G_BLK_SHIFT, head, off, n;
	uint32_t szc, cg;
	int r;

	for (szc = 0; szc < g->szc_cnt; szc++) {
		for (cg = 0; cg < GROOVE_CGROUP_MAX; cg++) {
			off = G_LOAD(&g->st->active[szc][cg].w);
			if (off && g_sb_off_ok(g, off)) {
				r = g_rb_circ_add(rb, off);
				if (r)
					return r;
			}
		}
		/* A claimed head is nobody's to pop until it is finished: stranded. */
		head = G_LOAD(&g->st->inactive[szc].w);
		head = (head & G_CLAIMED) ? 0 : g_stk_blk(g, head);
		for (n = 0; head && n < blocks; n++) {
			off = head << G_BLK_SHIFT;
			if (!g_sb_off_ok(g, off))
				break;
			r = g_rb_circ_add(rb, off);
			if (r)
				return r;
			head = g_stk_blk(g, G_LOAD_RLX(&g_sb_at(g, off)->next));
		}
	}
	if (rb->circ_cnt)
		qsort(rb->circ, rb->circ_cnt, sizeof(*rb->circ), g_u64_cmp);
	return GROOVE_SUCCESS;
}

/* Payload offset from the object start, as obj.c computes it. */
static uint64_t g_rb_pad(uint64_t align, uint64_t obj_off)
{
	if (align <= GROOVE_OBJ_HDR_SIZE)
		return GROOVE_OBJ_HDR_SIZE;
	if (align <= G_BLK)
		return align;
	return ((obj_off + GROOVE_OBJ_HDR_SIZE + align - 1) & ~(align - 1)) - obj_off;
}

/* Object @i of class @szc at @obj_off has a live object's header(s). */
static int g_rb_live(const struct groove *g, uint64_t obj_off, uint64_t bits,
		     uint32_t szc, uint32_t i)
{
	const struct g_szc *c = &g->szc[szc];
	uint64_t pad = G_F_PAD(bits);

	if (G_F_TYPE(bits) != G_T_OBJ || !g_bits_ok(bits, obj_off) ||
	    G_F_SZC(bits) != szc || G_F_IDX(bits) != i || G_F_ALOG(bits) > 12)
		return 0;
	if (pad < GROOVE_OBJ_HDR_SIZE || pad != g_rb_pad(1ULL << G_F_ALOG(bits), obj_off) ||
	    pad + G_F_SZ(bits) > c->fp)
		return 0;
	/* A free cut short after its header CAS leaves the inner copy FREED. */
	if (pad > GROOVE_OBJ_HDR_SIZE &&
	    G_LOAD(&((struct g_obj *)(g->vol0 + obj_off + pad - GROOVE_OBJ_HDR_SIZE))->bits) != bits)
		return 0;
	return 1;
}

/*
 * Walk superblock @sb_off of class @szc.  *@fr_out: its free bitmap after
 * the walk with the repairs (written only when fixing; a dry run counts
 * the same repairs).  When fixing, a superblock with
 * some free objects ends on its inactive stack, an empty one is left to the
 * caller to give back, a full one stays out of circulation.
 */
static int g_rb_walk_sb(struct g_rb *rb, uint64_t sb_off, uint32_t szc, int depth,
			uint64_t *fr_out)
{
	struct groove *g = rb->g;
	const struct g_szc *c = &g->szc[szc];
	struct g_sb *sb = g_sb_at(g, sb_off);
	uint64_t fr_before, fr, i;
	int r;

	if (depth > (int)GROOVE_SZC_MAX || !rb->budget--)
		return GROOVE_ERR_CORRUPT;
	rb->st->superblocks++;
	fr_before = G_LOAD(&sb->free) & c->full;
	fr = fr_before;
	for (i = 0; i < c->cnt; i++) {
		uint64_t obj_off = sb_off + G_BLK + i * c->fp, child_fr;
		struct g_obj *h = (struct g_obj *)(g->vol0 + obj_off);
		uint64_t bits = G_LOAD(&h->bits);

		if (fr & (1ULL << i))
			continue;
		if (g_child_sb_ok(g, obj_off, bits, szc, (uint32_t)i)) {
			uint32_t child = (uint32_t)G_F_SZC(bits);

			r = g_rb_walk_sb(rb, obj_off, child, depth + 1, &child_fr);
			if (r)
				return r;
			if (child_fr == g->szc[child].full) {
				if (rb->fix)
					G_STORE(&h->bits, G_T_NONE);
				fr |= 1ULL << i;
				rb->st->superblocks_released++;
			}
			continue;
		}
		if (g_rb_live(g, obj_off, bits, szc, (uint32_t)i)) {
			uint64_t pad = G_F_PAD(bits);
			struct g_obj *in = (struct g_obj *)(g->vol0 + obj_off + pad -
							    GROOVE_OBJ_HDR_SIZE);

			rb->st->objects++;
			rb->st->bytes_live += G_F_SZ(bits);
			if (rb->fn) {
				r = rb->fn(g->vol0 + obj_off + pad, (size_t)G_F_SZ(bits),
					   G_LOAD_RLX(&in->tag), rb->arg);
				if (r)
					return r;
			}
			continue;
		}
		/* A clear bit that names nothing: an operation cut short. */
		rb->st->objects_reclaimed++;
		rb->st->stranded_bytes += c->fp;
		if (rb->fix)
			G_STORE(&h->bits, G_T_NONE);
		fr |= 1ULL << i;
	}
	if (fr_before && !g_rb_in_circ(rb, sb_off)) {
		rb->st->superblocks_stranded++;
		rb->st->stranded_bytes += (uint64_t)__builtin_popcountll(fr_before) * c->fp;
	}
	if (rb->fix) {
		G_STORE(&sb->free, fr);
		G_STORE_RLX(&sb->next, 0);
		/* Nobody holds it: every join but ours is gone. */
		G_STORE_RLX(&sb->holder, fr ? 0 : G_HOLDER_FULL);
	}
	if (fr && fr != c->full) {
		if (rb->fix)
			g_inactive_push(g, szc, sb_off);
		rb->st->superblocks_requeued++;
	}
	*fr_out = fr;
	return GROOVE_SUCCESS;
}

static void g_rb_reset_circulation(struct groove *g)
{
	uint32_t szc, cg;

	for (szc = 0; szc < GROOVE_SZC_MAX; szc++) {
		uint64_t old = G_LOAD(&g->st->inactive[szc].w);

		for (cg = 0; cg < GROOVE_CGROUP_MAX; cg++)
			G_STORE(&g->st->active[szc][cg].w, 0);
		/* New tag, empty stack: a stale pop could not succeed anyway. */
		G_STORE(&g->st->inactive[szc].w, g_stk_word(g, g_stk_tag(g, old) + 1, 0));
	}
}

static int g_rb_volumes(struct g_rb *rb, const uint8_t *on_stack, uint8_t *empty)
{
	struct groove *g = rb->g;
	uint32_t idx;
	int r;

	for (idx = 0; idx < g->volume_max; idx++) {
		struct groove_volume_hdr *vh;
		uint64_t magic, root, bits, fr;
		uint32_t szc, present;

		present = G_LOAD_RLX(&g->table[idx].present);
		if (present != 1) {
			if (present != 0 && !g->is_dev) {
				/* A file add cut short: its slot is free again. */
				rb->st->volumes_unknown++;
				if (rb->fix)
					G_STORE(&g->table[idx].present, 0);
			}
			continue;
		}
		vh = g_vol(g, idx);
		magic = G_LOAD(&vh->magic);
		if (!magic && !g->is_dev) {
			/*
			 * A file remove cut short after its pop: the volume is
			 * the remover's, and it is dead.  Back to the pool
			 * (its space may be punched out already: it reads as
			 * zero, which is what an empty volume holds).
			 */
			rb->st->stranded_bytes += g->volume_size;
			if (rb->fix) {
				G_STORE_RLX(&vh->idx, idx);
				G_STORE_RLX(&vh->next, 0);
				if (vh->info_sz > GROOVE_VOLUME_INFO_MAX)
					vh->info_sz = 0;
				G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_EMPTY);
				empty[idx] = 1;
			}
			rb->st->volumes_released++;
			continue;
		}
		if (G_LOAD_RLX(&vh->idx) != idx ||
		    (magic != GROOVE_VOLUME_MAGIC_EMPTY && magic != GROOVE_VOLUME_MAGIC_DATA)) {
			rb->st->volumes_unknown++;
			continue;
		}
		if (magic == GROOVE_VOLUME_MAGIC_EMPTY) {
			if (!on_stack[idx])
				rb->st->stranded_bytes += g->volume_size;
			empty[idx] = 1;
			continue;
		}
		rb->st->volumes_data++;
		root = ((uint64_t)idx << g->vshift) + G_BLK;
		bits = G_LOAD(&g_sb_at(g, root)->bits);
		if (!g_root_sb_ok(g, root, bits)) {
			/* Taken off the stack, root never written (or cleared). */
			rb->st->stranded_bytes += g->volume_size;
			fr = 0;
			szc = 0;
		} else {
			szc = (uint32_t)G_F_SZC(bits);
			r = g_rb_walk_sb(rb, root, szc, 0, &fr);
			if (r)
				return r;
			if (fr != g->szc[szc].full)
				continue;
		}
		if (rb->fix) {
			G_STORE(&g_sb_at(g, root)->bits, G_T_NONE);
			G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_EMPTY);
			empty[idx] = 1;
		}
		rb->st->volumes_released++;
	}
	return GROOVE_SUCCESS;
}

G_API int groove_data_rebuild_ex(groove_t *g, unsigned int flags,
				 struct groove_rebuild_stats *out,
				 groove_rebuild_obj_fn fn, void *arg)
{
	const struct groove_shared_hdr *h;
	struct groove_rebuild_stats dummy;
	struct g_rb rb;
	uint8_t *on_stack = NULL, *empty = NULL;
	int claimed = 0, r;
	uint64_t head;
	uint32_t idx;

	if (!g || (flags & ~GROOVE_REBUILD_DRY_RUN))
		return GROOVE_ERR_INVAL;
	h = g->hdr;
	if (G_LOAD(&h->magic) != GROOVE_SHARED_MAGIC || h->abi_version != GROOVE_ABI_VERSION ||
	    h->volume_size != g->volume_size || h->volume_max != g->volume_max ||
	    h->vol0_off != g->vol0_off)
		return GROOVE_ERR_CORRUPT;
	/*
	 * Nobody else may be live: a superblock another join or thread holds
	 * looks stranded, and requeueing it hands its objects out twice.  A
	 * refusal writes nothing.  Then this thread's held superblocks go back
	 * to the slots, or the rebuild would put them in circulation while we
	 * still allocate from them.
	 */
	if (!g->excl) {
		r = groove_exclusive_acquire(g, NULL);
		if (r)
			return r;
		claimed = 1;
	}
	groove_thread_flush(g);
	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	memset(&rb, 0, sizeof(rb));
	rb.g = g;
	rb.fix = !(flags & GROOVE_REBUILD_DRY_RUN);
	rb.st = out;
	rb.fn = fn;
	rb.arg = arg;
	rb.budget = (g->region_size >> G_BLK_SHIFT) + 1;

	on_stack = calloc(g->volume_max, 1);
	empty = calloc(g->volume_max, 1);
	if (!on_stack || !empty) {
		r = GROOVE_ERR_AGAIN;
		goto out;
	}
	/* The empty-volume stack as it is: followed while it makes sense. */
	head = G_LOAD(&h->empty_stack);
	for (idx = GROOVE_STACK_IDX(head); idx < g->volume_max && !on_stack[idx];
	     idx = G_LOAD_RLX(&g->table[idx].next)) {
		if (G_LOAD_RLX(&g->table[idx].present) != 1 ||
		    G_LOAD(&g_vol(g, idx)->magic) != GROOVE_VOLUME_MAGIC_EMPTY)
			break;
		on_stack[idx] = 1;
	}
	r = g_rb_collect_circ(&rb);
	if (r)
		goto out;
	if (rb.fix) {
		g_rb_reset_circulation(g);
		__atomic_store_n(&g->hdr->empty_stack,
				 GROOVE_STACK_WORD(GROOVE_STACK_VER(head) + 1, GROOVE_VOL_NIL),
				 __ATOMIC_RELEASE);
	}
	r = g_rb_volumes(&rb, on_stack, empty);
	if (rb.fix) {
		/* Highest index first, so the lowest is popped first. */
		for (idx = g->volume_max; idx-- > 0; )
			if (empty[idx])
				groove_vstack_push(&g->hdr->empty_stack, g->table,
						   g->volume_max, idx, GROOVE_VS_UNBOUNDED);
	}
out:
	free(on_stack);
	free(empty);
	free(rb.circ);
	if (claimed)
		groove_exclusive_release(g);
	return r;
}

G_API int groove_data_rebuild(groove_t *g)
{
	return groove_data_rebuild_ex(g, 0, NULL, NULL, NULL);
}
