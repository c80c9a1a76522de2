// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The volume pool: the shared empty-volume stack (common/groove_vstack.h, the
 * same push and pop the kernel runs) and the volume headers.
 */
#include <string.h>
#include "groove_internal.h"

int g_err_from_vs(int vs)
{
	switch (vs) {
	case GROOVE_VS_OK:
		return GROOVE_SUCCESS;
	case GROOVE_VS_EMPTY:
		return GROOVE_ERR_EMPTY;
	case GROOVE_VS_AGAIN:
		return GROOVE_ERR_AGAIN;
	default:
		return GROOVE_ERR_CORRUPT;
	}
}

/*
 * g_vol_acquire - take an empty volume for the data allocator.
 * Pre:  none.
 * Post: GROOVE_SUCCESS: *@idx is ours, its magic says DATA.  GROOVE_ERR_FULL:
 *       no empty volume.  GROOVE_ERR_CORRUPT: the stack is corrupt, or its
 *       top was not an empty volume (pushed back, nothing changed).
 * Concurrent: any pool or allocator operation, the kernel's ADD and REMOVE.
 */
int g_vol_acquire(struct groove *g, uint32_t *idx)
{
	struct groove_volume_hdr *vh;
	uint32_t top;
	int r;

	/*
	 * Touch the top volume's header before the pop: a first touch is a
	 * page fault, where a pending SIGKILL lands, and after the pop nothing
	 * records the volume until its root superblock's header (userlib/
	 * README.md, "Crash points").  A stale top reads another header or
	 * zeros (a removed slot): harmless.
	 */
	top = GROOVE_STACK_IDX(G_LOAD(&g->hdr->empty_stack));
	if (top < g->volume_max)
		(void)__atomic_load_n(&g_vol(g, top)->magic, __ATOMIC_RELAXED);
	r = groove_vstack_pop(&g->hdr->empty_stack, g->table, g->volume_max, idx,
			      GROOVE_VS_UNBOUNDED);
	if (r == GROOVE_VS_EMPTY)
		return GROOVE_ERR_FULL;
	if (r != GROOVE_VS_OK)
		return g_err_from_vs(r);
	vh = g_vol(g, *idx);
	if (G_LOAD_RLX(&g->table[*idx].present) != 1 ||
	    G_LOAD(&vh->magic) != GROOVE_VOLUME_MAGIC_EMPTY ||
	    G_LOAD_RLX(&vh->idx) != *idx) {
		groove_vstack_push(&g->hdr->empty_stack, g->table, g->volume_max,
				   *idx, GROOVE_VS_UNBOUNDED);
		return GROOVE_ERR_CORRUPT;
	}
	G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_DATA);
	return GROOVE_SUCCESS;
}

/*
 * g_vol_release - give an empty data volume back to the empty-volume stack.
 * Pre:  the caller owns @idx (its only superblock was released), no object
 *       in it is live.
 * Post: the volume says EMPTY and is on the stack (groove_remove_volumes()
 *       may take it from now on).
 * Concurrent: anything.
 */
int g_vol_release(struct groove *g, uint32_t idx)
{
	G_STORE(&g_vol(g, idx)->magic, GROOVE_VOLUME_MAGIC_EMPTY);
	return g_err_from_vs(groove_vstack_push(&g->hdr->empty_stack, g->table,
						g->volume_max, idx,
						GROOVE_VS_UNBOUNDED));
}

/*
 * Pre:  the region's slots are ours (file backend: claimed, space allocated);
 *       none is on the stack.
 * Post: each volume is formatted EMPTY, present, and pushed, highest index
 *       first so the lowest pops first.
 * Concurrent: every other pool and allocator operation.
 */
G_API int groove_volume_pool_add(groove_t *g, void *shmem, uint64_t footprint,
				 const void *info, uint64_t info_sz)
{
	uint64_t off, n, i;

	if (!footprint)
		return GROOVE_SUCCESS;
	if (!g || !shmem || g->is_dev)	/* the kernel owns a device's slots */
		return GROOVE_ERR_INVAL;
	if ((uint8_t *)shmem < g->vol0)
		return GROOVE_ERR_INVAL;
	off = (uint64_t)((uint8_t *)shmem - g->vol0);
	if ((off & (g->volume_size - 1)) || (footprint & (g->volume_size - 1)) ||
	    off >= g->region_size || footprint > g->region_size - off)
		return GROOVE_ERR_INVAL;
	n = footprint >> g->vshift;
	for (i = 0; i < n; i++)
		if (G_LOAD_RLX(&g->table[(off >> g->vshift) + i].present) == 1)
			return GROOVE_ERR_INVAL;	/* overlaps a volume */
	if (!info)
		info_sz = 0;
	if (info_sz > GROOVE_VOLUME_INFO_MAX)
		info_sz = GROOVE_VOLUME_INFO_MAX;

	for (i = n; i-- > 0; ) {
		uint32_t idx = (uint32_t)((off >> g->vshift) + i);
		struct groove_volume_hdr *vh = g_vol(g, idx);
		int r;

		G_STORE_RLX(&vh->magic, 0);
		vh->idx = idx;
		vh->next = 0;
		vh->info_sz = info_sz;
		memset(vh->info, 0, sizeof(vh->info));
		if (info_sz)
			memcpy(vh->info, info, info_sz);
		G_STORE(&vh->magic, GROOVE_VOLUME_MAGIC_EMPTY);
		G_STORE(&g->table[idx].present, 1);
		r = groove_vstack_push(&g->hdr->empty_stack, g->table, g->volume_max,
				       idx, GROOVE_VS_UNBOUNDED);
		if (r != GROOVE_VS_OK)
			return g_err_from_vs(r);
	}
	return GROOVE_SUCCESS;
}

/*
 * Pre:  none.
 * Post: non-NULL: the caller owns the returned volume, its magic is 0 (no
 *       longer a groove volume); its slot's present word names our join
 *       (g_present_transit(): not present for anyone else, and freed by a
 *       reclaimer if we die; the caller clears it after releasing the
 *       memory).
 * Concurrent: every other pool and allocator operation.
 */
G_API void *groove_volume_pool_remove(groove_t *g)
{
	struct groove_volume_hdr *vh;
	uint32_t idx;

	if (!g)
		return NULL;
	if (groove_vstack_pop(&g->hdr->empty_stack, g->table, g->volume_max, &idx,
			      GROOVE_VS_UNBOUNDED) != GROOVE_VS_OK)
		return NULL;
	vh = g_vol(g, idx);
	if (G_LOAD_RLX(&g->table[idx].present) != 1 ||
	    G_LOAD(&vh->magic) != GROOVE_VOLUME_MAGIC_EMPTY ||
	    G_LOAD_RLX(&vh->idx) != idx) {
		groove_vstack_push(&g->hdr->empty_stack, g->table, g->volume_max,
				   idx, GROOVE_VS_UNBOUNDED);
		return NULL;
	}
	G_STORE(&g->table[idx].present, g_present_transit(g));
	G_STORE(&vh->magic, 0);
	return vh;
}
