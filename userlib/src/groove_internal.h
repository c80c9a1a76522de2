/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove internals: the shared allocator state layout, the object and
 * superblock header encoding, the local join, and the small inline helpers
 * every layer uses.  Layers, top to bottom (one file each):
 *
 *   obj.c          groove_alloc / groove_free: the fast path
 *   superblock.c   superblocks: carve, release, inactive stacks, trim
 *   sizeclass.c    the size-class table derived from volume_size
 *   volume_pool.c  the empty-volume stack (common/groove_vstack.h)
 *   backing.c      /dev/groove or a file: open, map, add/remove volumes
 *   verify.c       verify and statistics walks
 *   rebuild.c      offline crash recovery
 *   exclusive.c    exclusive use for rebuild/fsck: join locks, device claim
 *   join.c         joins (liveness) and online reclaim of a dead join's holdings
 *
 * Shared memory holds offsets relative to volume slot 0, never pointers.
 */
#ifndef GROOVE_INTERNAL_H
#define GROOVE_INTERNAL_H

#include <sched.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <linux/groove.h>
#include "groove_vstack.h"
#include <groove/groove.h>

#define G_API __attribute__((visibility("default")))

#define G_BLK		512ULL
#define G_BLK_SHIFT	9
#define G_LARGEST_BLOCKS 20481ULL	/* 10 MiB payload + one header block */
#define G_STACK_SPINS	128	/* pauses on a claimed stack head before yielding */
#define G_FULL_RETRIES	64	/* looks again before "full" while a class's superblocks move */
#define G_CACHELINE	64

#define G_LIKELY(x)	__builtin_expect(!!(x), 1)
#define G_UNLIKELY(x)	__builtin_expect(!!(x), 0)

#define G_LOAD(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define G_LOAD_RLX(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define G_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define G_STORE_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define G_XCHG(p, v)	__atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define G_OR(p, v)	__atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
#define G_AND(p, v)	__atomic_fetch_and((p), (v), __ATOMIC_ACQ_REL)

#if defined(__x86_64__) || defined(__i386__)
#define G_PAUSE()	__builtin_ia32_pause()
#else
#define G_PAUSE()	__atomic_signal_fence(__ATOMIC_SEQ_CST)
#endif

/*
 * ThreadSanitizer sees happens-before only through this process's own
 * atomics.  Memory that another process freed, released and carved again
 * reaches a thread here through words this process never released (a free
 * here, a release to the parent there, a carve here): real ordering that
 * TSan cannot see.  TSan builds declare it when GROOVE_TSAN_CROSS_PROCESS=1
 * is set at open (multi-process tests): every free releases, and so does
 * every step that makes memory this thread wrote reachable by others (a
 * superblock into a slot or onto a stack, a bit set: a flush writes
 * superblock headers and frees nothing); every alloc, free and object
 * lookup acquires; one process-wide sync object.
 * Single-process runs stay exact.  An object that leaves this process by
 * the caller's own channel, not by a free here, is a free as far as this
 * process's TSan can tell, but the library never sees it go: the caller
 * says G_TSAN_FREED() when it hands it over (tests/torture_test.c).
 */
#if defined(__SANITIZE_THREAD__)
#define G_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define G_TSAN 1
#endif
#endif
#ifdef G_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char g_tsan_handover;
extern int g_tsan_cross_process;	/* GROOVE_TSAN_CROSS_PROCESS=1 at open */
#define G_TSAN_FREED()		do { if (g_tsan_cross_process) __tsan_release(&g_tsan_handover); } while (0)
#define G_TSAN_ALLOCATED()	do { if (g_tsan_cross_process) __tsan_acquire(&g_tsan_handover); } while (0)
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define G_TSAN_IGNORE_READS_BEGIN()	AnnotateIgnoreReadsBegin(__FILE__, __LINE__)
#define G_TSAN_IGNORE_READS_END()	AnnotateIgnoreReadsEnd(__FILE__, __LINE__)
#else
#define G_TSAN_FREED()		do { } while (0)
#define G_TSAN_ALLOCATED()	do { } while (0)
#define G_TSAN_IGNORE_READS_BEGIN()	do { } while (0)
#define G_TSAN_IGNORE_READS_END()	do { } while (0)
#endif

/*
 * A validated optimistic load: a word of a superblock that the caller does
 * not hold, so a concurrent release may have handed (or may hand) its bytes
 * to a user object, read by a walker that checks the value before it acts
 * on it (the reclaim walk, the inactive pop's link).  Only making every
 * release wait for walkers could order such a load before the user's plain
 * stores to the same bytes: a benign race by design.  TSan skips this one
 * access (its acquire still synchronizes); everything else stays checked.
 */
static inline uint64_t g_load_stale(const uint64_t *p)
{
	uint64_t v;

	G_TSAN_IGNORE_READS_BEGIN();
	v = G_LOAD(p);
	G_TSAN_IGNORE_READS_END();
	return v;
}

