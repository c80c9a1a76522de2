// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: one groove instance.  The default groove (/dev/groove, from
 * the module parameters, groove_main.c) and each named one
 * (/dev/grooves/NAME, groove_control.c) are checked, made, opened and freed
 * here; what differs is only the device node that reaches them.
 *
 * Every groove is on groove_list (under groove_ledger_lock) so that the
 * module-wide cap and the memcg bound of uncharged volumes (groove_ledger.c)
 * can sum over all of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/percpu.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "groove_internal.h"
#include "../common/groove_vstack.h"

/* "grov": the private pseudo filesystem that holds each groove's inode. */
#define GROOVE_FS_MAGIC		0x766f7267

static struct vfsmount *groove_mnt;

static int groove_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, GROOVE_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type groove_fs_type = {
	.name = "groove",
	.init_fs_context = groove_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * groove_fs_init() - mount the pseudo filesystem of the grooves' inodes
 *
 * Return: 0 or -errno.
 */
int groove_fs_init(void)
{
	groove_mnt = kern_mount(&groove_fs_type);
	return PTR_ERR_OR_ZERO(groove_mnt);
}

/** groove_fs_exit() - unmount it, once no groove is left */
void groove_fs_exit(void)
{
	kern_unmount(groove_mnt);
}

/**
 * groove_geometry() - check a groove's parameters and derive its geometry
 * @g:   the groove, whose geometry fields this fills
 * @p:   the parameters
 * @who: how refusals name the groove (e.g. "volume_size" for a module
 *       parameter, "analytics: volume_size" for a named groove)
 *
 * Each refusal says which value is wrong and what would be accepted.
 *
 * Return: 0; -EINVAL for a bad value; -ERANGE for a limit above the
 * module-wide cap.
 */
int groove_geometry(struct groove_dev *g, const struct groove_params *p,
		    const char *who)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	u64 cap = groove_ledger_cap();
	/*
	 * Volumes are pinned, unmovable and (above 4 MiB) invisible to the OOM
	 * killer: by default only an eighth of RAM, but one volume at least.
	 */
	u64 limit = p->limit_bytes ? p->limit_bytes :
		    max_t(u64, min(ram / 8, cap), p->volume_size);
	u32 slots = p->volume_max;

	if (p->volume_size < GROOVE_VOLUME_SIZE_MIN ||
	    p->volume_size > GROOVE_VOLUME_SIZE_MAX ||
	    !is_power_of_2(p->volume_size)) {
		pr_err("%svolume_size=%llu: must be a power of two from %llu (2M) to %llu (1G)\n",
		       who, p->volume_size, GROOVE_VOLUME_SIZE_MIN, GROOVE_VOLUME_SIZE_MAX);
		return -EINVAL;
	}
	if (limit > ram) {
		pr_err("%slimit_bytes=%llu: above the %llu bytes of RAM\n",
		       who, limit, ram);
		return -EINVAL;
	}
	if (limit < p->volume_size) {
		pr_err("%slimit_bytes=%llu: below volume_size=%llu, no volume could ever be added\n",
		       who, limit, p->volume_size);
		return -EINVAL;
	}
	if (slots > GROOVE_VOLUME_MAX_LIMIT) {
		pr_err("%svolume_max=%u: at most %u slots\n",
		       who, slots, GROOVE_VOLUME_MAX_LIMIT);
		return -EINVAL;
	}
	if (limit > cap) {
		pr_err("%slimit_bytes=%llu: above the module's cap_bytes=%llu\n",
		       who, limit, cap);
		return -ERANGE;
	}
	if (!slots)
		slots = min_t(u64, div64_u64(limit, p->volume_size),
			      GROOVE_VOLUME_MAX_LIMIT);

	g->volume_size = p->volume_size;
	g->volume_shift = ilog2(p->volume_size);
	g->volume_max = slots;
	g->limit = limit;
	g->hdr_size = GROOVE_HDR_SIZE(slots);
	g->join_off = GROOVE_JOIN_OFF(slots);
	g->vol0_off = GROOVE_VOL0_OFF(slots, p->volume_size);
	g->map_size = GROOVE_MAP_SIZE(slots, p->volume_size);
	return 0;
}

/* Write the header region: geometry, an empty stack, absent slots. */
static void groove_format(struct groove_dev *g)
{
	struct groove_shared_hdr *sh = groove_shared(g);
	u32 i;

	sh->magic = GROOVE_SHARED_MAGIC;
	sh->abi_version = GROOVE_ABI_VERSION;
	sh->volume_max = g->volume_max;
	sh->volume_size = g->volume_size;
	sh->hdr_size = g->hdr_size;
	sh->vol0_off = g->vol0_off;
	sh->vol_table_off = GROOVE_VOL_TABLE_OFF;
	sh->alloc_off = GROOVE_ALLOC_OFF(g->volume_max);
	sh->alloc_size = GROOVE_ALLOC_STATE_SIZE;
	sh->empty_stack = GROOVE_STACK_WORD(0, GROOVE_VOL_NIL);
	for (i = 0; i < g->volume_max; i++) {
		g->vol_table[i].next = GROOVE_VOL_NIL;
		g->vol_table[i].present = 0;
	}
	/* The allocator state is zero: vzalloc(). */
}

