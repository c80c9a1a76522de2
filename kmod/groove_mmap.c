// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: mmap of /dev/groove and the fault path.
 *
 * A mapping covers part of the header window or part of the volume windows
 * (see uapi/linux/groove.h).  It is VM_PFNMAP: nothing is mapped at mmap
 * time, pages arrive by fault, so a volume added later shows up in every
 * existing mapping.  All files share one address_space, so removing a
 * volume unmaps it from every process with one unmap_mapping_range().
 *
 * A slot with no volume reads as zeros and gives SIGBUS on write.  Lock-free
 * readers in user space load a link, are preempted, and load what it named;
 * by then the volume may be gone.  Such a reader must see something it can
 * reject (a zero tag, a zero magic) rather than die.  A read fault in an
 * absent slot therefore maps the module's own zero page read-only, one
 * 4 KiB entry (huge faults fall back).  A write fault there, or a write to
 * such an entry through the write-protect path (pfn_mkwrite), is SIGBUS,
 * so the zero page stays zero.  ADD unmaps these entries before anyone can
 * learn of the new volume (groove_ioctl.c).
 *
 * Having pfn_mkwrite makes the core write-protect the vma's default
 * protection (writenotify), so volume pages are inserted with the vma's
 * full protection explicitly: a first read of a page followed by a write
 * costs one fault, as before.
 *
 * Entry sizes: a fault maps the whole aligned 2 MiB chunk of 4 KiB entries
 * around it (at most 512 faults per GiB), and on kernels with huge PFNMAP
 * support (6.12+) huge_fault maps a PMD or, for a 1 GiB-aligned 1 GiB
 * volume, a PUD.  get_unmapped_area aligns addresses so both line up.
 *
 * These are PFNMAP mappings without struct page references, so they cannot
 * be pinned: get_user_pages() fails on them, and with it O_DIRECT into them,
 * RDMA memory registration and io_uring fixed buffers.  That is the price of
 * mapping volumes that a removal must be able to take away at any time.
 */
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/srcu.h>
#include <linux/vmalloc.h>

#include "groove_internal.h"
#include "groove_compat.h"

/* Is [start, start + len) inside the join table? */
static bool groove_in_join_table(struct groove_dev *g, u64 start, u64 len)
{
	return start >= g->join_off &&
	       start + len <= g->join_off + GROOVE_JOIN_TABLE_SIZE;
}

/*
 * groove_check_vma - the one rule every groove mapping obeys, checked at
 * mmap and again at every fault: shared, and wholly inside the header
 * window, wholly inside the join table and read-only, or wholly inside the
 * volume windows.  (A read-only file cannot map writable: the core refuses
 * PROT_WRITE with MAP_SHARED and clears VM_MAYWRITE for it.)
 */
static int groove_check_vma(struct groove_dev *g, struct vm_area_struct *vma,
			    const char *func)
{
	u64 start = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct device *dev = g->dev;

	/* VM_MAYSHARE: the core drops VM_SHARED for read-only files. */
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		dev_info_ratelimited(dev, "%s: %s: fail, MAP_PRIVATE mapping (flags %#lx)\n",
				     current->comm, func,
				     (unsigned long)vma->vm_flags);
		return -EINVAL;
	}
	if (start >> PAGE_SHIFT != vma->vm_pgoff || start + len < start)
		goto out_of_window;
	if (start + len <= g->hdr_size)
		return 0;
	if (groove_in_join_table(g, start, len)) {
		if (!(vma->vm_flags & VM_WRITE))
			return 0;
		dev_info_ratelimited(dev, "%s: %s: fail, the join table maps read-only\n",
				     current->comm, func);
		return -EACCES;
	}
	if (start >= g->vol0_off && start + len <= g->map_size)
		return 0;
out_of_window:
	dev_info_ratelimited(dev, "%s: %s: fail, range %#llx+%#llx outside header [0, %#llx), join table [%#llx, %#llx) and volumes [%#llx, %#llx)\n",
			     current->comm, func, start, len, g->hdr_size,
			     g->join_off, g->join_off + GROOVE_JOIN_TABLE_SIZE,
			     g->vol0_off, g->map_size);
	return -EINVAL;
}

