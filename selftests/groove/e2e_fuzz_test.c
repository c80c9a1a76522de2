// SPDX-License-Identifier: GPL-2.0
/*
 * groove end to end, hostile input: one process issues at least 100,000
 * random operations on /dev/groove -- ioctls with random numbers and fields,
 * mmaps with random offsets, lengths, protections and flags, munmap,
 * mremap, mprotect, madvise, fork, touches, and random writes over the
 * shared header and the volume headers.  Every call must return success or
 * a clean error, a touch may only end in SIGBUS or SIGSEGV (caught), and the
 * kernel must stay healthy (the VM runs with panic_on_warn; the runner
 * checks the log).  Afterwards the module unloads and MemAvailable is back
 * within 1% of its value before the load.
 *
 * Everything is bounded by counts.  The fuzzing runs in a child process, so
 * whatever it leaves mapped goes away with it before the unload.
 */
#include <setjmp.h>
#include <signal.h>

#include "e2e_common.h"

#define FUZZ_OPS		120000
#define FUZZ_FORKS_MAX		150
/*
 * A debug kernel (KASAN, lockdep, kmemleak, page table checks) runs every
 * operation many times slower under TCG: there the fuzzer does fewer, so
 * that it stays within the harness's limit.  It is recognised by kmemleak's
 * debugfs file.
 */
#define FUZZ_OPS_DEBUG		20000	/* also: MemAvailable within 3%, not 1% */
#define FUZZ_FORKS_MAX_DEBUG	20
#define FUZZ_CHILD_OPS		24
#define FUZZ_MAPS		24
#define FUZZ_ARENA		(256 * MiB)
#define FUZZ_PARAMS		"volume_size=2M volume_max=12 limit_bytes=16M"

enum fuzz_kind {
	K_IOCTL, K_MMAP, K_MUNMAP, K_MREMAP, K_MPROTECT, K_MADVISE, K_TOUCH,
	K_SCRIBBLE, K_FORK, K_REOPEN, K_RW, K_KINDS
};

static const char *const kind_name[K_KINDS] = {
	"ioctl", "mmap", "munmap", "mremap", "mprotect", "madvise", "touch",
	"scribble", "fork", "reopen", "read/write",
};

/* Counters the fuzzing child hands back. */
struct fuzz_report {
	uint64_t ops[K_KINDS];
	uint64_t ok[K_KINDS];
	uint64_t ops_target, forks_max;
	uint64_t sigbus, sigsegv, forks, unexpected;
	uint64_t added, removed;
	uint64_t errno_cnt[160];
	char first_unexpected[256];
};

struct fuzz_map {
	char *addr;
	size_t len;
};

struct fuzz {
	struct fuzz_report *rep;
	struct groove_info info;
	int fd, fd_ro;
	char *arena;
	char *hdr;			/* writable header mapping (scribbles) */
	char *vols;			/* writable volume windows (scribbles) */
	struct fuzz_map map[FUZZ_MAPS];
	uint64_t rs;
	int in_child;
};

static sigjmp_buf touch_env;
static volatile sig_atomic_t touching;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (touching)
		siglongjmp(touch_env, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t rnd(struct fuzz *f)
{
	return e2e_rand(&f->rs);
}

/* errno values that are a clean refusal of a random request. */
static int clean_errno(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case ENXIO: case E2BIG: case EBADF:
	case EAGAIN: case ENOMEM: case EACCES: case EFAULT: case EBUSY:
	case EEXIST: case ENODEV: case EINVAL: case ENOTTY: case EFBIG:
	case ENOSPC: case ESPIPE: case ERANGE: case EOVERFLOW: case EOPNOTSUPP:
	case EUCLEAN: case EBADMSG: case ENOSYS:
		return 1;
	default:
		return 0;
	}
}

