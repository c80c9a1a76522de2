// SPDX-License-Identifier: GPL-2.0
/*
 * One GROOVE_IOC_ADD, timed, for tracing the ADD path in the test VM
 * (bench/add_trace_vm.sh): the module is already loaded; the caller sets up
 * ftrace around this program.  Then a memset of the same number of bytes
 * of anonymous memory, faulted in first, for the ratio.
 *
 *   add_once [-n count] [-m]     (-m: also time the memset)
 *
 * Prints "# add: <count> <ns> phys <slot 0's physical address>" and, with -m, "# memset: <bytes> <ns>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/groove.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct groove_info info = { 0 };
	struct groove_volume_phys phys = { 0 };
	struct groove_add add = { .count = 1, .node = -1 };
	int opt, do_memset = 0, fd;
	uint64_t t0, len, off;
	char *p;

	while ((opt = getopt(argc, argv, "n:m")) != -1) {
		switch (opt) {
		case 'n':
			add.count = (uint32_t)atoi(optarg);
			break;
		case 'm':
			do_memset = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n count] [-m]\n", argv[0]);
			return 2;
		}
	}
	fd = open("/dev/groove", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, GROOVE_IOC_INFO, &info)) {
		printf("# add: open/INFO: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	if (ioctl(fd, GROOVE_IOC_ADD, &add)) {
		printf("# add: ADD: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns() - t0;
	phys.idx = 0;
	if (ioctl(fd, GROOVE_IOC_VOLUME_PHYS, &phys))
		phys.phys = ~0ULL;
	printf("# add: %u %llu phys 0x%llx\n", add.added, (unsigned long long)t0,
	       (unsigned long long)phys.phys);
	if (!do_memset)
		return 0;
	len = (uint64_t)add.count * info.volume_size;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("# memset: mmap: %s\n", strerror(errno));
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (off = 0; off < len; off += 4096)
		((volatile char *)p)[off] = 1;
	t0 = now_ns();
	memset(p, 0, len);
	printf("# memset: %llu %llu\n", (unsigned long long)len,
	       (unsigned long long)(now_ns() - t0));
	munmap(p, len);
	return 0;
}