/* Slot index of a file offset inside the volume windows. */
static u32 groove_off_to_slot(struct groove_dev *g, u64 off)
{
	return (off - g->vol0_off) >> g->volume_shift;
}

/* Page frame backing a file offset of a present volume. */
static unsigned long groove_vol_off_to_pfn(struct groove_dev *g,
					   struct groove_volume *vol, u64 off)
{
	return vol->pfn + (((off - g->vol0_off) & (g->volume_size - 1)) >>
			   PAGE_SHIFT);
}

/*
 * Protection of volume and header entries: everything the vma allows, write
 * included (vma->vm_page_prot lacks write under writenotify, see above).
 */
static pgprot_t groove_volume_prot(struct vm_area_struct *vma)
{
	return vm_get_page_prot(vma->vm_flags);
}

/*
 * Protection of read-only entries (zero page, join table): the vma's, less
 * write, but readable.  A PROT_WRITE-only vma has no VM_READ although x86
 * reads through it; without VM_READ its entries would be PROT_NONE ones,
 * which a kernel without NUMA balancing takes for present and never
 * resolves: the reader would fault forever (seen on 6.12-rt).
 */
static pgprot_t groove_readonly_prot(struct vm_area_struct *vma)
{
	return vm_get_page_prot((vma->vm_flags & ~VM_WRITE) | VM_READ);
}

/*
 * An absent slot: a read maps the zero page read-only; a write is SIGBUS.
 */
static vm_fault_t groove_insert_zero(struct groove_dev *g, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vmf->flags & FAULT_FLAG_WRITE)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK, g->zero_pfn,
				   groove_readonly_prot(vma));
}

/*
 * Map the aligned 2 MiB chunk of 4 KiB entries around the fault, clamped to
 * the vma and to the volume: a PFNMAP vma gets no huge entries on older
 * kernels (and none here when the vma is not aligned), so this keeps a
 * first touch of a GiB at no more than 512 faults.  The faulting page goes
 * first; its result is the fault's result.
 */
static vm_fault_t groove_insert_chunk(struct groove_dev *g, struct vm_fault *vmf,
				      struct groove_volume *vol, u64 off)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long fault = vmf->address & PAGE_MASK;
	u64 in_vol = (off - g->vol0_off) & (g->volume_size - 1);
	pgprot_t prot = groove_volume_prot(vma);
	unsigned long start, end, addr;
	vm_fault_t ret;

	ret = vmf_insert_pfn_prot(vma, fault, groove_vol_off_to_pfn(g, vol, off),
				  prot);
	if (ret & VM_FAULT_ERROR)
		return ret;

	start = max3(fault & PMD_MASK, vma->vm_start, fault - (unsigned long)in_vol);
	end = min3((fault & PMD_MASK) + PMD_SIZE, vma->vm_end,
		   fault + (unsigned long)(g->volume_size - in_vol));
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		if (addr == fault)
			continue;
		if (vmf_insert_pfn_prot(vma, addr,
					groove_vol_off_to_pfn(g, vol, off + addr - fault),
					prot) & VM_FAULT_ERROR)
			break;
	}
	return ret;
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
/*
 * Can one entry of @size map the aligned range around the fault?  The range
 * must lie inside the vma, and its file offset must be @size aligned, which
 * (vol0_off and every volume being aligned to volume_size >= @size) also
 * makes the page frame @size aligned and keeps the range in one volume.
 */
static bool groove_huge_fits(struct groove_dev *g, struct vm_fault *vmf,
			     u64 off, unsigned long size)
{
	unsigned long addr = vmf->address & ~(size - 1);
	u64 start_off = off - (vmf->address - addr);

	return size <= g->volume_size && addr >= vmf->vma->vm_start &&
	       addr + size <= vmf->vma->vm_end && !(start_off & (size - 1));
}

