// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl add / remove: GROOVE_IOC_ADD and GROOVE_IOC_REMOVE on the device
 * (straight from uapi/linux/groove.h: the kernel's errno is what the user
 * needs to see), or libgroove's volume calls on a groove file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "groovectl.h"

static void explain_add_error(const char *path, int err, unsigned long count,
			      int node, const struct groove_info *info)
{
	char vsz[32], resv[32], lim[32];

	fmt_size(vsz, sizeof(vsz), info->volume_size);
	fmt_size(resv, sizeof(resv), info->bytes_reserved);
	fmt_size(lim, sizeof(lim), info->bytes_limit);
	switch (err) {
	case ENOSPC:
		if (info->volumes_present + count > info->volume_max)
			ctl_err("add: only %u of %u slots are free: remove volumes or reload with a larger volume_max",
				info->volume_max - info->volumes_present, info->volume_max);
		else
			ctl_err("add: %lu more volumes of %s would pass the memory limit (%s of %s reserved): reload with a larger limit_bytes",
				count, vsz, resv, lim);
		break;
	case ENOMEM:
		ctl_err("add: the kernel found no physically contiguous, %s-aligned free memory for %lu volume(s); nothing was added. Free memory, try fewer volumes, or another --node",
			vsz, count);
		break;
	case EINVAL:
		if (count > info->volume_max)
			ctl_err("add: %lu volumes is more than the %u slots this groove has",
				count, info->volume_max);
		else
			ctl_err("add: the kernel refused the request (count %lu, node %d): is that NUMA node online? (see 'dmesg | tail')",
				count, node);
		break;
	case EAGAIN:
		ctl_err("add: the shared empty-volume stack stayed contended; nothing was added, retry");
		break;
	default:
		ctl_explain_errno("add", path, err);
		break;
	}
}

int cmd_add(const struct groovectl_opts *o, unsigned long count)
{
	struct groove_info info;
	struct groove_add add;
	size_t info_sz = o->info ? strlen(o->info) : 0;
	int fd, ret, err;

	if (info_sz > GROOVE_VOLUME_INFO_MAX) {
		ctl_err("add: --info is %zu bytes, a volume header holds at most %u",
			info_sz, GROOVE_VOLUME_INFO_MAX);
		return EXIT_USAGE;
	}
	ret = ctl_open_device(o->device, O_RDWR, &fd);
	if (ret)
		return ret;
	ret = ctl_ioc_info(fd, o->device, &info);
	if (ret)
		goto out;

	memset(&add, 0, sizeof(add));
	add.count = (__u32)count;
	add.node = o->node;
	add.info_sz = (__u32)info_sz;
	add.info_ptr = (__u64)(uintptr_t)o->info;
	if (ioctl(fd, GROOVE_IOC_ADD, &add)) {
		err = errno;
		explain_add_error(o->device, err, count, o->node, &info);
		ret = ctl_exit_for_errno(err);
		goto out;
	}
	if (!o->quiet)
		printf("added %u volume(s)\n", add.added);
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}

int cmd_remove(const struct groovectl_opts *o, unsigned long count)
{
	struct groove_remove rm;
	int fd, ret, err;

	ret = ctl_open_device(o->device, O_RDWR, &fd);
	if (ret)
		return ret;
	memset(&rm, 0, sizeof(rm));
	rm.count = (__u32)count;
	if (ioctl(fd, GROOVE_IOC_REMOVE, &rm)) {
		err = errno;
		ctl_explain_errno("remove", o->device, err);
		ret = ctl_exit_for_errno(err);
		goto out;
	}
	if (!o->quiet)
		printf("removed %u volume(s)\n", rm.removed);
	if (rm.removed < count) {
		ctl_err("remove: %lu requested, %u removed: only empty volumes can leave (the rest hold objects; free them first)",
			count, rm.removed);
		ret = rm.removed ? EXIT_OK : EXIT_BUSY;
		goto out;
	}
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
