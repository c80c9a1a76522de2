// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: module parameters, load and unload, and the default groove,
 * /dev/groove (a misc device; its instance is groove_dev.c's, the named
 * grooves are groove_control.c's).
 *
 * Lifetime: the file operations name THIS_MODULE as owner, so every open
 * file of any groove holds a module reference, and every mapping holds a
 * reference on its file.  Unload is therefore refused while any file or
 * mapping is alive, and groove_exit() runs only once nothing can reach a
 * header or a volume.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "groove_internal.h"

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

const struct kernel_param_ops groove_param_bytes_ops = {
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

static struct groove_dev groove_default;

static int __init groove_init(void)
{
	struct groove_dev *g = &groove_default;
	struct groove_params p = {
		.volume_size = volume_size,
		.volume_max = volume_max,
		.limit_bytes = limit_bytes,
	};
	int err;

	if ((misc_minor < 243 || misc_minor > 254) && misc_minor != MISC_DYNAMIC_MINOR) {
		pr_err("misc_minor=%u: want 243-254 (reserved for local use) or 255 (dynamic)\n",
		       misc_minor);
		return -EINVAL;
	}
	err = groove_ledger_check();
	if (err)
		return err;
	err = groove_geometry(g, &p, "");
	if (err)
		return err;
	err = groove_fs_init();
	if (err)
		return err;
	err = groove_dev_init(g);
	if (err)
		goto err_fs;
	err = groove_sysfs_init();
	if (err)
		goto err_dev;

	g->misc.minor = misc_minor;
	g->misc.name = "groove";
	g->misc.fops = &groove_misc_fops;
	g->misc.mode = 0600;
	g->misc.groups = groove_attr_groups;
	err = misc_register(&g->misc);
	if (err == -EBUSY)
		pr_err("misc minor %u is taken by another driver: load with misc_minor=<243-254> or misc_minor=255\n",
		       misc_minor);
	if (err)
		goto err_sysfs;
	g->dev = g->misc.this_device;
	groove_ledger_add(g);

	err = groove_control_init();
	if (err)
		goto err_misc;

	pr_info("volume_size=%llu volume_max=%u limit_bytes=%llu hdr_size=%llu vol0_off=%llu cap_bytes=%llu\n",
		g->volume_size, g->volume_max, g->limit, g->hdr_size,
		g->vol0_off, groove_ledger_cap());
	return 0;

err_misc:
	groove_ledger_del(g);
	misc_deregister(&g->misc);
err_sysfs:
	groove_sysfs_exit();
err_dev:
	groove_dev_fini(g);
err_fs:
	groove_fs_exit();
	return err;
}

static void __exit groove_exit(void)
{
	struct groove_dev *g = &groove_default;

	groove_control_exit();
	groove_ledger_del(g);
	misc_deregister(&g->misc);
	groove_sysfs_exit();
	groove_dev_fini(g);
	groove_fs_exit();
}

module_init(groove_init);
module_exit(groove_exit);

MODULE_DESCRIPTION("groove: shared lock-free object store in physically contiguous volumes");
MODULE_LICENSE("GPL");
/* The release of the shared-memory ABI, GROOVE_ABI_VERSION. */
MODULE_VERSION("2");
MODULE_ALIAS_MISCDEV(GROOVE_MISC_MINOR);
MODULE_ALIAS("devname:groove");
