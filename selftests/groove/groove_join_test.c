// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: joins.  The kernel marks a join live while its file is
 * open and dead once the file's last reference is gone (close, exit,
 * SIGKILL), in a table that user space can map only read-only and that no
 * write to the shared header can reach.
 */
#include <signal.h>

#include "groove_selftest.h"

FIXTURE(join) {
	GROOVE_FIXTURE_FIELDS;
	volatile struct groove_join_entry *table;
};

FIXTURE_SETUP(join)
{
	GROOVE_SETUP(self, "volume_size=2M volume_max=4 limit_bytes=8M");
	self->table = mmap(NULL, GROOVE_JOIN_TABLE_SIZE, PROT_READ, MAP_SHARED,
			   self->fd, self->info.join_off);
	ASSERT_NE(MAP_FAILED, self->table);
}

FIXTURE_TEARDOWN(join)
{
	if (self->table && self->table != MAP_FAILED)
		munmap((void *)self->table, GROOVE_JOIN_TABLE_SIZE);
	GROOVE_TEARDOWN(self);
}

static int join_raw(int fd, struct groove_join *j)
{
	return ioctl(fd, GROOVE_IOC_JOIN, j) ? -errno : 0;
}

static __u32 joins_live(int fd)
{
	struct groove_info info;

	return groove_info(fd, &info) ? ~0U : info.joins_live;
}

TEST_F(join, live_while_open_dead_after_close)
{
	struct groove_join a = { 0 }, again = { 0 }, b = { 0 };
	int fd2;

	ASSERT_EQ(0, join_raw(self->fd, &a));
	EXPECT_LT(a.idx, GROOVE_JOIN_MAX);
	EXPECT_LE(1ULL, a.generation);
	EXPECT_EQ(GROOVE_JOIN_WORD(a.generation, 1), self->table[a.idx].word);
	/* One join per file. */
	ASSERT_EQ(0, join_raw(self->fd, &again));
	EXPECT_EQ(a.idx, again.idx);
	EXPECT_EQ(a.generation, again.generation);
	EXPECT_EQ(1U, joins_live(self->fd));

	fd2 = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, join_raw(fd2, &b));
	EXPECT_NE(a.idx, b.idx);
	EXPECT_EQ(GROOVE_JOIN_WORD(b.generation, 1), self->table[b.idx].word);
	EXPECT_EQ(2U, joins_live(self->fd));
	close(fd2);
	EXPECT_EQ(GROOVE_JOIN_WORD(b.generation, 0), self->table[b.idx].word);
	EXPECT_EQ(GROOVE_JOIN_WORD(a.generation, 1), self->table[a.idx].word);
	EXPECT_EQ(1U, joins_live(self->fd));
}

/*
 * A mapping keeps its file, so its join, alive; a SIGKILLed process's
 * join dies with it.
 */
TEST_F(join, dies_with_a_killed_process)
{
	int pipefd[2], status;
	struct groove_join j;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct groove_join cj = { 0 };
		int fd = groove_open_dev(O_RDWR);

		if (fd < 0 || join_raw(fd, &cj) ||
		    write(pipefd[1], &cj, sizeof(cj)) != sizeof(cj))
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ((ssize_t)sizeof(j), read(pipefd[0], &j, sizeof(j)));
	EXPECT_EQ(GROOVE_JOIN_WORD(j.generation, 1), self->table[j.idx].word);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(GROOVE_JOIN_WORD(j.generation, 0), self->table[j.idx].word);
	EXPECT_EQ(0U, joins_live(self->fd));
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * An entry taken again gets a new generation: old records stay dead.  Up
 * to GROOVE_JOIN_MAX open/join/close rounds: 40 s on the KASAN kernel.
 */
TEST_F_TIMEOUT(join, reuse_bumps_the_generation, 600)
{
	struct groove_join first = { 0 }, j = { 0 };
	unsigned int n;
	int fd;

	fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, join_raw(fd, &first));
	close(fd);
	/* Walk round the table until the same entry comes back. */
	for (n = 0; n < GROOVE_JOIN_MAX; n++) {
		fd = groove_open_dev(O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, join_raw(fd, &j));
		close(fd);
		if (j.idx == first.idx)
			break;
	}
	ASSERT_EQ(first.idx, j.idx);
	EXPECT_LT(first.generation, j.generation);
	EXPECT_NE(GROOVE_JOIN_WORD(first.generation, 1), self->table[first.idx].word);
}

TEST_F(join, table_is_read_only)
{
	void *p;

	p = mmap(NULL, GROOVE_JOIN_TABLE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, self->info.join_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((void *)self->table, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, groove_touch_signal((volatile char *)self->table,
					       GROOVE_TOUCH_WRITE));
	/* Straddling the table and what lies around it is refused. */
	p = mmap(NULL, GROOVE_JOIN_TABLE_SIZE + 4096, PROT_READ, MAP_SHARED,
		 self->fd, self->info.join_off - 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* Scribbling over every writable byte of the header reaches no join. */
TEST_F(join, header_writes_cannot_fake_liveness)
{
	struct groove_join a = { 0 }, b = { 0 };
	unsigned int seed = 0x6a6f696e;
	__u64 *hdr, n;
	int fd2;

	ASSERT_EQ(0, join_raw(self->fd, &a));
	fd2 = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, join_raw(fd2, &b));
	close(fd2);
	hdr = groove_map_hdr(self->fd, &self->info, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, hdr);
	for (n = 0; n < self->info.hdr_size / 8; n++) {
		seed = seed * 1103515245 + 12345;
		hdr[n] = (__u64)seed << 32 | seed;
	}
	EXPECT_EQ(GROOVE_JOIN_WORD(a.generation, 1), self->table[a.idx].word);
	EXPECT_EQ(GROOVE_JOIN_WORD(b.generation, 0), self->table[b.idx].word);
	EXPECT_EQ(1U, joins_live(self->fd));
	munmap(hdr, self->info.hdr_size);
}

TEST_F(join, bad_arguments)
{
	struct groove_join j = { .flags = 1 };
	int ro;

	EXPECT_EQ(-EINVAL, join_raw(self->fd, &j));
	j = (struct groove_join){ .reserved[1] = 1 };
	EXPECT_EQ(-EINVAL, join_raw(self->fd, &j));
	EXPECT_EQ(-EFAULT, join_raw(self->fd, NULL));
	ro = groove_open_dev(O_RDONLY);
	ASSERT_LE(0, ro);
	j = (struct groove_join){ 0 };
	EXPECT_EQ(-EBADF, join_raw(ro, &j));
	close(ro);
	EXPECT_EQ(0U, joins_live(self->fd));
}

TEST_HARNESS_MAIN