static inline int g_cas(uint64_t *p, uint64_t old, uint64_t new_word)
{
	return __atomic_compare_exchange_n(p, &old, new_word, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/*
 * Sequentially consistent, for the two sides of a full superblock's
 * hand-over (superblock.c, "full"): a free's OR then its read of the
 * holder word, a drop's CAS of the holder word then its read of the
 * bitmap.  Of two such pairs at least one sees the other's write.
 */
static inline int g_cas_sc(uint64_t *p, uint64_t old, uint64_t new_word)
{
	return __atomic_compare_exchange_n(p, &old, new_word, 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * Waiting out another thread's claim of a stack head (an inactive stack's,
 * the empty-volume stack's): G_STACK_SPINS pauses (g_claim_spin()), then,
 * after each look at whether the claimer died, a yield, then 50 us sleeps
 * (g_claim_sleep()), so that a preempted claimer of lower priority runs.
 */
static inline int g_claim_spin(unsigned int *spins)
{
	if (++*spins < G_STACK_SPINS) {
		G_PAUSE();
		return 1;
	}
	return 0;
}

static inline void g_claim_sleep(unsigned int spins)
{
	if (spins < 2 * G_STACK_SPINS)
		sched_yield();
	else
		nanosleep(&(struct timespec){ .tv_nsec = 50000 }, NULL);
}

/*
 * Shared allocator state at groove_shared_hdr.alloc_off.  All zero is the
 * empty state (the formatter zeroes it): no active superblock, empty
 * inactive stacks.  Each hot word has its own cache line.
 *
 * active[szc][cg]: 0 (empty), the offset of the active superblock
 *                  (linked: holder 0), or a claimed word (g_claim():
 *                  G_CLAIMED, the claimer's join index and low
 *                  generation bits, the superblock's block index): the
 *                  claimer is moving that superblock out of (g_slot_take())
 *                  or into (g_slot_put()) the slot, and holds it; its holder
 *                  word is 0 or the claimer's.  Only the claimer writes a
 *                  claimed slot, or, once its join is dead, the reclaimer
 *                  whose CAS empties it (join.c).
 * inactive[szc]:   stack head: clean, (tag << stk_shift) | block index of
 *                  the top superblock (0: empty), or a claim (g_claim():
 *                  the claimer is popping the top or has just pushed it,
 *                  and holds it; only the claimer writes the head then, or
 *                  a reclaimer once its join is dead).  The block index
 *                  takes stk_shift = ceil(log2(region_size / 512)) bits, 12
 *                  (one 2 MiB volume) to 37 (65536 x 1 GiB = 2^46 bytes);
 *                  the tag every bit above but bit 63, bumped by every push
 *                  and pop.  A pop reads the top's link only while it holds
 *                  the claim, so the tag no longer guards a stale link; it
 *                  still makes a stale word differ.  Every process derives
 *                  stk_shift from the header's geometry, which never
 *                  changes, so all agree.  Decode only with g_stk_*().
 */
struct g_word {
	uint64_t w;
	uint64_t pad[G_CACHELINE / 8 - 1];
};

struct g_alloc_state {
	struct g_word active[GROOVE_SZC_MAX][GROOVE_CGROUP_MAX];
	struct g_word inactive[GROOVE_SZC_MAX];
	struct g_word giveback;	/* give-back epoch (tcache.c): raised to ask every thread cache back */
};

_Static_assert(sizeof(struct g_alloc_state) <= GROOVE_ALLOC_STATE_SIZE,
	       "allocator state must fit GROOVE_ALLOC_STATE_SIZE");

/* Bits of a block index of a region of @region_size bytes (>= 1 volume). */
static inline uint32_t g_stk_idx_bits(uint64_t region_size)
{
	uint64_t blocks = region_size >> G_BLK_SHIFT;

	return blocks > 1 ? 64 - (uint32_t)__builtin_clzll(blocks - 1) : 1;
}

#define G_STK_IDX_BITS_MAX	37	/* GROOVE_VOLUME_MAX_LIMIT x GROOVE_VOLUME_SIZE_MAX */

/*
 * Header word ("bits"), the first 8 bytes of every object's first block and
 * of every superblock:
 *
 *   [0,2)   type: G_T_OBJ, G_T_SB, G_T_FREED (0: none)
 *   [2,8)   size class
 *   [8,14)  index in its superblock (a superblock: index in its parent)
 *   [14,18) log2 of the alignment asked (objects)
 *   [18,27) pad / 16: payload offset from the object start (objects)
 *   [27,54) size asked (objects)
 *   [54,64) check (g_check()): hash of the other bits and the offset, so a
 *           stray, stale or interior "header" is refused
 *
 * An object's header is its first 16 bytes when its payload starts at +16;
 * with a larger alignment the payload starts at +pad and a copy of the header
 * sits right before it (free finds it there and checks pad leads back to a
 * 512-aligned object start).
 */
#define G_T_NONE	0ULL
#define G_T_OBJ		1ULL
#define G_T_SB		2ULL
#define G_T_FREED	3ULL

#define G_F_TYPE(b)	((b) & 3ULL)
#define G_F_SZC(b)	(((b) >> 2) & 63ULL)
#define G_F_IDX(b)	(((b) >> 8) & 63ULL)
#define G_F_ALOG(b)	(((b) >> 14) & 15ULL)
#define G_F_PAD(b)	((((b) >> 18) & 511ULL) << 4)
#define G_F_SZ(b)	(((b) >> 27) & ((1ULL << 27) - 1))
#define G_F_CHECK(b)	((b) >> 54)
#define G_SZ_LIMIT	((1ULL << 27) - 1)

/*
 * The check bits (ABI 6): the top 10 bits of (the 54 other bits, mixed with
 * the block index) times an odd constant.  A flipped bit i adds or takes
 * 2^i times the constant, which moves the top 10 bits unless bits
 * 54-i..63-i of the constant are all 0 or all 1: none of its windows for
 * i < 54 is (unit_test), so every single flipped bit is refused; a stray
 * word or a header at another offset passes once in about 1024.  One
 * multiply after the mix (ABI 5 mixed twice more in a row: 4% of an
 * alloc+free pair).
 */
#define G_CHECK_MIX	0x9e3779b97f4a7c15ULL
#define G_CHECK_MUL	0xbf58476d1ce4e5b9ULL

static inline uint64_t g_check(uint64_t low, uint64_t off)
{
	uint64_t h = (low & ((1ULL << 54) - 1)) ^ ((off >> G_BLK_SHIFT) * G_CHECK_MIX);

	return (h * G_CHECK_MUL) >> 54;
}

static inline uint64_t g_bits(uint64_t type, uint64_t szc, uint64_t idx,
			      uint64_t alog, uint64_t pad, uint64_t sz,
			      uint64_t off)
{
	uint64_t low = type | (szc << 2) | (idx << 8) | (alog << 14) |
		       ((pad >> 4) << 18) | (sz << 27);

	return low | (g_check(low, off) << 54);
}

/* The header word is intact for the object/superblock at offset @off. */
static inline int g_bits_ok(uint64_t bits, uint64_t off)
{
	return G_F_CHECK(bits) == g_check(bits, off);
}

/*
 * Superblock header: the first block of a superblock.  @holder: the join
 * whose thread cache holds it, G_HOLDER(idx, gen), or 0 (not held); the
 * state table is in superblock.c.
 */
struct g_sb {
	uint64_t bits;	/* G_T_SB, szc, index in the parent object's superblock */
	uint64_t free;	/* bit i set: object i is free */
	uint64_t next;	/* inactive stack link: block index, 0 ends */
	uint64_t holder;
};

/*
 * A holder word: join table index (13 bits, < GROOVE_JOIN_MAX for a real
 * join) and the join's generation (the low 51 bits).  Never 0 for a real
 * join (generations start at 1).  G_HOLDER_ANON: a join whose liveness
 * nobody can check (a filesystem without OFD locks, a module without
 * GROOVE_IOC_JOIN): its index is out of bounds, so nobody ever takes its
 * superblocks over.
 */
#define G_HOLDER_IDX_BITS	13
#define G_HOLDER(idx, gen)	(((uint64_t)(gen) << G_HOLDER_IDX_BITS) | (idx))
#define G_HOLDER_IDX(h)		((uint32_t)((h) & ((1ULL << G_HOLDER_IDX_BITS) - 1)))
#define G_HOLDER_GEN(h)		((h) >> G_HOLDER_IDX_BITS)
#define G_HOLDER_GEN_MASK	((1ULL << (64 - G_HOLDER_IDX_BITS)) - 1)
#define G_HOLDER_ANON		((1ULL << G_HOLDER_IDX_BITS) - 1)
/*
 * The holder word of a full superblock that nobody holds: no free object,
 * in no slot and no stack.  The free whose OR makes room takes it by a CAS
 * from this value (superblock.c, "full").  Its index is out of bounds too,
 * so no reclaimer takes it for a dead join's.
 */
#define G_HOLDER_FULL		(G_HOLDER_ANON - 1)

/* Holder word @h says a thread (a live or dead join) holds the superblock. */
static inline int g_holder_holds(uint64_t h)
{
	return h && h != G_HOLDER_FULL;
}

/*
 * A claimed link word (an active slot or an inactive-stack head, struct
 * g_alloc_state): bit 63, the claimer's join index (13 bits,
 * G_HOLDER_IDX_BITS), the low 13 bits of its generation, the superblock's
 * block index (37 bits, G_STK_IDX_BITS_MAX).  A linked slot word is an
 * offset below 2^46 and a clean head word keeps bit 63 clear, so bit 63
 * tells them apart.
 */
#define G_CLAIMED		(1ULL << 63)
#define G_CLAIM_BLK_BITS	G_STK_IDX_BITS_MAX
#define G_CLAIM_BLK_MASK	((1ULL << G_CLAIM_BLK_BITS) - 1)
#define G_CLAIM_GEN_BITS	13
#define G_CLAIM_IDX_SHIFT	(G_CLAIM_BLK_BITS + G_CLAIM_GEN_BITS)

/* The word by which the join of holder word @holder claims @sb_off. */
static inline uint64_t g_claim(uint64_t holder, uint64_t sb_off)
{
	return G_CLAIMED |
	       ((uint64_t)G_HOLDER_IDX(holder) << G_CLAIM_IDX_SHIFT) |
	       ((G_HOLDER_GEN(holder) & ((1ULL << G_CLAIM_GEN_BITS) - 1)) << G_CLAIM_BLK_BITS) |
	       (sb_off >> G_BLK_SHIFT);
}

static inline uint64_t g_claim_off(uint64_t w)
{
	return (w & G_CLAIM_BLK_MASK) << G_BLK_SHIFT;
}

static inline uint32_t g_claim_idx(uint64_t w)
{
	return (uint32_t)((w >> G_CLAIM_IDX_SHIFT) & ((1ULL << G_HOLDER_IDX_BITS) - 1));
}

static inline uint64_t g_claim_gen(uint64_t w)
{
	return (w >> G_CLAIM_BLK_BITS) & ((1ULL << G_CLAIM_GEN_BITS) - 1);
}

_Static_assert(GROOVE_JOIN_MAX < (1U << G_HOLDER_IDX_BITS) - 2,
	       "join index must fit the holder word, below G_HOLDER_FULL");

/* Object header. */
struct g_obj {
	uint64_t bits;
	uint64_t tag;
};

/* Size class, private (derived from volume_size in every process). */
struct g_szc {
	uint64_t fp;		/* object footprint, bytes */
	uint64_t full;		/* free bitmap of an empty superblock */
	uint32_t cnt;		/* objects per superblock */
	uint32_t parent;	/* GROOVE_SZC_PARENT_VOLUME or a larger class */
	uint32_t cg_mask;	/* active slots - 1 */
	uint32_t fp_blocks;
	uint32_t tcache;	/* threads hold superblocks of this class */
	uint32_t container;	/* holds superblocks only, never a user object */
	uint64_t obj_end;	/* G_BLK + cnt * fp: past a superblock's last object */
};

#define G_SMALL_LOOKUP	64
/*
 * Larger sizes: the class of the first block count of each run of 16; the
 * classes past 64 blocks are at least 16 blocks apart, so one step at most.
 */
#define G_MID_SHIFT	4
#define G_MID_LOOKUP	((G_LARGEST_BLOCKS - 1) >> G_MID_SHIFT)

/* The local join. */
struct groove {
	uint8_t *vol0;			/* volume slot 0 in this process */
	struct groove_shared_hdr *hdr;
	struct groove_vol_entry *table;
	struct g_alloc_state *st;
	uint64_t volume_size;
	uint64_t region_size;		/* volume_max * volume_size */
	uint32_t vshift;		/* log2 volume_size */
	uint32_t volume_max;
	uint32_t szc_cnt;
	uint32_t largest_blocks;
	uint64_t sz_max_align16;	/* largest size groove_alloc() takes at alignment <= 16 */
	uint32_t stk_shift;		/* g_stk_idx_bits(region_size) */
	uint64_t stk_blk_mask;		/* (1 << stk_shift) - 1 */
	uint8_t small_szc[G_SMALL_LOOKUP + 1];	/* blocks -> class */
	uint8_t mid_szc[G_MID_LOOKUP + 1];	/* (blocks - 1) / 16 -> class */
	struct g_szc szc[GROOVE_SZC_MAX];

	/* thread cache registry (tcache.c) */
	uint64_t gen;
	struct groove *reg_next;
	uint32_t tc_bound;		/* thread caches bound to this join (g_reg_lock) */
	struct g_tcache *tc_list;	/* thread caches bound to this join (g_reg_lock) */
	uint64_t giveback_seen;		/* last give-back epoch this process answered */

	/* join (join.c) */
	uint64_t holder;		/* G_HOLDER(join_idx, join_gen), or G_HOLDER_ANON */
	uint32_t join_idx;		/* GROOVE_JOIN_MAX: no join */
	uint64_t join_gen;
	int join_pid;			/* the process that joined: a forked child may not use it */
	struct groove_join_entry *join_tab;	/* the join table (device: read-only) */
	void *join_map;			/* device: its own mapping of the table */

	/* exclusive use (exclusive.c) */
	int excl;			/* this join holds the groove exclusively */
	int file_locked;		/* file: holds the join lock at G_FILE_LOCK_OFF */

	/* backing */
	int fd;
	int is_dev;
	void *hdr_map;
	size_t hdr_map_len;
	uint64_t vol0_off;
};

/*
 * The one decoder of an inactive-stack word (and of a superblock's next
 * link, which holds a bare block index): block index, tag, and the word of
 * a tag and index.  A tag that outgrows its field (below bit 63, the claim
 * flag) wraps, it never spills into the index or the flag.  A claimed head
 * (g_claim()) keeps its block index in the same low bits.
 */
static inline uint64_t g_stk_blk(const struct groove *g, uint64_t word)
{
	return word & g->stk_blk_mask;
}

static inline uint64_t g_stk_tag(const struct groove *g, uint64_t word)
{
	return word >> g->stk_shift;
}

static inline uint64_t g_stk_word(const struct groove *g, uint64_t tag, uint64_t blk)
{
	return ((tag << g->stk_shift) & ~G_CLAIMED) | (blk & g->stk_blk_mask);
}

static inline struct g_sb *g_sb_at(const struct groove *g, uint64_t off)
{
	return (struct g_sb *)(g->vol0 + off);
}

static inline struct groove_volume_hdr *g_vol(const struct groove *g, uint32_t idx)
{
	return (struct groove_volume_hdr *)(g->vol0 + ((uint64_t)idx << g->vshift));
}

/* Size class of an object needing @blocks blocks (1..largest_blocks). */
static inline uint32_t g_szc_of(const struct groove *g, uint64_t blocks)
{
	uint32_t k;

	if (G_LIKELY(blocks <= G_SMALL_LOOKUP))
		return g->small_szc[blocks];
	k = g->mid_szc[(blocks - 1) >> G_MID_SHIFT];
	while (k < g->szc_cnt - 1 && g->szc[k].fp_blocks < blocks)
		k++;
	return k;
}

/*
 * A superblock offset read from shared memory is usable: in the region,
 * block aligned, past its volume's header, in a present volume.  Reading
 * an absent slot of a device would fault, so this is checked first.
 */
static inline int g_sb_off_ok(const struct groove *g, uint64_t off)
{
	if (off >= g->region_size || (off & (G_BLK - 1)) ||
	    (off & (g->volume_size - 1)) < G_BLK)
		return 0;
	return G_LOAD_RLX(&g->table[off >> g->vshift].present) == 1;
}

/* The header word @bits is that of a superblock of class @szc at @sb_off. */
static inline int g_sb_hdr_is(uint64_t bits, uint32_t szc, uint64_t sb_off)
{
	return bits == g_bits(G_T_SB, szc, G_F_IDX(bits), 0, 0, 0, sb_off);
}

/*
 * The one test that the header @bits at @obj_off, object @i of a superblock
 * of class @szc, is a child superblock that the allocator wrote there
 * (walkers: rebuild, reclaim).
 */
static inline int g_child_sb_ok(const struct groove *g, uint64_t obj_off, uint64_t bits,
				uint32_t szc, uint32_t i)
{
	uint32_t child = (uint32_t)G_F_SZC(bits);

	return G_F_TYPE(bits) == G_T_SB && g_bits_ok(bits, obj_off) &&
	       G_F_IDX(bits) == i && child < g->szc_cnt &&
	       g->szc[child].parent == szc &&
	       G_BLK + (uint64_t)g->szc[child].cnt * g->szc[child].fp <= g->szc[szc].fp;
}

/* The root superblock header @bits at @root of a data volume is one the allocator wrote. */
static inline int g_root_sb_ok(const struct groove *g, uint64_t root, uint64_t bits)
{
	uint32_t szc = (uint32_t)G_F_SZC(bits);

	return G_F_TYPE(bits) == G_T_SB && g_bits_ok(bits, root) && !G_F_IDX(bits) &&
	       szc < g->szc_cnt && g->szc[szc].parent == GROOVE_SZC_PARENT_VOLUME &&
	       G_BLK + (uint64_t)g->szc[szc].cnt * g->szc[szc].fp <= g->volume_size - G_BLK;
}

/*
 * Per-thread cache of held superblocks, for one join (tcache.c).  mask[szc]:
 * objects of held[szc] this thread claimed from the superblock's bitmap in
 * one AND (their bits are clear there, their headers say FREED) and hands
 * out or takes back without atomics.  prev[szc]/pmask[szc]: the superblock
 * held before held[szc] ran out, still held (its last bit set), so frees of
 * its objects stay private too; the two swap when held[szc] runs out again
 * (a batch larger than one superblock then needs no atomic in the steady
 * state).
 *
 * stash[szc], classes without thread caches (c->tcache == 0, whose held[],
 * mask[] and prev[] stay 0): one object this thread freed and kept for its
 * next allocation of the class (g_stash_word(): offset | index, 0: none).
 * It is claimed, as an object in a mask is (g_bits_is_claimed() header,
 * this join's holder word in its tag word, bit clear), in a superblock
 * nobody holds: a reclaimer takes it back if the join dies (join.c,
 * g_obj_take_back()).  It shares pmask[]'s memory (those classes have no
 * prev[]), so the TLS block does not grow.
 */
struct g_tcache {
	struct groove *g;
	uint64_t gen;
	uint64_t held[GROOVE_SZC_MAX];	/* superblock offset per class, 0: none */
	uint64_t mask[GROOVE_SZC_MAX];	/* free objects claimed from held[] */
	uint64_t prev[GROOVE_SZC_MAX];	/* the previous held superblock, 0: none */
	union {
		uint64_t pmask[GROOVE_SZC_MAX];	/* free objects claimed from prev[] */
		uint64_t stash[GROOVE_SZC_MAX];	/* classes without thread caches */
	};
	uint16_t hsig[GROOVE_SZC_MAX];	/* g_sb_sig() of held[]'s header */
	uint16_t psig[GROOVE_SZC_MAX];	/* g_sb_sig() of prev[]'s header */
	uint32_t last_szc;		/* class of the last allocation: free's first guess */
	/* Not cleared by a flush (tcache.c: the drain handshake). */
	uint32_t busy;			/* owner: 1 inside an allocator call */
	uint32_t drain;			/* G_TC_*: a drain asked or done by another thread */
	struct g_tcache *bound_next;	/* g->tc_list link (g_reg_lock) */
};

#define G_TC_NONE	0U
#define G_TC_REQ	1U	/* a drainer asks; the owner answers at its next entry */
#define G_TC_DRAINING	2U	/* the drainer owns the cache (the owner was idle) */
#define G_TC_DONE	3U	/* drained: the owner resets it to NONE at its next entry */

/*
 * A superblock header word in 16 bits (index in the parent and check; type
 * and class are implied), so a free checks a held superblock's header by
 * one compare instead of recomputing the check.
 */
static inline uint16_t g_sb_sig(uint64_t sbits)
{
	return (uint16_t)(G_F_IDX(sbits) | (G_F_CHECK(sbits) << 6));
}

static inline uint64_t g_sb_bits_of_sig(uint64_t szc, uint16_t sig)
{
	return G_T_SB | (szc << 2) | ((uint64_t)(sig & 63) << 8) | ((uint64_t)(sig >> 6) << 54);
}

#define G_TLS_MODEL __attribute__((tls_model("initial-exec")))
extern __thread struct g_tcache g_tc G_TLS_MODEL;

struct g_tcache *g_tc_switch(struct groove *g);
void g_tc_answer(struct groove *g);
unsigned int g_tc_stash_give_back(struct groove *g);

/*
 * The owner's side of the drain handshake (tcache.c), around every public
 * call that touches this thread's cache: a plain store each way (the
 * drainer's membarrier() makes the entry store and the drain load ordered).
 */
static inline void g_tc_enter(void)
{
	__atomic_store_n(&g_tc.busy, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void g_tc_leave(void)
{
	__atomic_store_n(&g_tc.busy, 0, __ATOMIC_RELEASE);
}

/* A drain of this thread's cache or a give-back epoch is waiting. */
static inline int g_tc_asked(const struct groove *g)
{
	return G_LOAD_RLX(&g_tc.drain) ||
	       G_LOAD_RLX(&g->st->giveback.w) != G_LOAD_RLX(&g->giveback_seen);
}
void g_register(struct groove *g);
void g_unregister(struct groove *g);

/*
 * This thread's cache is bound to @g.  Generations are unique among the
 * joins of a process and never 0 (an unbound cache has 0), so equal
 * generations mean the same join: one compare instead of two.
 */
static inline int g_tc_bound_to(const struct groove *g)
{
	return g_tc.gen == g->gen;
}

/* A stash word (struct g_tcache): a block-aligned object offset and its index. */
static inline uint64_t g_stash_word(uint64_t obj_off, uint64_t idx)
{
	return obj_off | idx;
}

static inline uint64_t g_stash_off(uint64_t w)
{
	return w & ~(G_BLK - 1);
}

static inline uint32_t g_stash_idx(uint64_t w)
{
	return (uint32_t)(w & (G_BLK - 1));
}

/* Take @tc's stashed object of class @szc (a class without thread caches): 0 if none. */
static inline int g_stash_take(struct g_tcache *tc, uint32_t szc, uint64_t *obj_off,
			       uint32_t *idx)
{
	uint64_t w = tc->stash[szc];

	if (!w)
		return 0;
	tc->stash[szc] = 0;
	*obj_off = g_stash_off(w);
	*idx = g_stash_idx(w);
	return 1;
}

/* This thread's cache for @g. */
static inline struct g_tcache *g_tc_get(struct groove *g)
{
	if (G_LIKELY(g_tc_bound_to(g)))
		return &g_tc;
	return g_tc_switch(g);
}

/*
 * The header of a free object that a thread cache claimed (its bit is
 * clear, it sits in the holder's mask): an object header with type G_T_NONE
 * and a check that is right for G_T_OBJ.  A free into the holder's own mask
 * writes the object's header with its type cleared, a claim from the
 * bitmap writes this one.  Distinct from a free in flight elsewhere (type
 * G_T_FREED, its bit about to be set by the freer) and from a released
 * superblock (all zero): only a claimed object may be merged back by
 * someone other than the freer (online reclaim, join.c).  Decode only with
 * g_bits_is_claimed().
 */
static inline uint64_t g_bits_claimed(uint64_t szc, uint64_t idx, uint64_t obj_off)
{
	return g_bits(G_T_OBJ, szc, idx, 0, 16, 0, obj_off) & ~3ULL;
}

static inline int g_bits_is_claimed(uint64_t bits, uint64_t szc, uint64_t idx, uint64_t obj_off)
{
	return G_F_TYPE(bits) == G_T_NONE && G_F_PAD(bits) >= GROOVE_OBJ_HDR_SIZE &&
	       G_F_SZC(bits) == szc && G_F_IDX(bits) == idx &&
	       g_bits_ok(bits | G_T_OBJ, obj_off);
}

/*
 * A free in flight (superblock.c, "freeing"): the first-block header of
 * object @idx of class @szc at @obj_off, with its bit clear, reads @b0 and
 * says the object's free has begun but its bit is not set yet.  Either @b0
 * is FREED (the header CAS of a free, or a release's header store, is done;
 * the OR is not), or the object is aligned (payload past +16) and @inner,
 * the header right before its payload, already says FREED (the CAS is
 * done; the first block's store is not).  The freer's holder word is then
 * in the first block's tag word: the freer wrote it before its CAS.  A
 * taker writes a claimed header before it clears a bit, so no other clear
 * bit looks like this.  @inner: the word at @obj_off + G_F_PAD(@b0) - 16,
 * read only when the first test fails (0 otherwise).
 */
static inline uint64_t g_bits_freed(uint64_t szc, uint64_t idx, uint64_t obj_off)
{
	return (g_bits(G_T_OBJ, szc, idx, 0, GROOVE_OBJ_HDR_SIZE, 0, obj_off) & ~3ULL) | G_T_FREED;
}

static inline int g_bits_is_freeing(uint64_t b0, uint64_t inner, uint64_t szc, uint64_t idx,
				    uint64_t obj_off)
{
	if (G_F_SZC(b0) != szc || G_F_IDX(b0) != idx || G_F_PAD(b0) < GROOVE_OBJ_HDR_SIZE ||
	    !g_bits_ok((b0 & ~3ULL) | G_T_OBJ, obj_off))
		return 0;
	if (G_F_TYPE(b0) == G_T_FREED)
		return 1;
	return G_F_TYPE(b0) == G_T_OBJ && G_F_PAD(b0) > GROOVE_OBJ_HDR_SIZE &&
	       inner == ((b0 & ~3ULL) | G_T_FREED);
}

/*
 * File backend: the byte every join read-locks (OFD lock) and an exclusive
 * claim write-locks: the last byte before the smallest possible vol0_off,
 * so always in the hole between the header region (at most 772 KiB) and
 * volume slot 0 (at 2 MiB or later), never data.
 */
#define G_FILE_LOCK_OFF	(GROOVE_VOLUME_SIZE_MIN - 1)

/*
 * File backend: a slot in transit, claimed by a join that is adding a
 * volume there or has popped the volume to remove it, holds
 * G_PRESENT_TRANSIT | the low 18 bits of the join's generation << 13 | its
 * index in its table entry's present word (the kernel never sees files;
 * everyone else treats only 1 as present).  A reclaimer that finds that
 * join dead frees the slot: its space is punched out, present = 0
 * (join.c).  An anonymous join's index never names a join: never freed.
 */
#define G_PRESENT_TRANSIT	0x80000000U
#define G_PRESENT_GEN_BITS	18

static inline uint32_t g_present_transit(const struct groove *g)
{
	return G_PRESENT_TRANSIT |
	       (uint32_t)(G_HOLDER_GEN(g->holder) & ((1U << G_PRESENT_GEN_BITS) - 1)) << 13 |
	       G_HOLDER_IDX(g->holder);
}

/* backing.c */
void g_file_slot_free(struct groove *g, uint32_t idx);

/* exclusive.c */
int g_file_join_lock(int fd);

/* join.c */
int g_join_begin(struct groove *g, uint64_t join_off);
void g_join_end(struct groove *g);
int g_join_live(const struct groove *g, uint32_t idx, uint64_t gen);
int g_join_live_low(const struct groove *g, uint32_t idx, uint64_t gen_low, uint32_t bits);
int g_join_forked(const struct groove *g);

/* tcache.c */
uint32_t g_tc_bound_others(struct groove *g);

/* sizeclass.c */
int g_szc_init(struct groove *g);

/* volume_pool.c */
int g_vol_acquire(struct groove *g, uint32_t szc, uint64_t *root_off);
void g_vol_release(struct groove *g, uint64_t root_off);
int g_vstack_unstick(struct groove *g, uint64_t w);

/* The empty-volume stack's head is a claim of volume @idx. */
static inline int g_vstack_names(const struct groove *g, uint32_t idx)
{
	uint64_t w = G_LOAD(&g->hdr->empty_stack);

	return (w & GROOVE_STACK_CLAIMED) && GROOVE_STACK_IDX(w) == idx;
}

/*
 * Test hook (builds with -DGROOVE_TEST_HOOKS only; tests/hook_test.c, and
 * kernel selftests that link such a libgroove): called by g_inactive_pop()
 * on the popping thread between its two loads, after the head load (top
 * superblock @sb_off of class @szc, found present) and before the load of
 * @sb_off's next link.  A hook that pops the superblock itself must clear
 * the pointer first (the pop inside calls it again otherwise).
 */
#ifdef GROOVE_TEST_HOOKS
typedef void (*groove_test_pop_hook_fn)(struct groove *g, uint32_t szc, uint64_t sb_off);
extern groove_test_pop_hook_fn groove_test_inactive_pop_hook;
#define G_TEST_POP_HOOK(g, szc, off)						\
	do {									\
		groove_test_pop_hook_fn hook_ = G_LOAD(&groove_test_inactive_pop_hook); \
		if (hook_)							\
			hook_((g), (szc), (off));				\
	} while (0)
/*
 * Called by the reclaim walk (join.c, g_rc_walk()) on the walking thread
 * when it enters superblock @sb_off of class @szc, whose header its parent
 * checked, before it reads any word of it.
 */
typedef void (*groove_test_walk_hook_fn)(struct groove *g, uint32_t szc, uint64_t sb_off);
extern groove_test_walk_hook_fn groove_test_reclaim_walk_hook;
#define G_TEST_WALK_HOOK(g, szc, off)						\
	do {									\
		groove_test_walk_hook_fn hook_ = G_LOAD(&groove_test_reclaim_walk_hook); \
		if (hook_)							\
			hook_((g), (szc), (off));				\
	} while (0)
/*
 * Called at the named points of an alloc, a free or a release (G_CRASH_*),
 * on the thread doing it: crash tests SIGKILL the process there.
 */
typedef void (*groove_test_crash_hook_fn)(struct groove *g, int point);
extern groove_test_crash_hook_fn groove_test_crash_hook;
#define G_TEST_CRASH_POINT(g, point)						\
	do {									\
		groove_test_crash_hook_fn hook_ = G_LOAD(&groove_test_crash_hook); \
		if (hook_)							\
			hook_((g), (point));					\
	} while (0)
#else
#define G_TEST_POP_HOOK(g, szc, off)	do { } while (0)
#define G_TEST_WALK_HOOK(g, szc, off)	do { } while (0)
#define G_TEST_CRASH_POINT(g, point)	do { } while (0)
#endif

/* The points of G_TEST_CRASH_POINT(). */
#define G_CRASH_FREE_BEFORE_OR		1	/* free: header CAS done, bit not set */
#define G_CRASH_FREE_ALIGNED_INNER	2	/* aligned free: inner CAS done, first block not */
#define G_CRASH_RELEASE_BEFORE_OR	3	/* release: header FREED, parent's bit not set */
#define G_CRASH_ALLOC_BEFORE_INIT	4	/* alloc: object claimed, header not OBJ yet */
#define G_CRASH_SB_ACQUIRED		5	/* a superblock taken (slot, stack or new), not used yet */
#define G_CRASH_LAST_OBJECT_FULL	6	/* last-object AND left it full, holder not dropped */
#define G_CRASH_SHARED_AFTER_AND	7	/* shared-class alloc: object taken, superblock not back */
#define G_CRASH_RETURN_CANDIDATE	8	/* a free's popped candidate, not empty, not pushed back */
#define G_CRASH_TRIM_KEPT		9	/* groove_trim(): a superblock on its private list */
#define G_CRASH_FILE_ADD_CLAIMED	10	/* file add: slots claimed, space allocated, not formatted */
#define G_CRASH_FILE_REMOVE_POPPED	11	/* file remove: volume popped, space not punched out */
#define G_CRASH_SLOT_TAKE_CLAIMED	12	/* slot take: slot claimed, holder not stored */
#define G_CRASH_SLOT_TAKE_STAMPED	13	/* slot take: holder stored, slot still claimed */
#define G_CRASH_SLOT_PUT_CLAIMED	14	/* slot put: slot claimed, holder not cleared */
#define G_CRASH_SLOT_PUT_CLEARED	15	/* slot put: holder cleared, slot still claimed */
#define G_CRASH_POP_CLAIMED		16	/* pop: head claimed, holder not stored */
#define G_CRASH_POP_STAMPED		17	/* pop: holder stored, head still claimed */
#define G_CRASH_PUSH_CLAIMED		18	/* push: head claims it, holder not cleared */
#define G_CRASH_PUSH_CLEARED		19	/* push: holder cleared, head still claimed */
#define G_CRASH_VOL_POP_CLAIMED		20	/* volume acquire: empty-volume head claimed, nothing written */
#define G_CRASH_VOL_POP_WRITTEN		21	/* volume acquire: root superblock written, head still claimed */
#define G_CRASH_VOL_PUSH_CLAIMED	22	/* volume release: head claims it, root header not cleared */
#define G_CRASH_VOL_PUSH_CLEARED	23	/* volume release: magic EMPTY, head still claimed */
#define G_CRASH_FILE_ADD_PUSH_CLAIMED	24	/* file add: head claims the volume, present not 1 */
#define G_CRASH_FILE_REMOVE_CLAIMED	25	/* file remove: slot in transit, head still claimed */
#define G_CRASH_FREE_FULL_OR		26	/* free: its OR made a full superblock non-full, not taken */
#define G_CRASH_FREE_STASH_FREED	27	/* free into the stash: header CAS done, not claimed yet */
#define G_CRASH_FREE_STASHED		28	/* free into the stash: header claimed, in the stash */

/* superblock.c */
int g_inactive_push(struct groove *g, uint32_t szc, uint64_t sb_off);
int g_inactive_pop(struct groove *g, uint32_t szc, uint64_t *sb_off);
int g_sb_new(struct groove *g, uint32_t szc, uint64_t *sb_off);
int g_sb_release(struct groove *g, uint32_t szc, uint64_t sb_off);
int g_obj_return(struct groove *g, uint32_t szc, uint64_t sb_off, uint32_t idx);
int g_obj_take(struct groove *g, uint32_t szc, uint64_t *obj_off, uint32_t *idx);
void g_sb_circulate(struct groove *g, uint32_t szc, uint64_t sb_off);
int g_sb_settle(struct groove *g, uint32_t szc, uint64_t sb_off);
int g_sb_claim_full(struct groove *g, uint32_t szc, uint64_t sb_off, int *err);
void g_sb_drop_full(struct groove *g, uint32_t szc, uint64_t sb_off);
void g_tc_give_back(struct groove *g, uint32_t szc, uint64_t sb_off, uint64_t mask);
void g_stash_give_back(struct groove *g, uint32_t szc, uint64_t w);
int g_claim_names(const struct groove *g, uint32_t szc, uint64_t sb_off);
int g_stack_unstick(struct groove *g, uint32_t szc, uint64_t w);

/* obj.c */
unsigned int g_hint(void);

#endif /* GROOVE_INTERNAL_H */
