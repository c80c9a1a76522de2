// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: module parameters, load and unload, the /dev/groove misc device
 * and its file operations.
 *
 * Lifetime: the file operations name THIS_MODULE as owner, so every open
 * file holds a module reference, and every mapping holds a reference on its
 * file.  Unload is therefore refused while any file or mapping is alive, and
 * groove_exit() runs only once nothing can reach the header or a volume.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/percpu.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "groove_internal.h"
#include "../common/groove_vstack.h"

/* "grov": the private pseudo filesystem that holds the shared inode. */
#define GROOVE_FS_MAGIC		0x766f7267

static unsigned long long volume_size = GROOVE_VOLUME_SIZE_MAX;
static unsigned int volume_max;
static unsigned long long limit_bytes;

/* Byte-valued parameters accept the kernel's K/M/G suffixes (memparse). */
static int groove_param_set_bytes(const char *val, const struct kernel_param *kp)
{
	unsigned long long bytes;
	char *end;

	bytes = memparse(val, &end);
	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	*(unsigned long long *)kp->arg = bytes;
	return 0;
}

static int groove_param_get_bytes(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%llu\n",
			 *(unsigned long long *)kp->arg);
}

static const struct kernel_param_ops groove_param_bytes_ops = {
	.set = groove_param_set_bytes,
	.get = groove_param_get_bytes,
};

module_param_cb(volume_size, &groove_param_bytes_ops, &volume_size, 0444);
MODULE_PARM_DESC(volume_size,
		 "Bytes per volume: a power of two from 2M to 1G (default 1G)");
module_param(volume_max, uint, 0444);
MODULE_PARM_DESC(volume_max,
		 "Volume slots, at most 65536 (default 0: enough slots to reach limit_bytes)");
module_param_cb(limit_bytes, &groove_param_bytes_ops, &limit_bytes, 0444);
MODULE_PARM_DESC(limit_bytes,
		 "Most bytes of volume memory the module may hold (default 0: an eighth of RAM, at least one volume)");

/*
 * A fixed misc minor, from the range devices.txt reserves for local use
 * (243-254), so that depmod lists "devname:groove" in modules.devname:
 * kmod static-nodes (systemd-tmpfiles at boot) then creates /dev/groove
 * before the module is loaded, and the first open loads it through the
 * char-major-10-250 alias.  A host whose other local driver owns 250 loads
 * groove with misc_minor=N (another of 243-254; the static node then is
 * not groove's) or misc_minor=255 (a dynamic minor, no static node).
 */
#define GROOVE_MISC_MINOR	250
static unsigned int misc_minor = GROOVE_MISC_MINOR;
module_param(misc_minor, uint, 0444);
MODULE_PARM_DESC(misc_minor,
		 "Misc device minor: 243-254, or 255 for a dynamic one (default 250, the one modules.devname names)");

struct groove_dev groove;

static struct vfsmount *groove_mnt;
static struct inode *groove_inode;

