/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the groove selftests: load groove.ko with the
 * parameters a test wants, open /dev/groove, unload at teardown.
 *
 * The module comes from $GROOVE_KO (default /groove/groove.ko); a test whose
 * module is missing is skipped with a message that says where it looked.
 */
#ifndef _GROOVE_SELFTEST_H
#define _GROOVE_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/groove.h>

/*
 * The harness's test wrapper keeps a local across setjmp(); once gcc inlines
 * a test body into it, -Wclobbered (in -Wextra) reports that local.  The
 * wrapper never reads it after longjmp(), so the report is a false positive.
 */
#ifndef __clang__	/* clang has no -Wclobbered (the host tests' sanitizer builds) */
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
#include "kselftest_harness.h"

#define GROOVE_DEV		"/dev/groove"
#define GROOVE_KO_DEFAULT	"/groove/groove.ko"
#define GROOVE_SYSFS		"/sys/class/misc/groove/"

#define MiB			(1ULL << 20)
#define GiB			(1ULL << 30)

static inline const char *groove_ko_path(void)
{
	const char *path = getenv("GROOVE_KO");

	return path && *path ? path : GROOVE_KO_DEFAULT;
}

static inline int groove_unload(void)
{
	return syscall(__NR_delete_module, "groove", 0) ? -errno : 0;
}

/*
 * Load groove.ko with @params.  0 on success; -ENOENT when the module file
 * is missing (callers skip); else -errno of finit_module().  A module left
 * loaded by an earlier failed test is unloaded first.
 */
