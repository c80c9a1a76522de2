// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: named grooves and /dev/groove-control, which makes them.
 *
 * An administrator (CAP_SYS_ADMIN) creates a groove with GROOVE_CTL_CREATE:
 * its own geometry and limit, and a node /dev/grooves/NAME with the owner,
 * group and mode asked for (devtmpfs creates it so; udev rules may change
 * it later), attributes in /sys/class/groove/NAME/.  GROOVE_CTL_DESTROY
 * refuses while a file of it is open, else frees every volume.
 *
 * Lifetime: the groove is inside its device (named_dev), whose release
 * frees it; the char device holds the device, and an open holds the char
 * device, so an open that races DESTROY still finds the groove's memory
 * and fails on its @dying flag.  groove_control_lock orders CREATE and
 * DESTROY and protects the list of named grooves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "groove_internal.h"
#include "groove_compat.h"

static DEFINE_MUTEX(groove_control_lock);
static LIST_HEAD(groove_named);
static unsigned int groove_named_cnt;
static DEFINE_IDA(groove_minors);
static dev_t groove_devt;

static char *groove_named_devnode(groove_devnode_device *dev, umode_t *mode,
				  kuid_t *uid, kgid_t *gid)
{
	const struct groove_dev *g = container_of(dev, struct groove_dev, named_dev);

	if (mode)
		*mode = g->mode;
	if (uid)
		*uid = g->uid;
	if (gid)
		*gid = g->gid;
	return kasprintf(GFP_KERNEL, "grooves/%s", g->name);
}

static const struct device_type groove_named_type = {
	.name = "groove",
	.devnode = groove_named_devnode,
};

static struct class groove_class = {
	.name = "groove",
};

/**
 * groove_from_device() - the groove a sysfs attribute's device shows
 * @dev: /sys/class/misc/groove or /sys/class/groove/NAME
 *
 * Return: the groove.
 */
struct groove_dev *groove_from_device(struct device *dev)
{
	if (dev->type == &groove_named_type)
		return container_of(dev, struct groove_dev, named_dev);
	/* misc_register() sets the miscdevice as drvdata. */
	return container_of((struct miscdevice *)dev_get_drvdata(dev),
			    struct groove_dev, misc);
}

static void groove_named_release(struct device *dev)
{
	struct groove_dev *g = container_of(dev, struct groove_dev, named_dev);

	ida_free(&groove_minors, MINOR(dev->devt) - MINOR(groove_devt));
	kfree(g);
}

/*
 * A name is 1..GROOVE_NAME_MAX of [a-z0-9_-], the first a letter or digit,
 * then NULs to the end of the field: it is a path component and a sysfs
 * name, and no two spellings may name one groove.
 */
