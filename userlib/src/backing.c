// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Backing: a /dev/groove device (the kernel adds and removes volumes) or a
 * regular or hugetlbfs file with the same layout, where this library adds
 * volumes (claim a slot, allocate its file space, format, push) and removes
 * them (pop, punch the file space out, free the slot).
 *
 * The file backend claims a slot by a CAS of its table entry's present word
 * from 0 to g_present_transit() (its join named there); it becomes 1 once
 * formatted, and the same word names the join again from the pop that
 * removes the volume until the slot is free (the kernel never sees files,
 * and user space treats only 1 as present).  A join that dies in between
 * leaves its name there, and groove_reclaim() frees the slot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "groove_internal.h"

_Static_assert(sizeof(struct groove_open_opts) == GROOVE_OPEN_OPTS_SIZE_V1,
	       "struct groove_open_opts v1 is 32 bytes");

static int g_geometry_ok(uint64_t volume_size, uint64_t volume_max)
{
	return volume_size >= GROOVE_VOLUME_SIZE_MIN && volume_size <= GROOVE_VOLUME_SIZE_MAX &&
	       !(volume_size & (volume_size - 1)) && volume_max >= 1 &&
	       volume_max <= GROOVE_VOLUME_MAX_LIMIT;
}

static void g_format(struct groove_shared_hdr *h, uint64_t volume_size, uint32_t volume_max)
{
	struct groove_vol_entry *t = (void *)((uint8_t *)h + GROOVE_VOL_TABLE_OFF);
	uint32_t i;

	memset(h, 0, sizeof(*h));
	h->abi_version = GROOVE_ABI_VERSION;
	h->volume_max = volume_max;
	h->volume_size = volume_size;
	h->hdr_size = GROOVE_HDR_SIZE(volume_max);
	h->vol0_off = GROOVE_VOL0_OFF(volume_max, volume_size);
	h->vol_table_off = GROOVE_VOL_TABLE_OFF;
	h->alloc_off = GROOVE_ALLOC_OFF(volume_max);
	h->alloc_size = GROOVE_ALLOC_STATE_SIZE;
	h->empty_stack = GROOVE_STACK_WORD(0, GROOVE_VOL_NIL);
	for (i = 0; i < volume_max; i++) {
		t[i].next = GROOVE_VOL_NIL;
		t[i].present = 0;
	}
	/* The allocator state is zero already (fresh file): the empty state. */
	G_STORE(&h->magic, GROOVE_SHARED_MAGIC);
}

/* The header as written by the kernel or g_format(): is it one we can use? */
static int g_hdr_ok(const struct groove_shared_hdr *h)
{
	if (G_LOAD(&h->magic) != GROOVE_SHARED_MAGIC)
		return EBADMSG;
	if (h->abi_version != GROOVE_ABI_VERSION)
		return EPROTO;
	if (!g_geometry_ok(h->volume_size, h->volume_max) ||
	    h->hdr_size != GROOVE_HDR_SIZE(h->volume_max) ||
	    h->vol0_off != GROOVE_VOL0_OFF(h->volume_max, h->volume_size) ||
	    h->vol_table_off != GROOVE_VOL_TABLE_OFF ||
	    h->alloc_off != GROOVE_ALLOC_OFF(h->volume_max) ||
	    h->alloc_size < sizeof(struct g_alloc_state))
		return EBADMSG;
	return 0;
}

