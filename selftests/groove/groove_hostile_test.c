// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: the shared header is untrusted.  Whatever a process
 * writes over it, ioctls return cleanly (success or -EUCLEAN / -EAGAIN /
 * -ENOSPC), the kernel frees only volumes it holds, and the module unloads.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "groove_selftest.h"
#include "groove_vstack.h"

FIXTURE(hostile) {
	GROOVE_FIXTURE_FIELDS;
	struct groove_shared_hdr *sh;
	struct groove_vol_entry *table;
	char *vols;
};

FIXTURE_SETUP(hostile)
{
	GROOVE_SETUP(self, "volume_size=2M volume_max=8 limit_bytes=16M");
	self->sh = groove_map_hdr(self->fd, &self->info, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->sh);
	self->table = groove_table(self->sh);
	self->vols = groove_map_volumes(self->fd, &self->info,
					PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->vols);
}

FIXTURE_TEARDOWN(hostile)
{
	if (self->vols && self->vols != MAP_FAILED)
		munmap(self->vols, self->info.map_size - self->info.vol0_off);
	if (self->sh && self->sh != MAP_FAILED)
		munmap(self->sh, self->info.hdr_size);
	/* The module unloads and frees what it holds, whatever the header says. */
	GROOVE_TEARDOWN(self);
}

static __u32 present(int fd)
{
	struct groove_info info;

	return groove_info(fd, &info) ? ~0U : info.volumes_present;
}

TEST_F(hostile, head_index_out_of_range)
{
	ASSERT_EQ(2, groove_add(self->fd, 2, NULL, 0));
	self->sh->empty_stack = GROOVE_STACK_WORD(9, self->info.volume_max + 5);
	EXPECT_EQ(-EUCLEAN, groove_remove(self->fd, 1));
	EXPECT_EQ(2U, present(self->fd));
}

TEST_F(hostile, head_names_an_absent_slot)
{
	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	self->table[5].next = GROOVE_VOL_NIL;
	self->sh->empty_stack = GROOVE_STACK_WORD(9, 5);
	EXPECT_EQ(-EUCLEAN, groove_remove(self->fd, 1));
	EXPECT_EQ(1U, present(self->fd));
}

TEST_F(hostile, link_out_of_range)
{
	ASSERT_EQ(2, groove_add(self->fd, 2, NULL, 0));
	self->table[GROOVE_STACK_IDX(self->sh->empty_stack)].next = 1000;
	EXPECT_EQ(-EUCLEAN, groove_remove(self->fd, 2));
	EXPECT_EQ(2U, present(self->fd));
}

/* A volume whose own header does not say "empty" is never freed. */
TEST_F(hostile, volume_magic_not_empty)
{
	struct groove_volume_hdr *vh;
	__u32 top;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	top = GROOVE_STACK_IDX(self->sh->empty_stack);
	ASSERT_LT(top, self->info.volume_max);
	vh = (void *)(self->vols + (__u64)top * self->info.volume_size);
	vh->magic = GROOVE_VOLUME_MAGIC_DATA;
	vh->info[100] = 0x77;
	EXPECT_EQ(-EUCLEAN, groove_remove(self->fd, 1));
	EXPECT_EQ(1U, present(self->fd));
	EXPECT_EQ(0x77, vh->info[100]);

	vh->magic = GROOVE_VOLUME_MAGIC_EMPTY;
	vh->idx = top + 1;
	ASSERT_EQ(GROOVE_VS_OK, groove_vstack_push(&self->sh->empty_stack, self->table,
						   self->info.volume_max, top, 0));
	EXPECT_EQ(-EUCLEAN, groove_remove(self->fd, 1));
	EXPECT_EQ(1U, present(self->fd));
}

/*
 * A claimed head (a process taking or giving back a volume, or one that
 * died doing it and awaits libgroove's reclaim, or a forged claim) is
 * busy: REMOVE and ADD return -EAGAIN in bounded time, ADD keeps nothing
 * (all or nothing), and the stack is untouched; once the head is clean
 * again both work.
 */
TEST_F(hostile, claimed_head_is_busy)
{
	struct groove_info info;
	__u64 clean;
	__u32 top;

	ASSERT_EQ(2, groove_add(self->fd, 2, NULL, 0));
	clean = self->sh->empty_stack;
	top = GROOVE_STACK_IDX(clean);
	ASSERT_LT(top, self->info.volume_max);
	self->sh->empty_stack = GROOVE_STACK_CLAIM(7, 3, top);
	EXPECT_EQ(-EAGAIN, groove_remove(self->fd, 1));
	EXPECT_EQ(-EAGAIN, groove_add(self->fd, 1, NULL, 0));
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(2U, info.volumes_present);
	EXPECT_EQ(2 * self->info.volume_size, info.bytes_reserved);
	EXPECT_EQ(GROOVE_STACK_CLAIM(7, 3, top), self->sh->empty_stack);

	self->sh->empty_stack = clean;
	EXPECT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	EXPECT_EQ(3, groove_remove(self->fd, 3));
	EXPECT_EQ(0U, present(self->fd));
}

