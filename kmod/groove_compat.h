/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels groove.ko builds on (6.1, 6.12, 7.2), in
 * one place, so the rest of the module reads like current kernel code.
 * Differences are detected by feature and by signature (kmod/Kbuild matches
 * the kernel's prototypes), never by version number.
 */
#ifndef _GROOVE_COMPAT_H
#define _GROOVE_COMPAT_H

#include <linux/device.h>
#include <linux/log2.h>
#include <linux/gfp.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#ifdef GROOVE_INSERT_PFN_T
#include <linux/pfn_t.h>
#endif
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

static inline void groove_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#ifdef GROOVE_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* Drop the entries of a range of a PFNMAP vma (renamed in 7.2). */
static inline void groove_zap_special_range(struct vm_area_struct *vma,
					    unsigned long addr,
					    unsigned long size)
{
#ifdef GROOVE_HAVE_ZAP_SPECIAL_VMA_RANGE
	zap_special_vma_range(vma, addr, size);
#else
	zap_vma_ptes(vma, addr, size);
#endif
}

/* The mm's default placement, before groove aligns it. */
static inline unsigned long
groove_mm_get_unmapped_area(struct file *file, unsigned long addr,
			    unsigned long len, unsigned long pgoff,
			    unsigned long flags)
{
#if defined(GROOVE_MM_GET_UNMAPPED_AREA_FILE)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif defined(GROOVE_MM_GET_UNMAPPED_AREA_MM)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/* alloc_contig_range() for an ordinary (non-CMA) allocation. */
static inline int groove_alloc_contig_range(unsigned long start,
					    unsigned long end, gfp_t gfp)
{
#ifdef GROOVE_CONTIG_ACR_FLAGS
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
/* Huge PFN entries took a pfn_t before pfn_t went away. */
static inline vm_fault_t groove_insert_pfn_pmd(struct vm_fault *vmf,
					       unsigned long pfn, bool write)
{
#ifdef GROOVE_INSERT_PFN_T
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn), write);
#else
	return vmf_insert_pfn_pmd(vmf, pfn, write);
#endif
}
#endif

#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
static inline vm_fault_t groove_insert_pfn_pud(struct vm_fault *vmf,
					       unsigned long pfn, bool write)
{
#ifdef GROOVE_INSERT_PFN_T
	return vmf_insert_pfn_pud(vmf, pfn_to_pfn_t(pfn), write);
#else
	return vmf_insert_pfn_pud(vmf, pfn, write);
#endif
}
#endif

/* A page whose owner can migrate it without it being on an LRU. */
static inline bool groove_page_movable_ops(struct page *page)
{
#ifdef GROOVE_HAVE_PAGE_HAS_MOVABLE_OPS
	return page_has_movable_ops(page);
#else
	return __PageMovable(page);
#endif
}

/* The lowest zone a contiguous volume may come from. */
#ifdef CONFIG_ZONE_DMA32
#define GROOVE_LOWEST_ZONE		ZONE_DMA32
#else
#define GROOVE_LOWEST_ZONE		ZONE_NORMAL
#endif

/* struct device_type's devnode() takes a const device since 6.2. */
#ifdef GROOVE_DEVNODE_CONST_DEV
#define groove_devnode_device	const struct device
#else
#define groove_devnode_device	struct device
#endif

#endif /* _GROOVE_COMPAT_H */
