// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: read-only sysfs attributes of a groove (/sys/class/misc/groove/,
 * /sys/class/groove/NAME/): geometry, usage and counters.
 */
#include <linux/device.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "groove_internal.h"

static ssize_t volume_size_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", groove_from_device(dev)->volume_size);
}
static DEVICE_ATTR_RO(volume_size);

static ssize_t volume_max_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", groove_from_device(dev)->volume_max);
}
static DEVICE_ATTR_RO(volume_max);

static ssize_t volumes_present_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(groove_from_device(dev)->present));
}
static DEVICE_ATTR_RO(volumes_present);

static ssize_t bytes_reserved_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(groove_from_device(dev)->reserved));
}
static DEVICE_ATTR_RO(bytes_reserved);

static ssize_t bytes_limit_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", groove_from_device(dev)->limit);
}
static DEVICE_ATTR_RO(bytes_limit);

static ssize_t faults_show(struct device *dev,
			   struct device_attribute *attr, char *buf)
{
	struct groove_dev *g = groove_from_device(dev);
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(g->faults, cpu);
	return sysfs_emit(buf, "%llu\n", sum);
}
static DEVICE_ATTR_RO(faults);

static ssize_t joins_live_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(groove_from_device(dev)->joins_live));
}
static DEVICE_ATTR_RO(joins_live);

static ssize_t volumes_added_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&groove_from_device(dev)->volumes_added));
}
static DEVICE_ATTR_RO(volumes_added);

static ssize_t volumes_removed_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&groove_from_device(dev)->volumes_removed));
}
static DEVICE_ATTR_RO(volumes_removed);

static struct attribute *groove_attrs[] = {
	&dev_attr_volume_size.attr,
	&dev_attr_volume_max.attr,
	&dev_attr_volumes_present.attr,
	&dev_attr_bytes_reserved.attr,
	&dev_attr_bytes_limit.attr,
	&dev_attr_faults.attr,
	&dev_attr_joins_live.attr,
	&dev_attr_volumes_added.attr,
	&dev_attr_volumes_removed.attr,
	NULL
};

static const struct attribute_group groove_attr_group = {
	.attrs = groove_attrs,
};

/*
 * node_bytes/node<N>: bytes of volume memory on node N, one file per
 * possible node (one value per file; a node without memory reads 0).
 * Made at load time: the number of possible nodes is known only then.
 */
static ssize_t node_bytes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	int nid = (int)(long)container_of(attr, struct dev_ext_attribute, attr)->var;

	return sysfs_emit(buf, "%lld\n", atomic64_read(&groove_from_device(dev)->node_bytes[nid]));
}

static struct dev_ext_attribute *groove_node_attrs;
static struct attribute **groove_node_attr_list;

static struct attribute_group groove_node_group = {
	.name = "node_bytes",
};

const struct attribute_group *groove_attr_groups[] = {
	&groove_attr_group,
	&groove_node_group,
	NULL
};

/**
 * groove_sysfs_init() - make the per-node attributes
 *
 * Before misc_register(), which creates the groups.
 *
 * Return: 0, or -ENOMEM.
 */
int groove_sysfs_init(void)
{
	int nid, n = 0;

	groove_node_attrs = kcalloc(nr_node_ids, sizeof(*groove_node_attrs), GFP_KERNEL);
	groove_node_attr_list = kcalloc(nr_node_ids + 1, sizeof(*groove_node_attr_list),
					GFP_KERNEL);
	if (!groove_node_attrs || !groove_node_attr_list)
		goto nomem;
	for_each_node(nid) {
		struct dev_ext_attribute *ea = &groove_node_attrs[n];

		ea->attr.attr.name = kasprintf(GFP_KERNEL, "node%d", nid);
		if (!ea->attr.attr.name)
			goto nomem;
		sysfs_attr_init(&ea->attr.attr);
		ea->attr.attr.mode = 0444;
		ea->attr.show = node_bytes_show;
		ea->var = (void *)(long)nid;
		groove_node_attr_list[n++] = &ea->attr.attr;
	}
	groove_node_group.attrs = groove_node_attr_list;
	return 0;
nomem:
	groove_sysfs_exit();
	return -ENOMEM;
}

/**
 * groove_sysfs_exit() - free the per-node attributes
 *
 * After misc_deregister() (or a failed misc_register()).
 */
void groove_sysfs_exit(void)
{
	int i;

	for (i = 0; groove_node_attrs && i < nr_node_ids; i++)
		kfree(groove_node_attrs[i].attr.attr.name);
	kfree(groove_node_attrs);
	kfree(groove_node_attr_list);
	groove_node_attrs = NULL;
	groove_node_attr_list = NULL;
	groove_node_group.attrs = NULL;
}
