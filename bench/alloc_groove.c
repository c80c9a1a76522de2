// SPDX-License-Identifier: GPL-2.0
/* libgroove on its file backend, behind struct bench_alloc. */
#include <stdio.h>

#include "allocators.h"

#ifndef HAVE_GROOVE
int bench_open_groove(struct bench_alloc *a, const char *shm_dir,
		      uint64_t arena_bytes)
{
	(void)a, (void)shm_dir, (void)arena_bytes;
	fprintf(stderr, "# skip: groove: libgroove was not built (make -C userlib)\n");
	return -1;
}

void bench_close_groove(void)
{
}
#endif
