// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: volumes count against the memory cgroup of the task that
 * adds them (cgroup v2).  A member inside a cgroup with memory.max=100M
 * cannot reserve much more than that: small volumes (buddy pages) are
 * charged for real and show in memory.current; large ones (contiguous
 * ranges no module can charge) are bounded by the module itself, -EDQUOT.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "groove_selftest.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/groove-memcg-test"
#define CG_MAX		(100 * MiB)

FIXTURE(memcg) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(memcg) {
	const char *params;
	__u64 volume_size;
	int refusal;	/* the errno the first refused ADD gives */
};

/* 2 MiB volumes: buddy pages, charged with __GFP_ACCOUNT. */
FIXTURE_VARIANT_ADD(memcg, charged_2m) {
	.params = "volume_size=2M volume_max=128 limit_bytes=256M",
	.volume_size = 2 * MiB,
	.refusal = ENOMEM,
};

/* 16 MiB volumes: alloc_contig_range(), bounded by the module. */
FIXTURE_VARIANT_ADD(memcg, bounded_16m) {
	.params = "volume_size=16M volume_max=16 limit_bytes=256M",
	.volume_size = 16 * MiB,
	.refusal = EDQUOT,
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = -errno;
	close(fd);
	return err;
}

static long long read_ll(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : -1;
}

/* cgroup v2 with the memory controller, or a reason to skip. */
static const char *memcg_ready(void)
{
	char buf[256] = "";
	int fd;

	mkdir(CG_ROOT, 0755);
	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
		return "cannot mount cgroup2";
	fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
		if (fd >= 0)
			close(fd);
		return "no cgroup.controllers";
	}
	close(fd);
	if (!strstr(buf, "memory"))
		return "no memory controller (CONFIG_MEMCG off)";
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	return NULL;
}

FIXTURE_SETUP(memcg)
{
	const char *why = memcg_ready();

	self->fd = -1;
	self->loaded = 0;
	if (why)
		SKIP(return, "%s", why);
	GROOVE_SETUP(self, variant->params);
	rmdir(CG_DIR);
	ASSERT_EQ(0, mkdir(CG_DIR, 0755));
	ASSERT_EQ(0, write_file(CG_DIR "/memory.max", "104857600"));
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->loaded && self->fd >= 0)
		groove_remove(self->fd, 1000);
	GROOVE_TEARDOWN(self);
	rmdir(CG_DIR);
}

/* In a child inside the cgroup: ADD one volume at a time until refused. */
static void add_until_refused(int report)
{
	char pid[32];
	int fd, r, n = 0;

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write_file(CG_DIR "/cgroup.procs", pid))
		_exit(2);
	fd = groove_open_dev(O_RDWR);
	if (fd < 0)
		_exit(3);
	while ((r = groove_add(fd, 1, NULL, 0)) == 1)
		n++;
	if (write(report, &n, sizeof(n)) != sizeof(n) ||
	    write(report, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	_exit(0);
}

TEST_F_TIMEOUT(memcg, reserve_stops_at_memory_max, 300)
{
	struct groove_info info;
	int p[2], n = 0, r = 0, status;
	long long current;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		add_until_refused(p[1]);
	ASSERT_EQ((ssize_t)sizeof(n), read(p[0], &n, sizeof(n)));
	ASSERT_EQ((ssize_t)sizeof(r), read(p[0], &r, sizeof(r)));
	current = read_ll(CG_DIR "/memory.current");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ksft_print_msg("added %d volumes of %llu MiB under memory.max=100M, then %s; memory.current %lld\n",
		       n, (unsigned long long)(variant->volume_size >> 20),
		       strerror(-r), current);

	EXPECT_EQ(-variant->refusal, r);
	EXPECT_LT(0, n);
	EXPECT_LE((__u64)n * variant->volume_size, CG_MAX + variant->volume_size);
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ((__u64)n * variant->volume_size, info.bytes_reserved);
	if (variant->refusal == ENOMEM)	/* a real charge shows */
		EXPECT_LE((long long)n * (long long)variant->volume_size, current);
	/* The volumes outlive their adder; removing them gives it all back. */
	EXPECT_EQ(n, groove_remove(self->fd, 1000));
	EXPECT_EQ(0, rmdir(CG_DIR));
	close(p[0]);
	close(p[1]);
}

TEST_HARNESS_MAIN
