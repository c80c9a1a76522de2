// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: mmap of /dev/groove and the fault path.
 *
 * A mapping covers part of the header window or part of the volume windows
 * (see uapi/linux/groove.h).  It is VM_PFNMAP: nothing is mapped at mmap
 * time, pages arrive by fault, so a volume added later shows up in every
 * existing mapping, and touching a slot with no volume raises SIGBUS.  All
 * files share one address_space, so removing a volume unmaps it from every
 * process with one unmap_mapping_range().
 */
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/srcu.h>
#include <linux/vmalloc.h>

#include "groove_internal.h"
#include "groove_compat.h"

/*
 * groove_check_vma - the one rule every groove mapping obeys, checked at
 * mmap and again at every fault: shared, and wholly inside the header
 * window or wholly inside the volume windows.  (A read-only file cannot map
 * writable: the core refuses PROT_WRITE with MAP_SHARED and clears
 * VM_MAYWRITE for it.)
 */
static int groove_check_vma(struct groove_dev *g, struct vm_area_struct *vma,
			    const char *func)
{
	u64 start = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct device *dev = g->misc.this_device;

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
	if (start >= g->vol0_off && start + len <= g->map_size)
		return 0;
out_of_window:
	dev_info_ratelimited(dev, "%s: %s: fail, range %#llx+%#llx outside header [0, %#llx) and volumes [%#llx, %#llx)\n",
			     current->comm, func, start, len, g->hdr_size,
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
 * groove_fault_volume - map the page of a volume window that @vmf faulted
 * on.  The slot is read under SRCU: a removal unpublishes the slot, waits
 * for this read side, then unmaps, so nothing inserted here survives the
 * removal, and a fault after the unpublish finds no volume (SIGBUS).
 */
static vm_fault_t groove_fault_volume(struct groove_dev *g, struct vm_fault *vmf,
				      u64 off)
{
	struct groove_volume *vol;
	vm_fault_t ret;
	int id;

	id = srcu_read_lock(&g->srcu);
	vol = srcu_dereference(g->slots[groove_off_to_slot(g, off)].vol,
			       &g->srcu);
	if (!vol)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     groove_vol_off_to_pfn(g, vol, off));
	srcu_read_unlock(&g->srcu, id);
	return ret;
}

/*
 * groove_fault - every fault on a groove mapping: validate, translate the
 * file offset to a page frame, insert.
 */
static vm_fault_t groove_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct groove_dev *g = vma->vm_file->private_data;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret;

	if (groove_check_vma(g, vma, __func__))
		return VM_FAULT_SIGBUS;
	if (off < g->hdr_size)
		ret = vmf_insert_pfn(vma, vmf->address,
				     vmalloc_to_pfn(g->hdr + off));
	else if (off >= g->vol0_off && off < g->map_size)
		ret = groove_fault_volume(g, vmf, off);
	else
		ret = VM_FAULT_SIGBUS;
	if (!(ret & VM_FAULT_ERROR))
		atomic64_inc(&g->faults);
	return ret;
}

static const struct vm_operations_struct groove_vm_ops = {
	.fault = groove_fault,
};

/**
 * groove_mmap() - mmap handler of /dev/groove
 * @file: the open device
 * @vma:  the new mapping
 *
 * Return: 0, or -EINVAL for a private mapping or a range outside the
 * header window and the volume windows.
 */
int groove_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct groove_dev *g = file->private_data;
	int err;

	err = groove_check_vma(g, vma, __func__);
	if (err)
		return err;
	groove_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &groove_vm_ops;
	return 0;
}