static int groove_check_name(const char name[GROOVE_NAME_MAX + 1])
{
	const char *nul = memchr(name, '\0', GROOVE_NAME_MAX + 1);
	size_t len, i;

	if (!nul)
		return -ENAMETOOLONG;
	len = nul - name;
	if (!len || !(isdigit(name[0]) || islower(name[0])))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isdigit(name[i]) && !islower(name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return -EINVAL;
	if (memchr_inv(nul, 0, GROOVE_NAME_MAX + 1 - len))
		return -EINVAL;
	return 0;
}

static struct groove_dev *groove_named_find(const char *name)
{
	struct groove_dev *g;

	lockdep_assert_held(&groove_control_lock);
	list_for_each_entry(g, &groove_named, named_node)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

/* Check @c and make the groove it asks for.  Under groove_control_lock. */
static int groove_named_create(const struct groove_create *c)
{
	struct groove_params p = {
		.volume_size = c->volume_size,
		.volume_max = c->volume_max,
		.limit_bytes = c->limit_bytes,
	};
	struct groove_dev *g;
	char who[GROOVE_NAME_MAX + 4];
	int minor, err;

	lockdep_assert_held(&groove_control_lock);
	if (groove_named_find(c->name))
		return -EEXIST;
	if (groove_named_cnt >= GROOVE_NAMED_MAX)
		return -ENOSPC;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	strscpy(g->name, c->name, sizeof(g->name));
	g->mode = c->mode;
	g->uid = make_kuid(current_user_ns(), c->uid);
	g->gid = make_kgid(current_user_ns(), c->gid);
	snprintf(who, sizeof(who), "%s: ", g->name);
	err = -EINVAL;
	if (!uid_valid(g->uid) || !gid_valid(g->gid))
		goto err_free;
	/* A limit of 0 means the default, as for the module parameter. */
	err = groove_geometry(g, &p, who);
	if (err)
		goto err_free;
	err = groove_dev_init(g);
	if (err)
		goto err_free;

	minor = ida_alloc_max(&groove_minors, GROOVE_NAMED_MAX - 1, GFP_KERNEL);
	if (minor < 0) {
		err = minor;
		goto err_fini;
	}
	/* From here the device's release frees @g (and the minor). */
	device_initialize(&g->named_dev);
	g->named_dev.class = &groove_class;
	g->named_dev.type = &groove_named_type;
	g->named_dev.devt = MKDEV(MAJOR(groove_devt), MINOR(groove_devt) + minor);
	g->named_dev.groups = groove_attr_groups;
	g->named_dev.release = groove_named_release;
	g->dev = &g->named_dev;
	err = dev_set_name(&g->named_dev, "%s", g->name);
	if (err)
		goto err_put;
	cdev_init(&g->cdev, &groove_cdev_fops);
	g->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&g->cdev, &g->named_dev);
	if (err)
		goto err_put;

	groove_ledger_add(g);
	list_add_tail(&g->named_node, &groove_named);
	groove_named_cnt++;
	dev_info(g->dev, "created: volume_size=%llu volume_max=%u limit_bytes=%llu mode=%#o uid=%u gid=%u\n",
		 g->volume_size, g->volume_max, g->limit, g->mode, c->uid, c->gid);
	return 0;

err_put:
	groove_dev_fini(g);
	put_device(&g->named_dev);
	return err;
err_fini:
	groove_dev_fini(g);
err_free:
	kfree(g);
	return err;
}

/* Take @g apart once no file is open.  Under groove_control_lock. */
static int groove_named_destroy(struct groove_dev *g)
{
	lockdep_assert_held(&groove_control_lock);
	mutex_lock(&g->lock);
	if (g->nr_files) {
		mutex_unlock(&g->lock);
		return -EBUSY;
	}
	g->dying = true;
	mutex_unlock(&g->lock);

	list_del(&g->named_node);
	groove_named_cnt--;
	cdev_device_del(&g->cdev, &g->named_dev);
	groove_ledger_del(g);
	dev_info(g->dev, "destroyed\n");
	groove_dev_fini(g);
	put_device(&g->named_dev);
	return 0;
}

static long groove_control_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long err;

	switch (cmd) {
	case GROOVE_CTL_CREATE: {
		struct groove_create c;

		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (copy_from_user(&c, uarg, sizeof(c)))
			return -EFAULT;
		err = groove_check_name(c.name);
		if (err)
			return err;
		if (memchr_inv(c.reserved, 0, sizeof(c.reserved)) || (c.mode & ~0666U))
			return -EINVAL;
		mutex_lock(&groove_control_lock);
		err = groove_named_create(&c);
		mutex_unlock(&groove_control_lock);
		return err;
	}
	case GROOVE_CTL_DESTROY: {
		struct groove_destroy d;
		struct groove_dev *g;

		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (copy_from_user(&d, uarg, sizeof(d)))
			return -EFAULT;
		err = groove_check_name(d.name);
		if (err)
			return err;
		if (memchr_inv(d.reserved, 0, sizeof(d.reserved)))
			return -EINVAL;
		mutex_lock(&groove_control_lock);
		g = groove_named_find(d.name);
		err = g ? groove_named_destroy(g) : -ENOENT;
		mutex_unlock(&groove_control_lock);
		return err;
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations groove_control_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = groove_control_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice groove_control_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "groove-control",
	.fops = &groove_control_fops,
	.mode = 0600,
};

/**
 * groove_control_init() - the class and char devices of named grooves, and
 * /dev/groove-control
 *
 * Return: 0 or -errno (nothing left registered).
 */
int groove_control_init(void)
{
	int err;

	err = alloc_chrdev_region(&groove_devt, 0, GROOVE_NAMED_MAX, "groove");
	if (err)
		return err;
	err = class_register(&groove_class);
	if (err)
		goto err_region;
	err = misc_register(&groove_control_misc);
	if (err)
		goto err_class;
	return 0;

err_class:
	class_unregister(&groove_class);
err_region:
	unregister_chrdev_region(groove_devt, GROOVE_NAMED_MAX);
	return err;
}

/**
 * groove_control_exit() - destroy every named groove and unregister
 *
 * At unload: no file of any groove is open (each holds the module).
 */
void groove_control_exit(void)
{
	struct groove_dev *g, *tmp;

	misc_deregister(&groove_control_misc);
	mutex_lock(&groove_control_lock);
	list_for_each_entry_safe(g, tmp, &groove_named, named_node)
		WARN_ON_ONCE(groove_named_destroy(g));
	mutex_unlock(&groove_control_lock);
	class_unregister(&groove_class);
	unregister_chrdev_region(groove_devt, GROOVE_NAMED_MAX);
	ida_destroy(&groove_minors);
}
