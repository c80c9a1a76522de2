// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: every volume is physically contiguous and aligned to its
 * size.  GROOVE_IOC_VOLUME_PHYS (root only) gives each volume's physical
 * start; a tag written through the mapping into every page is then read back
 * from that physical address through /proc/kcore, which proves the pages
 * are where the kernel says, in order, with no gap.
 */
#include <elf.h>

#include "groove_selftest.h"

/* Physical RAM of /proc/kcore: its PT_LOAD segments with a physical address. */
struct kcore {
	int fd;
	Elf64_Phdr *phdrs;
	int nr;
};

static int kcore_open(struct kcore *k)
{
	Elf64_Ehdr eh;

	k->fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (pread(k->fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -EINVAL;
	k->nr = eh.e_phnum;
	k->phdrs = calloc(k->nr, sizeof(*k->phdrs));
	if (!k->phdrs)
		return -ENOMEM;
	if (pread(k->fd, k->phdrs, k->nr * sizeof(*k->phdrs), eh.e_phoff) !=
	    (ssize_t)(k->nr * sizeof(*k->phdrs)))
		return -EINVAL;
	return 0;
}

static void kcore_close(struct kcore *k)
{
	free(k->phdrs);
	if (k->fd >= 0)
		close(k->fd);
}

/* Read @len bytes at physical address @phys; 0 or -errno. */
static int kcore_read_phys(struct kcore *k, __u64 phys, void *buf, size_t len)
{
	int n;

	for (n = 0; n < k->nr; n++) {
		const Elf64_Phdr *ph = &k->phdrs[n];

		if (ph->p_type != PT_LOAD || ph->p_paddr == (Elf64_Addr)-1 ||
		    phys < ph->p_paddr || phys + len > ph->p_paddr + ph->p_memsz)
			continue;
		return pread(k->fd, buf, len, ph->p_offset + (phys - ph->p_paddr)) ==
			(ssize_t)len ? 0 : -EIO;
	}
	return -ENOENT;
}

FIXTURE(contig) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(contig) {
	const char *params;
	__u32 count;
};

FIXTURE_VARIANT_ADD(contig, size_2m) {
	.params = "volume_size=2M volume_max=8 limit_bytes=16M",
	.count = 8,
};

FIXTURE_VARIANT_ADD(contig, size_4m) {
	.params = "volume_size=4M volume_max=4 limit_bytes=16M",
	.count = 4,
};

FIXTURE_VARIANT_ADD(contig, size_16m) {
	.params = "volume_size=16M volume_max=4 limit_bytes=64M",
	.count = 4,
};

FIXTURE_VARIANT_ADD(contig, size_64m) {
	.params = "volume_size=64M volume_max=2 limit_bytes=128M",
	.count = 2,
};

FIXTURE_SETUP(contig)
{
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(contig)
{
	GROOVE_TEARDOWN(self);
}

TEST_F(contig, aligned_and_disjoint)
{
	const struct groove_info *i = &self->info;
	__u64 phys[8];
	__u32 a, b;
	int node;

	ASSERT_EQ((int)variant->count, groove_add(self->fd, variant->count, NULL, 0));
	for (a = 0; a < variant->count; a++) {
		ASSERT_EQ(0, groove_phys(self->fd, a, &phys[a], &node));
		EXPECT_EQ(0ULL, phys[a] % i->volume_size) TH_LOG("slot %u at %#llx", a,
								 (unsigned long long)phys[a]);
		EXPECT_LE(0, node);
		for (b = 0; b < a; b++)
			EXPECT_TRUE(phys[a] + i->volume_size <= phys[b] ||
				    phys[b] + i->volume_size <= phys[a]);
	}
	EXPECT_EQ((int)variant->count, groove_remove(self->fd, variant->count));
}

TEST_F(contig, every_page_where_the_kernel_says)
{
	const struct groove_info *i = &self->info;
	__u64 pages = i->volume_size / 4096, phys, page, tag, got, bad = 0;
	struct kcore k = { .fd = -1 };
	char *vols;
	__u32 a;
	int err;

	err = kcore_open(&k);
	if (err) {
		kcore_close(&k);
		SKIP(return, "/proc/kcore unusable (%s): alignment only", strerror(-err));
	}
	ASSERT_EQ((int)variant->count, groove_add(self->fd, variant->count, NULL, 0));
	vols = groove_map_volumes(self->fd, i, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, vols);

	for (a = 0; a < variant->count; a++) {
		char *vol = vols + (__u64)a * i->volume_size;

		ASSERT_EQ(0, groove_phys(self->fd, a, &phys, NULL));
		/* A tag that names the slot and the page, past the header block. */
		for (page = 0; page < pages; page++)
			*(__u64 *)(vol + page * 4096 + 1024) = (__u64)a << 32 | page | 1ULL << 63;
		for (page = 0; page < pages; page++) {
			tag = (__u64)a << 32 | page | 1ULL << 63;
			ASSERT_EQ(0, kcore_read_phys(&k, phys + page * 4096 + 1024,
						     &got, sizeof(got)))
				TH_LOG("kcore read at %#llx", (unsigned long long)phys);
			if (got != tag && !bad++)
				TH_LOG("slot %u page %llu: kcore has %#llx", a,
				       (unsigned long long)page, (unsigned long long)got);
		}
	}
	EXPECT_EQ(0ULL, bad);
	EXPECT_EQ(0, munmap(vols, i->map_size - i->vol0_off));
	kcore_close(&k);
	EXPECT_EQ((int)variant->count, groove_remove(self->fd, variant->count));
}

TEST_HARNESS_MAIN
