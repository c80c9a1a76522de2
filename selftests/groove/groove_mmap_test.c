// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: mmap of /dev/groove.  Mappings are shared between
 * processes at different addresses, see volumes added after they were made,
 * raise SIGBUS on absent and removed volumes, and refuse what the rules
 * forbid.
 */
#include <signal.h>

#include "groove_selftest.h"

FIXTURE(mmap) {
	GROOVE_FIXTURE_FIELDS;
	size_t vols_len;
};

FIXTURE_VARIANT(mmap) {
	const char *params;
};

FIXTURE_VARIANT_ADD(mmap, size_2m) {
	.params = "volume_size=2M volume_max=8 limit_bytes=16M",
};

FIXTURE_VARIANT_ADD(mmap, size_4m) {
	.params = "volume_size=4M volume_max=4 limit_bytes=16M",
};

FIXTURE_VARIANT_ADD(mmap, size_16m) {
	.params = "volume_size=16M volume_max=2 limit_bytes=32M",
};

FIXTURE_SETUP(mmap)
{
	GROOVE_SETUP(self, variant->params);
	self->vols_len = self->info.map_size - self->info.vol0_off;
}

FIXTURE_TEARDOWN(mmap)
{
	GROOVE_TEARDOWN(self);
}

/* A second process maps at another address and sees the first one's data. */
TEST_F(mmap, shared_across_processes)
{
	const struct groove_info *i = &self->info;
	int pipefd[2], status;
	char *vols;
	pid_t pid;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	strcpy(vols + 4096, "written by the parent");
	ASSERT_EQ(0, pipe(pipefd));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Own open, own mapping, kept away from the parent's address. */
		int fd = groove_open_dev(O_RDWR);
		char *mine, *busy;
		unsigned long addr;

		busy = mmap(vols, self->vols_len, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		mine = fd < 0 || busy != vols ? MAP_FAILED :
			groove_map_volumes(fd, i, PROT_READ | PROT_WRITE);
		if (mine == MAP_FAILED || mine == vols ||
		    strcmp(mine + 4096, "written by the parent"))
			_exit(1);
		strcpy(mine + 8192, "written by the child");
		addr = (unsigned long)mine;
		if (write(pipefd[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("written by the child", vols + 8192);
	close(pipefd[0]);
	close(pipefd[1]);
	EXPECT_EQ(0, munmap(vols, self->vols_len));
}

/* The header mapped through two files is the same memory. */
TEST_F(mmap, header_shared_between_files)
{
	const struct groove_info *i = &self->info;
	char *a, *b;
	int fd2;

	fd2 = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd2);
	a = groove_map_hdr(self->fd, i, PROT_READ | PROT_WRITE);
	b = groove_map_hdr(fd2, i, PROT_READ);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	a[i->alloc_off] = 0x42;
	EXPECT_EQ(0x42, b[i->alloc_off]);
	a[i->alloc_off] = 0;
	EXPECT_EQ(0, munmap(a, i->hdr_size));
	EXPECT_EQ(0, munmap(b, i->hdr_size));
	close(fd2);
}

TEST_F(mmap, volume_added_after_mmap_is_visible)
{
	const struct groove_info *i = &self->info;
	struct groove_volume_hdr *vh;
	char *vols;

	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	/*
	 * A stale reader in this very process: the absent slot reads as
	 * zeros through a read-only entry, which ADD must drop, or this
	 * process would go on seeing zeros instead of the new volume.
	 */
	vh = (void *)vols;
	EXPECT_EQ(0ULL, *(volatile __u64 *)&vh->magic);
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	EXPECT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, *(volatile __u64 *)&vh->magic);
	EXPECT_EQ(0ULL, vh->idx);
	EXPECT_EQ(0, munmap(vols, self->vols_len));
}

/*
 * An absent slot reads as zeros and refuses every write: a write fault, and
 * a write to the read-only entry a read left (the write-protect path, which
 * would otherwise make the module's zero page writable).
 */
TEST_F(mmap, absent_slot_reads_zero_and_refuses_writes)
{
	const struct groove_info *i = &self->info;
	volatile char *vols, *last;
	__u64 off, nonzero = 0;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	last = vols + (i->volume_max - 1) * i->volume_size;
	EXPECT_EQ(0, groove_touch_signal(vols + 4096, GROOVE_TOUCH_WRITE));
	EXPECT_EQ(0, groove_touch_signal(last, GROOVE_TOUCH_READ));
	EXPECT_EQ(SIGBUS, groove_touch_signal(last, GROOVE_TOUCH_WRITE));
	EXPECT_EQ(SIGBUS, groove_touch_signal(last + i->volume_size - 1,
					      GROOVE_TOUCH_WRITE));
	/* Read here (the entry now exists in this process), write in a child. */
	for (off = 0; off < i->volume_size; off += 4096)
		nonzero |= last[off];
	EXPECT_EQ(0ULL, nonzero);
	EXPECT_EQ(SIGBUS, groove_touch_signal(last, GROOVE_TOUCH_READ_WRITE));
	EXPECT_EQ(SIGBUS, groove_touch_signal(last + 4096, GROOVE_TOUCH_WRITE));
	/* Still zero everywhere: no write reached the zero page. */
	for (off = 0; off < i->volume_size; off += 4096)
		nonzero |= last[off];
	EXPECT_EQ(0ULL, nonzero);
	EXPECT_EQ(0, munmap((void *)vols, self->vols_len));
}

/*
 * A PROT_WRITE-only mapping (x86 reads through it) reads an absent slot as
 * zeros too.  Its zero-page entry must be readable: one built from the
 * vma's flags less VM_WRITE would be a PROT_NONE entry, which a kernel
 * without NUMA balancing (6.12-rt) never resolves, so the read faulted
 * forever (the harness's timeout failed this test).
 */
TEST_F(mmap, write_only_mapping_reads_absent_slot_as_zero)
{
	const struct groove_info *i = &self->info;
	volatile char *vols;

	vols = mmap(NULL, self->vols_len, PROT_WRITE, MAP_SHARED, self->fd, i->vol0_off);
	ASSERT_NE(MAP_FAILED, vols);
	EXPECT_EQ(0, vols[4096]);
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + 4096, GROOVE_TOUCH_WRITE));
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols[8192] = 3;
	EXPECT_EQ(3, vols[8192]);
	EXPECT_EQ(0, munmap((void *)vols, self->vols_len));
}

