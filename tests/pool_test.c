// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Volume pool semantics (groove_volume_pool_add/remove, after upstream's
 * fd_groove_volume_pool_add/remove), the file backend's add/remove, opening, sharing between two mappings, the shared
 * empty-volume stack under concurrency, and verify on corrupt state.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)

FIXTURE(pool) {
	groove_t *g;
	uint8_t *v0;
};

FIXTURE_SETUP(pool)
{
	self->g = test_groove_new(VS, 8, 0, NULL, 0);
	ASSERT_NE(NULL, self->g);
	self->v0 = groove_volume0(self->g);
	/* back the whole file so pool_add can write any slot */
	ASSERT_EQ(0, posix_fallocate(self->g->fd, (off_t)self->g->vol0_off, (off_t)(8 * VS)));
}

FIXTURE_TEARDOWN(pool)
{
	groove_close(self->g);
}

TEST_F(pool, add_then_remove_in_index_order)
{
	struct groove_volume_hdr *vh;
	int i;

	ASSERT_EQ(0, (uintptr_t)self->v0 % VS);	/* mapped aligned */
	ASSERT_EQ(GROOVE_SUCCESS, groove_volume_pool_add(self->g, self->v0 + VS, 4 * VS, "abc", 3));
	for (i = 1; i <= 4; i++) {
		vh = groove_volume_pool_remove(self->g);
		ASSERT_EQ(self->v0 + i * VS, (uint8_t *)vh);
		ASSERT_EQ(0, vh->magic);	/* no longer a groove volume */
		ASSERT_EQ(i, vh->idx);
		ASSERT_EQ(3, vh->info_sz);
		ASSERT_EQ(0, memcmp(vh->info, "abc", 4));
	}
	ASSERT_EQ(NULL, groove_volume_pool_remove(self->g));
	ASSERT_EQ(NULL, groove_volume_pool_remove(NULL));
}

TEST_F(pool, info_clamped_and_zero_padded)
{
	uint8_t big[1000];
	struct groove_volume_hdr *vh;

	memset(big, 0x5a, sizeof(big));
	memset(self->v0, 0xff, GROOVE_VOLUME_HDR_SIZE);	/* garbage to be cleared */
	ASSERT_EQ(0, groove_volume_pool_add(self->g, self->v0, VS, big, sizeof(big)));
	vh = (void *)self->v0;
	ASSERT_EQ(GROOVE_VOLUME_MAGIC_EMPTY, vh->magic);
	ASSERT_EQ(GROOVE_VOLUME_INFO_MAX, vh->info_sz);
	ASSERT_EQ(0, memcmp(vh->info, big, GROOVE_VOLUME_INFO_MAX));
	ASSERT_EQ(0, vh->next);
	ASSERT_EQ(1, self->g->table[0].present);
	ASSERT_EQ(0, groove_verify(self->g));

	ASSERT_EQ(0, groove_volume_pool_add(self->g, self->v0 + VS, VS, NULL, 100));
	vh = (void *)(self->v0 + VS);
	ASSERT_EQ(0, vh->info_sz);
	ASSERT_EQ(0, vh->info[0]);
	ASSERT_EQ(0, vh->info[GROOVE_VOLUME_INFO_MAX - 1]);
}

TEST_F(pool, bad_regions_change_nothing)
{
	uint64_t head = self->g->hdr->empty_stack;
	uint8_t *end = self->v0 + 8 * VS;

	ASSERT_EQ(GROOVE_SUCCESS, groove_volume_pool_add(NULL, NULL, 0, NULL, 0));
	ASSERT_EQ(GROOVE_SUCCESS, groove_volume_pool_add(self->g, self->v0, 0, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(NULL, self->v0, VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, NULL, VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0 + 4096, VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0, VS + 4096, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0, VS / 2, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0 - VS, VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, end, VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, end - VS, 2 * VS, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0, ~0ULL - VS + 1, NULL, 0));
	ASSERT_EQ(head, self->g->hdr->empty_stack);
	/* overlapping a present volume */
	ASSERT_EQ(0, groove_volume_pool_add(self->g, self->v0 + 2 * VS, VS, NULL, 0));
	head = self->g->hdr->empty_stack;
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_volume_pool_add(self->g, self->v0, 4 * VS, NULL, 0));
	ASSERT_EQ(head, self->g->hdr->empty_stack);
	ASSERT_EQ(0, groove_verify(self->g));
}

TEST_F(pool, remove_skips_non_empty_volume)
{
	struct groove_volume_hdr *vh;

	ASSERT_EQ(0, groove_volume_pool_add(self->g, self->v0, VS, NULL, 0));
	vh = (void *)self->v0;
	vh->magic = GROOVE_VOLUME_MAGIC_DATA;	/* a liar on the stack */
	ASSERT_EQ(NULL, groove_volume_pool_remove(self->g));
	ASSERT_EQ(GROOVE_VOLUME_MAGIC_DATA, vh->magic);	/* pushed back untouched */
	ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(self->g));
	vh->magic = GROOVE_VOLUME_MAGIC_EMPTY;
	ASSERT_EQ(0, groove_verify(self->g));
	ASSERT_EQ(vh, groove_volume_pool_remove(self->g));
}