static size_t g_round(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

/* Map the volume windows at an address aligned to min(volume_size, 1 GiB). */
static int g_map_volumes(struct groove *g)
{
	size_t len = (size_t)g->region_size;
	size_t align = g->volume_size < (1ULL << 30) ? g->volume_size : (1ULL << 30);
	uint8_t *resv, *base;
	void *m;

	resv = mmap(NULL, len + align, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		return -1;
	base = (uint8_t *)g_round((uintptr_t)resv, align);
	m = mmap(base, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, g->fd,
		 (off_t)g->vol0_off);
	if (m == MAP_FAILED) {
		int e = errno;

		munmap(resv, len + align);
		errno = e;
		return -1;
	}
	if (base > resv)
		munmap(resv, (size_t)(base - resv));
	if (base + len < resv + len + align)
		munmap(base + len, (size_t)(resv + len + align - (base + len)));
	g->vol0 = base;
	return 0;
}

static int g_join(struct groove *g, void *hdr_map, size_t hdr_map_len)
{
	struct groove_shared_hdr *h = hdr_map;

	g->hdr_map = hdr_map;
	g->hdr_map_len = hdr_map_len;
	g->hdr = h;
	g->volume_size = h->volume_size;
	g->volume_max = h->volume_max;
	g->vshift = (uint32_t)__builtin_ctzll(h->volume_size);
	g->region_size = (uint64_t)h->volume_max * h->volume_size;
	g->stk_shift = g_stk_idx_bits(g->region_size);
	g->stk_blk_mask = (1ULL << g->stk_shift) - 1;
	g->vol0_off = h->vol0_off;
	g->table = (void *)((uint8_t *)h + h->vol_table_off);
	g->st = (void *)((uint8_t *)h + h->alloc_off);
	if (g_szc_init(g)) {
		errno = EINVAL;
		return -1;
	}
	return g_map_volumes(g);
}

static groove_t *g_open_device(struct groove *g)
{
	struct groove_info info;
	void *m;
	int e;

	if (ioctl(g->fd, GROOVE_IOC_INFO, &info) < 0)
		return NULL;
	if (info.abi_version != GROOVE_ABI_VERSION) {
		errno = EPROTO;
		return NULL;
	}
	m = mmap(NULL, (size_t)info.hdr_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	e = g_hdr_ok(m);
	if (!e && (((struct groove_shared_hdr *)m)->volume_size != info.volume_size ||
		   ((struct groove_shared_hdr *)m)->volume_max != info.volume_max))
		e = EBADMSG;
	if (e) {
		munmap(m, (size_t)info.hdr_size);
		errno = e;
		return NULL;
	}
	if (g_join(g, m, (size_t)info.hdr_size)) {
		e = errno;
		munmap(m, (size_t)info.hdr_size);
		g->hdr_map = NULL;
		errno = e;
		return NULL;
	}
	if (info.join_max != GROOVE_JOIN_MAX ||
	    info.join_off != GROOVE_JOIN_OFF(info.volume_max)) {
		errno = EPROTO;
		return NULL;	/* groove_open() unmaps */
	}
	if (g_join_begin(g, info.join_off))
		return NULL;
	return g;
}

static groove_t *g_open_file(struct groove *g, const struct stat *stt,
			     const struct groove_geometry *geo)
{
	size_t page = stt->st_blksize > 4096 ? (size_t)stt->st_blksize : 4096;
	struct groove_shared_hdr *h;
	uint64_t hdr_size, map_size;
	size_t len;
	void *m;
	int e;

	if (geo && (!g_geometry_ok(geo->volume_size, geo->volume_max) || geo->reserved)) {
		errno = EINVAL;
		return NULL;
	}
	/* Before anything is read or truncated: no join while one is exclusive. */
	e = g_file_join_lock(g->fd);
	if (e < 0)
		return NULL;
	g->file_locked = e;
	if (geo) {
		/* Only a new, empty file (g_create_excl()) is ever formatted. */
		if (stt->st_size) {
			errno = EEXIST;
			return NULL;
		}
		map_size = GROOVE_MAP_SIZE(geo->volume_max, geo->volume_size);
		if (ftruncate(g->fd, (off_t)map_size) < 0)
			return NULL;
		hdr_size = GROOVE_HDR_SIZE(geo->volume_max);
	} else {
		/* Read the geometry through a mapping (hugetlbfs has no read()). */
		if ((uint64_t)stt->st_size < sizeof(*h)) {
			errno = EBADMSG;
			return NULL;
		}
		m = mmap(NULL, page, PROT_READ, MAP_SHARED, g->fd, 0);
		if (m == MAP_FAILED)
			return NULL;
		e = g_hdr_ok(m);
		hdr_size = ((struct groove_shared_hdr *)m)->hdr_size;
		map_size = GROOVE_MAP_SIZE(((struct groove_shared_hdr *)m)->volume_max,
					   ((struct groove_shared_hdr *)m)->volume_size);
		munmap(m, page);
		if (!e && (uint64_t)stt->st_size < map_size)
			e = EBADMSG;
		if (e) {
			errno = e;
			return NULL;
		}
	}
	/* The header region and the join table after it (join.c). */
	len = g_round((size_t)(hdr_size + GROOVE_JOIN_TABLE_SIZE), page);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	h = m;
	if (geo) {
		g_format(h, geo->volume_size, geo->volume_max);
	} else if ((e = g_hdr_ok(h)) != 0 || h->hdr_size != hdr_size) {
		munmap(m, len);
		errno = e ? e : EBADMSG;
		return NULL;
	}
	if (g_join(g, m, len)) {
		e = errno;
		munmap(m, len);
		g->hdr_map = NULL;
		errno = e;
		return NULL;
	}
	if (g_join_begin(g, GROOVE_JOIN_OFF(g->volume_max)))
		return NULL;	/* groove_open() unmaps */
	return g;
}

/* Undo a handle that never reached g_register(). */
static void g_discard(struct groove *g)
{
	int e = errno;

	if (g->vol0)
		munmap(g->vol0, (size_t)g->region_size);
	if (g->hdr_map)
		munmap(g->hdr_map, g->hdr_map_len);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
	errno = e;
}

/*
 * Join the groove open on @fd (a device, or a regular file formatted with
 * @geo first when @geo is set).  On failure @g is freed and errno set.
 */
static groove_t *g_open_fd(struct groove *g, const struct groove_geometry *geo)
{
	struct stat stt;
	groove_t *r;

	if (fstat(g->fd, &stt) < 0) {
		g_discard(g);
		return NULL;
	}
	if (S_ISCHR(stt.st_mode) && !geo) {
		/* Any groove device (/dev/groove, /dev/grooves/NAME): GROOVE_IOC_INFO decides. */
		g->is_dev = 1;
		r = g_open_device(g);
		if (!r && (errno == ENOTTY || errno == EINVAL))
			errno = EBADMSG;	/* a character device that is not a groove */
	} else if (S_ISREG(stt.st_mode)) {
		r = g_open_file(g, &stt, geo);
	} else {
		r = NULL;
		errno = S_ISDIR(stt.st_mode) ? EISDIR : EBADMSG;
	}
	if (!r)
		g_discard(g);
	return r;
}

/*
 * Create-only: format a groove in a file nobody else can open, then give it
 * its name in one step that fails if the name exists.
 *
 * Pre:  @geo valid.
 * Post: success: @path names a fully formatted groove (header, volume table,
 *       zeroed allocator state and join table) that this handle has joined;
 *       no process could open @path before that.  Failure (EEXIST when
 *       @path exists, or any other errno): nothing was created, @path is
 *       untouched.
 * Concurrent: with any number of creates of the same @path (exactly one
 *       wins the link) and with openers of @path (they see ENOENT, or the
 *       finished groove).
 *
 * With O_TMPFILE (tmpfs, ext4, xfs, btrfs, hugetlbfs...) the file has no
 * name until linkat(); without it, a hidden ".NAME.XXXXXX" next to @path,
 * created with O_EXCL, formatted, link()ed to @path and unlinked: its
 * header's magic is written last, so an opener who guesses the temporary
 * name gets EBADMSG until it is complete.  The temporary file is in
 * @path's directory, so the link never crosses filesystems.
 */
static groove_t *g_create_excl(const char *path, const struct groove_geometry *geo,
			       mode_t mode)
{
	char dir[4096], tmp[4096 + 32], proc[64];
	const char *slash = strrchr(path, '/'), *base;
	struct groove *g;
	groove_t *r;
	int fd, named = 0, e;

	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		memcpy(dir, path, n);
		dir[n] = 0;
		base = slash + 1;
	} else {
		strcpy(dir, ".");
		base = path;
	}
	if (!*base) {
		errno = EISDIR;
		return NULL;
	}
	/*
	 * A shortcut, not the check: an existing name (a device, a file) is
	 * refused before anything is formatted; linkat() below decides races.
	 */
	{
		struct stat st;

		if (!lstat(path, &st)) {
			errno = EEXIST;
			return NULL;
		}
	}
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return NULL;
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= sizeof(tmp)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return NULL;
		named = 1;
	}
	/* Exactly @mode: a groove is shared on purpose, the umask does not apply. */
	if (fchmod(fd, mode) < 0) {
		e = errno;
		goto fail_fd;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		e = ENOMEM;
		goto fail_fd;
	}
	g->fd = fd;
	r = g_open_fd(g, geo);	/* formats and joins; frees g and closes fd on failure */
	if (!r) {
		e = errno;
		fd = -1;
		goto fail_fd;
	}
	/* Publish. */
	if (named) {
		e = link(tmp, path) ? errno : 0;
		unlink(tmp);
	} else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", r->fd);
		e = linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) ? errno : 0;
		if (e == ENOENT && access("/proc/self/fd", F_OK))	/* no /proc */
			e = linkat(r->fd, "", AT_FDCWD, path, AT_EMPTY_PATH) ? errno : 0;
	}
	if (e) {
		g_join_end(r);
		g_discard(r);
		errno = e;
		return NULL;
	}
	return r;
