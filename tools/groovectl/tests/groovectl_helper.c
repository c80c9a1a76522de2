// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl_helper: puts a groove into the states groovectl's tests need.
 *
 *   groovectl_helper alloc PATH N     allocate N objects of 1000 bytes and
 *                                     leave them allocated (objects belong
 *                                     to the groove, not to the process)
 *   groovectl_helper corrupt-stack PATH
 *                                     point the empty-volume stack head past
 *                                     the last slot, as a buggy or hostile
 *                                     process could (maps the header itself)
 *   groovectl_helper hold PATH READY  join, create the file READY, and stay
 *                                     joined until killed (fsck: busy)
 *   groovectl_helper strand PATH N    allocate N objects of 1000 bytes, _exit()
 *                                     without flushing the thread cache, as
 *                                     a killed process would (fsck: stranded)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/groove.h>
#include <groove/groove.h>

static int alloc_objects(const char *path, int n)
{
	groove_t *g = groove_open(path, 0);
	int i, err;

	if (!g) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!groove_alloc(g, 0, 1000, (uint64_t)i, &err)) {
			fprintf(stderr, "alloc %d: %s\n", i, groove_strerror(err));
			groove_close(g);
			return 1;
		}
	}
	groove_close(g);
	return 0;
}

static int corrupt_stack(const char *path)
{
	struct groove_shared_hdr *h;
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	h = mmap(NULL, GROOVE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	__atomic_store_n(&h->empty_stack,
			 GROOVE_STACK_WORD(GROOVE_STACK_VER(h->empty_stack) + 1,
					   h->volume_max + 5), __ATOMIC_SEQ_CST);
	munmap(h, GROOVE_PAGE_SIZE);
	return 0;
}

static int hold(const char *path, const char *ready)
{
	groove_t *g = groove_open(path, 0);
	int fd;

	if (!g) {
		perror(path);
		return 1;
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		perror(ready);
		return 1;
	}
	close(fd);
	for (;;)
		pause();
}

static int strand(const char *path, int n)
{
	groove_t *g = groove_open(path, 0);
	int i, err;

	if (!g) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++)
		groove_alloc(g, 0, 1000, 0, &err);
	_exit(0);	/* no atexit flush: the held superblocks stay stranded */
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "alloc"))
		return alloc_objects(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "corrupt-stack"))
		return corrupt_stack(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "strand"))
		return strand(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: groovectl_helper alloc PATH N | corrupt-stack PATH | hold PATH READY | strand PATH N\n");
	return 2;
}
