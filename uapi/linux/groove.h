/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * groove: a shared, lock-free object store in physically contiguous memory.
 *
 * This header is the whole ABI between groove.ko and user space (libgroove,
 * groovectl).  It builds in the kernel and in user space.
 *
 * File offsets of /dev/groove (and of a groove file on the file backend):
 *
 *   [0, hdr_size)                  header region (struct groove_shared_hdr at
 *                                  0, the volume table at vol_table_off, the
 *                                  allocator state at alloc_off)
 *   [join_off, + join table size)  join table (struct groove_join_entry x
 *                                  GROOVE_JOIN_MAX); join_off == hdr_size.
 *                                  On the device only the kernel writes it
 *                                  and it maps read-only.
 *   [join end, vol0_off)           hole: mapping it is refused
 *   [vol0_off + i * volume_size,   volume slot i, 0 <= i < volume_max.  A slot
 *    + volume_size)                with no volume reads as zeros (a read-only
 *                                  zero page, so a lock-free reader holding a
 *                                  stale offset reads 0 and its check or
 *                                  tagged CAS fails) and gives SIGBUS on write.
 *
 * vol0_off is a multiple of volume_size, so a mapping of the volume windows
 * can be aligned in user space to the volume size.  Every value that shared
 * memory holds is an offset or an index, never a pointer, so processes may
 * map at different addresses.
 *
 * Shared memory is untrusted by the kernel: every index it reads from the
 * header is bounds-checked against its own private slot table.
 */