fail_fd:
	if (fd >= 0)
		close(fd);
	if (named)
		unlink(tmp);
	errno = e;
	return NULL;
}

/* Join an existing groove at @path; errno ENOENT when there is none. */
static groove_t *g_open_existing(const char *path)
{
	struct groove *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (g->fd < 0) {
		g_discard(g);
		return NULL;
	}
	return g_open_fd(g, NULL);
}

/* How many times open-or-create retries when the file keeps appearing and vanishing. */
#define G_OPEN_OR_CREATE_TRIES	64

static int g_err_of_open_errno(int e)
{
	switch (e) {
	case EEXIST:
		return GROOVE_ERR_EXISTS;
	case EINVAL:
		return GROOVE_ERR_INVAL;
	case EBADMSG:
		return GROOVE_ERR_CORRUPT;
	case EPROTO:
		return GROOVE_ERR_UNSUPPORTED;
	case EBUSY:
		return GROOVE_ERR_BUSY;
	case ENOSPC:
		return GROOVE_ERR_FULL;
	default:
		return GROOVE_ERR_SYSTEM;
	}
}

G_API groove_t *groove_open2(const char *path, const struct groove_open_opts *opts, int *err)
{
	struct groove_open_opts o;
	const struct groove_geometry *geo = NULL;
	groove_t *r = NULL;
	int e, i;

	memset(&o, 0, sizeof(o));
	if (opts) {
		size_t n = opts->size;

		if (n < GROOVE_OPEN_OPTS_SIZE_V1) {
			errno = EINVAL;
			goto out;
		}
		/* A newer caller's extra fields must be zero (unknown to us). */
		for (i = (int)sizeof(o); (size_t)i < n; i++)
			if (((const unsigned char *)opts)[i]) {
				errno = EINVAL;
				goto out;
			}
		memcpy(&o, opts, n < sizeof(o) ? n : sizeof(o));
	}
	if (!path || !*path || (o.flags & ~(GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL)) ||
	    ((o.flags & GROOVE_OPEN_EXCL) && !(o.flags & GROOVE_OPEN_CREATE)) ||
	    (o.mode & ~07777u) || o.reserved) {
		errno = EINVAL;
		goto out;
	}
	if (o.flags & GROOVE_OPEN_CREATE) {
		geo = &o.geometry;
		if (!g_geometry_ok(geo->volume_size, geo->volume_max) || geo->reserved) {
			errno = EINVAL;
			goto out;
		}
	}
	if (!geo) {
		r = g_open_existing(path);
	} else if (o.flags & GROOVE_OPEN_EXCL) {
		r = g_create_excl(path, geo, o.mode ? o.mode : 0600);
	} else {
		/* Open-or-create: never formats or truncates an existing file. */
		for (i = 0; i < G_OPEN_OR_CREATE_TRIES; i++) {
			r = g_open_existing(path);
			if (r || errno != ENOENT)
				break;
			r = g_create_excl(path, geo, o.mode ? o.mode : 0600);
			if (r || errno != EEXIST)
				break;
			/* Someone else created it meanwhile: open theirs. */
		}
		if (!r && i == G_OPEN_OR_CREATE_TRIES)
			errno = EAGAIN;
	}
	if (r) {
		g_register(r);
#ifdef G_TSAN
		if (getenv("GROOVE_TSAN_CROSS_PROCESS"))
			g_tsan_cross_process = 1;
#endif
	}
out:
	e = errno;
	if (err)
		*err = r ? GROOVE_SUCCESS : g_err_of_open_errno(e);
	errno = e;
	return r;
}

