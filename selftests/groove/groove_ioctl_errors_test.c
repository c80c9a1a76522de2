// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: every malformed ioctl gets its documented errno and
 * leaves no trace.
 */
#include "groove_selftest.h"

FIXTURE(ioctl) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_SETUP(ioctl)
{
	GROOVE_SETUP(self, "volume_size=2M volume_max=4 limit_bytes=8M");
}

FIXTURE_TEARDOWN(ioctl)
{
	struct groove_info info;

	/* Whatever the test did wrong, nothing was added. */
	if (self->fd >= 0 && !groove_info(self->fd, &info)) {
		EXPECT_EQ(0U, info.volumes_present);
		EXPECT_EQ(0ULL, info.bytes_reserved);
	}
	GROOVE_TEARDOWN(self);
}

static int add_raw(int fd, struct groove_add *a)
{
	return ioctl(fd, GROOVE_IOC_ADD, a) ? -errno : 0;
}

static int remove_raw(int fd, struct groove_remove *r)
{
	return ioctl(fd, GROOVE_IOC_REMOVE, r) ? -errno : 0;
}

TEST_F(ioctl, unknown_command_is_enotty)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOR(GROOVE_IOC_MAGIC, 0x7f, buf), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('x', 1)));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong size. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(GROOVE_IOC_MAGIC, 0x00, __u64), buf));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ioctl, add_invalid_is_einval)
{
	const struct groove_add good = { .count = 1, .node = -1 };
	char info[GROOVE_VOLUME_INFO_MAX + 1] = { 0 };
	struct groove_add a;

	a = good; a.count = 0;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.count = self->info.volume_max + 1;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.flags = 1;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.info_sz = sizeof(info); a.info_ptr = (uintptr_t)info;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.info_ptr = (uintptr_t)info;		/* pointer, no size */
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.node = 4096;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
	a = good; a.node = -2;
	EXPECT_EQ(-EINVAL, add_raw(self->fd, &a));
}

TEST_F(ioctl, bad_pointers_are_efault)
{
	struct groove_add a = { .count = 1, .node = -1, .info_sz = 8, .info_ptr = 8 };

	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_ADD, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_REMOVE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_VOLUME_PHYS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, add_raw(self->fd, &a));	/* bad info_ptr */
}

TEST_F(ioctl, remove_invalid_is_einval)
{
	struct groove_remove r = { .count = 0 };

	EXPECT_EQ(-EINVAL, remove_raw(self->fd, &r));
	r.count = 1;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, remove_raw(self->fd, &r));
	r.flags = 0;
	r.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, remove_raw(self->fd, &r));
	r.reserved[0] = 0;
	EXPECT_EQ(0, remove_raw(self->fd, &r));
	EXPECT_EQ(0U, r.removed);
}

TEST_F(ioctl, read_only_fd_cannot_add_or_remove)
{
	struct groove_info info;
	int ro;

	ro = groove_open_dev(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, groove_add(ro, 1, NULL, 0));
	EXPECT_EQ(-EBADF, groove_remove(ro, 1));
	EXPECT_EQ(0, groove_info(ro, &info));
	close(ro);
}

TEST_F(ioctl, volume_phys_errors)
{
	struct groove_volume_phys p = { .idx = self->info.volume_max };
	__u64 phys;

	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_VOLUME_PHYS, &p));
	EXPECT_EQ(EINVAL, errno);
	p.idx = 0;
	p.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GROOVE_IOC_VOLUME_PHYS, &p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, groove_phys(self->fd, 0, &phys, NULL));
}

/* Physical addresses are for CAP_SYS_ADMIN only, even with an open fd. */
TEST_F(ioctl, volume_phys_needs_cap_sys_admin)
{
	int status;
	pid_t pid;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u64 phys = 0;

		/* setuid() to a non-root uid drops every capability. */
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(groove_phys(self->fd, 0, &phys, NULL) == -EPERM && !phys ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, groove_remove(self->fd, 1));
}

/*
 * ADD is all or nothing, also when the result cannot be written back: an
 * argument in a read-only page is read fine, then the write of @added
 * fails.  That must be -EFAULT with nothing added (the teardown checks),
 * not volumes added behind an error that invites a retry.
 */
TEST_F(ioctl, add_with_unwritable_result_adds_nothing)
{
	struct groove_add *a;
	long page = sysconf(_SC_PAGESIZE);

	a = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 0, sizeof(*a));
	a->count = 2;
	a->node = -1;
	ASSERT_EQ(0, mprotect(a, page, PROT_READ));
	EXPECT_EQ(-EFAULT, add_raw(self->fd, a));
	EXPECT_EQ(0U, a->added);
	EXPECT_EQ(0, munmap(a, page));
}

static int exclusive_raw(int fd, struct groove_exclusive *x)
{
	return ioctl(fd, GROOVE_IOC_EXCLUSIVE, x) ? -errno : 0;
}

/*
 * EXCLUSIVE: refused while another file is open (and says who), holds off
 * new opens while held, ends on RELEASE and on close.
 */
TEST_F(ioctl, exclusive_claim)
{
	struct groove_exclusive x = { .op = GROOVE_EXCL_ACQUIRE };
	int fd2, ro;

	fd2 = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, exclusive_raw(self->fd, &x));
	EXPECT_EQ(1U, x.others);
	EXPECT_EQ(getpid(), x.other_pid);
	close(fd2);

	x = (struct groove_exclusive){ .op = GROOVE_EXCL_ACQUIRE };
	EXPECT_EQ(0, exclusive_raw(self->fd, &x));
	EXPECT_EQ(0, exclusive_raw(self->fd, &x));	/* again: still ours */
	EXPECT_EQ(-1, groove_open_dev(O_RDWR));
	EXPECT_EQ(EBUSY, errno);
	/* The holder itself keeps working. */
	EXPECT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	EXPECT_EQ(1, groove_remove(self->fd, 1));

	x.op = GROOVE_EXCL_RELEASE;
	EXPECT_EQ(0, exclusive_raw(self->fd, &x));
	EXPECT_EQ(-EINVAL, exclusive_raw(self->fd, &x));	/* not held */
	fd2 = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd2);
	close(fd2);

	/* Closing the holder ends the claim (the fixture's fd is reopened). */
	x.op = GROOVE_EXCL_ACQUIRE;
	EXPECT_EQ(0, exclusive_raw(self->fd, &x));
	close(self->fd);
	self->fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, self->fd);

	/* Bad arguments. */
	ro = groove_open_dev(O_RDONLY);
	ASSERT_LE(0, ro);
	x = (struct groove_exclusive){ .op = GROOVE_EXCL_ACQUIRE };
	EXPECT_EQ(-EBADF, exclusive_raw(ro, &x));
	close(ro);
	x = (struct groove_exclusive){ .op = 3 };
	EXPECT_EQ(-EINVAL, exclusive_raw(self->fd, &x));
	x = (struct groove_exclusive){ .op = GROOVE_EXCL_ACQUIRE, .reserved[2] = 1 };
	EXPECT_EQ(-EINVAL, exclusive_raw(self->fd, &x));
	x = (struct groove_exclusive){ .op = GROOVE_EXCL_ACQUIRE, .others = 1 };
	EXPECT_EQ(-EINVAL, exclusive_raw(self->fd, &x));
	EXPECT_EQ(-EFAULT, exclusive_raw(self->fd, NULL));
}

TEST_HARNESS_MAIN
