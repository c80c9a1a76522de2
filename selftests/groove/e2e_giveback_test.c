// SPDX-License-Identifier: GPL-2.0
/*
 * Give-back: the caches of idle threads come back without their help.
 * Four threads allocate and free one object per class and then block on a
 * condition variable; another process's groove_remove_volumes() comes up
 * short and raises the give-back epoch; after one allocator call from
 * another thread of the idle process, every volume can be removed.  And
 * exit() with idle workers alive leaves nothing stranded.
 *
 * On /dev/groove in the VM; the host tests run it on a file
 * (GROOVE_E2E_FILE, tests/Makefile), plain and under ASan and TSan.
 */
#include <sys/wait.h>
#include <groove/rebuild.h>
#include "e2e_common.h"

#define NVOL	8
#define NWORK	4

static const size_t sizes[] = { 40, 600, 3000, 9000, 30000 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

struct idle {
	groove_t *g;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready, quit, bad;
};

static void *worker(void *arg)
{
	struct idle *id = arg;
	size_t s;
	int err;

	for (s = 0; s < NSIZES; s++) {
		void *p = groove_alloc(id->g, 0, sizes[s], s, &err);

		if (!p || groove_free(id->g, p))
			id->bad = 1;
	}
	pthread_mutex_lock(&id->lock);
	id->ready++;
	pthread_cond_broadcast(&id->cond);
	while (!id->quit)
		pthread_cond_wait(&id->cond, &id->lock);	/* idle, holding its cache */
	pthread_mutex_unlock(&id->lock);
	return NULL;
}

/* Join @path, start the idle workers; returns once they all are idle. */
static int idle_start(struct idle *id, const char *path, pthread_t *t)
{
	int i;

	memset(id, 0, sizeof(*id));
	pthread_mutex_init(&id->lock, NULL);
	pthread_cond_init(&id->cond, NULL);
	id->g = groove_open(path, 0);
	if (!id->g)
		return -1;
	for (i = 0; i < NWORK; i++)
		if (pthread_create(&t[i], NULL, worker, id))
			return -1;
	pthread_mutex_lock(&id->lock);
	while (id->ready < NWORK)
		pthread_cond_wait(&id->cond, &id->lock);
	pthread_mutex_unlock(&id->lock);
	return id->bad ? -1 : 0;
}

FIXTURE(giveback) {
	E2E_FIXTURE_FIELDS;
};

/* A groove of NVOL 2 MiB volumes, all present and empty. */
FIXTURE_SETUP(giveback)
{
	static const struct e2e_geo geo = {
		"volume_size=2M volume_max=8 limit_bytes=16M", 2 * MiB, NVOL
	};
	long present;

	E2E_SETUP(self, &geo);
	present = e2e_volumes_present(self->g);
	ASSERT_LE(0, present);
	if (present < NVOL)
		ASSERT_EQ(NVOL - present, groove_add_volumes(self->g, NVOL - present, -1, NULL, 0));
}

FIXTURE_TEARDOWN(giveback)
{
	E2E_TEARDOWN(self);
}

TEST_F(giveback, idle_threads_give_back_on_request)
{
	const char *path = self->path;
	groove_t *g = self->g;
	int up[2], down[2], status, k;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct idle id;
		pthread_t t[NWORK];
		void *x;
		int i;

		if (idle_start(&id, path, t))
			_exit(2);
		x = groove_alloc(id.g, 0, 64, 0, NULL);	/* this thread's cache too */
		c = 'r';
		if (!x || write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(3);
		/* One allocator call: it answers the give-back for every thread. */
		if (groove_free(id.g, x))
			_exit(4);
		c = 'd';
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(5);
		pthread_mutex_lock(&id.lock);
		id.quit = 1;
		pthread_cond_broadcast(&id.cond);
		pthread_mutex_unlock(&id.lock);
		for (i = 0; i < NWORK; i++)
			pthread_join(t[i], NULL);
		groove_close(id.g);
		_exit(0);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	ASSERT_EQ('r', c);
	/* The idle process pins volumes: short, and the request is raised. */
	k = groove_remove_volumes(g, NVOL);
	ASSERT_LE(0, k);
	ASSERT_GT(NVOL, k);
	c = 'c';
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(1, read(up[0], &c, 1));
	ASSERT_EQ('d', c);
	/* Its threads are still alive and idle: every volume comes back. */
	EXPECT_EQ(NVOL - k, groove_remove_volumes(g, NVOL - k));
	c = 'q';
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F(giveback, exit_with_idle_workers_strands_nothing)
{
	struct groove_rebuild_stats st;
	const char *path = self->path;
	groove_t *g = self->g;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static struct idle id;
		pthread_t t[NWORK];

		if (idle_start(&id, path, t))
			_exit(2);
		exit(0);	/* workers alive and idle, caches held */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(g, GROOVE_REBUILD_DRY_RUN, &st,
							  NULL, NULL));
	EXPECT_EQ(0ULL, st.stranded_bytes);
	EXPECT_EQ(0ULL, st.superblocks_stranded);
	EXPECT_EQ(NVOL, groove_remove_volumes(g, NVOL));
}

TEST_HARNESS_MAIN
