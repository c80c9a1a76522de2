// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl add / remove: GROOVE_IOC_ADD and GROOVE_IOC_REMOVE on the device
 * (straight from uapi/linux/groove.h: the kernel's errno is what the user
 * needs to see), or libgroove's volume calls on a groove file.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <groove/groove.h>

#include "groovectl.h"

/*
 * Fewer volumes left than asked: fine when the groove simply had no more,
 * worth a hint when the rest hold objects.  EXIT_BUSY, with the reason on
 * stderr, when none could go.
 */
static int explain_short_remove(const struct groovectl_opts *o, unsigned long count,
				unsigned int removed, unsigned int present_before)
{
	unsigned int left = present_before > removed ? present_before - removed : 0;

	if (removed >= count)
		return EXIT_OK;
	if (!left) {
		if (!removed) {
			ctl_err("remove: %s has no volumes: nothing to remove ('groovectl add N' adds some)",
				o->device);
			return EXIT_BUSY;
		}
		if (!o->quiet && !o->json)
			printf("the groove has no volumes left\n");
		return EXIT_OK;
	}
	ctl_err("remove: %u of %lu removed; the %u volume(s) left hold objects: only empty volumes can leave (free their objects first)",
		removed, count, left);
	return removed ? EXIT_OK : EXIT_BUSY;
}

/* Success of add or remove: a line of text, or the resulting state as JSON. */
static int report(const struct groovectl_opts *o, bool add, unsigned int n)
{
	if (o->json)
		return ctl_print_state_json(o, add ? "added" : "removed", n);
	if (!o->quiet)
		printf("%s %u volume(s)\n", add ? "added" : "removed", n);
	return EXIT_OK;
}

/* A groove file: libgroove does add/remove in user space. */
static int file_add_remove(const struct groovectl_opts *o, bool add, unsigned long count)
{
	const char *what = add ? "add" : "remove";
	const struct groove_vol_entry *t;
	const struct groove_shared_hdr *h;
	unsigned int present = 0, slots;
	groove_t *g;
	int r, ret;

	if (add && (o->given & OPT_NODE)) {
		ctl_err("add: --node does not apply to a groove file (its volumes are file pages, placed by the page cache): drop it, or add on /dev/groove");
		return EXIT_NOT_APPLICABLE;
	}
	ret = ctl_join(what, o->device, &g);
	if (ret)
		return ret;
	h = groove_shared_hdr(g);
	t = (const void *)((const char *)h + h->vol_table_off);
	for (uint32_t i = 0; i < h->volume_max; i++)
		present += __atomic_load_n(&t[i].present, __ATOMIC_RELAXED) == 1;
	slots = h->volume_max;
	errno = 0;
	if (add)
		r = groove_add_volumes(g, (unsigned int)count, -1, o->info,
				       o->info ? strlen(o->info) : 0);
	else
		r = groove_remove_volumes(g, (unsigned int)count);
	groove_close(g);
	if (r == GROOVE_ERR_FULL && add) {
		ctl_err("add: %s: only %u of %u slots are free: remove volumes, or create a file with a larger volume_max",
			o->device, slots - (present < slots ? present : slots), slots);
		return EXIT_NO_SPACE;
	}
	if (r < 0) {
		ctl_err("%s: %s: %s%s%s", what, o->device, ctl_groove_err(r),
			errno ? ": " : "", errno ? strerror(errno) : "");
		return r == GROOVE_ERR_FULL ? EXIT_NO_SPACE :
		       r == GROOVE_ERR_CORRUPT ? EXIT_CORRUPT : EXIT_FAILED;
	}
	if (!add && !r)
		return explain_short_remove(o, count, 0, present);
	ret = report(o, add, (unsigned int)r);
	if (!add && !ret)
		ret = explain_short_remove(o, count, (unsigned int)r, present);
	return ret;
}

/*
 * Before removing from a device, hand empty superblocks and volumes that
 * still circulate in the allocator back to the empty-volume stack, so that
 * "all objects freed" means "removable".  Best effort: a groove whose
 * header is damaged still gets the kernel's own answer below.
 */
static void trim_device(const char *path)
{
	groove_t *g = groove_open(path, 0);

	if (g) {
		groove_trim(g);
		groove_close(g);
	}
}

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
	if (!ctl_is_char_device(o->device))
		return file_add_remove(o, true, count);
	ret = ctl_open_device_info(o->device, O_RDWR, &fd, &info);
	if (ret)
		return ret;

	memset(&add, 0, sizeof(add));
	add.count = (__u32)count;
	add.node = o->node;
	add.info_sz = (__u32)info_sz;
	add.info_ptr = (__u64)(uintptr_t)o->info;
	if (ioctl(fd, GROOVE_IOC_ADD, &add)) {
		err = errno;
		explain_add_error(o->device, err, count, o->node, &info);
		ret = err == EINVAL ? EXIT_USAGE : ctl_exit_for_errno(err);
		goto out;
	}
	close(fd);
	return report(o, true, add.added);
out:
	close(fd);
	return ret;
}