G_API groove_t *groove_open(const char *path, unsigned int flags, ...)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;

	o.flags = flags;
	if (flags & GROOVE_OPEN_CREATE) {
		const struct groove_geometry *geo;
		va_list ap;

		va_start(ap, flags);
		geo = va_arg(ap, const struct groove_geometry *);
		va_end(ap);
		if (!geo) {
			errno = EINVAL;
			return NULL;
		}
		o.geometry = *geo;
	}
	return groove_open2(path, &o, NULL);
}

G_API void groove_close(groove_t *g)
{
	if (!g)
		return;
	if (!g_join_forked(g))
		groove_flush_all_threads(g);	/* idle threads' caches back, not lost */
	g_unregister(g);
	g_join_end(g);
	if (g->vol0)
		munmap(g->vol0, (size_t)g->region_size);
	if (g->hdr_map)
		munmap(g->hdr_map, g->hdr_map_len);
	close(g->fd);
	free(g);
}

/*
 * ADD or REMOVE said -EAGAIN: the stack head stayed contended or claimed,
 * maybe by a dead join (only groove_reclaim() finishes that).  Tries again
 * after a reclaim this many times.
 */
#define G_DEV_RETRIES	3

static int g_err_from_errno(int e)
{
	switch (e) {
	case ENOMEM:
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return GROOVE_ERR_FULL;
	case EUCLEAN:
	case EBADMSG:
		return GROOVE_ERR_CORRUPT;
	case EAGAIN:
	case EINTR:
	case EBUSY:
		return GROOVE_ERR_AGAIN;
	default:
		return GROOVE_ERR_INVAL;
	}
}