/* Account a syscall result: 0 on success or a clean error. */
static void result(struct fuzz *f, enum fuzz_kind k, long ret, const char *what,
		   uint64_t a, uint64_t b)
{
	int e = errno;

	f->rep->ops[k]++;
	if (ret != -1) {
		f->rep->ok[k]++;
		return;
	}
	if (e >= 0 && e < 160)
		f->rep->errno_cnt[e]++;
	if (clean_errno(e))
		return;
	if (!f->rep->unexpected++)
		snprintf(f->rep->first_unexpected, sizeof(f->rep->first_unexpected),
			 "%s(%#llx, %#llx): %s", what, (unsigned long long)a,
			 (unsigned long long)b, strerror(e));
}

static int in_arena(const struct fuzz *f, const char *p, size_t len)
{
	return p >= f->arena && p + len <= f->arena + FUZZ_ARENA;
}

/*
 * Unmap, and where that leaves a hole in the arena, cover it again with
 * PROT_NONE: a later MAP_FIXED into the arena must never hit a mapping that
 * libc placed in a hole.
 */
static int unmap(struct fuzz *f, char *p, size_t len)
{
	int ret = munmap(p, len), e = errno;

	if (!ret && len && in_arena(f, p, len))
		mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		     -1, 0);
	errno = e;
	return ret;
}

static void track(struct fuzz *f, void *addr, size_t len)
{
	unsigned int i = (unsigned int)(rnd(f) % FUZZ_MAPS);

	if (f->map[i].addr)
		unmap(f, f->map[i].addr, f->map[i].len);
	f->map[i].addr = addr;
	f->map[i].len = len;
}

static struct fuzz_map *pick_map(struct fuzz *f)
{
	unsigned int i = (unsigned int)(rnd(f) % FUZZ_MAPS), n;

	for (n = 0; n < FUZZ_MAPS; n++, i = (i + 1) % FUZZ_MAPS)
		if (f->map[i].addr)
			return &f->map[i];
	return NULL;
}

static uint64_t pick_len(struct fuzz *f)
{
	switch (rnd(f) % 6) {
	case 0: return 4096;
	case 1: return (1 + rnd(f) % 16) * 4096;
	case 2: return f->info.volume_size;
	case 3: return (1 + rnd(f) % 4) * f->info.volume_size;
	case 4: return f->info.hdr_size;
	default: return rnd(f) % (8 * f->info.volume_size);
	}
}

static uint64_t pick_off(struct fuzz *f)
{
	switch (rnd(f) % 6) {
	case 0: return 0;
	case 1: return (rnd(f) % (f->info.hdr_size / 4096 + 2)) * 4096;
	case 2: return f->info.vol0_off +
		       (rnd(f) % (f->info.volume_max + 2)) * f->info.volume_size;
	case 3: return f->info.vol0_off + (rnd(f) % (f->info.map_size / 4096)) * 4096;
	case 4: return rnd(f) & ~4095ULL;
	default: return rnd(f) % (f->info.map_size + f->info.volume_size);
	}
}

