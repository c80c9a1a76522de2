/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Helpers shared by the host tests: file-backed grooves in /dev/shm. */
#ifndef GROOVE_TEST_UTIL_H
#define GROOVE_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <groove/groove.h>

/* A fresh path for a groove file; tmpfs (fallocate, punch hole) if we can. */
static inline void test_groove_path(char *buf, size_t len, const char *what)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	static unsigned int seq;

	snprintf(buf, len, "%s/groove-test-%s-%d-%u", dir, what, (int)getpid(), seq++);
}

/* Create a groove file with @volumes volumes added; unlinked right away. */
static inline groove_t *test_groove_new(uint64_t volume_size, uint32_t volume_max,
					unsigned int volumes, char *path, size_t path_len)
{
	struct groove_geometry geo = { .volume_size = volume_size, .volume_max = volume_max };
	char local[256];
	groove_t *g;

	if (!path) {
		path = local;
		path_len = sizeof(local);
	}
	test_groove_path(path, path_len, "g");
	/*
	 * Fresh: a stale file of a crashed run with this pid is removed (the
	 * open-or-create GROOVE_OPEN_CREATE alone would reuse it), then the
	 * create is create-only.
	 */
	unlink(path);
	g = groove_open(path, GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL, &geo);
	if (!g)
		return NULL;
	if (path == local)
		unlink(path);
	if (volumes && groove_add_volumes(g, volumes, -1, NULL, 0) != (int)volumes) {
		groove_close(g);
		return NULL;
	}
	return g;
}

/* xorshift64*: deterministic per-thread randomness. */
static inline uint64_t test_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* GROOVE_TEST_UTIL_H */
