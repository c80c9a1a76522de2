// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: /dev/groove can exist before the module loads.
 *
 * groove registers the fixed misc minor 250 and carries the aliases
 * devname:groove and char-major-10-250: depmod then lists the node in
 * modules.devname (what kmod static-nodes turns into /dev/groove at boot),
 * and the first open of such a node makes the kernel load the module.  A
 * bad misc_minor is refused; misc_minor=255 takes a dynamic minor.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include "groove_selftest.h"

#define GROOVE_MISC_MINOR	250
#define SMALL			"volume_size=2M volume_max=2 limit_bytes=4M"

/* The device's "major:minor" as sysfs shows it; 0 on success. */
static int misc_dev(unsigned int *major, unsigned int *minor)
{
	FILE *f = fopen(GROOVE_SYSFS "dev", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%u:%u", major, minor);
	fclose(f);
	return n == 2 ? 0 : -1;
}

TEST(modules_devname_names_the_node)
{
	char path[300], line[256];
	struct utsname u;
	int found = 0;
	FILE *f;

	ASSERT_EQ(0, uname(&u));
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.devname", u.release);
	f = fopen(path, "r");
	if (!f)
		SKIP(return, "%s: %s (no depmod run for this kernel)", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, "groove groove c10:250\n");
	fclose(f);
	EXPECT_TRUE(found) TH_LOG("%s has no line \"groove groove c10:250\"", path);
}

TEST(fixed_minor_by_default)
{
	unsigned int major = 0, minor = 0;
	struct stat st;

	if (groove_load_or_skip(_metadata, SMALL))
		return;
	ASSERT_EQ(0, misc_dev(&major, &minor));
	EXPECT_EQ(10U, major);
	EXPECT_EQ((unsigned int)GROOVE_MISC_MINOR, minor);
	ASSERT_EQ(0, stat(GROOVE_DEV, &st));
	EXPECT_EQ(makedev(10, GROOVE_MISC_MINOR), st.st_rdev);
	EXPECT_EQ(0, groove_unload());
}

TEST(bad_misc_minor_refused)
{
	static const char *const bad[] = {
		"misc_minor=0 " SMALL, "misc_minor=242 " SMALL,
		"misc_minor=256 " SMALL, "misc_minor=4096 " SMALL,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = groove_load(bad[i]);

		if (err == -ENOENT)
			SKIP(return, "groove.ko not found at %s", groove_ko_path());
		EXPECT_EQ(-EINVAL, err) TH_LOG("%s", bad[i]);
		if (!err)
			groove_unload();
	}
}

TEST(dynamic_misc_minor)
{
	unsigned int major = 0, minor = 0;

	if (groove_load_or_skip(_metadata, "misc_minor=255 " SMALL))
		return;
	ASSERT_EQ(0, misc_dev(&major, &minor));
	EXPECT_EQ(10U, major);
	EXPECT_NE((unsigned int)GROOVE_MISC_MINOR, minor);
	EXPECT_EQ(0, groove_unload());
}

/* What kmod static-nodes makes at boot, opened with no module loaded. */
TEST(first_open_of_a_static_node_loads_the_module)
{
	static const char node[] = "/tmp/groove-static-node";
	struct groove_info info;
	char modprobe[256] = "";
	FILE *f;
	int fd;

	f = fopen("/proc/sys/kernel/modprobe", "r");
	if (f) {
		if (!fgets(modprobe, sizeof(modprobe), f))
			modprobe[0] = '\0';
		fclose(f);
	}
	modprobe[strcspn(modprobe, "\n")] = '\0';
	if (!modprobe[0] || access(modprobe, X_OK))
		SKIP(return, "no usable modprobe (\"%s\"): the kernel cannot load on demand",
		     modprobe);
	if (access(GROOVE_SYSFS, F_OK) == 0)
		ASSERT_EQ(0, groove_unload());
	unlink(node);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, makedev(10, GROOVE_MISC_MINOR)));

	fd = open(node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open of 10:250 with groove unloaded: %s (%s char-major-10-250)",
				strerror(errno), modprobe);
	EXPECT_EQ(0, access(GROOVE_SYSFS, F_OK));
	EXPECT_EQ(0, groove_info(fd, &info));
	EXPECT_EQ((__u32)GROOVE_ABI_VERSION, info.abi_version);
	close(fd);
	unlink(node);
	EXPECT_EQ(0, groove_unload());
}

TEST_HARNESS_MAIN
