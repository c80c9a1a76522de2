// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Offline rebuild is exclusive (file backend): refused with GROOVE_ERR_BUSY,
 * changing nothing, while another process has the groove open, another
 * handle of this process is open, or another thread holds a thread cache;
 * while it runs, groove_open() fails with EBUSY; once the others leave it
 * runs and verify passes.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)
#define NOBJ 64

/* FNV-1a of the header region and every present volume. */
static uint64_t groove_hash(struct groove *g)
{
	uint64_t h = 0xcbf29ce484222325ULL, i, len = g->hdr->hdr_size;
	const uint8_t *p = (const uint8_t *)g->hdr;
	uint32_t v;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	for (v = 0; v < g->volume_max; v++) {
		if (G_LOAD(&g->table[v].present) != 1)
			continue;
		p = (const uint8_t *)g_vol(g, v);
		for (i = 0; i < g->volume_size; i += 8)
			h = (h ^ *(const uint64_t *)(p + i)) * 0x100000001b3ULL;
	}
	return h;
}

FIXTURE(excl) {
	char path[256];
	groove_t *g;
	void *objs[NOBJ];
};

FIXTURE_SETUP(excl)
{
	int err, i;

	self->g = test_groove_new(VS, 8, 4, self->path, sizeof(self->path));
	ASSERT_NE(NULL, self->g);
	for (i = 0; i < NOBJ; i++) {
		self->objs[i] = groove_alloc(self->g, 0, 100 + i * 700, i, &err);
		ASSERT_NE(NULL, self->objs[i]);
	}
	/* Every superblock in a slot or stack: hashes see no thread cache drift. */
	groove_thread_flush(self->g);
}

FIXTURE_TEARDOWN(excl)
{
	groove_close(self->g);
	unlink(self->path);
}

/* A child joins @path and stays until a byte arrives on *@go. */
static pid_t child_joined(const char *path, int *go)
{
	int up[2], down[2];
	char c = 0;
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		groove_t *c2 = groove_open(path, 0);

		close(up[0]);
		close(down[1]);
		c = c2 ? 'j' : 'x';
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) < 0)
			_exit(2);
		groove_close(c2);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1 || c != 'j') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(up[0]);
	*go = down[1];
	return pid;
}