static inline int groove_load(const char *params)
{
	int fd, err = 0;

	fd = open(groove_ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (syscall(__NR_finit_module, fd, params, 0)) {
		err = -errno;
		if (err == -EEXIST && !groove_unload())
			err = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	}
	close(fd);
	return err;
}

/* Like groove_load(), but a loaded module is kept as it is. */
static inline int groove_load_once(const char *params)
{
	int fd, err = 0;

	fd = open(groove_ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (syscall(__NR_finit_module, fd, params, 0) && errno != EEXIST)
		err = -errno;
	close(fd);
	return err;
}

/*
 * GROOVE_TEST_GROOVE=named: the fixtures run their cases on a named groove,
 * /dev/grooves/selftest, which GROOVE_SETUP creates through
 * /dev/groove-control with the fixture's geometry, instead of on the
 * default /dev/groove, and GROOVE_TEARDOWN destroys.  The module stays
 * loaded from one fixture to the next (a load and an unload cost more than
 * a create and a destroy, most on the debug kernel); a test that loads the
 * module itself still reloads it.
 */
#define GROOVE_NAMED_TEST	"selftest"

static inline int groove_test_named(void)
{
	const char *s = getenv("GROOVE_TEST_GROOVE");

	return s && !strcmp(s, "named");
}

/*
 * @n repetitions of a bounded loop, scaled by GROOVE_TEST_REPS_PERCENT
 * (1..100, default 100; at least 1): the debug kernel, where each kernel
 * path needs to run once or a few times for KASAN and lockdep to judge it,
 * takes a third (scripts/vm-run.sh).
 */
static inline unsigned int groove_test_reps(unsigned int n)
{
	const char *s = getenv("GROOVE_TEST_REPS_PERCENT");
	long pct = s && *s ? strtol(s, NULL, 10) : 100;

	if (pct < 1 || pct > 100)
		pct = 100;
	n = (unsigned int)((unsigned long long)n * pct / 100);
	return n ? n : 1;
}

/* The node the fixtures open. */
static inline const char *groove_dev_path(void)
{
	return groove_test_named() ? "/dev/grooves/" GROOVE_NAMED_TEST : GROOVE_DEV;
}

/* Its sysfs directory, with a trailing slash. */
static inline const char *groove_sysfs_dir(void)
{
	return groove_test_named() ? "/sys/class/groove/" GROOVE_NAMED_TEST "/" : GROOVE_SYSFS;
}

/* @key=<bytes with a K/M/G suffix> from a module parameter string, or 0. */
static inline unsigned long long groove_param_bytes(const char *params, const char *key)
{
	const char *p = strstr(params, key);
	unsigned long long v;
	char *end;

	if (!p || (p > params && p[-1] != ' ') || p[strlen(key)] != '=')
		return 0;
	v = strtoull(p + strlen(key) + 1, &end, 0);
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10;
	}
	return v;
}

/* Destroy the named groove; 0 or -errno (-ENOENT when there is none). */
static inline int groove_named_destroy(void)
{
	struct groove_destroy d = { .name = GROOVE_NAMED_TEST };
	int fd, err = 0;

	fd = open("/dev/groove-control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, GROOVE_CTL_DESTROY, &d))
		err = -errno;
	close(fd);
	return err;
}

/*
 * With GROOVE_TEST_GROOVE=named, create the named groove with the geometry
 * of @params; one an earlier failed test left is destroyed first.  0 or
 * -errno.
 */
static inline int groove_named_setup(const char *params)
{
	struct groove_create c = {
		.name = GROOVE_NAMED_TEST,
		.volume_size = groove_param_bytes(params, "volume_size"),
		.volume_max = (__u32)groove_param_bytes(params, "volume_max"),
		.limit_bytes = groove_param_bytes(params, "limit_bytes"),
		.mode = 0600,
	};
	int fd, err = 0;

	if (!groove_test_named())
		return 0;
	if (!c.volume_size)
		c.volume_size = GROOVE_VOLUME_SIZE_MAX;
	fd = open("/dev/groove-control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, GROOVE_CTL_CREATE, &c)) {
		err = -errno;
		if (err == -EEXIST && !groove_named_destroy())
			err = ioctl(fd, GROOVE_CTL_CREATE, &c) ? -errno : 0;
	}
	close(fd);
	return err;
}

/*
 * Make the groove a fixture runs on: load the module with @params (named
 * mode: unless it is loaded), then create the named groove in named mode.
 * 0 or -errno; -ENOENT when the module file is missing.
 */
static inline int groove_fixture_up(const char *params)
{
	int err;

	if (!groove_test_named())
		return groove_load(params);
	err = groove_load_once(params);
	return err ? err : groove_named_setup(params);
}

/* Undo groove_fixture_up(): unload, or in named mode destroy the groove. */
static inline int groove_fixture_down(void)
{
	return groove_test_named() ? groove_named_destroy() : groove_unload();
}

/*
 * For tests that load the module themselves: 0 when loaded with @params,
 * -1 when the test was skipped (no module file); fails the test otherwise.
 */
static inline int groove_load_or_skip(struct __test_metadata *_metadata,
				      const char *params)
{
	int err = groove_load(params);

	if (err == -ENOENT) {
		SKIP(return -1, "groove.ko not found at %s (set GROOVE_KO)",
		     groove_ko_path());
	}
	ASSERT_EQ(0, err) TH_LOG("finit_module(\"%s\"): %s", params, strerror(-err));
	return 0;
}

/* Open the fixtures' groove, which devtmpfs creates as it is registered. */
static inline int groove_open_dev(int flags)
{
	return open(groove_dev_path(), flags | O_CLOEXEC);
}

static inline int groove_info(int fd, struct groove_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, GROOVE_IOC_INFO, info) ? -errno : 0;
}

static inline int groove_add(int fd, __u32 count, const void *info_bytes,
			     __u32 info_sz)
{
	struct groove_add a = {
		.count = count,
		.node = -1,
		.info_sz = info_sz,
		.info_ptr = (uintptr_t)info_bytes,
	};

	return ioctl(fd, GROOVE_IOC_ADD, &a) ? -errno : (int)a.added;
}

/* Volumes removed (>= 0) or -errno. */
static inline int groove_remove(int fd, __u32 count)
{
	struct groove_remove r = { .count = count };

	return ioctl(fd, GROOVE_IOC_REMOVE, &r) ? -errno : (int)r.removed;
}

/* Open a sysfs attribute of the fixtures' groove; -1 and errno on failure. */
static inline int groove_sysfs_open(const char *attr)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", groove_sysfs_dir(), attr);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A sysfs attribute of the fixtures' groove as a number; -1 when unreadable. */
static inline long long groove_sysfs_read(const char *attr)
{
	char buf[64];
	long long v = -1;
	ssize_t n;
	int fd;

	fd = groove_sysfs_open(attr);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		v = strtoll(buf, NULL, 0);
	}
	close(fd);
	return v;
}

/* Map the whole volume window [vol0_off, map_size); MAP_FAILED on error. */
static inline void *groove_map_volumes(int fd, const struct groove_info *info,
				       int prot)
{
	return mmap(NULL, info->map_size - info->vol0_off, prot, MAP_SHARED,
		    fd, info->vol0_off);
}

/* Map the header region; MAP_FAILED on error. */
static inline void *groove_map_hdr(int fd, const struct groove_info *info,
				   int prot)
{
	return mmap(NULL, info->hdr_size, prot, MAP_SHARED, fd, 0);
}

static inline struct groove_vol_entry *groove_table(void *hdr)
{
	return (struct groove_vol_entry *)((char *)hdr +
		((struct groove_shared_hdr *)hdr)->vol_table_off);
}