/*
 * A cycle in the links: the first pop removes the volume, the repeat pops a
 * slot that holds nothing any more and is refused; the stack ends empty.
 */
TEST_F(hostile, link_cycle)
{
	__u32 top;

	ASSERT_EQ(1, groove_add(self->fd, 1, NULL, 0));
	top = GROOVE_STACK_IDX(self->sh->empty_stack);
	self->table[top].next = top;
	EXPECT_EQ(1, groove_remove(self->fd, 4));
	EXPECT_EQ(0U, present(self->fd));
	EXPECT_EQ(GROOVE_VOL_NIL, GROOVE_STACK_IDX(self->sh->empty_stack));
	EXPECT_EQ(0, groove_remove(self->fd, 1));
}

/*
 * Random bytes over the shared header page and the volume table, again and
 * again, with ADD, REMOVE and INFO in between: every call returns cleanly and
 * the kernel's own accounting stays consistent.
 */
TEST_F(hostile, random_bytes_over_header)
{
	size_t table_bytes = self->info.volume_max * sizeof(struct groove_vol_entry);
	unsigned int round, n, seed = 0x67726f76;
	struct groove_info info;
	unsigned char *p;
	int ret;

	for (round = 0; round < 200; round++) {
		if (round % 3 == 0)
			groove_add(self->fd, 1 + round % 3, NULL, 0);
		p = (unsigned char *)self->sh;
		for (n = 0; n < 128; n++)
			p[rand_r(&seed) % 4096] = rand_r(&seed);
		if (round & 1)	/* bit 63 set or not: a claim or a clean word */
			self->sh->empty_stack = ((__u64)rand_r(&seed) << 33) |
						(rand_r(&seed) % (self->info.volume_max + 2));
		p = (unsigned char *)self->table;
		for (n = 0; n < 16; n++)
			p[rand_r(&seed) % table_bytes] = rand_r(&seed);

		ret = groove_remove(self->fd, 1 + round % 4);
		EXPECT_TRUE(ret >= 0 || ret == -EUCLEAN || ret == -EAGAIN)
			TH_LOG("round %u: remove %d", round, ret);
		ret = groove_add(self->fd, 1, NULL, 0);
		EXPECT_TRUE(ret == 1 || ret == -ENOSPC || ret == -EUCLEAN || ret == -EAGAIN)
			TH_LOG("round %u: add %d", round, ret);
		ASSERT_EQ(0, groove_info(self->fd, &info));
		ASSERT_LE(info.volumes_present, info.volume_max);
		ASSERT_EQ(info.volumes_present * info.volume_size, info.bytes_reserved);
	}
}

struct bumper {
	__u64 *head;
	atomic_int stop;
	unsigned long bumps;
};

/* A member that keeps changing the stack head's version, as fast as it can. */
static void *bump_head(void *arg)
{
	struct bumper *b = arg;

	while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
		__atomic_fetch_add(b->head, 1ULL << 32, __ATOMIC_RELAXED);
		b->bumps++;
	}
	return NULL;
}

/*
 * REMOVE while another member bumps the stack head non-stop: it returns
 * (some volumes, or -EAGAIN after its bounded budget), INFO answers from
 * another thread meanwhile, and the accounting adds up once the member
 * stops.  (Before the budget, each pop could spin 2^16 times under the
 * lock for each of volume_max volumes.)
 */
TEST_F_TIMEOUT(hostile, remove_under_a_bumping_member, 120)
{
	struct bumper b = { .head = &self->sh->empty_stack };
	struct groove_info info;
	int removed = 0, rounds, r;
	pthread_t t;

	ASSERT_EQ(8, groove_add(self->fd, 8, NULL, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, bump_head, &b));
	for (rounds = 0; rounds < 50 && removed < 8; rounds++) {
		r = groove_remove(self->fd, 8 - removed);
		ASSERT_TRUE(r >= 0 || r == -EAGAIN) TH_LOG("remove: %d", r);
		if (r > 0)
			removed += r;
		ASSERT_EQ(0, groove_info(self->fd, &info));
		ASSERT_EQ(8U - removed, info.volumes_present);
	}
	atomic_store(&b.stop, 1);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ksft_print_msg("removed %d of 8 in %d rounds against %lu bumps\n",
		       removed, rounds, b.bumps);
	/* Quiet again: the rest leaves. */
	if (removed < 8)
		EXPECT_EQ(8 - removed, groove_remove(self->fd, 8));
	EXPECT_EQ(0U, present(self->fd));
}

TEST_HARNESS_MAIN