/*
 * g_file_slot_free - free slot @idx of a file: its space punched out, then
 * present = 0 (so nobody claims it before its space is gone).
 * Pre:  the caller owns the slot (claimed, or its volume popped).
 */
void g_file_slot_free(struct groove *g, uint32_t idx)
{
	fallocate(g->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)(g->vol0_off + ((uint64_t)idx << g->vshift)), (off_t)g->volume_size);
	G_STORE(&g->table[idx].present, 0);
}

static void g_unclaim(struct groove *g, const uint32_t *idx, unsigned int n)
{
	while (n--)
		g_file_slot_free(g, idx[n]);
}

G_API int groove_add_volumes(groove_t *g, unsigned int count, int node,
			     const void *info, size_t info_sz)
{
	uint32_t *idx, i, n = 0;
	int err;

	if (!g || !count)
		return GROOVE_ERR_INVAL;
	if (!info)
		info_sz = 0;
	if (info_sz > GROOVE_VOLUME_INFO_MAX)
		info_sz = GROOVE_VOLUME_INFO_MAX;
	if (g->is_dev) {
		struct groove_add a;
		unsigned int tries = 0;

		for (;;) {
			memset(&a, 0, sizeof(a));
			a.count = count;
			a.node = node;
			a.info_sz = (uint32_t)info_sz;
			a.info_ptr = (uintptr_t)info;
			if (ioctl(g->fd, GROOVE_IOC_ADD, &a) == 0)
				return (int)a.added;
			/* A dead join's claim of the stack head: finish it, once more. */
			if (errno != EAGAIN || tries++ >= G_DEV_RETRIES || groove_reclaim(g) < 0)
				return g_err_from_errno(errno);
		}
	}
	if (count > g->volume_max) {
		errno = ENOSPC;
		return GROOVE_ERR_FULL;
	}
	idx = calloc(count, sizeof(*idx));
	if (!idx)
		return GROOVE_ERR_FULL;
	for (i = 0; i < g->volume_max && n < count; i++) {
		uint32_t zero = 0;

		if (G_LOAD_RLX(&g->table[i].present) == 0 &&
		    __atomic_compare_exchange_n(&g->table[i].present, &zero, g_present_transit(g),
						0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			idx[n++] = i;
	}
	if (n < count) {
		g_unclaim(g, idx, n);
		free(idx);
		errno = ENOSPC;
		return GROOVE_ERR_FULL;
	}
	for (i = 0; i < n; i++) {
		off_t off = (off_t)(g->vol0_off + ((uint64_t)idx[i] << g->vshift));

		if (fallocate(g->fd, 0, off, (off_t)g->volume_size) < 0 &&
		    errno != EOPNOTSUPP) {
			err = g_err_from_errno(errno);
			g_unclaim(g, idx, n);
			free(idx);
			return err;
		}
	}
	G_TEST_CRASH_POINT(g, G_CRASH_FILE_ADD_CLAIMED);
	/* Highest first, so the lowest index pops first. */
	for (i = n; i-- > 0; ) {
		err = groove_volume_pool_add(g, g_vol(g, idx[i]), g->volume_size, info, info_sz);
		if (err) {
			free(idx);
			return err;
		}
	}
	free(idx);
	return (int)count;
}

/* Raise the give-back epoch and answer it in this process right away. */
static void g_giveback_raise(struct groove *g)
{
	uint64_t epoch = __atomic_add_fetch(&g->st->giveback.w, 1, __ATOMIC_ACQ_REL);

	G_STORE(&g->giveback_seen, epoch);
	groove_flush_all_threads(g);
}

G_API int groove_remove_volumes(groove_t *g, unsigned int count)
{
	unsigned int n = 0, asked = 0;
	int err;

	if (!g || !count)
		return GROOVE_ERR_INVAL;
	err = groove_trim(g);
	if (err)
		return err;
	if (g->is_dev) {
		struct groove_remove rm;

		unsigned int tries = 0;

		for (;;) {
			memset(&rm, 0, sizeof(rm));
			rm.count = count - n;
			if (ioctl(g->fd, GROOVE_IOC_REMOVE, &rm) < 0) {
				/* As for groove_add_volumes(). */
				if (errno == EAGAIN && tries++ < G_DEV_RETRIES &&
				    groove_reclaim(g) >= 0)
					continue;
				return n ? (int)n : g_err_from_errno(errno);
			}
			n += rm.removed;
			if (n >= count || asked++)
				return (int)n;
			g_giveback_raise(g);	/* short: as below */
			if (groove_trim(g))
				return (int)n;
		}
	}
	for (;;) {
		struct groove_volume_hdr *vh = n < count ? groove_volume_pool_remove(g) : NULL;
		uint32_t idx;

		if (!vh) {
			/*
			 * Short: ask every process's threads to give back their
			 * caches (they answer at their next call), give back
			 * ours, trim again, once.
			 */
			if (n == count || asked++)
				break;
			g_giveback_raise(g);
			if (groove_trim(g))
				break;
			continue;
		}
		idx = (uint32_t)(((uint8_t *)vh - g->vol0) >> g->vshift);
		G_TEST_CRASH_POINT(g, G_CRASH_FILE_REMOVE_POPPED);
		g_file_slot_free(g, idx);
		n++;
	}
	return (int)n;
}

G_API uint64_t groove_volume_size(const groove_t *g)
{
	return g ? g->volume_size : 0;
}

G_API uint32_t groove_volume_max(const groove_t *g)
{
	return g ? g->volume_max : 0;
}

G_API void *groove_volume0(const groove_t *g)
{
	return g ? g->vol0 : NULL;
}

G_API int groove_is_device(const groove_t *g)
{
	return g ? g->is_dev : 0;
}

G_API const void *groove_shared_hdr(const groove_t *g)
{
	return g ? g->hdr : NULL;
}