/* One PMD or PUD entry for the aligned range around the fault, or FALLBACK. */
static vm_fault_t groove_insert_huge(struct groove_dev *g, struct vm_fault *vmf,
				     struct groove_volume *vol, u64 off,
				     unsigned int order)
{
	unsigned long size = PAGE_SIZE << order;
	/* Writable from the first fault when the vma is (see the top). */
	bool write = vmf->vma->vm_flags & VM_WRITE;
	unsigned long pfn;

	if (!groove_huge_fits(g, vmf, off, size))
		return VM_FAULT_FALLBACK;
	pfn = groove_vol_off_to_pfn(g, vol, off & ~((u64)size - 1));
	if (order == PMD_ORDER)
		return groove_insert_pfn_pmd(vmf, pfn, write);
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
	if (order == PUD_ORDER)
		return groove_insert_pfn_pud(vmf, pfn, write);
#endif
	return VM_FAULT_FALLBACK;
}
#else
static vm_fault_t groove_insert_huge(struct groove_dev *g, struct vm_fault *vmf,
				     struct groove_volume *vol, u64 off,
				     unsigned int order)
{
	return VM_FAULT_FALLBACK;
}
#endif

/*
 * groove_fault_volume - map the volume window around the fault with one
 * entry of @order (0: the 4 KiB fault-around chunk).  The slot is read
 * under SRCU: a removal unpublishes the slot, waits for this read side,
 * then unmaps, so nothing inserted here survives the removal, and a fault
 * after the unpublish finds no volume (zero page or SIGBUS).  An ADD
 * publishes, waits for this read side, then unmaps, so no zero-page entry
 * inserted here survives the ADD either.
 */
static vm_fault_t groove_fault_volume(struct groove_dev *g, struct vm_fault *vmf,
				      u64 off, unsigned int order)
{
	struct groove_volume *vol;
	vm_fault_t ret;
	int id;

	id = srcu_read_lock(&g->srcu);
	vol = srcu_dereference(g->slots[groove_off_to_slot(g, off)].vol,
			       &g->srcu);
	if (!vol)
		ret = order ? VM_FAULT_FALLBACK : groove_insert_zero(g, vmf);
	else if (order)
		ret = groove_insert_huge(g, vmf, vol, off, order);
	else
		ret = groove_insert_chunk(g, vmf, vol, off);
	srcu_read_unlock(&g->srcu, id);
	return ret;
}

/*
 * groove_handle_fault - every fault on a groove mapping, of any entry size:
 * validate, translate the file offset to a page frame, insert.
 */
static vm_fault_t groove_handle_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct groove_dev *g = groove_from_file(vma->vm_file);
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret;

	if (groove_check_vma(g, vma, __func__))
		return VM_FAULT_SIGBUS;
	if (off < g->hdr_size)
		ret = order ? VM_FAULT_FALLBACK :
		      vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
					  vmalloc_to_pfn(g->hdr + off),
					  groove_volume_prot(vma));
	else if (groove_in_join_table(g, off, PAGE_SIZE))
		ret = order ? VM_FAULT_FALLBACK :
		      vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
					  groove_join_pfn(g, off - g->join_off),
					  groove_readonly_prot(vma));
	else if (off >= g->vol0_off && off < g->map_size)
		ret = groove_fault_volume(g, vmf, off, order);
	else
		ret = VM_FAULT_SIGBUS;
	if (!(ret & (VM_FAULT_ERROR | VM_FAULT_FALLBACK)))
		this_cpu_inc(*g->faults);
	return ret;
}

static vm_fault_t groove_fault(struct vm_fault *vmf)
{
	return groove_handle_fault(vmf, 0);
}

/*
 * A write to a read-only entry of a writable mapping.  Entries are inserted
 * writable, so this is a zero-page entry of an absent slot (SIGBUS: the
 * zero page must stay zero) or an entry that mprotect() made read-only and
 * back (let the core make it writable).
 */
static vm_fault_t groove_pfn_mkwrite(struct vm_fault *vmf)
{
	struct groove_dev *g = groove_from_file(vmf->vma->vm_file);

	if (pte_pfn(vmf->orig_pte) == g->zero_pfn)
		return VM_FAULT_SIGBUS;
	return 0;
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
/* Kernels with huge PFNMAP support pass the entry order (PMD or PUD). */
static vm_fault_t groove_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	return groove_handle_fault(vmf, order);
}
#endif