static int child_release(pid_t pid, int go)
{
	int status;

	close(go);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(excl, refused_while_another_process_joined)
{
	struct groove_rebuild_stats st;
	struct groove_users who;
	uint64_t before;
	pid_t pid;
	int go;

	pid = child_joined(self->path, &go);
	ASSERT_LT(0, pid);
	before = groove_hash(self->g);
	ASSERT_EQ(GROOVE_ERR_BUSY, groove_data_rebuild(self->g));
	ASSERT_EQ(GROOVE_ERR_BUSY, groove_data_rebuild_ex(self->g, GROOVE_REBUILD_DRY_RUN,
							  &st, NULL, NULL));
	ASSERT_EQ(GROOVE_ERR_BUSY, groove_exclusive_acquire(self->g, &who));
	EXPECT_EQ(pid, who.pid);
	EXPECT_EQ(1, who.others);
	EXPECT_EQ(0, who.threads);
	ASSERT_EQ(before, groove_hash(self->g));

	ASSERT_EQ(0, child_release(pid, go));
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild(self->g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
	for (int i = 0; i < NOBJ; i++)
		ASSERT_EQ(0, groove_free(self->g, self->objs[i]));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
}

TEST_F(excl, refused_while_second_handle_open)
{
	groove_t *b = groove_open(self->path, 0);
	uint64_t before;

	ASSERT_NE(NULL, b);
	before = groove_hash(self->g);
	ASSERT_EQ(GROOVE_ERR_BUSY, groove_data_rebuild(self->g));
	ASSERT_EQ(GROOVE_ERR_BUSY, groove_data_rebuild(b));
	ASSERT_EQ(before, groove_hash(self->g));
	groove_close(b);
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild(self->g));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
}

struct holder {
	groove_t *g;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;	/* 1: holds a cache; 2: told to leave */
	int flush_only;	/* leave by groove_thread_flush(), not by exiting */
	int flushed;
};

static void *hold_cache(void *arg)
{
	struct holder *h = arg;
	int err;
	void *p = groove_alloc(h->g, 0, 48, 0, &err);	/* binds this thread's cache */

	pthread_mutex_lock(&h->lock);
	h->state = 1;
	pthread_cond_broadcast(&h->cond);
	while (h->state != 2)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	groove_free(h->g, p);
	if (h->flush_only) {
		groove_thread_flush(h->g);
		pthread_mutex_lock(&h->lock);
		h->flushed = 1;
		pthread_cond_broadcast(&h->cond);
		while (h->state != 3)
			pthread_cond_wait(&h->cond, &h->lock);
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

static void holder_set(struct holder *h, int state)
{
	pthread_mutex_lock(&h->lock);
	h->state = state;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static void holder_wait(struct holder *h, int *what, int value)
{
	pthread_mutex_lock(&h->lock);
	while (*what != value)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

TEST_F(excl, refused_while_another_thread_holds_cache)
{
	struct holder h = { .g = self->g, .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER };
	struct groove_users who;
	uint64_t before;
	pthread_t t;
	int err;
	void *mine;

	for (h.flush_only = 0; h.flush_only <= 1; h.flush_only++) {
		h.state = 0;
		h.flushed = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, hold_cache, &h));
		holder_wait(&h, &h.state, 1);
		before = groove_hash(self->g);
		ASSERT_EQ(GROOVE_ERR_BUSY, groove_data_rebuild(self->g));
		ASSERT_EQ(GROOVE_ERR_BUSY, groove_exclusive_acquire(self->g, &who));
		EXPECT_EQ(getpid(), who.pid);
		EXPECT_EQ(1, who.threads);
		ASSERT_EQ(before, groove_hash(self->g));

		holder_set(&h, 2);
		if (h.flush_only) {
			holder_wait(&h, &h.flushed, 1);
			/* the thread lives on, its cache unbound */
			ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild(self->g));
			holder_set(&h, 3);
		}
		ASSERT_EQ(0, pthread_join(t, NULL));
		/* The caller's own cache does not count: the rebuild flushes it. */
		mine = groove_alloc(self->g, 0, 48, 0, &err);
		ASSERT_NE(NULL, mine);
		ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild(self->g));
		ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
		ASSERT_EQ(0, groove_free(self->g, mine));
	}
}

struct open_probe {
	const char *path;
	int calls;
	int opened;
	int err;
};

/* Called by the rebuild for each live object, while it holds the groove. */
static int try_open(void *obj, size_t sz, uint64_t tag, void *arg)
{
	struct open_probe *p = arg;
	groove_t *g;

	if (p->calls++)
		return 0;
	errno = 0;
	g = groove_open(p->path, 0);
	p->opened = g != NULL;
	p->err = errno;
	groove_close(g);
	return 0;
}

TEST_F(excl, open_refused_while_rebuild_runs)
{
	struct open_probe p = { .path = self->path };
	groove_t *b;
	pid_t pid;
	int status;

	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild_ex(self->g, 0, NULL, try_open, &p));
	ASSERT_EQ(NOBJ, p.calls);
	ASSERT_EQ(0, p.opened);
	ASSERT_EQ(EBUSY, p.err);

	/* Held across calls: another process cannot join either. */
	ASSERT_EQ(GROOVE_SUCCESS, groove_exclusive_acquire(self->g, NULL));
	ASSERT_EQ(GROOVE_SUCCESS, groove_exclusive_acquire(self->g, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		b = groove_open(self->path, 0);
		_exit(b ? 1 : errno == EBUSY ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(GROOVE_SUCCESS, groove_data_rebuild(self->g));	/* ours already */
	ASSERT_EQ(GROOVE_SUCCESS, groove_exclusive_release(self->g));
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_exclusive_release(self->g));

	/* Released: others join again, and our join still counts for them. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		b = groove_open(self->path, 0);
		if (!b)
			_exit(3);
		_exit(groove_data_rebuild(b) == GROOVE_ERR_BUSY ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(self->g));
}

TEST(create_refused_while_exclusive)
{
	struct groove_geometry geo = { .volume_size = VS, .volume_max = 2 };
	char path[256];
	groove_t *g = test_groove_new(VS, 2, 1, path, sizeof(path));

	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_SUCCESS, groove_exclusive_acquire(g, NULL));
	/* The lock is taken before the truncate: the groove stays intact. */
	ASSERT_EQ(NULL, groove_open(path, GROOVE_OPEN_CREATE, &geo));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(GROOVE_SHARED_MAGIC, g->hdr->magic);
	ASSERT_EQ(1, g->table[0].present);
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_close(g);
	unlink(path);
}

TEST_HARNESS_MAIN