TEST(file_add_remove_all_or_nothing)
{
	groove_t *g = test_groove_new(VS, 4, 0, NULL, 0);
	struct groove_stats st;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_add_volumes(g, 0, -1, NULL, 0));
	ASSERT_EQ(GROOVE_ERR_FULL, groove_add_volumes(g, 5, -1, NULL, 0));
	ASSERT_EQ(3, groove_add_volumes(g, 3, -1, "x", 1));
	ASSERT_EQ(GROOVE_ERR_FULL, groove_add_volumes(g, 2, -1, NULL, 0));
	ASSERT_EQ(0, groove_stats(g, &st));
	ASSERT_EQ(3, st.volumes_present);
	ASSERT_EQ(3, st.volumes_empty);
	ASSERT_EQ(groove_alloc_max(g), st.largest_alloc);
	ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
	ASSERT_EQ(2, groove_remove_volumes(g, 2));
	ASSERT_EQ(2, groove_remove_volumes(g, 9));
	ASSERT_EQ(0, groove_remove_volumes(g, 1));
	ASSERT_EQ(0, groove_stats(g, &st));
	ASSERT_EQ(0, st.volumes_present);
	ASSERT_EQ(0, st.largest_alloc);
	ASSERT_EQ(4, groove_add_volumes(g, 4, -1, NULL, 0));
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

/* Volumes come back when their objects are freed, so remove can take them. */
TEST(empty_volumes_return)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	void *p[64];
	int i, err, left;

	ASSERT_NE(NULL, g);
	for (i = 0; i < 64; i++) {
		p[i] = groove_alloc(g, 0, (size_t)(i * 997) % 20000, 0, &err);
		ASSERT_NE(NULL, p[i]);
	}
	left = groove_remove_volumes(g, 4);	/* only unused ones leave */
	ASSERT_LT(left, 4);
	ASSERT_GE(left, 0);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, groove_free(g, p[i]));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4 - left, groove_remove_volumes(g, 4));
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(NULL, groove_alloc(g, 0, 1, 0, &err));
	ASSERT_EQ(GROOVE_ERR_FULL, err);
	groove_close(g);
}

TEST(open_errors)
{
	struct groove_geometry bad = { .volume_size = 3 << 20, .volume_max = 4 };
	char path[256];
	int fd;

	errno = 0;
	ASSERT_EQ(NULL, groove_open("/nonexistent/groove", 0));
	ASSERT_EQ(ENOENT, errno);
	test_groove_path(path, sizeof(path), "bad");
	ASSERT_EQ(NULL, groove_open(path, GROOVE_OPEN_CREATE, &bad));
	ASSERT_EQ(EINVAL, errno);
	bad.volume_size = 2 << 20;
	bad.volume_max = 0;
	ASSERT_EQ(NULL, groove_open(path, GROOVE_OPEN_CREATE, &bad));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(NULL, groove_open(path, GROOVE_OPEN_CREATE, NULL));
	ASSERT_EQ(EINVAL, errno);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	ASSERT_EQ(NULL, groove_open(path, 0));	/* zeros: not a groove */
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(NULL, groove_open("/dev/null", 0));	/* a char device, no INFO */
	unlink(path);
}

/* Two joins of one file at different addresses share objects by offset. */
TEST(two_mappings_share_by_offset)
{
	char path[256];
	groove_t *a = test_groove_new(VS, 8, 2, path, sizeof(path)), *b;
	void *pa, *pb;
	int err;

	ASSERT_NE(NULL, a);
	b = groove_open(path, 0);
	ASSERT_NE(NULL, b);
	unlink(path);
	ASSERT_NE(groove_volume0(a), groove_volume0(b));
	pa = groove_alloc(a, 64, 1000, 42, &err);
	ASSERT_NE(NULL, pa);
	memset(pa, 0x77, 1000);
	pb = groove_ptr(b, groove_off(a, pa));
	ASSERT_EQ(0x77, ((uint8_t *)pb)[999]);
	ASSERT_EQ(GROOVE_SUCCESS, groove_free(b, pb));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_free(a, pa));
	ASSERT_EQ(0, groove_verify(a));
	ASSERT_EQ(0, groove_verify(b));
	groove_close(b);
	groove_close(a);
}

/* The shared empty-volume stack: no index lost or duplicated under load. */
struct vs_arg {
	__u64 head;
	struct groove_vol_entry table[64];
	int ops;
	int bad;
};

