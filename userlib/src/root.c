// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Root objects (groove/root.h): a directory of GROOVE_ROOT_MAX 64-bit
 * words in the last page of the shared allocator state, each 0 (free) or
 * the offset (groove_off()) of an allocator object that starts with a
 * struct g_root_rec.  An entry goes from 0 to an offset once, by CAS, and
 * never changes again, so every process probing a name (open addressing,
 * linear, from the name's hash) walks the same sequence of entries and the
 * first free one of it is where all creators of that name meet: one CAS
 * wins, the others read the winner's object there.
 *
 * The layout is fixed by this file, not by struct g_alloc_state (which
 * must stay below it): it is shared by every libgroove that opens the
 * groove.  The allocator state is zero at format (file: fresh file;
 * device: vzalloc), so the directory starts empty.
 */
#include <string.h>
#include "groove_internal.h"

#define G_ROOT_DIR_OFF	(GROOVE_ALLOC_STATE_SIZE - GROOVE_PAGE_SIZE)
#define G_ROOT_MAGIC	0x6365726f6f72766fULL	/* "ovrooreC" */
#define G_ROOT_REC	128u

_Static_assert(sizeof(struct g_alloc_state) <= G_ROOT_DIR_OFF,
	       "the root directory is the allocator state's last page");
_Static_assert(GROOVE_ROOT_MAX * 8 <= GROOVE_PAGE_SIZE, "the root directory fits a page");

/* The record before the caller's bytes; written before the object is published. */
struct g_root_rec {
	uint64_t magic;
	uint64_t size;		/* the caller's bytes */
	uint64_t tag;
	uint64_t name_len;
	char name[GROOVE_ROOT_NAME_MAX + 1];	/* NUL padded */
	uint64_t reserved[4];
};

_Static_assert(sizeof(struct g_root_rec) == G_ROOT_REC, "root record is 128 bytes");
_Static_assert(G_ROOT_REC % GROOVE_ROOT_ALIGN == 0, "the caller's bytes stay aligned");

static uint64_t *g_root_dir(const struct groove *g)
{
	return (uint64_t *)((uint8_t *)g->st + G_ROOT_DIR_OFF);
}

static uint32_t g_root_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ULL;
	return (uint32_t)(h % GROOVE_ROOT_MAX);
}

/* @name's length, or 0 when it is not a valid name. */
static size_t g_root_name_len(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strnlen(name, GROOVE_ROOT_NAME_MAX + 1);
	return n > GROOVE_ROOT_NAME_MAX ? 0 : n;
}

/*
 * Is directory word @v a root object named @name?  Pre: none (@v comes from
 * shared memory: anything).  Everything read is bounds-checked first:
 * groove_obj_info() accepts only a live object inside the volume windows,
 * whose size bounds the record and the caller's bytes.
 */
static void *g_root_match(groove_t *g, uint64_t v, const char *name, size_t len,
			  size_t *sz, uint64_t *tag)
{
	struct g_root_rec rec;
	size_t osz;
	uint64_t otag;
	uint8_t *p;

	if (!v || v >= g->region_size)
		return NULL;
	p = g->vol0 + v;
	if (groove_obj_info(g, p, &osz, &otag) != GROOVE_SUCCESS ||
	    otag != GROOVE_ROOT_TAG || osz < G_ROOT_REC)
		return NULL;
	memcpy(&rec, p, sizeof(rec));	/* one copy: checks and use see the same bytes */
	if (rec.magic != G_ROOT_MAGIC || rec.size > osz - G_ROOT_REC || rec.name_len != len ||
	    memcmp(rec.name, name, len) || rec.name[len])
		return NULL;
	if (sz)
		*sz = (size_t)rec.size;
	if (tag)
		*tag = rec.tag;
	return p + G_ROOT_REC;
}

/*
 * Pre:  none.
 * Post: the object published for @name when this call started or later, or
 *       NULL: none was published in @name's probe sequence up to its first
 *       free entry.
 * Concurrent: with creates (acquire loads pair with the creator's CAS).
 */
G_API void *groove_root_find(groove_t *g, const char *name, size_t *sz, uint64_t *tag, int *err)
{
	size_t len = g_root_name_len(name);
	uint32_t h, i;
	uint64_t *dir;

	if (!g || !len) {
		if (err)
			*err = GROOVE_ERR_INVAL;
		return NULL;
	}
	dir = g_root_dir(g);
	h = g_root_hash(name, len);
	for (i = 0; i < GROOVE_ROOT_MAX; i++) {
		uint64_t v = G_LOAD(&dir[(h + i) % GROOVE_ROOT_MAX]);
		void *p;

		if (!v)
			break;
		p = g_root_match(g, v, name, len, sz, tag);
		if (p) {
			if (err)
				*err = GROOVE_SUCCESS;
			return p;
		}
	}
	if (err)
		*err = GROOVE_ERR_KEY;
	return NULL;
}

/*
 * Pre:  none.
 * Post: success: the one object published for @name (by this call, then
 *       *created = 1, or by another); this call's own object, if it made
 *       one and lost, is freed.  Failure: nothing published by this call.
 * Concurrent: with finds and creates of any name in any process; lock-free
 *       (each entry is CASed at most once per caller, GROOVE_ROOT_MAX bound).
 */
G_API void *groove_root_find_or_create(groove_t *g, const char *name, size_t sz, uint64_t tag,
				       groove_root_init_fn init, void *arg, int *created,
				       int *err)
{
	size_t len = g_root_name_len(name);
	uint8_t *mine = NULL;
	uint64_t mine_off = 0, *dir;
	uint32_t h, i;
	void *p = NULL;
	int e = GROOVE_ERR_FULL;

	if (created)
		*created = 0;
	if (!g || !len || sz > SIZE_MAX - G_ROOT_REC) {
		e = GROOVE_ERR_INVAL;
		goto out;
	}
	dir = g_root_dir(g);
	h = g_root_hash(name, len);
	for (i = 0; i < GROOVE_ROOT_MAX; i++) {
		uint64_t *slot = &dir[(h + i) % GROOVE_ROOT_MAX];
		uint64_t v = G_LOAD(slot);

		if (!v) {
			if (!mine) {
				struct g_root_rec *rec;

				mine = groove_alloc(g, GROOVE_ROOT_ALIGN, G_ROOT_REC + sz,
						    GROOVE_ROOT_TAG, &e);
				if (!mine)
					goto out;
				memset(mine, 0, G_ROOT_REC + sz);
				rec = (struct g_root_rec *)mine;
				rec->magic = G_ROOT_MAGIC;
				rec->size = sz;
				rec->tag = tag;
				rec->name_len = len;
				memcpy(rec->name, name, len);
				if (init && (e = init(mine + G_ROOT_REC, sz, arg)) != 0)
					goto out;	/* frees mine */
				mine_off = groove_off(g, mine);
			}
			/* Publish: release pairs with the finders' acquire loads. */
			if (__atomic_compare_exchange_n(slot, &v, mine_off, 0, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				p = mine + G_ROOT_REC;
				mine = NULL;
				if (created)
					*created = 1;
				e = GROOVE_SUCCESS;
				goto out;
			}
			/* Lost: @v is the winner's word. */
		}
		p = g_root_match(g, v, name, len, NULL, NULL);
		if (p) {
			e = GROOVE_SUCCESS;
			goto out;
		}
	}
	e = GROOVE_ERR_FULL;	/* every entry of the directory is taken */
out:
	if (mine)
		groove_free(g, mine);
	if (err)
		*err = e;
	return e ? NULL : p;
}
