// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: read-only sysfs attributes of /dev/groove
 * (/sys/class/misc/groove/): geometry, usage and counters.
 */
#include <linux/device.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>

#include "groove_internal.h"

static ssize_t volume_size_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", groove.volume_size);
}
static DEVICE_ATTR_RO(volume_size);

static ssize_t volume_max_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", groove.volume_max);
}
static DEVICE_ATTR_RO(volume_max);

static ssize_t volumes_present_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(groove.present));
}
static DEVICE_ATTR_RO(volumes_present);

static ssize_t bytes_reserved_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(groove.reserved));
}
static DEVICE_ATTR_RO(bytes_reserved);

static ssize_t bytes_limit_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", groove.limit);
}
static DEVICE_ATTR_RO(bytes_limit);

/* "N<node>=<bytes>" for every online node, like /proc/<pid>/numa_maps. */
static ssize_t node_bytes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	ssize_t len = 0;
	int nid;

	for_each_online_node(nid)
		len += sysfs_emit_at(buf, len, "%sN%d=%lld", len ? " " : "", nid,
				     atomic64_read(&groove.node_bytes[nid]));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(node_bytes);

static ssize_t faults_show(struct device *dev,
			   struct device_attribute *attr, char *buf)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(groove.faults, cpu);
	return sysfs_emit(buf, "%llu\n", sum);
}
static DEVICE_ATTR_RO(faults);

static ssize_t joins_live_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(groove.joins_live));
}
static DEVICE_ATTR_RO(joins_live);

static ssize_t volumes_added_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&groove.volumes_added));
}
static DEVICE_ATTR_RO(volumes_added);

static ssize_t volumes_removed_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&groove.volumes_removed));
}
static DEVICE_ATTR_RO(volumes_removed);

static struct attribute *groove_attrs[] = {
	&dev_attr_volume_size.attr,
	&dev_attr_volume_max.attr,
	&dev_attr_volumes_present.attr,
	&dev_attr_bytes_reserved.attr,
	&dev_attr_bytes_limit.attr,
	&dev_attr_node_bytes.attr,
	&dev_attr_faults.attr,
	&dev_attr_joins_live.attr,
	&dev_attr_volumes_added.attr,
	&dev_attr_volumes_removed.attr,
	NULL
};

static const struct attribute_group groove_attr_group = {
	.attrs = groove_attrs,
};

const struct attribute_group *groove_attr_groups[] = {
	&groove_attr_group,
	NULL
};
