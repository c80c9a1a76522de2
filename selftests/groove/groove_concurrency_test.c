// SPDX-License-Identifier: GPL-2.0
/*
 * groove selftest: threads adding, removing, mapping and touching at the
 * same time, for a bounded number of rounds, end with a consistent INFO,
 * a consistent stack, and (checked by the VM runner) no kernel warning.
 * A touch may race with a removal; its SIGBUS is caught and counted.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include "groove_selftest.h"

#define CHURNERS	2
#define TOUCHERS	2
#define TOUCH_MAX	100000	/* bound on toucher rounds */

struct shared {
	int fd;
	struct groove_info info;
	struct groove_vol_entry *table;
	int rounds;		/* add+remove rounds per churner */
	int churners_left;
	unsigned long added, removed, touched, sigbus;
	pthread_mutex_t lock;
};

static __thread sigjmp_buf touch_env;
static __thread volatile int touching;

static void on_sigbus(int sig)
{
	if (touching)
		siglongjmp(touch_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void count(struct shared *s, unsigned long *what, unsigned long n)
{
	pthread_mutex_lock(&s->lock);
	*what += n;
	pthread_mutex_unlock(&s->lock);
}

/* Add one or two volumes, remove one to three, again and again. */
static void *churner(void *arg)
{
	struct shared *s = arg;
	long err = 0;
	int round, ret;

	for (round = 0; round < s->rounds && !err; round++) {
		ret = groove_add(s->fd, 1 + round % 2, NULL, 0);
		if (ret > 0)
			count(s, &s->added, ret);
		else if (ret != -ENOSPC)
			err = ret;
		ret = groove_remove(s->fd, 1 + round % 3);
		if (ret >= 0)
			count(s, &s->removed, ret);
		else
			err = ret;
	}
	__atomic_sub_fetch(&s->churners_left, 1, __ATOMIC_RELEASE);
	return (void *)err;
}

/*
 * Until the churners are done: map the volume window afresh, write into a
 * slot the table says is present, unmap.
 */
static void *toucher(void *arg)
{
	struct shared *s = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	size_t len = s->info.map_size - s->info.vol0_off;
	unsigned long touched = 0, sigbus = 0;
	volatile char *vols;
	int round;
	__u32 idx;

	for (round = 0; round < TOUCH_MAX &&
	     __atomic_load_n(&s->churners_left, __ATOMIC_ACQUIRE); round++) {
		vols = groove_map_volumes(s->fd, &s->info, PROT_READ | PROT_WRITE);
		if (vols == MAP_FAILED)
			return (void *)(long)-errno;
		idx = rand_r(&seed) % s->info.volume_max;
		if (__atomic_load_n(&s->table[idx].present, __ATOMIC_ACQUIRE)) {
			/* Past the volume header: the data allocator's bytes. */
			volatile char *p = vols + (__u64)idx * s->info.volume_size +
				GROOVE_VOLUME_HDR_SIZE + rand_r(&seed) %
				(s->info.volume_size - GROOVE_VOLUME_HDR_SIZE);

			touching = 1;
			if (!sigsetjmp(touch_env, 1)) {
				*p = (char)round;
				touched++;
			} else {
				sigbus++;
			}
			touching = 0;
		}
		munmap((void *)vols, len);
	}
	count(s, &s->touched, touched);
	count(s, &s->sigbus, sigbus);
	return NULL;
}

FIXTURE(concurrency) {
	GROOVE_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(concurrency) {
	const char *params;
	int rounds;
};

FIXTURE_VARIANT_ADD(concurrency, size_2m) {
	.params = "volume_size=2M volume_max=16 limit_bytes=16M",
	.rounds = 150,
};

FIXTURE_VARIANT_ADD(concurrency, size_8m) {
	.params = "volume_size=8M volume_max=8 limit_bytes=32M",
	.rounds = 50,	/* alloc_contig_range() is slow under TCG */
};

FIXTURE_SETUP(concurrency)
{
	GROOVE_SETUP(self, variant->params);
}

FIXTURE_TEARDOWN(concurrency)
{
	GROOVE_TEARDOWN(self);
}

TEST_F_TIMEOUT(concurrency, add_remove_map_touch, 240)
{
	pthread_t threads[CHURNERS + TOUCHERS];
	struct shared s = {
		.fd = self->fd,
		.info = self->info,
		.rounds = (int)groove_test_reps(variant->rounds),
		.churners_left = CHURNERS,
	};
	struct groove_info info;
	void *hdr, *ret;
	__u32 idx, depth = 0;
	int n, err;

	pthread_mutex_init(&s.lock, NULL);
	ASSERT_NE(SIG_ERR, signal(SIGBUS, on_sigbus));
	hdr = groove_map_hdr(self->fd, &self->info, PROT_READ);
	ASSERT_NE(MAP_FAILED, hdr);
	s.table = groove_table(hdr);

	for (n = 0; n < CHURNERS; n++)
		ASSERT_EQ(0, pthread_create(&threads[n], NULL, churner, &s));
	for (n = 0; n < TOUCHERS; n++)
		ASSERT_EQ(0, pthread_create(&threads[CHURNERS + n], NULL, toucher, &s));
	for (n = 0; n < CHURNERS + TOUCHERS; n++) {
		ASSERT_EQ(0, pthread_join(threads[n], &ret));
		err = (int)(long)ret;
		EXPECT_EQ(0, err) TH_LOG("thread %d: %s", n, strerror(-err));
	}
	TH_LOG("added %lu removed %lu touched %lu sigbus %lu",
	       s.added, s.removed, s.touched, s.sigbus);

	/* Nobody holds a volume now: every present one is on the stack. */
	ASSERT_EQ(0, groove_info(self->fd, &info));
	EXPECT_EQ(s.added - s.removed, (unsigned long)info.volumes_present);
	EXPECT_EQ(info.volumes_present * info.volume_size, info.bytes_reserved);
	EXPECT_EQ((long long)s.added, groove_sysfs_read("volumes_added"));
	EXPECT_EQ((long long)s.removed, groove_sysfs_read("volumes_removed"));
	for (idx = GROOVE_STACK_IDX(((struct groove_shared_hdr *)hdr)->empty_stack);
	     idx != GROOVE_VOL_NIL && depth <= info.volume_max;
	     idx = s.table[idx].next) {
		ASSERT_LT(idx, info.volume_max);
		EXPECT_EQ(1U, s.table[idx].present);
		depth++;
	}
	EXPECT_EQ(info.volumes_present, depth);
	EXPECT_EQ((int)info.volumes_present, groove_remove(self->fd, info.volume_max));
	EXPECT_EQ(0, munmap(hdr, self->info.hdr_size));
}

TEST_HARNESS_MAIN