static void do_ioctl(struct fuzz *f)
{
	static const unsigned int cmds[] = {
		GROOVE_IOC_INFO, GROOVE_IOC_ADD, GROOVE_IOC_REMOVE, GROOVE_IOC_VOLUME_PHYS,
	};
	union {
		uint64_t w[64];
		struct groove_add add;
		struct groove_remove rm;
	} u;
	uint64_t *buf = u.w;
	unsigned int cmd, i;
	void *arg = buf;
	long ret;
	int fd = rnd(f) % 4 ? f->fd : f->fd_ro;

	for (i = 0; i < 64; i++)
		buf[i] = rnd(f);
	switch (rnd(f) % 10) {
	case 0: case 1: case 2: case 3:
		cmd = cmds[rnd(f) % 4];
		if (cmd == GROOVE_IOC_ADD || cmd == GROOVE_IOC_REMOVE) {
			/* Mostly plausible, so volumes really come and go. */
			if (rnd(f) % 2 && cmd == GROOVE_IOC_ADD) {
				memset(&u.add, 0, sizeof(u.add));
				u.add.count = 1 + rnd(f) % 3;
				u.add.node = rnd(f) % 4 ? -1 : (int)(rnd(f) % 4);
			} else if (rnd(f) % 2) {
				memset(&u.rm, 0, sizeof(u.rm));
				u.rm.count = 1 + rnd(f) % 3;
			}
		}
		break;
	case 4: case 5: case 6:
		/* groove's magic, any number, direction and size */
		cmd = (unsigned int)_IOC(rnd(f) % 4, GROOVE_IOC_MAGIC, rnd(f) % 8,
					 rnd(f) % 512);
		break;
	default:
		/*
		 * Any command, except the VFS's file-system and inode-flag
		 * families ('X', 'f', 0x94): they act on devtmpfs, not groove
		 * (FS_IOC_SETFLAGS could make the node immutable).
		 */
		do {
			cmd = (unsigned int)rnd(f);
		} while (_IOC_TYPE(cmd) == 'X' || _IOC_TYPE(cmd) == 'f' ||
			 _IOC_TYPE(cmd) == 0x94);
		break;
	}
	switch (rnd(f) % 10) {
	case 0: arg = NULL; break;
	case 1: arg = (void *)(uintptr_t)rnd(f); break;
	case 2: arg = f->arena; break;		/* PROT_NONE: EFAULT */
	default: break;
	}
	ret = ioctl(fd, cmd, arg);
	if (ret == 0 && arg == buf && fd == f->fd) {
		if (cmd == GROOVE_IOC_ADD)
			f->rep->added += u.add.added;
		if (cmd == GROOVE_IOC_REMOVE)
			f->rep->removed += u.rm.removed;
	}
	result(f, K_IOCTL, ret < 0 ? -1 : 0, "ioctl", cmd, (uintptr_t)arg);
}

static void do_mmap(struct fuzz *f)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	static const int extra[] = {
		0, 0, 0, MAP_POPULATE, MAP_NORESERVE, MAP_LOCKED, MAP_32BIT,
		MAP_HUGETLB, MAP_GROWSDOWN, MAP_ANONYMOUS, MAP_NONBLOCK, MAP_STACK,
	};
	uint64_t off = pick_off(f), len = pick_len(f);
	int prot = prots[rnd(f) % 6], flags, fd = rnd(f) % 5 ? f->fd : f->fd_ro;
	char *want = NULL;
	void *p;

	switch (rnd(f) % 10) {
	case 0: flags = MAP_PRIVATE; break;
	case 1: flags = MAP_SHARED_VALIDATE | (rnd(f) % 2 ? MAP_SYNC : 0); break;
	default: flags = MAP_SHARED; break;
	}
	flags |= extra[rnd(f) % 12];
	if (rnd(f) % 3 == 0 && len && len <= FUZZ_ARENA / 2) {
		want = f->arena + (rnd(f) % ((FUZZ_ARENA - len) / 4096 + 1)) * 4096;
		flags |= MAP_FIXED;
	}
	if (flags & MAP_ANONYMOUS)
		flags &= ~MAP_ANONYMOUS;	/* anonymous would not reach groove */
	if ((flags & MAP_LOCKED) && len > 4 * f->info.volume_size)
		flags &= ~MAP_LOCKED;
	p = mmap(want, len, prot, flags, fd, (off_t)off);
	result(f, K_MMAP, p == MAP_FAILED ? -1 : 0, "mmap", off, len);
	if (p == MAP_FAILED)
		return;
	if (want && p != want) {
		f->rep->unexpected++;
		return;
	}
	/* Odd placements are only tried, not kept. */
	if (!want && (flags & (MAP_32BIT | MAP_GROWSDOWN))) {
		munmap(p, len);
		return;
	}
	track(f, p, len);
}