int cmd_remove(const struct groovectl_opts *o, unsigned long count)
{
	struct groove_info info;
	struct groove_remove rm;
	int fd, ret, err;

	if (!ctl_is_char_device(o->device))
		return file_add_remove(o, false, count);
	ret = ctl_open_device_info(o->device, O_RDWR, &fd, &info);
	if (ret)
		return ret;
	trim_device(o->device);
	memset(&rm, 0, sizeof(rm));
	rm.count = (__u32)count;
	if (ioctl(fd, GROOVE_IOC_REMOVE, &rm)) {
		err = errno;
		ctl_explain_errno("remove", o->device, err);
		ret = ctl_exit_for_errno(err);
		goto out;
	}
	close(fd);
	if (!rm.removed)
		return explain_short_remove(o, count, 0, info.volumes_present);
	ret = report(o, false, rm.removed);
	if (!ret)
		ret = explain_short_remove(o, count, rm.removed, info.volumes_present);
	return ret;
out:
	close(fd);
	return ret;
}

/*
 * groovectl --device FILE create [volume_size=2M] [volume_max=N] [mode=0600]:
 * format a new groove file (the file backend: same layout and allocator as
 * the device, no module needed).  Create-only (groove_open2() with
 * GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL): the file is formatted unnamed and
 * linked to FILE only when complete, an existing FILE is refused
 * (GROOVE_ERR_EXISTS) and never touched, and of simultaneous creates of one
 * FILE exactly one succeeds.  No access() pre-check: the library decides.
 */
int cmd_create(const struct groovectl_opts *o, int argc, char **argv)
{
	struct groove_open_opts oo = GROOVE_OPEN_OPTS_INIT;
	struct groove_geometry geo = { .volume_size = 2u << 20, .volume_max = 16 };
	uint32_t mode = 0600;
	uint64_t v;
	groove_t *g;
	int i, gerr;

	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (eq && !strncmp(argv[i], "volume_size=", 12) && !parse_size(eq + 1, &v)) {
			geo.volume_size = v;
		} else if (eq && !strncmp(argv[i], "volume_max=", 11) && !parse_size(eq + 1, &v) &&
			   v && v <= GROOVE_VOLUME_MAX_LIMIT) {
			geo.volume_max = (uint32_t)v;
		} else if (eq && !strncmp(argv[i], "mode=", 5)) {
			char *end;

			errno = 0;
			v = strtoull(eq + 1, &end, 8);
			if (!isdigit((unsigned char)eq[1]) || errno || *end || (v & ~0666ull)) {
				ctl_err("create: mode=%s: not an octal mode of at most 0666 (e.g. mode=0660)",
					eq + 1);
				return EXIT_USAGE;
			}
			mode = v ? (uint32_t)v : 0600;
		} else if (eq && (!strncmp(argv[i], "limit_bytes=", 12) ||
				  !strncmp(argv[i], "owner=", 6) || !strncmp(argv[i], "group=", 6))) {
			ctl_err("create: %.*s does not apply to a groove file (its size is its slots, its owner the file's): it is for a named groove, 'groovectl create NAME %s'",
				(int)(eq - argv[i]), argv[i], argv[i]);
			return EXIT_NOT_APPLICABLE;
		} else {
			ctl_err("create: '%s': expected volume_size=SIZE (2M..1G, a power of two), volume_max=N (1..%u) or mode=OCTAL",
				argv[i], GROOVE_VOLUME_MAX_LIMIT);
			return EXIT_USAGE;
		}
	}
	/* checked here too, so that a refused geometry leaves no file behind */
	if (geo.volume_size < (2u << 20) || geo.volume_size > (1u << 30) ||
	    (geo.volume_size & (geo.volume_size - 1))) {
		ctl_err("create: volume_size=%" PRIu64 " is not a power of two from 2M to 1G (e.g. volume_size=2M)",
			(uint64_t)geo.volume_size);
		return EXIT_USAGE;
	}
	if (ctl_is_char_device(o->device)) {
		ctl_err("create: %s is a device: create formats a groove *file* (the module formats the device when it loads)",
			o->device);
		return EXIT_NOT_APPLICABLE;
	}
	oo.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	oo.mode = mode;
	oo.geometry = geo;
	g = groove_open2(o->device, &oo, &gerr);
	if (!g) {
		int err = errno;

		if (gerr == GROOVE_ERR_EXISTS) {
			ctl_err("create: %s exists; remove it first (create makes a new groove file, it never reuses or overwrites one)",
				o->device);
			return EXIT_FAILED;
		}
		if (gerr == GROOVE_ERR_INVAL) {
			ctl_err("create: bad geometry: volume_size must be a power of two from 2M to 1G");
			return EXIT_USAGE;
		}
		if (err == ENOENT) {
			ctl_err("create: %s: its directory does not exist (create makes the file, not the directories above it)",
				o->device);
			return EXIT_NO_DEVICE;
		}
		ctl_explain_errno("create", o->device, err);
		return err == EISDIR ? EXIT_NOT_GROOVE : ctl_exit_for_errno(err);
	}
	groove_close(g);
	if (o->json)
		return ctl_print_state_json(o, "created", -1);
	if (!o->quiet)
		printf("created %s: %u slots of %" PRIu64 " bytes, mode %04o, no volumes yet (groovectl --device %s add N)\n",
		       o->device, geo.volume_max, (uint64_t)geo.volume_size, (unsigned int)mode, o->device);
	return EXIT_OK;
}
