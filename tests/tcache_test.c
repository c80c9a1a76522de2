// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The per-thread held superblocks: given back at thread exit, on a switch
 * between joins and by groove_thread_flush(); forgotten by a forked child
 * (the parent still holds them, so the two never hand out the same block).
 */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)

static void *alloc_some_and_exit(void *arg)
{
	groove_t *g = arg;
	void **p = calloc(100, sizeof(*p));
	int i;

	for (i = 0; i < 100; i++)
		p[i] = groove_alloc(g, 0, 100 + i, 0, NULL);
	return p;	/* the thread's held superblocks go back at exit */
}

TEST(thread_exit_gives_back)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	pthread_t t;
	void **p;
	int i;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, pthread_create(&t, NULL, alloc_some_and_exit, g));
	ASSERT_EQ(0, pthread_join(t, (void **)&p));
	for (i = 0; i < 100; i++) {
		ASSERT_NE(NULL, p[i]);
		ASSERT_EQ(0, groove_free(g, p[i]));
	}
	free(p);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));	/* nothing held anywhere */
	groove_close(g);
}

TEST(flush_gives_back)
{
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	void *p;

	ASSERT_NE(NULL, g);
	p = groove_alloc(g, 0, 64, 0, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, groove_free(g, p));
	groove_thread_flush(g);
	groove_thread_flush(g);
	groove_thread_flush(NULL);
	ASSERT_EQ(0, groove_verify(g));
	ASSERT_EQ(4, groove_remove_volumes(g, 4));
	groove_close(g);
}

/* One thread alternating between two joins of two grooves. */
TEST(switching_joins)
{
	groove_t *a = test_groove_new(VS, 8, 2, NULL, 0);
	groove_t *b = test_groove_new(VS, 8, 2, NULL, 0);
	void *pa[50], *pb[50];
	int i;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	for (i = 0; i < 50; i++) {
		pa[i] = groove_alloc(a, 0, 200, 0, NULL);
		pb[i] = groove_alloc(b, 0, 200, 0, NULL);
		ASSERT_NE(NULL, pa[i]);
		ASSERT_NE(NULL, pb[i]);
	}
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, groove_free(a, pa[i]));
		ASSERT_EQ(GROOVE_ERR_INVAL, groove_free(a, pb[i]));	/* not a's */
		ASSERT_EQ(0, groove_free(b, pb[i]));
	}
	ASSERT_EQ(0, groove_verify(a));
	ASSERT_EQ(0, groove_verify(b));
	ASSERT_EQ(2, groove_remove_volumes(a, 2));
	ASSERT_EQ(2, groove_remove_volumes(b, 2));
	groove_close(b);	/* b is cached: close flushes it */
	groove_close(a);
}

/* A child forked while the parent holds a superblock must not use it. */
TEST(fork_child_forgets_held)
{
	char path[256];
	groove_t *g = test_groove_new(VS, 8, 2, path, sizeof(path));
	uint64_t mine[40], theirs[40];
	int fds[2], i, j, status;
	pid_t pid;

	ASSERT_NE(NULL, g);
	unlink(path);
	ASSERT_NE(NULL, groove_alloc(g, 0, 64, 0, NULL));	/* now held */
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		for (i = 0; i < 40; i++)
			theirs[i] = groove_off(g, groove_alloc(g, 0, 64, 1, NULL));
		_exit(write(fds[1], theirs, sizeof(theirs)) != sizeof(theirs));
	}
	for (i = 0; i < 40; i++)
		mine[i] = groove_off(g, groove_alloc(g, 0, 64, 0, NULL));
	ASSERT_EQ(sizeof(theirs), read(fds[0], theirs, sizeof(theirs)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	for (i = 0; i < 40; i++) {
		ASSERT_NE(0, mine[i]);
		ASSERT_NE(0, theirs[i]);
		for (j = 0; j < 40; j++)
			ASSERT_NE(mine[i], theirs[j]);
	}
	ASSERT_EQ(0, groove_verify(g));
	groove_close(g);
}

TEST_HARNESS_MAIN