static void do_munmap(struct fuzz *f)
{
	struct fuzz_map *m = pick_map(f);
	uint64_t a, b;

	if (!m)
		return;
	if (rnd(f) % 2) {
		result(f, K_MUNMAP, unmap(f, m->addr, m->len), "munmap", (uintptr_t)m->addr,
		       m->len);
	} else {
		/* A piece of it; the rest stays mapped until the child exits. */
		a = (rnd(f) % (m->len / 4096 + 1)) * 4096;
		b = (rnd(f) % ((m->len - a) / 4096 + 1)) * 4096;
		result(f, K_MUNMAP, unmap(f, m->addr + a, b), "munmap", (uintptr_t)m->addr + a, b);
	}
	m->addr = NULL;
}

static void do_mremap(struct fuzz *f)
{
	struct fuzz_map *m = pick_map(f);
	size_t len = pick_len(f);
	char *want = NULL;
	int flags = 0;
	void *p;

	if (!m)
		return;
	switch (rnd(f) % 4) {
	case 0: break;
	case 1: flags = MREMAP_MAYMOVE; break;
	case 2:
		if (len && len <= FUZZ_ARENA / 2 && !in_arena(f, m->addr, m->len)) {
			want = f->arena + (rnd(f) % ((FUZZ_ARENA - len) / 4096 + 1)) * 4096;
			flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		}
		break;
	default: flags = MREMAP_MAYMOVE | 4 /* MREMAP_DONTUNMAP */; break;
	}
	p = mremap(m->addr, m->len, len, flags, want);
	result(f, K_MREMAP, p == MAP_FAILED ? -1 : 0, "mremap", (uintptr_t)m->addr, len);
	if (p == MAP_FAILED)
		return;
	if (flags & 4) {	/* the old range stays: keep both */
		track(f, p, len);
		return;
	}
	if (p != m->addr && in_arena(f, m->addr, m->len))
		mmap(m->addr, m->len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	m->addr = p;
	m->len = len;
}

static void do_mprotect(struct fuzz *f)
{
	struct fuzz_map *m = pick_map(f);
	int prot = (int)(rnd(f) % 8);

	if (!m)
		return;
	result(f, K_MPROTECT, mprotect(m->addr, m->len, prot), "mprotect",
	       (uintptr_t)m->addr, (uint64_t)prot);
}

static void do_madvise(struct fuzz *f)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_REMOVE,
		MADV_FREE, 20 /* COLD */, 21 /* PAGEOUT */, 22 /* POPULATE_READ */,
		23 /* POPULATE_WRITE */, 25 /* COLLAPSE */,
	};
	struct fuzz_map *m = pick_map(f);
	int a = advice[rnd(f) % (sizeof(advice) / sizeof(advice[0]))];

	if (!m)
		return;
	result(f, K_MADVISE, madvise(m->addr, m->len, a), "madvise", (uintptr_t)m->addr,
	       (uint64_t)a);
}

/* Read or write one byte; a SIGBUS or SIGSEGV is an answer, not a failure. */
static int touch(struct fuzz *f, volatile char *p, int write, char v)
{
	int sig;

	sig = sigsetjmp(touch_env, 1);
	if (!sig) {
		touching = 1;
		if (write)
			*p = v;
		else
			(void)*p;
		touching = 0;
		return 0;
	}
	touching = 0;
	if (sig == SIGBUS)
		f->rep->sigbus++;
	else
		f->rep->sigsegv++;
	return sig;
}

static void do_touch(struct fuzz *f)
{
	struct fuzz_map *m = pick_map(f);

	if (!m || !m->len)
		return;
	f->rep->ops[K_TOUCH]++;
	if (!touch(f, m->addr + rnd(f) % m->len, (int)(rnd(f) % 2), (char)rnd(f)))
		f->rep->ok[K_TOUCH]++;
}

