// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: named grooves.  /dev/groove-control creates and destroys
 * them (CAP_SYS_ADMIN); each is /dev/grooves/NAME with its own geometry,
 * limit, owner, group and mode, and /sys/class/groove/NAME/.
 *
 * Names, geometry, the module-wide cap and reserved fields are checked with
 * their own errnos; two grooves keep their volumes, limits and figures
 * apart; a member of the node's group may map and add, others get EACCES;
 * DESTROY refuses while a file or mapping is alive and gives the memory
 * back; random CREATE/DESTROY/open/map/ADD/REMOVE from several processes
 * leaves a module that unloads.
 */
#include <grp.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include "groove_selftest.h"

#define CTL_DEV		"/dev/groove-control"
#define NAMED_DIR	"/dev/grooves/"
#define NAMED_SYSFS	"/sys/class/groove/"
#define BASE_PARAMS	"volume_size=2M volume_max=4 limit_bytes=8M cap_bytes=64M"
#define TEST_GID	4242U
#define OTHER_GID	4343U
#define NOBODY		65534U

static int ctl_fd(void)
{
	return open(CTL_DEV, O_RDWR | O_CLOEXEC);
}

static int ctl_create(const char *name, __u64 volume_size, __u32 volume_max,
		      __u64 limit, __u32 mode, __u32 uid, __u32 gid)
{
	struct groove_create c = {
		.volume_size = volume_size,
		.volume_max = volume_max,
		.limit_bytes = limit,
		.mode = mode,
		.uid = uid,
		.gid = gid,
	};
	int fd = ctl_fd(), r;

	if (fd < 0)
		return -errno;
	memcpy(c.name, name, strlen(name) < sizeof(c.name) ? strlen(name) : sizeof(c.name));
	r = ioctl(fd, GROOVE_CTL_CREATE, &c) ? -errno : 0;
	close(fd);
	return r;
}

static int ctl_ioctl(unsigned long cmd, void *arg)
{
	int fd = ctl_fd(), r;

	if (fd < 0)
		return -errno;
	r = ioctl(fd, cmd, arg) ? -errno : 0;
	close(fd);
	return r;
}

static int ctl_destroy(const char *name)
{
	struct groove_destroy d = { 0 };

	memcpy(d.name, name, strlen(name) < sizeof(d.name) ? strlen(name) : sizeof(d.name));
	return ctl_ioctl(GROOVE_CTL_DESTROY, &d);
}

static int named_open(const char *name, int flags)
{
	char path[96];

	snprintf(path, sizeof(path), NAMED_DIR "%s", name);
	return open(path, flags | O_CLOEXEC);
}

/* /sys/class/groove/NAME/ATTR as a number; -1 when unreadable. */
static long long named_sysfs(const char *name, const char *attr)
{
	char path[160], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), NAMED_SYSFS "%s/%s", name, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 10);
	fclose(f);
	return v;
}

/* Drop CAP_SYS_ADMIN from every set of this process (a forked child). */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].inheritable &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

/* In a forked child: become @uid with only @gid as group, no capabilities. */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -1;
	return 0;
}

