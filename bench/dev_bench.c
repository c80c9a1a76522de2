// SPDX-License-Identifier: GPL-2.0
/*
 * libgroove on /dev/groove, inside the VM: alloc+free pairs and "64
 * allocated then freed" for glibc malloc, groove on the device and groove on
 * a file in the guest's /dev/shm, all in the same run (static binary: no
 * dlopen()ed peers here; the host benchmarks have those).  The VM is TCG,
 * so only the ratios between the three mean anything.
 *
 *   GROOVE_KO=/groove/groove.ko dev_bench [--rounds N] [--batches N] [--csv FILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <groove/groove.h>

#include "patterns.h"

#define VOLUME_SIZE	(64ULL << 20)	/* room for 10 MiB objects, cheap to add */
#define VOLUMES		16
#define GROOVE_DEV	"/dev/groove"
#define GROOVE_FILE	"/dev/shm/groove-dev-bench"

static groove_t *g_dev, *g_file;

static void *glibc_alloc(size_t sz, size_t align)
{
	return align <= 16 ? malloc(sz) : memalign(align, sz);
}

static void glibc_free(void *p)
{
	free(p);
}

static void *dev_alloc(size_t sz, size_t align)
{
	return groove_alloc(g_dev, align <= 16 ? 0 : align, sz, 0, NULL);
}

static void dev_free(void *p)
{
	if (groove_free(g_dev, p))
		abort();
}

static void *file_alloc(size_t sz, size_t align)
{
	return groove_alloc(g_file, align <= 16 ? 0 : align, sz, 0, NULL);
}

static void file_free(void *p)
{
	if (groove_free(g_file, p))
		abort();
}

static int load_module(const char *ko)
{
	char params[96];
	int fd = open(ko, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	syscall(__NR_delete_module, "groove", 0);	/* stale geometry */
	/* The default byte limit is an eighth of RAM: let every volume in. */
	snprintf(params, sizeof(params), "volume_size=%llu volume_max=%u limit_bytes=%llu",
		 (unsigned long long)VOLUME_SIZE, VOLUMES,
		 (unsigned long long)VOLUME_SIZE * VOLUMES);
	if (syscall(__NR_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

struct dev_case {
	size_t size;
	int k;
};

static const struct dev_case cases[] = {
	{ 512, 1 }, { 4096, 1 }, { 65536, 1 }, { 1 << 20, 1 }, { 10 << 20, 1 },
	{ 512, 64 }, { 65536, 64 }, { 1 << 20, 64 },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

int main(int argc, char **argv)
{
	static struct bench_alloc glibc = {
		.name = "glibc", .alloc = glibc_alloc, .free = glibc_free,
	};
	static struct bench_alloc dev = {
		.name = "groove-dev", .subject = 1, .alloc = dev_alloc, .free = dev_free,
	};
	static struct bench_alloc file = {
		.name = "groove-file", .subject = 1, .alloc = file_alloc, .free = file_free,
	};
	struct bench_alloc *allocs[3];
	struct groove_geometry geo = { .volume_size = VOLUME_SIZE, .volume_max = VOLUMES };
	const char *ko = getenv("GROOVE_KO") ? getenv("GROOVE_KO") : "/groove/groove.ko";
	struct bench_opts o;
	int n = 0, r, i, b, err;
	size_t c;

	bench_parse_opts(&o, argc, argv, "\n       (groove.ko from $GROOVE_KO)");
	bench_pin(0);
	allocs[n++] = &glibc;

	err = load_module(ko);
	if (err)
		printf("# groove-dev: load %s: %s\n", ko, strerror(-err));
	else if (!(g_dev = groove_open(GROOVE_DEV, 0)))
		printf("# groove-dev: open: %s\n", strerror(errno));
	else if (groove_add_volumes(g_dev, VOLUMES, -1, NULL, 0) != VOLUMES)
		printf("# groove-dev: add %d volumes: %s\n", VOLUMES, strerror(errno));
	else
		allocs[n++] = &dev;

	/*
	 * A fresh groove every run: GROOVE_OPEN_CREATE alone would open a
	 * groove a killed run left behind, volumes and objects included.
	 * Unlink it, then create-only (a file that reappears is an error, not
	 * shared).
	 */
	unlink(GROOVE_FILE);
	g_file = groove_open(GROOVE_FILE, GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL, &geo);
	if (!g_file)
		printf("# groove-file: create: %s\n", strerror(errno));
	else if (groove_add_volumes(g_file, VOLUMES, -1, NULL, 0) != VOLUMES)
		printf("# groove-file: add %d volumes: %s\n", VOLUMES, strerror(errno));
	else
		allocs[n++] = &file;

	for (i = 0; i < n; i++)
		for (c = 0; c < NCASES; c++)	/* warm-up, faults included */
			if (cases[c].k == 1)
				bench_pairs(allocs[i], cases[c].size, 64);
			else
				bench_k_then_free(allocs[i], cases[c].size, cases[c].k, 128);

	for (r = 0; r < o.rounds; r++) {
		for (c = 0; c < NCASES; c++) {
			long ops = bench_ops_for(cases[c].size, 1);
			char label[40], sz[16];

			bench_size_str(cases[c].size, sz, sizeof(sz));
			if (cases[c].k == 1)
				snprintf(label, sizeof(label), "pair %s", sz);
			else
				snprintf(label, sizeof(label), "%d then free %s", cases[c].k, sz);
			for (i = 0; i < n; i++) {
				struct bench_alloc *a = allocs[bench_rotated(i, r, n)];
				struct bench_result *res = bench_result("vm", label,
									cases[c].size, 1, a);

				for (b = 0; b < o.batches; b++) {
					double ns = cases[c].k == 1 ?
						bench_pairs(a, cases[c].size, ops) :
						bench_k_then_free(a, cases[c].size, cases[c].k,
								  ops < 256 ? 256 : ops);

					if (ns >= 0)
						bench_sample(res, ns);
				}
			}
		}
	}
	bench_report(&o, "groove on /dev/groove vs a file vs glibc, in the VM (TCG)");

	if (g_file) {
		groove_close(g_file);
		unlink(GROOVE_FILE);
	}
	if (g_dev) {
		groove_remove_volumes(g_dev, VOLUMES);
		groove_close(g_dev);
	}
	syscall(__NR_delete_module, "groove", 0);
	return 0;
}