/* Random bytes over the shared header, the volume table and volume headers. */
static void do_scribble(struct fuzz *f)
{
	struct groove_shared_hdr *sh = (void *)f->hdr;
	struct groove_vol_entry *t = (void *)(f->hdr + f->info.vol_table_off);
	uint64_t idx = rnd(f) % f->info.volume_max;

	f->rep->ops[K_SCRIBBLE]++;
	switch (rnd(f) % 7) {
	case 6:	/* a plausible one-volume stack, so REMOVE gets past the head */
		t[idx].next = GROOVE_VOL_NIL;
		sh->empty_stack = GROOVE_STACK_WORD(rnd(f), idx);
		break;
	case 0:	/* a plausible stack head: small index, any version */
		sh->empty_stack = GROOVE_STACK_WORD(rnd(f), rnd(f) % (f->info.volume_max + 3));
		break;
	case 1:
		t[idx].next = (uint32_t)(rnd(f) % 4 ? rnd(f) % (f->info.volume_max + 3) : rnd(f));
		break;
	case 2:
		t[idx].present = (uint32_t)(rnd(f) % 3);
		break;
	case 3:	/* anywhere in the header region */
		((uint64_t *)f->hdr)[rnd(f) % (f->info.hdr_size / 8)] = rnd(f);
		break;
	default: {	/* a volume header word (absent slots give SIGBUS) */
		volatile uint64_t *vh = (uint64_t *)(f->vols + idx * f->info.volume_size);
		uint64_t v = rnd(f) % 2 ? rnd(f) :
			     rnd(f) % 2 ? GROOVE_VOLUME_MAGIC_EMPTY : GROOVE_VOLUME_MAGIC_DATA;
		int sig = sigsetjmp(touch_env, 1);

		if (!sig) {
			touching = 1;
			vh[rnd(f) % 4] = v;
		} else if (sig == SIGBUS) {
			f->rep->sigbus++;
		} else {
			f->rep->sigsegv++;
		}
		touching = 0;
		return;
	}
	}
	f->rep->ok[K_SCRIBBLE]++;
}

static void do_rw(struct fuzz *f)
{
	char buf[256];
	long ret;

	memset(buf, 0x5a, sizeof(buf));
	switch (rnd(f) % 4) {
	case 0: ret = pread(f->fd, buf, rnd(f) % sizeof(buf), (off_t)pick_off(f)); break;
	case 1: ret = pwrite(f->fd, buf, rnd(f) % sizeof(buf), (off_t)pick_off(f)); break;
	case 2: ret = lseek(f->fd, (off_t)pick_off(f), (int)(rnd(f) % 5)); break;
	default: ret = fsync(f->fd); break;
	}
	result(f, K_RW, ret < 0 ? -1 : 0, "read/write/lseek/fsync", 0, 0);
}

static void do_reopen(struct fuzz *f)
{
	static const int modes[] = { O_RDWR, O_RDONLY, O_WRONLY, O_RDWR | O_NONBLOCK };
	int fd = open(GROOVE_DEV, modes[rnd(f) % 4] | O_CLOEXEC);

	result(f, K_REOPEN, fd < 0 ? -1 : 0, "open", 0, 0);
	if (fd < 0)
		return;
	if (rnd(f) % 2) {
		close(f->fd_ro);
		f->fd_ro = fd;
	} else {
		close(fd);
	}
}

static void fuzz_one(struct fuzz *f, unsigned int r);

static void do_fork(struct fuzz *f)
{
	unsigned int i;
	pid_t pid;
	int st;

	if (f->in_child || f->rep->forks >= f->rep->forks_max)
		return;
	f->rep->ops[K_FORK]++;
	f->rep->forks++;
	pid = fork();
	if (pid < 0) {
		result(f, K_FORK, -1, "fork", 0, 0);
		f->rep->ops[K_FORK]--;
		return;
	}
	if (!pid) {
		f->in_child = 1;
		f->rs ^= 0x5eed;
		for (i = 0; i < FUZZ_CHILD_OPS; i++)
			fuzz_one(f, (unsigned int)(rnd(f) % 100));
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st))
		f->rep->ok[K_FORK]++;
	else if (!f->rep->unexpected++)
		snprintf(f->rep->first_unexpected, sizeof(f->rep->first_unexpected),
			 "forked child ended with status %#x", st);
}

