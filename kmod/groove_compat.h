/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels groove.ko builds on (6.1 and 6.12), in
 * one place, so the rest of the module reads like current kernel code.
 * Differences are detected by feature (kmod/Kbuild greps the kernel's
 * headers), never by version number.
 */
#ifndef _GROOVE_COMPAT_H
#define _GROOVE_COMPAT_H

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

/*
 * Largest order the buddy allocator hands out (inclusive).  MAX_ORDER
 * changed meaning twice (exclusive, inclusive, then MAX_PAGE_ORDER);
 * MAX_ORDER_NR_PAGES has always been the largest block.
 */
#define GROOVE_MAX_BUDDY_ORDER		ilog2(MAX_ORDER_NR_PAGES)

/* vm_flags became read-only behind helpers in 6.3. */
static inline void groove_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#ifdef GROOVE_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* The mm's default placement, before groove aligns it. */
static inline unsigned long
groove_mm_get_unmapped_area(struct file *file, unsigned long addr,
			    unsigned long len, unsigned long pgoff,
			    unsigned long flags)
{
#ifdef GROOVE_HAVE_MM_GET_UNMAPPED_AREA
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/* The lowest zone a contiguous volume may come from. */
#ifdef CONFIG_ZONE_DMA32
#define GROOVE_LOWEST_ZONE		ZONE_DMA32
#else
#define GROOVE_LOWEST_ZONE		ZONE_NORMAL
#endif

#endif /* _GROOVE_COMPAT_H */