#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
/*
 * groove_may_split - before the core splits @vma at @addr (partial munmap,
 * mprotect, madvise, mbind, mremap, MAP_FIXED over part of it), drop a PUD
 * entry that straddles @addr.  The core's vma_adjust_trans_huge() on these
 * kernels splits PMD entries only and would walk a PUD leaf as if it
 * pointed to a PMD table.  The range refaults later with PMD entries, which
 * split correctly.
 *
 * The vma is write-locked first: the core takes that lock only after this
 * hook, and until then a huge_fault under the per-VMA lock could reinstall
 * the PUD between the zap and the split.  Every caller holds mmap_lock for
 * writing, so faults that take mmap_lock are excluded already, and once the
 * vma is write-locked, per-VMA-lock faults wait for mmap_lock too.
 */
static int groove_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long start = addr & PUD_MASK;

	vma_start_write(vma);
	if (addr != start && start >= vma->vm_start &&
	    start + PUD_SIZE <= vma->vm_end)
		groove_zap_special_range(vma, start, PUD_SIZE);
	return 0;
}
#endif

static unsigned int test_split_delay_us;
module_param(test_split_delay_us, uint, 0600);
MODULE_PARM_DESC(test_split_delay_us,
		 "Selftests only: sleep this long when a vma split copies a groove vma, inside the core's split (default 0)");

/*
 * A vma split copies the vma and calls this on the copy between
 * ->may_split() and the point where the core write-locks the vma: the
 * window groove_may_split() closes.  The selftests widen it to prove that.
 */
static void groove_vma_open(struct vm_area_struct *vma)
{
	unsigned int us = READ_ONCE(test_split_delay_us);

	if (us)
		fsleep(us);
}

static const struct vm_operations_struct groove_vm_ops = {
	.open = groove_vma_open,
	.fault = groove_fault,
	.pfn_mkwrite = groove_pfn_mkwrite,
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	.huge_fault = groove_huge_fault,
#endif
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
	.may_split = groove_may_split,
#endif
};

/**
 * groove_get_unmapped_area() - pick a user address for a groove mapping
 * @file:  the open device
 * @addr:  the caller's hint
 * @len:   bytes
 * @pgoff: file offset in pages
 * @flags: mmap flags
 *
 * Without a hint, a mapping of the volume windows gets an address whose
 * offset from the file offset is a multiple of min(volume_size, 1 GiB), so
 * huge entries (and whole fault-around chunks) line up.
 *
 * Return: the address, or a negative errno.
 */
unsigned long groove_get_unmapped_area(struct file *file, unsigned long addr,
				       unsigned long len, unsigned long pgoff,
				       unsigned long flags)
{
	struct groove_dev *g = groove_from_file(file);
	unsigned long align = min_t(u64, g->volume_size, PUD_SIZE);
	u64 off = (u64)pgoff << PAGE_SHIFT;
	unsigned long ret;

	if (addr || (flags & MAP_FIXED) || off < g->vol0_off ||
	    len + align < len)
		return groove_mm_get_unmapped_area(file, addr, len, pgoff, flags);
	ret = groove_mm_get_unmapped_area(file, 0, len + align, pgoff, flags);
	if (IS_ERR_VALUE(ret))
		return groove_mm_get_unmapped_area(file, 0, len, pgoff, flags);
	return ret + (((unsigned long)off - ret) & (align - 1));
}

/**
 * groove_mmap() - mmap handler of /dev/groove
 * @file: the open device
 * @vma:  the new mapping
 *
 * Return: 0; -EINVAL for a private mapping or a range outside the header
 * window, the join table and the volume windows; -EACCES for a writable
 * mapping of the join table.
 */
int groove_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct groove_dev *g = groove_from_file(file);
	int err;

	err = groove_check_vma(g, vma, __func__);
	if (err)
		return err;
	/* Nor may mprotect() make the join table writable later. */
	if (groove_in_join_table(g, (u64)vma->vm_pgoff << PAGE_SHIFT,
				 vma->vm_end - vma->vm_start))
		groove_vm_flags_clear(vma, VM_MAYWRITE);
	/* VM_HUGEPAGE: huge faults also where THP is madvise-only. */
	groove_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
			    VM_HUGEPAGE);
	vma->vm_ops = &groove_vm_ops;
	return 0;
}