static void fuzz_one(struct fuzz *f, unsigned int r)
{
	if (r < 26)
		do_ioctl(f);
	else if (r < 40)
		do_mmap(f);
	else if (r < 48)
		do_munmap(f);
	else if (r < 54)
		do_mremap(f);
	else if (r < 59)
		do_mprotect(f);
	else if (r < 64)
		do_madvise(f);
	else if (r < 80)
		do_touch(f);
	else if (r < 92)
		do_scribble(f);
	else if (r < 96)
		do_rw(f);
	else if (r < 98)
		do_fork(f);
	else
		do_reopen(f);
}

static uint64_t fuzz_count(const struct fuzz_report *rep)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < K_KINDS; i++)
		n += rep->ops[i];
	return n;
}

static void fuzz_child(struct fuzz_report *rep, uint64_t seed)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	struct fuzz f = { .rep = rep, .rs = seed };
	unsigned int i;

	e2e_rand(&f.rs);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	f.fd = groove_open_dev(O_RDWR);
	f.fd_ro = groove_open_dev(O_RDONLY);
	if (f.fd < 0 || f.fd_ro < 0 || groove_info(f.fd, &f.info))
		_exit(2);
	f.arena = mmap(NULL, FUZZ_ARENA, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	f.hdr = mmap(NULL, f.info.hdr_size, PROT_READ | PROT_WRITE, MAP_SHARED, f.fd, 0);
	f.vols = groove_map_volumes(f.fd, &f.info, PROT_READ | PROT_WRITE);
	if (f.arena == MAP_FAILED || f.hdr == MAP_FAILED || f.vols == MAP_FAILED)
		_exit(3);
	if (ioctl(f.fd, GROOVE_IOC_ADD, &(struct groove_add){ .count = 2, .node = -1 }) == 0)
		rep->added += 2;
	/* Some picks find nothing to act on (no mapping): count the real ones. */
	for (i = 0; i < 2 * rep->ops_target && fuzz_count(rep) < rep->ops_target; i++)
		fuzz_one(&f, (unsigned int)(rnd(&f) % 100));
	_exit(0);
}

FIXTURE(e2e_fuzz) {
	int loaded;
};

FIXTURE_SETUP(e2e_fuzz)
{
	self->loaded = 0;
}

FIXTURE_TEARDOWN(e2e_fuzz)
{
	if (self->loaded)
		groove_unload();
}

static void write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		fd = -fd - 1;	/* not there on this kernel: the figure is noisier */
	close(fd < 0 ? -fd - 1 : fd);
}

/*
 * MemAvailable once the kernel has settled: caches dropped, memory
 * compacted (which also drains the per-CPU free lists), read again until
 * two readings agree within 0.1% (at most 8 rounds).
 */
static long long mem_available_kib(void)
{
	long long prev = -1, cur = -1;
	int round;

	for (round = 0; round < 8; round++) {
		sync();
		write_knob("/proc/sys/vm/drop_caches", "3\n");
		write_knob("/proc/sys/vm/compact_memory", "1\n");
		cur = groove_meminfo_kib("MemAvailable");
		if (prev > 0 && llabs(cur - prev) * 1000 < prev)
			break;
		prev = cur;
	}
	return cur;
}

