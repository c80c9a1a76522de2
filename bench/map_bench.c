// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping benchmark, run inside the test VM (static, no libgroove): how many
 * page faults and how much time the first touch of 1 GiB costs for
 *
 *   anon-4k     anonymous memory, MADV_NOHUGEPAGE (the baseline)
 *   thp         anonymous memory, MADV_HUGEPAGE, 2 MiB aligned
 *   hugetlb-2M  MAP_HUGETLB 2 MiB pages (reserve "hugepages=512" at boot)
 *   groove-2M   groove.ko, volume_size=2M, 512 volumes
 *   groove-1G   groove.ko, volume_size=1G, one volume
 *
 * plus, for groove, the time GROOVE_IOC_ADD takes (it zeroes the volumes)
 * against memset over the same bytes already faulted in.  One write per
 * 4 KiB page; faults are getrusage() minor+major faults around the loop.
 * Prints TAP (a result per case and round) and "# csv:" lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/groove.h>

#define GiB		(1ULL << 30)
#define MiB		(1ULL << 20)
#define PAGE		4096ULL
#define GROOVE_DEV	"/dev/groove"

struct sample {
	uint64_t faults;
	uint64_t touch_ns;
	uint64_t add_ns;	/* groove: GROOVE_IOC_ADD; else 0 */
	uint64_t memset_ns;	/* memset over the same bytes once faulted in */
};

static const char *ko_path = "/groove/groove.ko";
static uint64_t bytes = GiB;
static int test_no;
static char kernel[65];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t faults_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

/* First touch: one write per 4 KiB page, timed and fault-counted. */
static void first_touch(char *p, uint64_t len, struct sample *s)
{
	uint64_t f0 = faults_now(), t0 = now_ns(), off;

	for (off = 0; off < len; off += PAGE)
		((volatile char *)p)[off] = 1;
	s->touch_ns = now_ns() - t0;
	s->faults = faults_now() - f0;
	t0 = now_ns();
	memset(p, 0, len);
	s->memset_ns = now_ns() - t0;
}

/* An anonymous mapping of len bytes aligned to align. */
static char *map_aligned(uint64_t len, uint64_t align, int extra_flags)
{
	char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
	uintptr_t start, end;

	if (raw == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	end = start + len;
	if (start > (uintptr_t)raw)
		munmap(raw, start - (uintptr_t)raw);
	if ((uintptr_t)raw + len + align > end)
		munmap((void *)end, (uintptr_t)raw + len + align - end);
	return (char *)start;
}

static int run_anon(int huge, struct sample *s, char *why, size_t whylen)
{
	char *p = map_aligned(bytes, 2 * MiB, 0);

	if (!p) {
		snprintf(why, whylen, "mmap: %s", strerror(errno));
		return -1;
	}
	if (madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(why, whylen, "madvise: %s", strerror(errno));
		munmap(p, bytes);
		return -1;
	}
	first_touch(p, bytes, s);
	munmap(p, bytes);
	return 0;
}

static int run_hugetlb(struct sample *s, char *why, size_t whylen)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED) {
		snprintf(why, whylen, "MAP_HUGETLB: %s (boot with hugepages=%llu)",
			 strerror(errno), (unsigned long long)(bytes / (2 * MiB)));
		return -1;
	}
	first_touch(p, bytes, s);
	munmap(p, bytes);
	return 0;
}