static void *vs_worker(void *p)
{
	struct vs_arg *a = p;
	uint32_t mine[64], n = 0, idx;
	int i;

	for (i = 0; i < a->ops; i++) {
		if ((i & 1) == 0 || !n) {
			int r = groove_vstack_pop(&a->head, a->table, 64, &idx, GROOVE_VS_UNBOUNDED);

			if (r == GROOVE_VS_OK)
				mine[n++] = idx;
			else if (r != GROOVE_VS_EMPTY)
				a->bad = 1;
		} else if (groove_vstack_push(&a->head, a->table, 64, mine[--n],
					      GROOVE_VS_UNBOUNDED) != GROOVE_VS_OK) {
			a->bad = 1;
		}
	}
	while (n)
		groove_vstack_push(&a->head, a->table, 64, mine[--n], GROOVE_VS_UNBOUNDED);
	return NULL;
}

TEST(vstack_concurrent_no_loss)
{
	static struct vs_arg a;
	pthread_t t[4];
	uint8_t seen[64] = { 0 };
	uint32_t i, idx, cnt = 0;

	a.head = GROOVE_STACK_WORD(0, GROOVE_VOL_NIL);
	a.ops = 100000;
	for (i = 0; i < 64; i++)
		ASSERT_EQ(GROOVE_VS_OK, groove_vstack_push(&a.head, a.table, 64, 63 - i, 0));
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, vs_worker, &a);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(0, a.bad);
	while (groove_vstack_pop(&a.head, a.table, 64, &idx, 0) == GROOVE_VS_OK) {
		ASSERT_EQ(0, seen[idx]);
		seen[idx] = 1;
		cnt++;
	}
	ASSERT_EQ(64, cnt);
	/* corrupt links are reported, not followed */
	ASSERT_EQ(GROOVE_VS_OK, groove_vstack_push(&a.head, a.table, 64, 5, 0));
	a.table[5].next = 1000;
	ASSERT_EQ(GROOVE_VS_CORRUPT, groove_vstack_pop(&a.head, a.table, 64, &idx, 0));
	ASSERT_EQ(GROOVE_VS_CORRUPT, groove_vstack_push(&a.head, a.table, 64, 64, 0));
}

/* verify reports cycles and bad links, and the allocator does not crash. */
TEST(verify_reports_corruption)
{
	groove_t *g = test_groove_new(VS, 8, 3, NULL, 0);
	struct g_alloc_state *st;
	uint64_t saved, s = 9;
	uint32_t link;
	void *p[200];
	int i, err;

	ASSERT_NE(NULL, g);
	st = g->st;
	for (i = 0; i < 200; i++)
		p[i] = groove_alloc(g, 0, 600 + (test_rand(&s) % 3000), 0, &err);
	for (i = 0; i < 200; i += 2)
		ASSERT_EQ(0, groove_free(g, p[i]));
	ASSERT_EQ(0, groove_verify(g));

	/* empty-volume stack cycle (the top's link put back as it was) */
	saved = g->hdr->empty_stack;
	link = g->table[GROOVE_STACK_IDX(saved)].next;
	g->table[GROOVE_STACK_IDX(saved)].next = GROOVE_STACK_IDX(saved);
	ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(g));
	g->table[GROOVE_STACK_IDX(saved)].next = link;
	ASSERT_EQ(0, groove_verify(g));

	/* inactive-stack cycle: a superblock linking to itself */
	for (i = 0; i < (int)g->szc_cnt; i++) {
		uint64_t off = st->active[i][groove_cgroup_hint() & g->szc[i].cg_mask].w;

		if (!off)
			continue;
		saved = st->inactive[i].w;
		g_sb_at(g, off)->next = off >> G_BLK_SHIFT;
		st->inactive[i].w = off >> G_BLK_SHIFT;
		ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(g));
		g_sb_at(g, off)->next = 0;
		st->inactive[i].w = saved;
		break;
	}
	ASSERT_EQ(0, groove_verify(g));

	/* a head naming an absent slot (the region's last block): CORRUPT */
	saved = st->inactive[0].w;
	st->inactive[0].w = g->stk_blk_mask;
	ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(g));
	for (i = 0; i < (int)GROOVE_CGROUP_MAX; i++)
		st->active[0][i].w = 0;
	ASSERT_EQ(NULL, groove_alloc(g, 0, 1, 0, &err));
	ASSERT_EQ(GROOVE_ERR_CORRUPT, err);
	st->inactive[0].w = saved;

	/* an active slot naming a non-superblock */
	st->active[3][0].w = 4096 * 3;
	ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(g));
	st->active[3][0].w = 0;

	/* shared header magic */
	g->hdr->magic ^= 1;
	ASSERT_EQ(GROOVE_ERR_CORRUPT, groove_verify(g));
	g->hdr->magic ^= 1;
	groove_close(g);
}