#ifndef _UAPI_LINUX_GROOVE_H
#define _UAPI_LINUX_GROOVE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: absent slots read as zeros (SIGBUS only on write), GROOVE_IOC_EXCLUSIVE,
 * joins (GROOVE_IOC_JOIN, the join table before vol0_off), the allocator's
 * inactive-stack words carry a tag in every bit the block index does not
 * need.
 * 3: libgroove's size-class table (four classes per doubling to 64 KiB, a
 * + 1 block for the header, one hub class for the small classes'
 * superblocks).  The kernel side and the allocator state's layout are ABI
 * 2's; the number changes so that processes computing different tables
 * never share a groove.
 * 4: libgroove's active-slot and inactive-stack head words may be claims
 * (bit 63, the claimer's join and the superblock it moves in or out), so
 * that a process killed there strands nothing; the head's tag loses bit 63.
 * The kernel side is ABI 2's; a library that did not know claims would take
 * one for a superblock offset.
 * 5: the empty-volume stack's head may be a claim too (GROOVE_STACK_CLAIM():
 * bit 63, the claimer's join and the top volume), taken by every pop
 * (the kernel's included: a pop reads the top's link only under its claim)
 * and by libgroove's pushes, so that a process killed while it takes or
 * gives back a volume strands nothing.  The version of a clean head loses
 * bit 63.  ADD and REMOVE treat a claimed head as busy.  libgroove's full
 * superblocks carry a FULL holder word, taken by a CAS by the free that
 * makes room.
 * 6: libgroove's header check bits (objects and superblocks) are the top
 * 10 bits of one multiply of the mixed header and offset, so that every
 * single flipped bit is refused and a pair is 4% shorter.  The kernel side
 * is ABI 5's.
 * 7: libgroove's size-class table: the hub class is stretched to fill its
 * root slot, and a class of 3 to 7 objects per superblock may carry a small
 * class's superblock of 64 objects, so the classes of up to 8 KiB hold 64
 * objects per superblock with 1 GiB volumes (the 4 KiB class: 28 before).
 * The kernel side is ABI 5's.
 */
#define GROOVE_ABI_VERSION		7

/* "groove!\0" and friends, little-endian; distinct so a stray one is caught. */
#define GROOVE_SHARED_MAGIC		0x002165766f6f7267ULL
#define GROOVE_VOLUME_MAGIC_EMPTY	0x7974706d65766f67ULL	/* "govempty" */
#define GROOVE_VOLUME_MAGIC_DATA	0x617461646f766f67ULL	/* "govodata" */

/* Geometry limits. */
#define GROOVE_VOLUME_SIZE_MIN		_BITULL(21)	/* 2 MiB */
#define GROOVE_VOLUME_SIZE_MAX		_BITULL(30)	/* 1 GiB */
#define GROOVE_VOLUME_MAX_LIMIT		65536U		/* slots */

/* The stack's end marker and "no volume" index. */
#define GROOVE_VOL_NIL			0xffffffffU

/*
 * Header region layout.  The first page holds struct groove_shared_hdr; the
 * volume table starts on the second page; the allocator state follows the
 * table on a page boundary and has a fixed size; the header region ends on a
 * page boundary.
 */
#define GROOVE_PAGE_SIZE		4096ULL
#define GROOVE_VOL_TABLE_OFF		GROOVE_PAGE_SIZE
#define GROOVE_ALLOC_STATE_SIZE		(256ULL << 10)

/* Layout functions: groove_alloc_off() and friends, after the structs. */

/*
 * Joins: every process that uses a groove holds one (a forked child takes
 * its own).  On the device a join is tied to an open file: the kernel marks
 * its entry live at GROOVE_IOC_JOIN and dead when the file's last reference
 * goes (process exit, SIGKILL included), bumping the generation each time an
 * entry is taken again.  A join is live exactly while its entry reads
 * GROOVE_JOIN_WORD(generation, 1).  Nobody but the kernel can write the
 * table, so no member can fake another's liveness or death.
 */
#define GROOVE_JOIN_MAX			4096U
#define GROOVE_JOIN_LIVE		1ULL
#define GROOVE_JOIN_WORD(gen, live)	(((__u64)(gen) << 1) | ((live) ? GROOVE_JOIN_LIVE : 0))
#define GROOVE_JOIN_GEN(word)		((word) >> 1)

/**
 * struct groove_join_entry - one entry of the join table
 * @word: GROOVE_JOIN_WORD(generation, live); 0 for an entry never taken
 */
struct groove_join_entry {
	__u64 word;
};

#define GROOVE_JOIN_TABLE_SIZE \
	((__u64)GROOVE_JOIN_MAX * sizeof(struct groove_join_entry))

/*
 * Empty-volume stack head: one 64-bit CAS word, clean or claimed.
 *
 * Clean (bit 63 clear): (version << 32) | index of the top volume; index
 * GROOVE_VOL_NIL means the stack is empty.  The version (31 bits) is
 * bumped by every push and pop.
 *
 * Claimed (bit 63 set, GROOVE_STACK_CLAIM()): a claimer is popping the top
 * or has just pushed it (linked) and holds it: join index (13 bits), the
 * low 16 bits of the join's generation, the top volume's index.  Only the
 * claimer writes the head, the top's link and the top volume then; it ends
 * the claim by storing a clean word (the top's link after a pop, the top
 * itself after a push).  A pop reads the top's link only while it holds
 * the claim, so it never follows a stale link whatever the version.
 * GROOVE_STACK_CLAIMER_KERNEL names the kernel (REMOVE's pops: a few
 * instructions with preemption off).  Anyone else's claim names a join of
 * the join table: once that join is dead, libgroove's online reclaim takes
 * the claim over and finishes it.  ADD and REMOVE never wait on a user's
 * claim for long: they report -EAGAIN.
 */
#define GROOVE_STACK_CLAIMED		_BITULL(63)
#define GROOVE_STACK_VER_MASK		0x7fffffffU
#define GROOVE_STACK_IDX(word)		((__u32)((word) & 0xffffffffULL))
#define GROOVE_STACK_VER(word)		((__u32)((word) >> 32) & GROOVE_STACK_VER_MASK)
#define GROOVE_STACK_WORD(ver, idx) \
	((((__u64)(ver) & GROOVE_STACK_VER_MASK) << 32) | (__u32)(idx))
#define GROOVE_STACK_CLAIM_GEN_BITS	16
#define GROOVE_STACK_CLAIM(join, gen, idx) \
	(GROOVE_STACK_CLAIMED | ((__u64)((join) & 0x1fffU) << 48) | \
	 ((__u64)((gen) & 0xffffU) << 32) | (__u32)(idx))
#define GROOVE_STACK_CLAIM_JOIN(word)	((__u32)((word) >> 48) & 0x1fffU)
#define GROOVE_STACK_CLAIM_GEN(word)	((__u32)((word) >> 32) & 0xffffU)
#define GROOVE_STACK_CLAIMER_KERNEL	0x1ffeU

/**
 * struct groove_shared_hdr - first page of the header region
 * @magic:         GROOVE_SHARED_MAGIC once the header is formatted
 * @abi_version:   GROOVE_ABI_VERSION
 * @volume_max:    number of volume slots
 * @volume_size:   bytes per volume, a power of two in [2 MiB, 1 GiB]
 * @hdr_size:      bytes of the header region
 * @vol0_off:      file offset of volume slot 0, a multiple of @volume_size
 * @vol_table_off: file offset of the volume table (struct groove_vol_entry)
 * @alloc_off:     file offset of the allocator state (libgroove's)
 * @alloc_size:    bytes of the allocator state
 * @empty_stack:   head of the empty-volume stack, see GROOVE_STACK_WORD();
 *                 at offset 64, alone on its cache line
 * @pad1:          zero
 *
 * Written by whoever formats the groove (the kernel at load, libgroove for a
 * file); only @empty_stack changes afterwards.
 */
struct groove_shared_hdr {
	__u64 magic;
	__u32 abi_version;
	__u32 volume_max;
	__u64 volume_size;
	__u64 hdr_size;
	__u64 vol0_off;
	__u64 vol_table_off;
	__u64 alloc_off;
	__u64 alloc_size;
	__u64 empty_stack;
	__u64 pad1[7];
};

/**
 * struct groove_vol_entry - one volume slot in the header's volume table
 * @next:    empty-volume stack link: index of the next empty volume, or
 *           GROOVE_VOL_NIL.  Kept here, not in the volume, so popping never
 *           reads memory of a volume that may be unmapped concurrently.
 * @present: 1 while a volume occupies the slot, else 0.  Written by the
 *           kernel (or the file backend) after the volume is formatted and
 *           before it is pushed; advisory for user space (walkers read it to
 *           avoid touching an absent slot), ignored by the kernel.
 */
struct groove_vol_entry {
	__u32 next;
	__u32 present;
};

/*
 * Layout of a groove with @volume_max slots of @volume_size bytes.  Functions
 * rather than macros so that no argument is evaluated twice; the upper-case
 * names are kept for callers that read better with them.
 */
static inline __u64 groove_round_up(__u64 x, __u64 align)
{
	return (x + align - 1) & ~(align - 1);
}

static inline __u64 groove_alloc_off(__u32 volume_max)
{
	return groove_round_up(GROOVE_VOL_TABLE_OFF + (__u64)volume_max *
			       sizeof(struct groove_vol_entry), GROOVE_PAGE_SIZE);
}

static inline __u64 groove_hdr_size(__u32 volume_max)
{
	return groove_alloc_off(volume_max) + GROOVE_ALLOC_STATE_SIZE;
}

static inline __u64 groove_join_off(__u32 volume_max)
{
	return groove_hdr_size(volume_max);
}

static inline __u64 groove_vol0_off(__u32 volume_max, __u64 volume_size)
{
	return groove_round_up(groove_join_off(volume_max) + GROOVE_JOIN_TABLE_SIZE,
			       volume_size);
}

static inline __u64 groove_map_size(__u32 volume_max, __u64 volume_size)
{
	return groove_vol0_off(volume_max, volume_size) +
	       (__u64)volume_max * volume_size;
}

#define GROOVE_ROUND_UP(x, a)			groove_round_up((x), (a))
#define GROOVE_ALLOC_OFF(volume_max)		groove_alloc_off(volume_max)
#define GROOVE_HDR_SIZE(volume_max)		groove_hdr_size(volume_max)
#define GROOVE_JOIN_OFF(volume_max)		groove_join_off(volume_max)
#define GROOVE_VOL0_OFF(volume_max, volume_size) \
	groove_vol0_off((volume_max), (volume_size))
#define GROOVE_MAP_SIZE(volume_max, volume_size) \
	groove_map_size((volume_max), (volume_size))

#define GROOVE_VOLUME_HDR_SIZE		512U
#define GROOVE_VOLUME_INFO_MAX		(GROOVE_VOLUME_HDR_SIZE - 32U)

/**
 * struct groove_volume_hdr - first 512-byte block of every volume
 * @magic:   GROOVE_VOLUME_MAGIC_EMPTY while the volume is on the empty-volume
 *           stack, GROOVE_VOLUME_MAGIC_DATA while the data allocator uses it,
 *           0 once removed
 * @idx:     slot index of this volume
 * @next:    zero; the upstream design kept the pool link here (see
 *           struct groove_vol_entry for why groove does not)
 * @info_sz: bytes of @info that are meaningful, at most GROOVE_VOLUME_INFO_MAX
 * @info:    user information given at add time, zero padded
 *
 * Data starts at the second block of the volume.
 */
struct groove_volume_hdr {
	__u64 magic;
	__u64 idx;
	__u64 next;
	__u64 info_sz;
	__u8  info[GROOVE_VOLUME_INFO_MAX];
};

/**
 * struct groove_info - GROOVE_IOC_INFO result
 * @abi_version:     GROOVE_ABI_VERSION
 * @flags:           zero for now
 * @volume_size:     bytes per volume
 * @volume_max:      number of slots
 * @volumes_present: slots that currently hold a volume
 * @hdr_size:        bytes of the header region
 * @vol0_off:        file offset of slot 0
 * @map_size:        vol0_off + volume_max * volume_size
 * @vol_table_off:   file offset of the volume table
 * @alloc_off:       file offset of the allocator state
 * @alloc_size:      bytes of the allocator state
 * @bytes_reserved:  bytes of volume memory held by the module
 * @bytes_limit:     the most volume memory the module may hold
 * @join_off:        file offset of the join table
 * @join_max:        entries of the join table (GROOVE_JOIN_MAX)
 * @joins_live:      joins live now
 * @reserved:        zero
 */
struct groove_info {
	__u32 abi_version;
	__u32 flags;
	__u64 volume_size;
	__u32 volume_max;
	__u32 volumes_present;
	__u64 hdr_size;
	__u64 vol0_off;
	__u64 map_size;
	__u64 vol_table_off;
	__u64 alloc_off;
	__u64 alloc_size;
	__u64 bytes_reserved;
	__u64 bytes_limit;
	__u64 join_off;
	__u32 join_max;
	__u32 joins_live;
	__u64 reserved[2];
};

/**
 * struct groove_add - GROOVE_IOC_ADD argument
 * @count:    volumes to add, >= 1.  All or nothing.
 * @node:     NUMA node to allocate on, or -1 for any
 * @info_sz:  bytes at @info_ptr, at most GROOVE_VOLUME_INFO_MAX (larger is
 *            -EINVAL; libgroove clamps before calling)
 * @flags:    zero
 * @info_ptr: user address of the info bytes, or 0 when @info_sz is 0
 * @added:    out: volumes added (equal to @count on success)
 * @reserved: zero
 */
struct groove_add {
	__u32 count;
	__s32 node;
	__u32 info_sz;
	__u32 flags;
	__u64 info_ptr;
	__u32 added;
	__u32 reserved[3];
};

/**
 * struct groove_remove - GROOVE_IOC_REMOVE argument
 * @count:    most volumes to remove, >= 1
 * @flags:    zero
 * @removed:  out: volumes removed (popped from the empty-volume stack)
 * @reserved: zero
 */
struct groove_remove {
	__u32 count;
	__u32 flags;
	__u32 removed;
	__u32 reserved[3];
};

/**
 * struct groove_volume_phys - GROOVE_IOC_VOLUME_PHYS argument (CAP_SYS_ADMIN)
 * @idx:      in: slot index
 * @node:     out: NUMA node of the volume's memory
 * @phys:     out: physical address of the volume's first byte
 * @reserved: zero
 *
 * Exists so tests can prove contiguity and alignment: /proc/self/pagemap
 * reports nothing for PFNMAP mappings.  -ENOENT for an empty slot.
 */
struct groove_volume_phys {
	__u32 idx;
	__s32 node;
	__u64 phys;
	__u64 reserved[2];
};

/**
 * struct groove_exclusive - GROOVE_IOC_EXCLUSIVE argument
 * @op:         GROOVE_EXCL_ACQUIRE or GROOVE_EXCL_RELEASE
 * @others:     out, on -EBUSY from ACQUIRE: how many other open files of the
 *              device exist (every process that uses a groove holds one; a
 *              mapping keeps its file open)
 * @other_pid:  out, on -EBUSY from ACQUIRE: the process that opened one of
 *              them (its thread-group id at open time)
 * @reserved:   zero
 *
 * ACQUIRE succeeds only when the calling file is the device's one open file.
 * While it is held, every open() of the device fails with -EBUSY, so nobody
 * joins while an offline rebuild or fsck rewrites the shared state.  RELEASE,
 * or closing the file, ends it.  ACQUIRE twice on the same file is 0;
 * RELEASE without ACQUIRE is -EINVAL.
 */
struct groove_exclusive {
	__u32 op;
	__u32 others;
	__s32 other_pid;
	__u32 reserved[3];
};

/**
 * struct groove_join - GROOVE_IOC_JOIN argument
 * @idx:        out: the join's entry in the join table
 * @flags:      zero
 * @generation: out: the entry's generation while this join holds it
 * @reserved:   zero
 *
 * One join per open file: asking again on the same file returns the same
 * join.  It ends when the file's last reference goes.  -ENOSPC when all
 * GROOVE_JOIN_MAX entries are live.
 */
struct groove_join {
	__u32 idx;
	__u32 flags;
	__u64 generation;
	__u64 reserved[2];
};

/*
 * Named grooves.  /dev/groove-control (root only, and CAP_SYS_ADMIN for its
 * ioctls) creates and destroys them; each one is /dev/grooves/NAME, with the
 * same file offsets and ioctls as /dev/groove, its own geometry, limit and
 * node owner, and its attributes in /sys/class/groove/NAME/.
 */
#define GROOVE_NAME_MAX			31	/* bytes of a name, without its NUL */
#define GROOVE_NAMED_MAX		64	/* named grooves at once */

/**
 * struct groove_create - GROOVE_CTL_CREATE argument
 * @name:        1 to GROOVE_NAME_MAX characters of [a-z0-9_-], the first a
 *               letter or digit; NUL-terminated, the bytes after the NUL zero
 * @volume_size: bytes per volume: a power of two from 2 MiB to 1 GiB
 * @limit_bytes: most bytes of volume memory it may hold: at least
 *               @volume_size, at most RAM and the module's cap_bytes
 * @volume_max:  slots, at most GROOVE_VOLUME_MAX_LIMIT; 0: enough to reach
 *               @limit_bytes
 * @mode:        permission bits of its node, at most 0666; 0: 0600
 * @uid:         owner of its node (in the caller's user namespace)
 * @gid:         group of its node
 * @reserved:    zero
 *
 * -EPERM without CAP_SYS_ADMIN; -EINVAL for a bad name, mode, owner,
 * geometry or non-zero reserved bytes; -ENAMETOOLONG for a name without a
 * NUL in its first GROOVE_NAME_MAX + 1 bytes; -EEXIST for a name in use;
 * -ERANGE for @limit_bytes above the module's cap; -ENOSPC with
 * GROOVE_NAMED_MAX named grooves.
 */
struct groove_create {
	char name[GROOVE_NAME_MAX + 1];
	__u64 volume_size;
	__u64 limit_bytes;
	__u32 volume_max;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u64 reserved[4];
};

/**
 * struct groove_destroy - GROOVE_CTL_DESTROY argument
 * @name:     the groove's name, as for GROOVE_CTL_CREATE
 * @reserved: zero
 *
 * Frees every volume.  -EPERM without CAP_SYS_ADMIN; -EINVAL or
 * -ENAMETOOLONG for a bad name; -ENOENT when no groove has it; -EBUSY while
 * a file of it is open (a mapping keeps its file open).
 */
struct groove_destroy {
	char name[GROOVE_NAME_MAX + 1];
	__u64 reserved[2];
};

#define GROOVE_EXCL_ACQUIRE		1U
#define GROOVE_EXCL_RELEASE		2U

#define GROOVE_IOC_MAGIC		0xB7
#define GROOVE_IOC_INFO		_IOR(GROOVE_IOC_MAGIC, 0x00, struct groove_info)
#define GROOVE_IOC_ADD		_IOWR(GROOVE_IOC_MAGIC, 0x01, struct groove_add)
#define GROOVE_IOC_REMOVE	_IOWR(GROOVE_IOC_MAGIC, 0x02, struct groove_remove)
#define GROOVE_IOC_VOLUME_PHYS	_IOWR(GROOVE_IOC_MAGIC, 0x03, struct groove_volume_phys)
#define GROOVE_IOC_EXCLUSIVE	_IOWR(GROOVE_IOC_MAGIC, 0x04, struct groove_exclusive)
#define GROOVE_IOC_JOIN		_IOWR(GROOVE_IOC_MAGIC, 0x05, struct groove_join)
/* On /dev/groove-control only. */
#define GROOVE_CTL_CREATE	_IOW(GROOVE_IOC_MAGIC, 0x20, struct groove_create)
#define GROOVE_CTL_DESTROY	_IOW(GROOVE_IOC_MAGIC, 0x21, struct groove_destroy)

#endif /* _UAPI_LINUX_GROOVE_H */