static int groove_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, GROOVE_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type groove_fs_type = {
	.name = "groove",
	.init_fs_context = groove_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * Check the parameters and derive the geometry.  Each refusal says which
 * value is wrong and what would be accepted.
 */
static int groove_geometry(struct groove_dev *g)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	/*
	 * Volumes are pinned, unmovable and (above 4 MiB) invisible to the OOM
	 * killer: by default only an eighth of RAM, but one volume at least.
	 */
	u64 limit = limit_bytes ? limit_bytes : max_t(u64, ram / 8, volume_size);
	u32 slots = volume_max;

	if (volume_size < GROOVE_VOLUME_SIZE_MIN ||
	    volume_size > GROOVE_VOLUME_SIZE_MAX ||
	    !is_power_of_2(volume_size)) {
		pr_err("volume_size=%llu: must be a power of two from %llu (2M) to %llu (1G)\n",
		       volume_size, GROOVE_VOLUME_SIZE_MIN, GROOVE_VOLUME_SIZE_MAX);
		return -EINVAL;
	}
	if (limit > ram) {
		pr_err("limit_bytes=%llu: above the %llu bytes of RAM\n",
		       limit, ram);
		return -EINVAL;
	}
	if (limit < volume_size) {
		pr_err("limit_bytes=%llu: below volume_size=%llu, no volume could ever be added\n",
		       limit, volume_size);
		return -EINVAL;
	}
	if (slots > GROOVE_VOLUME_MAX_LIMIT) {
		pr_err("volume_max=%u: at most %u slots\n",
		       slots, GROOVE_VOLUME_MAX_LIMIT);
		return -EINVAL;
	}
	if (!slots)
		slots = min_t(u64, div64_u64(limit, volume_size),
			      GROOVE_VOLUME_MAX_LIMIT);

	g->volume_size = volume_size;
	g->volume_shift = ilog2(volume_size);
	g->volume_max = slots;
	g->limit = limit;
	g->hdr_size = GROOVE_HDR_SIZE(slots);
	g->join_off = GROOVE_JOIN_OFF(slots);
	g->vol0_off = GROOVE_VOL0_OFF(slots, volume_size);
	g->map_size = GROOVE_MAP_SIZE(slots, volume_size);
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

/*
 * Every open file is recorded, so GROOVE_IOC_EXCLUSIVE can tell whether its
 * caller is alone and hold off new opens while it is.
 */
static int groove_open(struct inode *inode, struct file *file)
{
	struct groove_dev *g = &groove;
	struct groove_file *gf;

	gf = kzalloc(sizeof(*gf), GFP_KERNEL);
	if (!gf)
		return -ENOMEM;
	gf->g = g;
	gf->tgid = task_tgid_vnr(current);
	gf->join_idx = -1;
	mutex_lock(&g->lock);
	if (g->exclusive) {
		mutex_unlock(&g->lock);
		kfree(gf);
		return -EBUSY;
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

static const struct file_operations groove_fops = {
	.owner = THIS_MODULE,
	.open = groove_open,
	.release = groove_release,
	.unlocked_ioctl = groove_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = groove_mmap,
	.get_unmapped_area = groove_get_unmapped_area,
	.llseek = noop_llseek,
};

static int groove_inode_create(struct groove_dev *g)
{
	groove_mnt = kern_mount(&groove_fs_type);
	if (IS_ERR(groove_mnt))
		return PTR_ERR(groove_mnt);
	groove_inode = alloc_anon_inode(groove_mnt->mnt_sb);
	if (IS_ERR(groove_inode)) {
		kern_unmount(groove_mnt);
		return PTR_ERR(groove_inode);
	}
	g->mapping = groove_inode->i_mapping;
	return 0;
}

static void groove_inode_destroy(void)
{
	iput(groove_inode);
	kern_unmount(groove_mnt);
}

static int __init groove_init(void)
{
	struct groove_dev *g = &groove;
	int err;

	if ((misc_minor < 243 || misc_minor > 254) && misc_minor != MISC_DYNAMIC_MINOR) {
		pr_err("misc_minor=%u: want 243-254 (reserved for local use) or 255 (dynamic)\n",
		       misc_minor);
		return -EINVAL;
	}
	err = groove_geometry(g);
	if (err)
		return err;

	g->hdr = vzalloc(g->hdr_size);
	if (!g->hdr)
		return -ENOMEM;
	g->vol_table = g->hdr + GROOVE_VOL_TABLE_OFF;
	g->slots = kvcalloc(g->volume_max, sizeof(*g->slots), GFP_KERNEL);
	if (!g->slots) {
		err = -ENOMEM;
		goto err_hdr;
	}
	g->faults = alloc_percpu(u64);
	if (!g->faults) {
		err = -ENOMEM;
		goto err_slots;
	}
	mutex_init(&g->lock);
	INIT_LIST_HEAD(&g->files);
	g->zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!g->zero_page) {
		err = -ENOMEM;
		goto err_faults;
	}
	g->zero_pfn = page_to_pfn(g->zero_page);
	err = groove_join_init(g);
	if (err)
		goto err_zero;
	err = init_srcu_struct(&g->srcu);
	if (err)
		goto err_joins;
	groove_format(g);

	err = groove_inode_create(g);
	if (err)
		goto err_srcu;

	g->misc.minor = misc_minor;
	g->misc.name = "groove";
	g->misc.fops = &groove_fops;
	g->misc.mode = 0600;
	g->misc.groups = groove_attr_groups;
	err = groove_sysfs_init();
	if (err)
		goto err_inode;
	err = misc_register(&g->misc);
	if (err == -EBUSY)
		pr_err("misc minor %u is taken by another driver: load with misc_minor=<243-254> or misc_minor=255\n",
		       misc_minor);
	if (err)
		goto err_sysfs;

	pr_info("volume_size=%llu volume_max=%u limit_bytes=%llu hdr_size=%llu vol0_off=%llu\n",
		g->volume_size, g->volume_max, g->limit, g->hdr_size,
		g->vol0_off);
	return 0;

err_sysfs:
	groove_sysfs_exit();
err_inode:
	groove_inode_destroy();
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

static void __exit groove_exit(void)
{
	struct groove_dev *g = &groove;

	misc_deregister(&g->misc);
	groove_sysfs_exit();
	groove_remove_all(g);
	groove_inode_destroy();
	cleanup_srcu_struct(&g->srcu);
	groove_join_free(g);
	__free_page(g->zero_page);
	free_percpu(g->faults);
	kvfree(g->slots);
	vfree(g->hdr);
}

module_init(groove_init);
module_exit(groove_exit);

MODULE_DESCRIPTION("groove: shared lock-free object store in physically contiguous volumes");
MODULE_LICENSE("GPL");
/* The release of the shared-memory ABI, GROOVE_ABI_VERSION. */
MODULE_VERSION("2");
MODULE_ALIAS_MISCDEV(GROOVE_MISC_MINOR);
MODULE_ALIAS("devname:groove");