static int module_load(const char *params)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -ENOENT;
	if (syscall(__NR_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

static void module_unload(void)
{
	syscall(__NR_delete_module, "groove", 0);
}

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

static long hugepages_get(void)
{
	FILE *f = fopen(NR_HUGEPAGES, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void hugepages_set(long n)
{
	FILE *f = fopen(NR_HUGEPAGES, "w");

	if (f) {
		fprintf(f, "%ld\n", n);
		fclose(f);
	}
}

static int run_groove(uint64_t volume_size, struct sample *s, char *why,
		      size_t whylen);

/*
 * The huge pages reserved at boot lie scattered over physical memory, and a
 * range holding one cannot become a 1 GiB volume: hand the pool back for
 * the duration of the 1 GiB case, then reserve it again.
 */
static int run_groove_1g(struct sample *s, char *why, size_t whylen)
{
	long pool = hugepages_get();
	int rc;

	if (pool > 0)
		hugepages_set(0);
	rc = run_groove(GiB, s, why, whylen);
	if (pool > 0) {
		hugepages_set(pool);
		if (hugepages_get() < pool)
			printf("# hugetlb pool came back with %ld of %ld pages\n",
			       hugepages_get(), pool);
	}
	return rc;
}

static int run_groove(uint64_t volume_size, struct sample *s, char *why,
		      size_t whylen)
{
	uint32_t count = (uint32_t)(bytes / volume_size);
	struct groove_info info = { 0 };
	struct groove_add add = { .count = count, .node = -1 };
	char params[128];
	uint64_t t0;
	char *p;
	int fd, err, ret = -1;

	/*
	 * Room for the volumes plus the header region below them, and a
	 * byte limit that lets them all in (the default is an eighth of RAM).
	 */
	snprintf(params, sizeof(params), "volume_size=%llu volume_max=%u limit_bytes=%llu",
		 (unsigned long long)volume_size, count,
		 (unsigned long long)volume_size * count);
	err = module_load(params);
	if (err) {
		snprintf(why, whylen, "finit_module(%s, %s): %s", ko_path, params,
			 strerror(-err));
		return -1;
	}
	fd = open(GROOVE_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, GROOVE_IOC_INFO, &info)) {
		snprintf(why, whylen, "open/INFO: %s", strerror(errno));
		goto out;
	}
	t0 = now_ns();
	if (ioctl(fd, GROOVE_IOC_ADD, &add) || add.added != count) {
		snprintf(why, whylen, "ADD %u x %llu: %s", count,
			 (unsigned long long)volume_size, strerror(errno));
		goto out;
	}
	s->add_ns = now_ns() - t0;
	/*
	 * Like libgroove: reserve an address range aligned to the volume size
	 * (at most 1 GiB), then map the volume windows over it, so that the
	 * kernel can use PMD/PUD entries where it supports them.
	 */
	p = map_aligned(bytes, volume_size < GiB ? volume_size : GiB, 0);
	if (p)
		p = mmap(p, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 fd, (off_t)info.vol0_off);
	if (!p || p == MAP_FAILED) {
		snprintf(why, whylen, "mmap volumes: %s", strerror(errno));
		goto out;
	}
	first_touch(p, bytes, s);
	munmap(p, bytes);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	module_unload();
	return ret;
}

static void report(const char *name, int round, int rc, const struct sample *s,
		   const char *why)
{
	test_no++;
	if (rc) {
		printf("ok %d map %s round %d # SKIP %s\n", test_no, name, round, why);
		return;
	}
	printf("ok %d map %s round %d\n", test_no, name, round);
	printf("# csv: %s,%s,%d,%" PRIu64 ",%" PRIu64 ",%.1f,%" PRIu64 ",%" PRIu64
	       ",%" PRIu64 "\n", kernel, name, round, bytes, s->faults,
	       (double)s->faults * (double)GiB / (double)bytes, s->touch_ns,
	       s->add_ns, s->memset_ns);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const char * const names[] = {
		"anon-4k", "thp", "hugetlb-2M", "groove-2M", "groove-1G",
	};
	const int ncases = (int)(sizeof(names) / sizeof(names[0]));
	struct utsname u;
	int rounds = 3, r, c, opt;

	while ((opt = getopt(argc, argv, "k:r:m:")) != -1) {
		switch (opt) {
		case 'k':
			ko_path = optarg;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'm':
			bytes = strtoull(optarg, NULL, 0) * MiB;
			break;
		default:
			fprintf(stderr, "usage: %s [-k groove.ko] [-r rounds] [-m MiB]\n",
				argv[0]);
			return 2;
		}
	}
	if (bytes < GiB)
		bytes = GiB;	/* the 1 GiB volume case needs a whole volume */
	bytes &= ~(GiB - 1);
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	setvbuf(stdout, NULL, _IOLBF, 0);
	module_unload();	/* a module left loaded has the wrong geometry */

	printf("1..%d\n", rounds * ncases);
	printf("# csv: kernel,case,round,bytes,faults,faults_per_gib,touch_ns,add_ns,memset_ns\n");
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < ncases; c++) {
			/* Rotate the order so no case always follows the same one. */
			int k = (c + r) % ncases;
			struct sample s = { 0 };
			char why[200] = "";
			int rc;

			switch (k) {
			case 0:
				rc = run_anon(0, &s, why, sizeof(why));
				break;
			case 1:
				rc = run_anon(1, &s, why, sizeof(why));
				break;
			case 2:
				rc = run_hugetlb(&s, why, sizeof(why));
				break;
			case 3:
				rc = run_groove(2 * MiB, &s, why, sizeof(why));
				break;
			default:
				rc = run_groove_1g(&s, why, sizeof(why));
				break;
			}
			report(names[k], r, rc, &s, why);
		}
	}
	return 0;
}
