// SPDX-License-Identifier: GPL-2.0 OR MIT
/* groove_usable_size(): the bytes an object owns, from its size class. */
#include "groove_internal.h"

/*
 * Pre:  none (any pointer; groove_obj_info() validates it).
 * Post: the slot's bytes from @obj on, or 0.
 * Concurrent: as groove_obj_info(); a concurrent free of @obj by someone
 *       else is the caller's race (the answer may then be stale, never out
 *       of the slot's class bounds).
 */
G_API size_t groove_usable_size(groove_t *g, const void *obj)
{
	const struct g_obj *h;
	uint64_t bits, pad, szc;

	if (!g || !obj || groove_obj_info(g, obj, NULL, NULL) != GROOVE_SUCCESS)
		return 0;
	/* The header (or its copy) sits right before the payload: obj_info checked it. */
	h = (const struct g_obj *)((const uint8_t *)obj - GROOVE_OBJ_HDR_SIZE);
	bits = G_LOAD(&h->bits);
	pad = G_F_PAD(bits);
	szc = G_F_SZC(bits);
	if (G_F_TYPE(bits) != G_T_OBJ || szc >= g->szc_cnt || pad >= g->szc[szc].fp)
		return 0;
	return (size_t)(g->szc[szc].fp - pad);
}