FIXTURE(named) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_SETUP(named)
{
	GROOVE_SETUP(self, BASE_PARAMS);
	if (access(CTL_DEV, F_OK))
		SKIP(return, "%s: %s (a module without named grooves)", CTL_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(named)
{
	GROOVE_TEARDOWN(self);
}

TEST_F(named, create_makes_node_and_sysfs)
{
	struct groove_info info;
	struct stat st;
	int fd;

	ASSERT_EQ(0, ctl_create("alpha", 4 * MiB, 3, 12 * MiB, 0660, 0, TEST_GID));
	ASSERT_EQ(0, stat(NAMED_DIR "alpha", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(TEST_GID, st.st_gid);
	EXPECT_EQ(4 * MiB, (__u64)named_sysfs("alpha", "volume_size"));
	EXPECT_EQ(3, named_sysfs("alpha", "volume_max"));
	EXPECT_EQ(12 * MiB, (__u64)named_sysfs("alpha", "bytes_limit"));
	EXPECT_EQ(0, named_sysfs("alpha", "node_bytes/node0"));

	fd = named_open("alpha", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, groove_info(fd, &info));
	EXPECT_EQ(4 * MiB, info.volume_size);
	EXPECT_EQ(3U, info.volume_max);
	EXPECT_EQ(12 * MiB, info.bytes_limit);
	EXPECT_EQ(3, groove_add(fd, 3, NULL, 0));
	EXPECT_EQ(-ENOSPC, groove_add(fd, 1, NULL, 0));
	EXPECT_EQ(12 * MiB, (__u64)named_sysfs("alpha", "bytes_reserved"));
	/* The default groove did not move. */
	EXPECT_EQ(0, groove_sysfs_read("bytes_reserved"));
	close(fd);

	EXPECT_EQ(0, ctl_destroy("alpha"));
	EXPECT_NE(0, access(NAMED_DIR "alpha", F_OK));
	EXPECT_NE(0, access(NAMED_SYSFS "alpha", F_OK));
	EXPECT_EQ(-ENOENT, ctl_destroy("alpha"));
}

TEST_F(named, bad_arguments_have_their_errnos)
{
	static const char *const bad_names[] = {
		"", "Alpha", "-alpha", "_a", "a/b", "a b", "a.b", "ä",
	};
	struct groove_create c = { .volume_size = 2 * MiB, .limit_bytes = 4 * MiB };
	unsigned int i;

	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		EXPECT_EQ(-EINVAL, ctl_create(bad_names[i], 2 * MiB, 0, 4 * MiB, 0600, 0, 0))
			TH_LOG("bad name number %u", i);
	/* 32 bytes without a NUL. */
	memset(c.name, 'a', sizeof(c.name));
	EXPECT_EQ(-ENAMETOOLONG, ctl_ioctl(GROOVE_CTL_CREATE, &c));
	/* Bytes after the NUL must be zero: one spelling per name. */
	memset(c.name, 0, sizeof(c.name));
	memcpy(c.name, "ab\0x", 4);
	EXPECT_EQ(-EINVAL, ctl_ioctl(GROOVE_CTL_CREATE, &c));
	memset(c.name, 0, sizeof(c.name));
	strcpy(c.name, "ok-name_1");
	c.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, ctl_ioctl(GROOVE_CTL_CREATE, &c));

	/* Geometry, mode and the module-wide cap (64M here). */
	EXPECT_EQ(-EINVAL, ctl_create("geo", 3 * MiB, 0, 6 * MiB, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, ctl_create("geo", 2 * MiB, 0, 1 * MiB, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, ctl_create("geo", 2 * MiB, GROOVE_VOLUME_MAX_LIMIT + 1, 4 * MiB,
				      0600, 0, 0));
	EXPECT_EQ(-EINVAL, ctl_create("geo", 2 * MiB, 0, 4 * MiB, 0777, 0, 0));
	EXPECT_EQ(-EINVAL, ctl_create("geo", 2 * MiB, 0, 4 * MiB, 04600, 0, 0));
	EXPECT_EQ(-ERANGE, ctl_create("geo", 2 * MiB, 0, 128 * MiB, 0600, 0, 0));
	EXPECT_NE(0, access(NAMED_DIR "geo", F_OK));

	/* A name in use; a destroy of a bad or unknown name. */
	ASSERT_EQ(0, ctl_create("dup", 2 * MiB, 0, 4 * MiB, 0600, 0, 0));
	EXPECT_EQ(-EEXIST, ctl_create("dup", 4 * MiB, 0, 8 * MiB, 0600, 0, 0));
	EXPECT_EQ(2 * MiB, (__u64)named_sysfs("dup", "volume_size"));
	EXPECT_EQ(-EINVAL, ctl_destroy("Dup"));
	EXPECT_EQ(-ENOENT, ctl_destroy("nope"));
	EXPECT_EQ(0, ctl_destroy("dup"));
	/* The default groove's node is not a control device. */
	EXPECT_EQ(-ENOTTY, ioctl(self->fd, GROOVE_CTL_CREATE, &c) ? -errno : 0);
}

TEST_F(named, at_most_named_max)
{
	char name[16];
	int i;

	for (i = 0; i < GROOVE_NAMED_MAX; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		ASSERT_EQ(0, ctl_create(name, 2 * MiB, 1, 2 * MiB, 0600, 0, 0)) TH_LOG("%s", name);
	}
	EXPECT_EQ(-ENOSPC, ctl_create("one-more", 2 * MiB, 1, 2 * MiB, 0600, 0, 0));
	for (i = 0; i < GROOVE_NAMED_MAX; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		EXPECT_EQ(0, ctl_destroy(name));
	}
	EXPECT_EQ(0, ctl_create("one-more", 2 * MiB, 1, 2 * MiB, 0600, 0, 0));
}

TEST_F(named, two_grooves_keep_apart)
{
	struct groove_volume_phys pa = { .idx = 0 }, pb = { .idx = 0 };
	int a, b;
	char *ma, *mb;
	struct groove_info ia, ib;

	ASSERT_EQ(0, ctl_create("a", 2 * MiB, 0, 8 * MiB, 0600, 0, 0));
	ASSERT_EQ(0, ctl_create("b", 4 * MiB, 0, 16 * MiB, 0600, 0, 0));
	a = named_open("a", O_RDWR);
	b = named_open("b", O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, groove_info(a, &ia));
	ASSERT_EQ(0, groove_info(b, &ib));
	EXPECT_EQ(4U, ia.volume_max);
	EXPECT_EQ(4U, ib.volume_max);
	/* Each limit holds on its own. */
	EXPECT_EQ(4, groove_add(a, 4, NULL, 0));
	EXPECT_EQ(-ENOSPC, groove_add(a, 1, NULL, 0));
	EXPECT_EQ(4, groove_add(b, 4, NULL, 0));
	EXPECT_EQ(-ENOSPC, groove_add(b, 1, NULL, 0));
	EXPECT_EQ(8 * MiB, (__u64)named_sysfs("a", "bytes_reserved"));
	EXPECT_EQ(16 * MiB, (__u64)named_sysfs("b", "bytes_reserved"));
	EXPECT_EQ(4, named_sysfs("a", "volumes_present"));
	EXPECT_EQ(4, named_sysfs("b", "volumes_present"));
	EXPECT_EQ(0, groove_sysfs_read("volumes_present"));

	/* Different memory: a write in one never shows in the other. */
	ASSERT_EQ(0, ioctl(a, GROOVE_IOC_VOLUME_PHYS, &pa));
	ASSERT_EQ(0, ioctl(b, GROOVE_IOC_VOLUME_PHYS, &pb));
	EXPECT_NE(pa.phys, pb.phys);
	ma = groove_map_volumes(a, &ia, PROT_READ | PROT_WRITE);
	mb = groove_map_volumes(b, &ib, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, ma);
	ASSERT_NE(MAP_FAILED, mb);
	memset(ma + 4096, 0xaa, 4096);
	EXPECT_EQ(0, mb[4096]);
	EXPECT_EQ((char)0xaa, ma[4096 + 100]);
	munmap(ma, ia.map_size - ia.vol0_off);
	munmap(mb, ib.map_size - ib.vol0_off);

	EXPECT_EQ(4, groove_remove(a, 4));
	EXPECT_EQ(0, named_sysfs("a", "bytes_reserved"));
	EXPECT_EQ(16 * MiB, (__u64)named_sysfs("b", "bytes_reserved"));
	close(a);
	close(b);
	EXPECT_EQ(0, ctl_destroy("a"));
	EXPECT_EQ(0, ctl_destroy("b"));
}

/* cap_bytes=64M bounds every groove together, the default one included. */
TEST_F(named, module_cap_spans_grooves)
{
	int a, n;

	ASSERT_EQ(0, ctl_create("big", 2 * MiB, 0, 64 * MiB, 0600, 0, 0));
	a = named_open("big", O_RDWR);
	ASSERT_LE(0, a);
	EXPECT_EQ(4, groove_add(self->fd, 4, NULL, 0));	/* 8M in the default */
	for (n = 0; groove_add(a, 1, NULL, 0) == 1; n++)
		;
	EXPECT_EQ(28, n);				/* 56M more: 64M in all */
	EXPECT_EQ(-ENOSPC, groove_add(a, 1, NULL, 0));
	EXPECT_EQ(1, groove_remove(self->fd, 1));
	EXPECT_EQ(1, groove_add(a, 1, NULL, 0));
	EXPECT_EQ(29, groove_remove(a, 29));
	EXPECT_EQ(3, groove_remove(self->fd, 3));
	close(a);
	EXPECT_EQ(0, ctl_destroy("big"));
}

/* Run @fn in a forked child: its exit status, or -1. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A member of the node's group: open, add within the limit, map, remove. */
static int as_member(void)
{
	struct groove_info info;
	void *map;
	int fd;

	if (become(NOBODY, TEST_GID))
		return 10;
	fd = named_open("team", O_RDWR);
	if (fd < 0)
		return 11;
	if (groove_info(fd, &info) || groove_add(fd, 2, NULL, 0) != 2)
		return 12;
	if (groove_add(fd, 1, NULL, 0) != -ENOSPC)
		return 13;
	map = groove_map_volumes(fd, &info, PROT_READ | PROT_WRITE);
	if (map == MAP_FAILED)
		return 14;
	if (*(volatile __u64 *)map != GROOVE_VOLUME_MAGIC_EMPTY)
		return 15;
	munmap(map, info.map_size - info.vol0_off);
	return groove_remove(fd, 2) == 2 ? 0 : 16;
}

/* Outside the group: neither the groove nor the control device opens. */
static int as_outsider(void)
{
	if (become(NOBODY, OTHER_GID))
		return 10;
	if (named_open("team", O_RDONLY) >= 0 || errno != EACCES)
		return 11;
	return ctl_fd() < 0 && errno == EACCES ? 0 : 12;
}

/* Root without CAP_SYS_ADMIN opens the control device, cannot use it. */
static int as_root_without_admin(void)
{
	if (drop_sys_admin())
		return 10;
	if (ctl_create("nope", 2 * MiB, 0, 4 * MiB, 0600, 0, 0) != -EPERM)
		return 11;
	return ctl_destroy("team") == -EPERM ? 0 : 12;
}

TEST_F(named, group_member_may_use_others_may_not)
{
	ASSERT_EQ(0, ctl_create("team", 2 * MiB, 0, 4 * MiB, 0660, 0, TEST_GID));
	EXPECT_EQ(0, in_child(as_member));
	EXPECT_EQ(0, in_child(as_outsider));
	EXPECT_EQ(0, in_child(as_root_without_admin));
	EXPECT_EQ(0, ctl_destroy("team"));
}

TEST_F(named, destroy_refused_while_open_or_mapped)
{
	long long avail0, avail1, avail2;
	struct groove_info info;
	void *map;
	int fd;

	avail0 = groove_meminfo_kib("MemAvailable");
	ASSERT_EQ(0, ctl_create("busy", 2 * MiB, 0, 32 * MiB, 0600, 0, 0));
	fd = named_open("busy", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, groove_info(fd, &info));
	ASSERT_EQ(16, groove_add(fd, 16, NULL, 0));
	EXPECT_EQ(32 * MiB, (__u64)named_sysfs("busy", "bytes_reserved"));
	avail1 = groove_meminfo_kib("MemAvailable");
	EXPECT_EQ(-EBUSY, ctl_destroy("busy"));
	map = groove_map_volumes(fd, &info, PROT_READ);
	ASSERT_NE(MAP_FAILED, map);
	close(fd);
	/* The mapping keeps the file open. */
	EXPECT_EQ(-EBUSY, ctl_destroy("busy"));
	EXPECT_EQ(0, ((volatile char *)map)[8]);
	EXPECT_EQ(0, munmap(map, info.map_size - info.vol0_off));
	EXPECT_EQ(0, ctl_destroy("busy"));
	avail2 = groove_meminfo_kib("MemAvailable");
	ksft_print_msg("MemAvailable: %lld KiB before, %lld with 32 MiB of volumes, %lld after DESTROY\n",
		       avail0, avail1, avail2);
	/*
	 * Back within 1% of where it was.  Where the 32 MiB went is the
	 * groove's bytes_reserved above: MemAvailable moves with everything
	 * else (on the debug kernel it fell by only 8 MiB over the ADD).
	 */
	EXPECT_LE(avail0 - avail2, avail0 / 100);
}

TEST_F(named, unload_with_named_grooves)
{
	int fd;

	ASSERT_EQ(0, ctl_create("stay", 2 * MiB, 0, 4 * MiB, 0600, 0, 0));
	fd = named_open("stay", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, groove_add(fd, 1, NULL, 0));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-EWOULDBLOCK, groove_unload());
	close(fd);
	/* No file open: unload destroys the named groove with its volume. */
	EXPECT_EQ(0, groove_unload());
	self->loaded = 0;
	EXPECT_NE(0, access(NAMED_DIR "stay", F_OK));
	EXPECT_NE(0, access(NAMED_SYSFS "stay", F_OK));
}

/*
 * Hostile: processes pick random operations on a few names; every call must
 * return a result its arguments explain.  GROOVE_NAMED_HOSTILE_OPS sets the
 * total (20000 unless set).
 */
#define HOSTILE_PROCS	4
#define HOSTILE_NAMES	6

static long hostile_ops(void)
{
	const char *s = getenv("GROOVE_NAMED_HOSTILE_OPS");
	long v = s && *s ? strtol(s, NULL, 0) : 20000;

	return v > 0 ? v : 20000;
}

/* Count an unexplained result; print the first few. */
#define HOSTILE_BAD(what, r) do {					\
		if (bad++ < 3)						\
			ksft_print_msg("hostile: op %ld: %s on %s: %d (%s)\n", n, \
				       what, name, r, strerror(r < 0 ? -r : errno)); \
	} while (0)

static int hostile_worker(unsigned int id, long ops)
{
	int fds[HOSTILE_NAMES], i, bad = 0;
	void *maps[HOSTILE_NAMES];
	size_t lens[HOSTILE_NAMES];
	__u32 slots[HOSTILE_NAMES];
	unsigned int seed = 0x67726f6fU + id;
	long done[7] = { 0 };
	char name[16];
	long n;

	for (i = 0; i < HOSTILE_NAMES; i++) {
		fds[i] = -1;
		maps[i] = NULL;
	}
	for (n = 0; n < ops; n++) {
		int k = rand_r(&seed) % HOSTILE_NAMES, op = rand_r(&seed) % 7, r = -1;
		struct groove_info info;
		__u32 c;

		snprintf(name, sizeof(name), "h%d", k);
		switch (op) {
		case 0:
			r = ctl_create(name, (rand_r(&seed) % 2 ? 2 : 4) * MiB,
				       rand_r(&seed) % 5, 8 * MiB, 0600, 0, 0);
			if (r && r != -EEXIST)
				HOSTILE_BAD("create", r);
			break;
		case 1:
			r = ctl_destroy(name);
			if (r && r != -ENOENT && r != -EBUSY)
				HOSTILE_BAD("destroy", r);
			break;
		case 2:
			if (fds[k] >= 0)
				break;
			fds[k] = named_open(name, O_RDWR);
			if (fds[k] < 0) {
				if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
					HOSTILE_BAD("open", -errno);
				break;
			}
			r = groove_info(fds[k], &info);
			if (r)
				HOSTILE_BAD("info", r);
			slots[k] = info.volume_max;
			break;
		case 3:
			if (fds[k] < 0 || maps[k])
				break;
			r = groove_info(fds[k], &info);
			if (r) {
				HOSTILE_BAD("info", r);
				break;
			}
			lens[k] = info.map_size - info.vol0_off;
			maps[k] = groove_map_volumes(fds[k], &info, PROT_READ);
			if (maps[k] == MAP_FAILED) {
				maps[k] = NULL;
				r = -errno;
				HOSTILE_BAD("mmap", r);
			}
			break;
		case 4:
			if (fds[k] < 0)
				break;
			c = 1 + rand_r(&seed) % 2;
			r = groove_add(fds[k], c, NULL, 0);
			/* More than the slots is a bad argument; the rest is room. */
			if (r < 0 && r != -ENOSPC && r != -ENOMEM && !(r == -EINVAL && c > slots[k]))
				HOSTILE_BAD("add", r);
			break;
		case 5:
			if (fds[k] < 0)
				break;
			r = groove_remove(fds[k], 1 + rand_r(&seed) % 3);
			if (r < 0 && r != -EAGAIN)
				HOSTILE_BAD("remove", r);
			if (maps[k])	/* present or not, a slot reads without SIGBUS */
				(void)((volatile char *)maps[k])[64];
			break;
		default:
			if (maps[k]) {
				munmap(maps[k], lens[k]);
				maps[k] = NULL;
			}
			if (fds[k] >= 0) {
				close(fds[k]);
				fds[k] = -1;
				r = 0;
			}
			break;
		}
		done[op] += r >= 0;
	}
	for (i = 0; i < HOSTILE_NAMES; i++) {
		if (maps[i])
			munmap(maps[i], lens[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	ksft_print_msg("hostile: worker %u: calls that succeeded: create %ld, destroy %ld, open %ld, map %ld, add %ld, remove %ld, close %ld\n",
		       id, done[0], done[1], done[2], done[3], done[4], done[5], done[6]);
	return bad;
}

TEST_F_TIMEOUT(named, hostile_create_destroy_use, 900)
{
	long ops = hostile_ops(), per = (ops + HOSTILE_PROCS - 1) / HOSTILE_PROCS;
	pid_t pids[HOSTILE_PROCS];
	int i, status, bad = 0;
	char name[16];

	for (i = 0; i < HOSTILE_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(hostile_worker(i, per) ? 1 : 0);
	}
	for (i = 0; i < HOSTILE_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	ksft_print_msg("hostile: %d processes x %ld operations on %d names\n",
		       HOSTILE_PROCS, per, HOSTILE_NAMES);
	EXPECT_EQ(0, bad);
	/* Every process is gone: every groove can be destroyed. */
	for (i = 0; i < HOSTILE_NAMES; i++) {
		int r;

		snprintf(name, sizeof(name), "h%d", i);
		r = ctl_destroy(name);
		EXPECT_TRUE(r == 0 || r == -ENOENT) TH_LOG("%s: %d", name, r);
	}
}

TEST_HARNESS_MAIN
