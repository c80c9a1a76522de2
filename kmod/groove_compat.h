/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels groove.ko builds on (6.1 and 6.12), in
 * one place, so the rest of the module reads like current kernel code.
 */
#ifndef _GROOVE_COMPAT_H
#define _GROOVE_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/version.h>

/* Largest order the buddy allocator hands out (inclusive). */
#if defined(MAX_PAGE_ORDER)
#define GROOVE_MAX_BUDDY_ORDER		MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define GROOVE_MAX_BUDDY_ORDER		MAX_ORDER
#else
#define GROOVE_MAX_BUDDY_ORDER		(MAX_ORDER - 1)
#endif

/* vm_flags became read-only behind helpers in 6.3. */
static inline void groove_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void groove_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* The lowest zone a contiguous volume may come from. */
#ifdef CONFIG_ZONE_DMA32
#define GROOVE_LOWEST_ZONE		ZONE_DMA32
#else
#define GROOVE_LOWEST_ZONE		ZONE_NORMAL
#endif

#endif /* _GROOVE_COMPAT_H */