/* Physical address of slot @idx (root only); -errno on error. */
static inline int groove_phys(int fd, __u32 idx, __u64 *phys, int *node)
{
	struct groove_volume_phys p = { .idx = idx };

	if (ioctl(fd, GROOVE_IOC_VOLUME_PHYS, &p))
		return -errno;
	*phys = p.phys;
	if (node)
		*node = p.node;
	return 0;
}

/* What groove_touch_signal() does at the address. */
#define GROOVE_TOUCH_READ	0
#define GROOVE_TOUCH_WRITE	1
/* Read (mapping a read-only entry where the slot is absent), then write. */
#define GROOVE_TOUCH_READ_WRITE	2

/*
 * Touch @addr (GROOVE_TOUCH_*) in a child process and return the signal
 * that killed it, or 0 when the touch worked.
 */
static inline int groove_touch_signal(volatile char *addr, int how)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (how == GROOVE_TOUCH_WRITE) {
			*addr = 1;
		} else {
			(void)*addr;
			if (how == GROOVE_TOUCH_READ_WRITE)
				*addr = 1;
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * Name of the zone ("Normal", "DMA32", "Movable", ...) whose span holds
 * physical address @phys, from /proc/zoneinfo, into @name; 0 or -ENOENT.
 */
static inline int groove_zone_of_phys(__u64 phys, char *name, size_t len)
{
	unsigned long long start = 0, spanned = 0, pfn = phys >> 12;
	char line[256], zone[32] = "", next[32];
	int found = -ENOENT, more = 1;
	FILE *f;

	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -errno;
	/* spanned comes before start_pfn in a zone's block: judge at its end. */
	while (more) {
		more = fgets(line, sizeof(line), f) != NULL;
		if (!more || sscanf(line, "Node %*d, zone %31s", next) == 1) {
			if (spanned && pfn >= start && pfn < start + spanned) {
				snprintf(name, len, "%s", zone);
				found = 0;
			}
			if (more)
				snprintf(zone, sizeof(zone), "%s", next);
			start = spanned = 0;
			continue;
		}
		if (sscanf(line, " start_pfn: %llu", &start) == 1)
			continue;
		sscanf(line, " spanned %llu", &spanned);
	}
	fclose(f);
	return found;
}

/* A /proc/meminfo field in KiB, or -1. */
static inline long long groove_meminfo_kib(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static inline double groove_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Why adding a 1 GiB volume can fail with ENOMEM in a small VM: it needs a
 * whole 1 GiB-aligned GiB of RAM free of reserved and unmovable pages.  A
 * 4 GiB q35 guest has three candidates and firmware tables, the kernel
 * image and early boot allocations spoil them; 6 GiB leaves free ones.
 */
#define GROOVE_1G_HINT	"no free 1 GiB-aligned GiB of RAM: give the VM >= 6 GiB (scripts/vm-run.sh --mem 6144)"

/* Fixture fields every groove fixture starts with. */
#define GROOVE_FIXTURE_FIELDS	\
	int fd;			\
	int loaded;		\
	struct groove_info info

/*
 * The common fixture body: load with @params (or create the named groove),
 * open read-write, read INFO.  Skips when the module is absent; fails on
 * anything else.
 */
#define GROOVE_SETUP(self, params)					\
	do {								\
		int __err;						\
									\
		(self)->fd = -1;					\
		__err = groove_fixture_up(params);			\
		if (__err == -ENOENT)					\
			SKIP(return, "groove.ko not found at %s (set GROOVE_KO)", \
			     groove_ko_path());				\
		ASSERT_EQ(0, __err) TH_LOG("set up %s (%s, \"%s\"): %s", \
					   groove_dev_path(), groove_ko_path(), \
					   params, strerror(-__err));	\
		(self)->loaded = 1;					\
		(self)->fd = groove_open_dev(O_RDWR);			\
		ASSERT_LE(0, (self)->fd) TH_LOG("open %s: %s", groove_dev_path(), \
						strerror(errno));	\
		ASSERT_EQ(0, groove_info((self)->fd, &(self)->info));	\
	} while (0)

/* The common teardown: close, then unload or destroy (which must succeed). */
#define GROOVE_TEARDOWN(self)						\
	do {								\
		int __err;						\
									\
		if ((self)->fd >= 0)					\
			close((self)->fd);				\
		(self)->fd = -1;					\
		if ((self)->loaded) {					\
			__err = groove_fixture_down();			\
			EXPECT_EQ(0, __err) TH_LOG("tear down %s: %s",	\
						   groove_dev_path(),	\
						   strerror(-__err));	\
		}							\
		(self)->loaded = 0;					\
	} while (0)

#endif /* _GROOVE_SELFTEST_H */