/*
 * A process that had the volume mapped and touched loses it when the
 * volume is removed: its next read sees zeros, not the old page, and its
 * next write is SIGBUS.
 */
TEST_F(mmap, sigbus_on_removed_volume)
{
	const struct groove_info *i = &self->info;
	int to_child[2], to_parent[2], status;
	volatile char *vols;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);
	vols[4096] = 7;
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Touch (mapped now), report, wait for the removal, touch again. */
		if (vols[4096] != 7 || write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(1);
		if (vols[4096] != 0)
			_exit(2);
		vols[4096] = 8;
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(1, groove_remove(self->fd, 1));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	/* And in this process, which had it mapped too. */
	EXPECT_EQ(0, vols[4096]);
	EXPECT_EQ(SIGBUS, groove_touch_signal(vols + 4096, GROOVE_TOUCH_WRITE));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	EXPECT_EQ(0, munmap((void *)vols, self->vols_len));
}

TEST_F(mmap, map_private_refused)
{
	const struct groove_info *i = &self->info;

	EXPECT_EQ(MAP_FAILED, mmap(NULL, i->hdr_size, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, i->volume_size, PROT_READ, MAP_PRIVATE,
				   self->fd, i->vol0_off));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mmap, out_of_window_refused)
{
	const struct groove_info *i = &self->info;
	const struct { __u64 off, len; const char *what; } bad[] = {
		{ 0, i->hdr_size + 4096, "header spilling into the join table" },
		{ i->join_off + GROOVE_JOIN_TABLE_SIZE, 4096, "the hole" },
		{ i->join_off, GROOVE_JOIN_TABLE_SIZE + 4096,
		  "join table spilling into the hole" },
		{ i->vol0_off - 4096, 8192, "hole spilling into slot 0" },
		{ i->map_size, 4096, "past the last slot" },
		{ i->map_size - i->volume_size, 2 * i->volume_size,
		  "last slot spilling past the end" },
		{ 0, i->map_size, "everything, hole included" },
	};
	unsigned int n;

	ASSERT_LT(i->join_off + GROOVE_JOIN_TABLE_SIZE, i->vol0_off);
	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		void *p = mmap(NULL, bad[n].len, PROT_READ, MAP_SHARED,
			       self->fd, bad[n].off);

		EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s", bad[n].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad[n].what);
		if (p != MAP_FAILED)
			munmap(p, bad[n].len);
	}
}

TEST_F(mmap, writable_on_read_only_fd_refused)
{
	const struct groove_info *i = &self->info;
	void *p;
	int ro;

	ro = groove_open_dev(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, i->hdr_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, ro, 0));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, i->hdr_size, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, i->hdr_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, munmap(p, i->hdr_size));
	close(ro);
}

/* mremap cannot grow a mapping past what mmap checked. */
TEST_F(mmap, mremap_grow_refused)
{
	const struct groove_info *i = &self->info;
	void *p;

	p = mmap(NULL, i->volume_size, PROT_READ, MAP_SHARED, self->fd,
		 i->vol0_off);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, i->volume_size, 2 * i->volume_size,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(0, munmap(p, i->volume_size));
}

TEST_F(mmap, faults_are_counted)
{
	const struct groove_info *i = &self->info;
	long long before;
	volatile char *vols;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ);
	ASSERT_NE(MAP_FAILED, vols);
	before = groove_sysfs_read("faults");
	(void)vols[0];
	EXPECT_LT(before, groove_sysfs_read("faults"));
	EXPECT_EQ(0, munmap((void *)vols, self->vols_len));
}

TEST_HARNESS_MAIN