TEST_F_TIMEOUT(e2e_fuzz, hostile_operations_then_clean_unload, 240)
{
	struct fuzz_report *rep;
	long long before, after, delta;
	uint64_t seed = e2e_seed(), total = 0, ok = 0;
	struct groove_info info;
	int fd, status, e, shown = 0, i;
	char line[512];
	size_t len = 0;
	pid_t pid;
	double t0;

	if (getenv("GROOVE_E2E_FILE"))
		SKIP(return, "needs /dev/groove (no file backend for the fuzzer)");
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	rep->ops_target = FUZZ_OPS;
	rep->forks_max = FUZZ_FORKS_MAX;
	if (!access("/sys/kernel/debug/kmemleak", F_OK)) {
		rep->ops_target = FUZZ_OPS_DEBUG;
		rep->forks_max = FUZZ_FORKS_MAX_DEBUG;
		ksft_print_msg("fuzz: debug kernel (kmemleak is there): %llu operations, %llu forks\n",
			       (unsigned long long)rep->ops_target,
			       (unsigned long long)rep->forks_max);
	}
	before = mem_available_kib();
	e = groove_load(FUZZ_PARAMS);
	if (e == -ENOENT)
		SKIP(return, "groove.ko not found at %s", groove_ko_path());
	ASSERT_EQ(0, e);
	self->loaded = 1;

	t0 = groove_now_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		fuzz_child(rep, seed);
	status = e2e_wait(pid);
	for (i = 0; i < K_KINDS; i++) {
		total += rep->ops[i];
		ok += rep->ok[i];
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %llu/%llu",
					kind_name[i], (unsigned long long)rep->ok[i],
					(unsigned long long)rep->ops[i]);
	}
	ksft_print_msg("fuzz: seed %#llx: %llu operations (%llu succeeded) in %.1f s\n",
		       (unsigned long long)seed, (unsigned long long)total,
		       (unsigned long long)ok, (groove_now_ns() - t0) / 1e9);
	ksft_print_msg("fuzz: ok/tried:%s\n", line);
	ksft_print_msg("fuzz: SIGBUS %llu SIGSEGV %llu forks %llu, volumes added %llu removed %llu, unexpected results %llu\n",
		       (unsigned long long)rep->sigbus, (unsigned long long)rep->sigsegv,
		       (unsigned long long)rep->forks, (unsigned long long)rep->added,
		       (unsigned long long)rep->removed, (unsigned long long)rep->unexpected);
	len = 0;
	for (i = 0; i < 160 && shown < 12; i++) {
		if (!rep->errno_cnt[i])
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %llu",
					strerrorname_np(i) ? strerrorname_np(i) : "?",
					(unsigned long long)rep->errno_cnt[i]);
		shown++;
	}
	ksft_print_msg("fuzz: errors:%s\n", line);
	EXPECT_EQ(0, status) TH_LOG("fuzzing child ended with %d", status);
	EXPECT_LE(rep->ops_target, total);
	EXPECT_EQ(0ULL, rep->unexpected) TH_LOG("first: %s", rep->first_unexpected);

	/* The device still answers; nothing maps it now, so it unloads. */
	fd = groove_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, groove_info(fd, &info));
	ksft_print_msg("fuzz: after: %u volumes present, %llu bytes reserved; remove says %d\n",
		       info.volumes_present, (unsigned long long)info.bytes_reserved,
		       groove_remove(fd, info.volume_max));
	close(fd);
	EXPECT_EQ(0, groove_unload());
	self->loaded = 0;
	after = mem_available_kib();
	delta = after - before;
	ksft_print_msg("fuzz: MemAvailable before load %lld KiB, after unload %lld KiB (delta %lld KiB, %.3f%%)\n",
		       before, after, delta, 100.0 * (double)delta / (double)before);
	/*
	 * 1%.  A debug kernel keeps freed memory in KASAN's quarantine (up to
	 * 1/32 of RAM) and kmemleak's metadata for a while: 3% there.
	 */
	EXPECT_GE(before / (rep->ops_target == FUZZ_OPS ? 100 : 33),
		  delta < 0 ? -delta : delta);
	munmap(rep, sizeof(*rep));
}

TEST_HARNESS_MAIN