/**
 * groove_dev_init() - make a groove's memory: header, slots, joins, inode
 * @g: a zeroed groove whose geometry groove_geometry() filled
 *
 * The groove is not reachable yet: the caller registers its device node,
 * then groove_ledger_add() puts it on groove_list.
 *
 * Return: 0 or -ENOMEM (nothing left allocated).
 */
int groove_dev_init(struct groove_dev *g)
{
	struct inode *inode;
	int err = -ENOMEM;

	g->hdr = vzalloc(g->hdr_size);
	if (!g->hdr)
		return -ENOMEM;
	g->vol_table = g->hdr + GROOVE_VOL_TABLE_OFF;
	g->slots = kvcalloc(g->volume_max, sizeof(*g->slots), GFP_KERNEL);
	if (!g->slots)
		goto err_hdr;
	g->faults = alloc_percpu(u64);
	if (!g->faults)
		goto err_slots;
	mutex_init(&g->lock);
	INIT_LIST_HEAD(&g->files);
	INIT_LIST_HEAD(&g->ledger_node);
	g->zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!g->zero_page)
		goto err_faults;
	g->zero_pfn = page_to_pfn(g->zero_page);
	err = groove_join_init(g);
	if (err)
		goto err_zero;
	err = init_srcu_struct(&g->srcu);
	if (err)
		goto err_joins;
	inode = alloc_anon_inode(groove_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto err_srcu;
	}
	g->inode = inode;
	g->mapping = inode->i_mapping;
	groove_format(g);
	return 0;

err_srcu:
	cleanup_srcu_struct(&g->srcu);
err_joins:
	groove_join_free(g);
err_zero:
	__free_page(g->zero_page);
err_faults:
	free_percpu(g->faults);
err_slots:
	kvfree(g->slots);
err_hdr:
	vfree(g->hdr);
	return err;
}

/**
 * groove_dev_fini() - free a groove's volumes and memory
 * @g: a groove no file, mapping or device node reaches any more, and off
 *     groove_list
 */
void groove_dev_fini(struct groove_dev *g)
{
	groove_remove_all(g);
	iput(g->inode);
	cleanup_srcu_struct(&g->srcu);
	groove_join_free(g);
	__free_page(g->zero_page);
	free_percpu(g->faults);
	kvfree(g->slots);
	vfree(g->hdr);
}

/**
 * groove_dev_open() - the open of any groove's device node
 * @g:    the groove
 * @file: the file being opened
 *
 * Every open file is recorded, so GROOVE_IOC_EXCLUSIVE can tell whether its
 * caller is alone and hold off new opens while it is, and DESTROY can
 * refuse while any file is open.
 *
 * Return: 0; -EBUSY while another file holds the groove exclusively;
 * -ENODEV once the groove is being destroyed; -ENOMEM.
 */
int groove_dev_open(struct groove_dev *g, struct file *file)
{
	struct groove_file *gf;

	gf = kzalloc(sizeof(*gf), GFP_KERNEL);
	if (!gf)
		return -ENOMEM;
	gf->g = g;
	gf->tgid = task_tgid_vnr(current);
	gf->join_idx = -1;
	mutex_lock(&g->lock);
	if (g->dying || g->exclusive) {
		int err = g->dying ? -ENODEV : -EBUSY;

		mutex_unlock(&g->lock);
		kfree(gf);
		return err;
	}
	list_add_tail(&gf->node, &g->files);
	g->nr_files++;
	mutex_unlock(&g->lock);

	/* One address_space for all opens: one unmap reaches every process. */
	file->f_mapping = g->mapping;
	file->private_data = gf;
	return 0;
}

/* The last reference to the file is gone: no mapping uses it any more. */
static int groove_release(struct inode *inode, struct file *file)
{
	struct groove_file *gf = file->private_data;
	struct groove_dev *g = gf->g;

	mutex_lock(&g->lock);
	if (g->exclusive == gf)
		g->exclusive = NULL;
	groove_join_release(gf);
	list_del(&gf->node);
	g->nr_files--;
	mutex_unlock(&g->lock);
	kfree(gf);
	return 0;
}

/*
 * What every groove's node does once open; only .open differs between the
 * misc device of the default groove and the char devices of named ones.
 */
#define GROOVE_FOPS(open_fn) {					\
	.owner = THIS_MODULE,					\
	.open = open_fn,					\
	.release = groove_release,				\
	.unlocked_ioctl = groove_ioctl,				\
	.compat_ioctl = compat_ptr_ioctl,			\
	.mmap = groove_mmap,					\
	.get_unmapped_area = groove_get_unmapped_area,		\
	.llseek = noop_llseek,					\
}

/* misc_open() set private_data to the miscdevice, inside the groove. */
static int groove_misc_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return groove_dev_open(container_of(misc, struct groove_dev, misc), file);
}

/* A named groove's char device is inside the groove. */
static int groove_cdev_open(struct inode *inode, struct file *file)
{
	return groove_dev_open(container_of(inode->i_cdev, struct groove_dev, cdev), file);
}

const struct file_operations groove_misc_fops = GROOVE_FOPS(groove_misc_open);
const struct file_operations groove_cdev_fops = GROOVE_FOPS(groove_cdev_open);