/* groove_stats while others allocate and free: approximate, never CORRUPT. */
static int churn_stop;

static void *churn(void *arg)
{
	groove_t *g = arg;
	uint64_t s = 5;
	void *p[32] = { 0 };
	int i;

	while (!__atomic_load_n(&churn_stop, __ATOMIC_RELAXED)) {
		i = (int)(test_rand(&s) % 32);
		if (p[i])
			groove_free(g, p[i]);
		p[i] = groove_alloc(g, 0, test_rand(&s) % 70000, 0, NULL);
	}
	for (i = 0; i < 32; i++)
		if (p[i])
			groove_free(g, p[i]);
	return NULL;
}

TEST(stats_while_allocating)
{
	groove_t *g = test_groove_new(VS, 16, 8, NULL, 0);
	struct groove_stats st;
	pthread_t t[2];
	int i;

	ASSERT_NE(NULL, g);
	__atomic_store_n(&churn_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn, g);
	for (i = 0; i < 300; i++)
		ASSERT_EQ(0, groove_stats(g, &st));
	__atomic_store_n(&churn_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(0, groove_stats(g, &st));
	ASSERT_EQ(0, st.objects);
	groove_close(g);
}

/* The same layout in a hugetlbfs file, when one is mounted with free pages. */
/*
 * A binary linked before GROOVE_0.3 calls groove_stats@GROOVE_0.1 with the
 * old, smaller struct: filled as before, nothing written past it.
 */
struct stats_0_1 {
	uint64_t volume_size;
	uint32_t volume_max, volumes_present, volumes_empty, volumes_data;
	uint64_t objects, bytes_in_use, largest_alloc;
	uint32_t szc_cnt, reserved;
	struct groove_szc szc[40];
	struct groove_szc_stats szc_stats[40];
};
int stats_0_1(groove_t *g, struct stats_0_1 *out);
__asm__(".symver stats_0_1, groove_stats@GROOVE_0.1");

TEST(stats_old_layout)
{
	groove_t *g = test_groove_new(VS, 4, 2, NULL, 0);
	struct { struct stats_0_1 st; uint64_t canary[4]; } old;
	struct groove_stats st;
	void *p[3];
	int i;

	ASSERT_NE(NULL, g);
	for (i = 0; i < 3; i++)
		ASSERT_NE(NULL, p[i] = groove_alloc(g, 0, 1000 << (4 * i), 0, NULL));
	memset(&old, 0xa5, sizeof(old));
	ASSERT_EQ(0, stats_0_1(g, &old.st));
	ASSERT_EQ(0, groove_stats(g, &st));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.canary[i]);
	ASSERT_EQ(3, old.st.objects);
	ASSERT_EQ(st.bytes_in_use, old.st.bytes_in_use);
	ASSERT_EQ(st.volumes_data, old.st.volumes_data);
	ASSERT_EQ(st.szc_cnt < 40 ? st.szc_cnt : 40, old.st.szc_cnt);
	ASSERT_EQ(0, memcmp(st.szc_stats, old.st.szc_stats,
			    old.st.szc_cnt * sizeof(st.szc_stats[0])));
	/* no container with 2 MiB volumes: every data volume byte is held */
	ASSERT_EQ(0, st.bytes_open);
	ASSERT_EQ(st.volumes_data * VS, st.bytes_reserved);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, groove_free(g, p[i]));
	groove_close(g);
}

TEST(hugetlbfs_file)
{
	struct groove_geometry geo = { .volume_size = VS, .volume_max = 4 };
	char mnt[200] = "", line[512], path[300];
	long free_pages = 0;
	FILE *f = fopen("/proc/mounts", "r");
	groove_t *g;
	void *p;
	int err;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %199s hugetlbfs", mnt) == 1 && strstr(line, " hugetlbfs "))
			break;
		else
			mnt[0] = 0;
	if (f)
		fclose(f);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "HugePages_Free: %ld", &free_pages);
	if (f)
		fclose(f);
	if (!mnt[0] || free_pages < 4)
		SKIP(return, "no hugetlbfs mount with 4 free huge pages");
	snprintf(path, sizeof(path), "%s/groove-test-%d", mnt, (int)getpid());
	unlink(path);	/* a stale one of a crashed run would be reused */
	g = groove_open(path, GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL, &geo);
	ASSERT_NE(NULL, g) TH_LOG("%s: %m", path);
	unlink(path);
	ASSERT_EQ(2, groove_add_volumes(g, 2, -1, NULL, 0));
	p = groove_alloc(g, 0, 100000, 1, &err);
	ASSERT_NE(NULL, p);
	memset(p, 3, 100000);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(0, groove_free(g, p));
	ASSERT_EQ(2, groove_remove_volumes(g, 2));
	groove_close(g);
}

TEST_HARNESS_MAIN
