/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove: one shared, lock-free object store in physically contiguous
 * memory, shared by many processes.
 *
 * A groove is either the /dev/groove character device (groove.ko) or a
 * regular or hugetlbfs file with the same layout (uapi/linux/groove.h).  A
 * process opens it (this joins the shared allocator), allocates and frees
 * objects with groove_alloc()/groove_free() (groove/data.h), passes objects
 * to other processes as offsets (groove_off()/groove_ptr()), and closes it.
 *
 * Every call is thread-safe and lock-free unless its comment says otherwise.
 *
 * Errors, one convention: every call that can fail reports a GROOVE_ERR_*
 * code (negative; groove_strerror() names it): calls that return int
 * return it, calls that return a pointer return NULL and store it in their
 * `int *err` argument (which may be NULL).  errno is never the channel; it
 * is only extra detail: when the code is GROOVE_ERR_SYSTEM (and, where a
 * call's comment says so, with other codes) errno holds the system error
 * behind it.  One legacy exception: groove_open() returns NULL with errno
 * set (its documented contract since 0.1); groove_open2() reports both.
 *
 * Tags: groove_alloc() takes a 64-bit `tag` that libgroove stores in the
 * object's header and never interprets; groove_obj_info() and the rebuild
 * walk (groove_data_rebuild_ex()) hand it back.  Use it as a type code or
 * owner id, so a tool walking a groove can tell objects apart.  Root
 * objects (groove/root.h) keep the tag given at creation in their record
 * (groove_root_find() returns it); their allocator header says
 * GROOVE_ROOT_TAG.  (The "tag" of an
 * inactive-stack word in the internals is an unrelated ABA counter.)
 */
#ifndef GROOVE_GROOVE_H
#define GROOVE_GROOVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GROOVE_SUCCESS		0	/* success */
#define GROOVE_ERR_INVAL	(-1)	/* bad argument (bad pointer, double free, ...) */
#define GROOVE_ERR_AGAIN	(-2)	/* try again (contention bound ran out) */
#define GROOVE_ERR_CORRUPT	(-3)	/* shared state is corrupt */
#define GROOVE_ERR_EMPTY	(-4)	/* nothing to take */
#define GROOVE_ERR_FULL		(-5)	/* no room: add volumes */
#define GROOVE_ERR_KEY		(-6)	/* no such name (groove_root_find()) */
#define GROOVE_ERR_BUSY		(-7)	/* another user is live: exclusive use refused */
#define GROOVE_ERR_UNSUPPORTED	(-8)	/* the groove cannot do this (old module, no file locks) */
#define GROOVE_ERR_FORKED	(-9)	/* a forked child used its parent's join: groove_open() your own */
#define GROOVE_ERR_EXISTS	(-10)	/* create-only: the path (or root name's slot) exists */
#define GROOVE_ERR_SYSTEM	(-11)	/* a system call failed: errno says why */

/**
 * groove_strerror - a static, human readable name of a GROOVE_ERR_* code
 * @err: GROOVE_SUCCESS or a GROOVE_ERR_* code
 *
 * Return: a string such as "success" or "corrupt"; "unknown" for other values.
 */
const char *groove_strerror(int err);

/* An open groove: the local join of one process (not shared). */
typedef struct groove groove_t;

/**
 * struct groove_geometry - geometry of a new file-backed groove
 * @volume_size: bytes per volume, a power of two in [2 MiB, 1 GiB]
 * @volume_max:  number of volume slots, 1 .. GROOVE_VOLUME_MAX_LIMIT
 * @reserved:    zero
 */
struct groove_geometry {
	uint64_t volume_size;
	uint32_t volume_max;
	uint32_t reserved;
};

/*
 * groove_open() / groove_open2() flags.
 *
 * GROOVE_OPEN_CREATE alone: open-or-create.  An existing groove (file or
 * device) is opened as it is (the geometry is ignored: read it back with
 * groove_volume_size()/groove_volume_max()); an existing file that is not
 * a groove is refused (EBADMSG / GROOVE_ERR_CORRUPT), never truncated or
 * formatted; a missing file is created as with GROOVE_OPEN_EXCL.  In
 * libraries without groove_open2() (GROOVE_0.1) this flag truncated and
 * re-formatted an existing file.
 *
 * GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL: create-only.  Fails with EEXIST
 * (GROOVE_ERR_EXISTS) when the path exists.  Of any number of simultaneous
 * create-only calls for one path exactly one succeeds.  The groove is
 * formatted in an unnamed file (O_TMPFILE; else a hidden temporary file) in
 * the path's directory and joined, then linked to the path: nobody can
 * open a half-formatted groove, and a failed create leaves nothing behind.
 */
#define GROOVE_OPEN_CREATE	0x1u	/* create if missing (a geometry is needed) */
#define GROOVE_OPEN_EXCL	0x2u	/* with GROOVE_OPEN_CREATE: fail if it exists */

/**
 * struct groove_open_opts - how groove_open2() opens or creates a groove
 * @size:     sizeof(struct groove_open_opts) as the caller knows it (at
 *            least GROOVE_OPEN_OPTS_SIZE_V1); later versions append fields,
 *            and a library older than the caller refuses (EINVAL) a larger
 *            @size whose extra bytes are not zero
 * @flags:    0 (open an existing groove), GROOVE_OPEN_CREATE, or
 *            GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL
 * @mode:     permission bits of a file this call creates (07777 at most),
 *            applied exactly (the umask does not apply: a groove is meant to
 *            be shared); 0 means 0600.  Ignored when nothing is created.
 * @reserved: zero
 * @geometry: of a groove this call creates (with GROOVE_OPEN_CREATE)
 *
 * Initialise with GROOVE_OPEN_OPTS_INIT.
 */
struct groove_open_opts {
	uint32_t size;
	uint32_t flags;
	uint32_t mode;
	uint32_t reserved;
	struct groove_geometry geometry;
};

#define GROOVE_OPEN_OPTS_SIZE_V1	32u
#define GROOVE_OPEN_OPTS_INIT		{ .size = sizeof(struct groove_open_opts) }

/**
 * groove_open2 - open (or create) and map a groove, typed
 * @path: a groove character device (/dev/groove, /dev/grooves/NAME: any
 *        character device that answers GROOVE_IOC_INFO) or a regular or
 *        hugetlbfs file
 * @opts: how (NULL: open an existing groove, as GROOVE_OPEN_OPTS_INIT)
 * @err:  out: GROOVE_SUCCESS or the error (may be NULL)
 *
 * As groove_open() (mapping, join, fork rules), with the creation modes of
 * GROOVE_OPEN_CREATE and GROOVE_OPEN_EXCL above.  The device is never
 * created or formatted by this call (the module formats it): create-only
 * on an existing device path is GROOVE_ERR_EXISTS, open-or-create opens it.
 *
 * Return: the join, or NULL with *@err set and errno left as the system's
 * reason: GROOVE_ERR_EXISTS (EEXIST: create-only and @path exists),
 * GROOVE_ERR_INVAL (EINVAL: bad @opts, flags, mode or geometry),
 * GROOVE_ERR_CORRUPT (EBADMSG: not a groove; EISDIR for a directory is
 * GROOVE_ERR_SYSTEM), GROOVE_ERR_UNSUPPORTED (EPROTO: another ABI),
 * GROOVE_ERR_BUSY (EBUSY: held exclusively), GROOVE_ERR_FULL (ENOSPC: every
 * join entry live, or no space for the file), GROOVE_ERR_SYSTEM for any
 * other errno (ENOENT, EACCES, ENOMEM, EAGAIN when open-or-create saw the
 * file appear and vanish 64 times, ...).
 */
groove_t *groove_open2(const char *path, const struct groove_open_opts *opts, int *err);

/**
 * groove_open - open and map a groove device or file (legacy, variadic)
 * @path:  as groove_open2()
 * @flags: 0, GROOVE_OPEN_CREATE or GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
 *         with GROOVE_OPEN_CREATE a third argument
 *         `const struct groove_geometry *` follows.  A created file gets
 *         mode 0600.
 *
 * A thin wrapper of groove_open2(); prefer that one (its arguments are
 * type-checked).
 *
 * Maps the header region and the volume windows; the volume windows start
 * at an address aligned to min(volume_size, 1 GiB).  Processes may map at
 * different addresses: shared memory holds offsets only.
 *
 * Takes a join (every process using a groove holds one; two handles are
 * two joins): device, GROOVE_IOC_JOIN on the handle's file, the kernel's
 * join table mapped read-only; file, an entry of the table in the file,
 * OFD write-locked (byte join_off + 8 * idx) for as long as the handle is
 * open.  A join's liveness lets survivors take over what it holds once it
 * is dead (groove_reclaim()).  A forked child must call groove_open()
 * itself: with its parent's handle the calls that need the join fail with
 * GROOVE_ERR_FORKED.  A file join also holds an OFD read lock on one byte
 * of the hole between the header region and volume slot 0 (2 MiB - 1), so
 * groove_exclusive_acquire() (groove/rebuild.h) sees it.
 *
 * Return: the join, or NULL with errno set (ENOENT, EACCES, EEXIST for
 * create-only, EINVAL for a bad geometry or flags, EBADMSG for a file that
 * is not a groove, EPROTO for another ABI version or a module whose join
 * table is not where this library expects it, EBUSY while another join
 * holds the groove exclusively -- an offline rebuild or fsck is running
 * --, ENOSPC when every join entry is live, ENOMEM, ...).
 */
groove_t *groove_open(const char *path, unsigned int flags, ...);

/**
 * groove_close - unmap and close a groove opened by groove_open()
 * @g: the join, or NULL (no-op)
 *
 * Objects stay allocated: they belong to the groove, not to the process.
 * Not concurrent with other calls on the same @g.
 */
void groove_close(groove_t *g);

/**
 * groove_add_volumes - add @count empty volumes to the groove
 * @g:       the join
 * @count:   volumes to add, >= 1
 * @node:    NUMA node for the volume memory (device), or -1 for any
 * @info:    bytes stored in each volume header, or NULL
 * @info_sz: bytes at @info; clamped to GROOVE_VOLUME_INFO_MAX
 *
 * Device: GROOVE_IOC_ADD.  File: claims free slots, allocates their file
 * space (fallocate) and pushes them with groove_volume_pool_add().  All or
 * nothing.
 *
 * Return: @count, or a negative GROOVE_ERR_* (GROOVE_ERR_FULL when there are
 * not enough free slots or memory; errno tells the system error).
 */
int groove_add_volumes(groove_t *g, unsigned int count, int node,
		       const void *info, size_t info_sz);

/**
 * groove_remove_volumes - remove up to @count empty volumes
 * @g:     the join
 * @count: most volumes to remove, >= 1
 *
 * First returns empty superblocks and volumes of the data allocator to the
 * empty-volume stack (groove_trim(); superblocks other threads hold stay
 * theirs until groove_thread_flush() or thread exit), then pops empty
 * volumes off it: only volumes that hold no object can leave.  Device: GROOVE_IOC_REMOVE.  File:
 * pops with groove_volume_pool_remove() and punches the file space out.
 *
 * Return: number of volumes removed (0 .. @count), or a negative
 * GROOVE_ERR_*.
 */
int groove_remove_volumes(groove_t *g, unsigned int count);

/**
 * groove_volume_pool_add - format a mapped region as empty volumes and push them
 * @g:         the join (file backend; on a device the kernel owns the slots,
 *             use groove_add_volumes())
 * @shmem:     start of the region inside the volume windows, aligned to the
 *             volume size
 * @footprint: bytes, a multiple of the volume size; 0 is a no-op
 * @info:      bytes copied into every volume header, or NULL
 * @info_sz:   bytes at @info; clamped to GROOVE_VOLUME_INFO_MAX, the rest of
 *             the info field is zeroed
 *
 * Writes each volume header (magic EMPTY, idx, info_sz, info), marks its
 * slot present, and pushes the volumes in reverse order so that the lowest
 * index is popped first.  The memory must be backed (file space allocated).
 *
 * Return: GROOVE_SUCCESS, GROOVE_ERR_INVAL for a NULL @g, a region outside
 * the volume windows, misaligned, or not a multiple of the volume size;
 * GROOVE_ERR_CORRUPT if the shared stack is corrupt.
 */
int groove_volume_pool_add(groove_t *g, void *shmem, uint64_t footprint,
			   const void *info, uint64_t info_sz);

/**
 * groove_volume_pool_remove - pop one empty volume off the empty-volume stack
 * @g: the join
 *
 * Lock-free, safe across processes.  The popped volume must say EMPTY; its
 * magic is then cleared to 0 and the caller owns it (file backend: release
 * its space, clear its slot).  A volume that does not say EMPTY is pushed
 * back and NULL returned.
 *
 * Return: the volume's address in this process, or NULL when the stack is
 * empty or corrupt.
 */
void *groove_volume_pool_remove(groove_t *g);

/* Geometry of an open groove. */
uint64_t groove_volume_size(const groove_t *g);
uint32_t groove_volume_max(const groove_t *g);
/* Address of volume slot 0 in this process (offsets are relative to it). */
void *groove_volume0(const groove_t *g);
/* 1 when @g is a device, 0 for a file. */
int groove_is_device(const groove_t *g);
/* The shared header (read-only use), e.g. for tools. */
const void *groove_shared_hdr(const groove_t *g);

/**
 * groove_off - the offset of @p, valid in every process that opened the groove
 * @g: the join
 * @p: an address inside this process's volume windows, or NULL
 *
 * Return: @p - groove_volume0(@g); 0 for NULL.  Offset 0 (the first volume
 * header) never names an object, so 0 works as a null offset.
 */
static inline uint64_t groove_off(const groove_t *g, const void *p)
{
	return p ? (uint64_t)((const char *)p - (const char *)groove_volume0(g)) : 0;
}

/**
 * groove_ptr - the address of offset @off in this process
 * @g:   the join
 * @off: an offset from groove_off(), or 0
 *
 * Return: the address, or NULL for offset 0.
 */
static inline void *groove_ptr(const groove_t *g, uint64_t off)
{
	return off ? (char *)groove_volume0(g) + off : NULL;
}

#ifdef __cplusplus
}
#endif

#include <groove/data.h>
#include <groove/stats.h>
#include <groove/rebuild.h>
#include <groove/root.h>

#endif /* GROOVE_GROOVE_H */
