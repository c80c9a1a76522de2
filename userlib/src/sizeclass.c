// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The size-class table, derived from volume_size alone so every process
 * computes the same table and the shared state needs none of it (an
 * all-zero allocator state stays valid).  The table is part of the shared
 * layout (GROOVE_ABI_VERSION 7 and later have this one).
 *
 * Rule (in 512-byte blocks; V = volume_size / 512):
 *  - largest object footprint L = min(20481, V - 2): 10 MiB plus a header
 *    block, or what one volume holds after its header and one superblock
 *    header block;
 *  - footprints: every block count from 1 to 9, then four per doubling,
 *    f = 2^k * (1 + j/4) + 1 for k >= 3, j = 1..4 (11, 13, 15, 17, 21,
 *    ..., 129), then two per doubling, 2^k * (1 + j/2) + 1 (193, 257, 385,
 *    ...), while below L, then L itself (which takes the last class when
 *    that is within a quarter below it).  The + 1 is the block the 16 B
 *    header spills into: a request of a power of two (or 1.25, 1.5, 1.75
 *    times one, to 64 KiB) of at least 4 KiB fits its class with less than
 *    a block to spare (4 KiB in 4.5 KiB, 64 KiB in 64.5 KiB; 512 B still
 *    takes 1 KiB, the 512 B granule).  Class spacing costs at most 1/4 to
 *    64 KiB (about 10% on average over log-uniform sizes, against 16%
 *    with ABI 2's 4/3 steps), 1/2 above.  At most 40 classes
 *    (GROOVE_SZC_MAX, G_FINE_BLOCKS);
 *  - when 64 objects of L do not fill a volume ((V - 2) / 64 > L: 1 GiB
 *    volumes), a last "container" class of (V - 2) / 64 blocks that only
 *    holds superblocks (of 1 object too) and is the only class a volume
 *    holds, so volumes are used whole;
 *  - the hub: the largest class of at most G_HUB_MAX_BLOCKS that fits at
 *    least G_HUB_CNT_MIN times in a root slot (the container's object,
 *    else a volume's data), then stretched so that as many of its objects
 *    fill the slot (1.5 MiB left 1 MiB of each 16 MiB container object
 *    unused; ABI 7).  A class whose superblock of at least 2 objects fills
 *    a hub object of the picked footprint to 3/4 nests in the hub, with as
 *    many objects as the stretched one holds (up to 64), so the small
 *    classes share one carrier and a partly used carrier superblock (16
 *    MiB with 1 GiB volumes) is not repeated for every class;
 *  - other classes are laid out largest first.  A class's superblock (one
 *    header block + cnt objects, cnt = min(64, what fits), >= 2 in a class,
 *    >= 1 in a volume) lives in an object of a larger class that has at
 *    least 8 objects per superblock (3 for a class of at most
 *    G_SMALL_BLOCKS that gets its 64 objects there; ABI 7), or in a whole
 *    volume (only classes of at least V / 16 blocks, or ones no class can
 *    hold: every volume-level class takes a volume of its own, so small
 *    classes share a few big ones).  Among the parents whose object (or
 *    volume) it fills to at least 3/4: the most objects per superblock
 *    wins, counting up to 16 (amortises superblock turnover), up to 64 for
 *    classes of at most G_SMALL_BLOCKS in a nested parent (g_cnt_cap());
 *    then the parent with the most objects per superblock (many classes
 *    share few volume-level roots, so small volumes are not split one class
 *    per volume); then the better fill.  With no parent filled to 3/4,
 *    the best fill wins;
 *  - active slots (concurrency groups) per class: a power of two
 *    <= V / (8 * superblock blocks), clamped to 1..64, so big classes do not
 *    pin many volumes in active slots;
 *  - threads hold (tcache.c) superblocks of a class only if they are
 *    nested and their superblocks are at most 1/8 of a volume and 8 MiB.
 */
#include "groove_internal.h"

/* A class holds other classes' superblocks only if it has this many objects. */
#define G_PARENT_CNT_MIN	8
/*
 * ... or this many, when the superblock is a small class's of 64 objects
 * (g_cnt_cap()): the classes of 256 to 512 KiB hold 4 to 8 objects in the
 * hub, and they are the parents that such a superblock fills to 3/4 (4
 * KiB: 577 of 769 blocks).  With 8 the 4 KiB class had 28 objects, and a
 * batch of 64 took three superblocks, one more than a thread holds.
 */
#define G_PARENT_CNT_MIN_SMALL	3
/* Classes smaller than volume / this nest in a class when one fits. */
#define G_ROOT_FRACTION		16
/*
 * Threads hold superblocks (two per class) of at most volume / this and at
 * most G_TCACHE_MAX_BLOCKS: 64 KiB objects are thread-cached from 64 MiB
 * volumes up, and a thread pins at most 16 MiB of a class.
 */
#define G_TCACHE_FRACTION	8
#define G_TCACHE_MAX_BLOCKS	((8ULL << 20) >> G_BLK_SHIFT)
/*
 * The hub fits this many times in a root slot and is picked among the
 * classes of at most 2 MiB (plus its header block), so what a thread holds
 * of a class it nests (two superblocks) stays small: 1.5 MiB with 1 GiB
 * volumes, 2 MiB with 64 MiB, 192.5 KiB with 2 MiB; stretched to fill its
 * slot: 1.6 MiB, 2.06 MiB and 204.5 KiB.
 */
#define G_HUB_CNT_MIN		8
#define G_HUB_MAX_BLOCKS	(((2ULL << 20) >> G_BLK_SHIFT) + 1)
/*
 * Classes of at most this many blocks prefer 64 objects per superblock
 * (at most 512 KiB): a batch of 64 small objects then fits the two
 * superblocks a thread holds.
 */
#define G_SMALL_BLOCKS		16
#define G_MIN(a, b)		((a) < (b) ? (a) : (b))
/*
 * Four classes per doubling up to 64 KiB + a block, two above: the table
 * must fit GROOVE_SZC_MAX (40), which sizes the thread cache, an
 * initial-exec TLS block that a dlopen() of libgroove.so must still find
 * room for (Python's ctypes fails from about 1.6 KiB).
 */
#define G_FINE_BLOCKS		129

/*
 * The footprint after @f blocks: every count to 9, then 2^k * (1 + j/4) + 1
 * up to G_FINE_BLOCKS, then 2^k * (1 + j/2) + 1.
 */
static uint64_t g_fp_next(uint64_t f)
{
	uint64_t k = 63 - (uint64_t)__builtin_clzll(f - 1 ? f - 1 : 1);

	if (f < 9)
		return f + 1;
	return f + (1ULL << (f < G_FINE_BLOCKS ? k - 2 : k - 1));
}

/* The root slot of a table of @n classes: the container's object, else @room. */
static uint64_t g_root_slot(const struct g_szc *out, unsigned int n, uint64_t room)
{
	return out[n - 1].container ? out[n - 1].fp_blocks : room;
}

/*
 * The hub of a table of @n classes (the last may be a container) whose
 * volumes have @room blocks for data: its index, or @n for none.
 */
static unsigned int g_hub(const struct g_szc *out, unsigned int n, uint64_t room)
{
	uint64_t slot = g_root_slot(out, n, room);
	unsigned int k;

	for (k = n; k-- > 0; )
		if (!out[k].container && slot / out[k].fp_blocks >= G_HUB_CNT_MIN &&
		    out[k].fp_blocks <= G_HUB_MAX_BLOCKS)
			return k;
	return n;
}

/*
 * Superblock of class @k in the hub @hub: how many objects (0: it does not
 * nest there, too few objects or the hub's object filled under 3/4).  Who
 * nests is decided on @picked_fp, the hub's footprint before its stretch
 * (which would let larger classes in with 2 or 3 objects); how many, on
 * the stretched one.
 */
static uint64_t g_hub_cnt(const struct g_szc *out, unsigned int k, unsigned int hub,
			  unsigned int n, uint64_t picked_fp)
{
	uint64_t fk = out[k].fp_blocks, cnt;

	if (hub >= n || hub <= k)
		return 0;
	cnt = G_MIN((picked_fp - 1) / fk, 64);
	if (cnt < 2 || 4 * (1 + cnt * fk) < 3 * picked_fp)
		return 0;
	return G_MIN((out[hub].fp_blocks - 1) / fk, 64);
}

/*
 * Stretch the hub of a table of @n classes so that as many of its objects
 * fill the root slot (the tail shared out among them), while it stays
 * smaller than the next class.  Returns the footprint it was picked with.
 */
static uint64_t g_hub_stretch(struct g_szc *out, unsigned int hub, unsigned int n,
			      uint64_t room)
{
	uint64_t picked = out[hub].fp_blocks, slot = g_root_slot(out, n, room);
	uint64_t fit = (slot - 1) / G_MIN((slot - 1) / picked, 64);

	if (hub + 1 < n && fit < out[hub + 1].fp_blocks)
		out[hub].fp_blocks = (uint32_t)fit;
	return picked;
}

/*
 * The least objects per superblock that a class of footprint @fp needs to
 * carry superblocks of a class of footprint @fk.
 */
static uint64_t g_parent_cnt_min(uint64_t fk, uint64_t fp)
{
	return fk <= G_SMALL_BLOCKS && (fp - 1) / fk >= 64 ? G_PARENT_CNT_MIN_SMALL :
							      G_PARENT_CNT_MIN;
}

/*
 * Objects per superblock that still count when class @k picks parent @p
 * (@n: a volume): 16 amortise turnover; a small class prefers 64 in a
 * nested parent, so a batch of 64 fits the two superblocks a thread
 * holds, but never takes a volume-level parent for it (with small volumes
 * every volume-level class takes a volume of its own).
 */
static uint64_t g_cnt_cap(const struct g_szc *out, unsigned int k, unsigned int p,
			  unsigned int n)
{
	if (out[k].fp_blocks <= G_SMALL_BLOCKS && p < n &&
	    out[p].parent != GROOVE_SZC_PARENT_VOLUME)
		return 64;
	return 16;
}

static unsigned int g_table(uint64_t volume_size, struct g_szc *out)
{
	uint64_t vb, room, largest, f, hub_picked_fp = 0;
	unsigned int n = 0, k, hub;

	if (volume_size < GROOVE_VOLUME_SIZE_MIN || volume_size > GROOVE_VOLUME_SIZE_MAX ||
	    (volume_size & (volume_size - 1)))
		return 0;
	vb = volume_size >> G_BLK_SHIFT;
	room = vb - 2;
	largest = room < G_LARGEST_BLOCKS ? room : G_LARGEST_BLOCKS;
	for (f = 1; n < GROOVE_SZC_MAX; f = g_fp_next(f)) {
		/* L takes the last class when that is within a quarter below it */
		if (f >= largest || (f > G_FINE_BLOCKS && 4 * largest < 5 * f)) {
			out[n++].fp_blocks = (uint32_t)largest;
			break;
		}
		out[n++].fp_blocks = (uint32_t)f;
	}
	if (out[n - 1].fp_blocks != largest)
		return 0;	/* cannot happen with GROOVE_SZC_MAX >= 39 */
	for (k = 0; k < n; k++)
		out[k].container = 0;
	/*
	 * 64 largest objects do not fill a volume (1 GiB): add a container
	 * class of a 64th of a volume, holding the big classes' superblocks
	 * (of one object if need be), so every volume is used whole.
	 */
	if (room / 64 > largest && n < GROOVE_SZC_MAX) {
		out[n].fp_blocks = (uint32_t)(room / 64);
		out[n++].container = 1;
	}

	hub = g_hub(out, n, room);
	if (hub < n)
		hub_picked_fp = g_hub_stretch(out, hub, n, room);
	for (k = n; k-- > 0; ) {
		uint64_t fk = out[k].fp_blocks;
		/* best so far: use = best_num / best_den, parent has best_pcnt */
		uint64_t best_num = 0, best_den = 1, best_cnt = 0, best_pcnt = 0, sbb;
		uint64_t best_score = 0, hub_cnt;
		uint32_t best_parent = GROOVE_SZC_PARENT_VOLUME, p;
		int best_ok = 0;

		for (p = k + 1; p <= n; p++) {
			uint64_t fp, cnt, num, den, maxcnt, pcnt, score;
			int ok, better;

			if (p < n) {
				fp = out[p].fp_blocks;
				pcnt = out[p].cnt;
				if (fp < 1 + (out[p].container ? 1 : 2) * fk ||
				    pcnt < g_parent_cnt_min(fk, fp))
					continue;
				maxcnt = (fp - 1) / fk;
				den = fp;
			} else {
				maxcnt = room / fk;
				den = vb;
				pcnt = 0;
			}
			if (p == n && best_cnt && (fk * G_ROOT_FRACTION < vb || out[n - 1].container))
				continue;	/* nest in a class, not a volume */
			cnt = maxcnt < 64 ? maxcnt : 64;
			score = G_MIN(cnt, g_cnt_cap(out, k, p, n));
			num = (p < n ? 1 : 2) + cnt * fk;
			ok = 4 * num >= 3 * den;
			if (ok != best_ok)
				better = ok;
			else if (ok && score != best_score)
				better = score > best_score;
			else if (ok && pcnt != best_pcnt)
				better = pcnt > best_pcnt;
			else
				better = num * best_den > best_num * den;
			if (better) {
				best_ok = ok;
				best_num = num;
				best_den = den;
				best_cnt = cnt;
				best_pcnt = pcnt;
				best_score = score;
				best_parent = p < n ? p : GROOVE_SZC_PARENT_VOLUME;
			}
		}
		hub_cnt = g_hub_cnt(out, k, hub, n, hub_picked_fp);
		if (hub_cnt) {
			best_cnt = hub_cnt;
			best_parent = hub;
		}
		out[k].cnt = (uint32_t)best_cnt;
		out[k].obj_end = (1 + best_cnt * fk) << G_BLK_SHIFT;
		out[k].parent = best_parent;
		out[k].fp = fk << G_BLK_SHIFT;
		out[k].full = best_cnt == 64 ? ~0ULL : (1ULL << best_cnt) - 1;
		sbb = 1 + best_cnt * fk;
		{
			uint64_t cg = vb / (8 * sbb), c = 1;

			while (c * 2 <= cg && c < GROOVE_CGROUP_MAX)
				c *= 2;
			out[k].cg_mask = (uint32_t)(c - 1);
		}
		/* small superblocks only: a held one is out of everyone else's reach */
		out[k].tcache = best_parent != GROOVE_SZC_PARENT_VOLUME &&
				sbb * G_TCACHE_FRACTION <= vb && sbb <= G_TCACHE_MAX_BLOCKS;
	}
	return n;
}

G_API unsigned int groove_szc_table(uint64_t volume_size, struct groove_szc *tab,
				    unsigned int max)
{
	struct g_szc t[GROOVE_SZC_MAX];
	unsigned int n = g_table(volume_size, t), k;

	for (k = 0; k < n && k < max && tab; k++) {
		tab[k].obj_footprint = t[k].fp;
		tab[k].obj_max = t[k].container ? 0 : t[k].fp - GROOVE_OBJ_HDR_SIZE;
		tab[k].obj_cnt = t[k].cnt;
		tab[k].parent = t[k].parent;
		tab[k].cgroup_cnt = t[k].cg_mask + 1;
		tab[k].reserved = 0;
	}
	return n;
}

int g_szc_init(struct groove *g)
{
	uint32_t k = 0, b;

	g->szc_cnt = g_table(g->volume_size, g->szc);
	if (!g->szc_cnt)
		return GROOVE_ERR_INVAL;
	g->largest_blocks = g->szc[g->szc_cnt - 1].fp_blocks;
	if (g->szc[g->szc_cnt - 1].container)
		g->largest_blocks = g->szc[g->szc_cnt - 2].fp_blocks;
	g->sz_max_align16 = ((uint64_t)g->largest_blocks << G_BLK_SHIFT) - GROOVE_OBJ_HDR_SIZE;
	if (g->sz_max_align16 > G_SZ_LIMIT)
		g->sz_max_align16 = G_SZ_LIMIT;
	g->small_szc[0] = 0;
	for (b = 1; b <= G_SMALL_LOOKUP; b++) {
		while (k < g->szc_cnt - 1 && g->szc[k].fp_blocks < b)
			k++;
		g->small_szc[b] = (uint8_t)k;
	}
	for (k = 0, b = 0; b <= G_MID_LOOKUP; b++) {
		while (k < g->szc_cnt - 1 && g->szc[k].fp_blocks < (b << G_MID_SHIFT) + 1)
			k++;
		g->mid_szc[b] = (uint8_t)k;
	}
	return GROOVE_SUCCESS;
}
