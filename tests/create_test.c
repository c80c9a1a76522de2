// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Creating grooves without races (groove_open2(): create-only,
 * open-or-create, mode), the typed open, groove_usable_size(), and root
 * objects (groove_root_find_or_create()) raced by processes.  Start
 * barriers are pipes (every child blocks in read() until the parent closes
 * the write end); nothing sleeps to synchronise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "groove_internal.h"
#include "test_util.h"

#define VS (2ULL << 20)

/* A fresh empty directory on tmpfs (or /tmp) for @buf. */
static void test_dir(char *buf, size_t len)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(buf, len, "%s/groove-create-XXXXXX", dir);
	if (!mkdtemp(buf))
		buf[0] = 0;
}

/* Entries of @dir other than . and .. */
static int dir_entries(const char *dir, char *first, size_t len)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (!n && first) {
			strncpy(first, d->d_name, len - 1);
			first[len - 1] = 0;
		}
		n++;
	}
	closedir(dp);
	return n;
}

static void rm_dir(const char *dir)
{
	struct dirent *d;
	char p[512];
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
			unlink(p);
		}
	closedir(dp);
	rmdir(dir);
}

static groove_t *create_excl(const char *path, uint32_t volume_max, uint32_t mode, int *err)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;

	o.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	o.mode = mode;
	o.geometry.volume_size = VS;
	o.geometry.volume_max = volume_max;
	return groove_open2(path, &o, err);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CREATORS	200
#define READERS		8

/*
 * A reader: open @path until it exists; every failure before must be
 * ENOENT (never a half-formatted groove: EBADMSG), and the groove it gets
 * is whole: its geometry, and a live walk of it (groove_stats(); not
 * groove_verify(), whose strict checks need a groove nobody is adding
 * volumes to, and the creator may be adding one).  Exit 0 when all held.
 */
static int reader(const char *path, int start)
{
	struct groove_stats st;
	double t0;
	char c;
	groove_t *g;
	long tries = 0;

	if (read(start, &c, 1) != 0)
		return 10;
	t0 = now_s();
	for (;;) {
		int err;

		g = groove_open2(path, NULL, &err);
		if (g)
			break;
		if (errno != ENOENT || err != GROOVE_ERR_SYSTEM)
			return 11;	/* saw something that was not "no file yet" */
		if (!(++tries & 1023) && now_s() - t0 > 60)
			return 12;
	}
	if (groove_volume_size(g) != VS || groove_volume_max(g) != 4 ||
	    groove_stats(g, &st) != GROOVE_SUCCESS) {
		groove_close(g);
		return 13;
	}
	groove_close(g);
	return 0;
}

TEST(simultaneous_creates_one_wins)
{
	char dir[256], path[320], name[300];
	pid_t pids[CREATORS + READERS];
	int start[2], i, wins = 0, exists = 0, other = 0, readers_ok = 0;
	struct stat st;
	groove_t *g;

	test_dir(dir, sizeof(dir));
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/g", dir);
	ASSERT_EQ(0, pipe(start));
	for (i = 0; i < CREATORS + READERS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i]) {
			char c;
			int err;

			close(start[1]);
			if (i >= CREATORS)
				_exit(reader(path, start[0]));
			if (read(start[0], &c, 1) != 0)
				_exit(10);
			g = create_excl(path, 4, 0640, &err);
			if (g) {
				/* A volume and an object: the readers' verify walks them. */
				if (groove_add_volumes(g, 1, -1, "w", 1) != 1)
					_exit(3);
				groove_close(g);
				_exit(0);
			}
			_exit(err == GROOVE_ERR_EXISTS && errno == EEXIST ? 1 : 2);
		}
	}
	close(start[0]);
	close(start[1]);	/* go */
	for (i = 0; i < CREATORS + READERS; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		if (i >= CREATORS) {
			readers_ok += WEXITSTATUS(status) == 0;
			if (WEXITSTATUS(status))
				TH_LOG("reader %d exit %d", i - CREATORS, WEXITSTATUS(status));
			continue;
		}
		switch (WEXITSTATUS(status)) {
		case 0: wins++; break;
		case 1: exists++; break;
		default: other++; TH_LOG("creator %d exit %d", i, WEXITSTATUS(status));
		}
	}
	TH_LOG("%d creators: %d created, %d exists, %d other; %d/%d readers saw only ENOENT, then a whole groove",
	       CREATORS, wins, exists, other, readers_ok, READERS);
	ASSERT_EQ(1, wins);
	ASSERT_EQ(CREATORS - 1, exists);
	ASSERT_EQ(READERS, readers_ok);
	/* Nothing but the groove is left in the directory; its mode is exact. */
	ASSERT_EQ(1, dir_entries(dir, name, sizeof(name)));
	ASSERT_STREQ("g", name);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0640, st.st_mode & 07777);
	g = groove_open(path, 0);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_close(g);
	rm_dir(dir);
}

TEST(failed_create_leaves_nothing)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;
	char dir[256], path[320];
	int err;

	test_dir(dir, sizeof(dir));
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/g", dir);
	o.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	o.geometry.volume_size = 3 << 20;	/* not a power of two */
	o.geometry.volume_max = 4;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	ASSERT_EQ(0, dir_entries(dir, NULL, 0));
	o.flags = GROOVE_OPEN_CREATE;	/* open-or-create, same */
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	ASSERT_EQ(0, dir_entries(dir, NULL, 0));
	/* The legacy call too (it used to leave a 0-byte file). */
	ASSERT_EQ(NULL, groove_open(path, GROOVE_OPEN_CREATE, &o.geometry));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, dir_entries(dir, NULL, 0));
	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/none/g", dir);
	o.geometry.volume_size = VS;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_SYSTEM, err);
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, dir_entries(dir, NULL, 0));
	rm_dir(dir);
}

TEST(existing_groove_is_never_reformatted)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;
	char dir[256], path[320];
	groove_t *g, *b;
	uint64_t off;
	char *p;
	int err;

	test_dir(dir, sizeof(dir));
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/g", dir);
	g = create_excl(path, 4, 0, &err);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_SUCCESS, err);
	ASSERT_EQ(1, groove_add_volumes(g, 1, -1, NULL, 0));
	p = groove_alloc(g, 0, 100, 7, NULL);
	ASSERT_NE(NULL, p);
	strcpy(p, "kept");
	off = groove_off(g, p);

	/* Create-only: exists; the groove is untouched. */
	ASSERT_EQ(NULL, create_excl(path, 8, 0, &err));
	ASSERT_EQ(GROOVE_ERR_EXISTS, err);
	ASSERT_EQ(EEXIST, errno);
	/* Open-or-create (another geometry): opens it as it is. */
	o.flags = GROOVE_OPEN_CREATE;
	o.geometry.volume_size = 4 * VS;
	o.geometry.volume_max = 2;
	b = groove_open2(path, &o, &err);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(VS, groove_volume_size(b));
	ASSERT_EQ(4, groove_volume_max(b));
	ASSERT_STREQ("kept", (char *)groove_ptr(b, off));
	groove_close(b);
	/* The legacy GROOVE_OPEN_CREATE no longer truncates either. */
	b = groove_open(path, GROOVE_OPEN_CREATE, &o.geometry);
	ASSERT_NE(NULL, b);
	ASSERT_STREQ("kept", (char *)groove_ptr(b, off));
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(b));
	groove_close(b);
	ASSERT_EQ(GROOVE_SUCCESS, groove_free(g, p));
	groove_close(g);
	rm_dir(dir);
}

TEST(open_or_create_refuses_a_file_that_is_not_a_groove)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;
	char dir[256], path[320], buf[8];
	struct stat st;
	int fd, err;

	test_dir(dir, sizeof(dir));
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(7, write(fd, "payload", 7));
	close(fd);
	o.flags = GROOVE_OPEN_CREATE;
	o.geometry.volume_size = VS;
	o.geometry.volume_max = 2;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_CORRUPT, err);
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(7, st.st_size);
	fd = open(path, O_RDONLY);
	ASSERT_EQ(7, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, memcmp(buf, "payload", 7));
	/* A missing one is created, with the mode asked (no umask). */
	snprintf(path, sizeof(path), "%s/new", dir);
	o.mode = 0664;
	umask(022);
	groove_t *g = groove_open2(path, &o, &err);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0664, st.st_mode & 07777);
	groove_close(g);
	rm_dir(dir);
}

TEST(typed_open)
{
	struct big { struct groove_open_opts o; uint64_t later; } big;
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;
	char dir[256], path[320];
	groove_t *g;
	int err;

	ASSERT_EQ(GROOVE_OPEN_OPTS_SIZE_V1, sizeof(o));
	test_dir(dir, sizeof(dir));
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/g", dir);
	/* NULL opts: open an existing one, and there is none. */
	ASSERT_EQ(NULL, groove_open2(path, NULL, &err));
	ASSERT_EQ(GROOVE_ERR_SYSTEM, err);
	ASSERT_EQ(ENOENT, errno);
	/* Bad options. */
	o.flags = GROOVE_OPEN_EXCL;	/* EXCL without CREATE */
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	o.flags = 0x80;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	o.flags = 0;
	o.size = 8;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	o = (struct groove_open_opts)GROOVE_OPEN_OPTS_INIT;
	o.mode = 010000;
	ASSERT_EQ(NULL, groove_open2(path, &o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	/* A newer caller's larger struct: zero tail accepted, nonzero refused. */
	memset(&big, 0, sizeof(big));
	big.o.size = sizeof(big);
	big.o.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	big.o.geometry.volume_size = VS;
	big.o.geometry.volume_max = 2;
	big.later = 1;
	ASSERT_EQ(NULL, groove_open2(path, &big.o, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	ASSERT_EQ(0, dir_entries(dir, NULL, 0));
	big.later = 0;
	g = groove_open2(path, &big.o, &err);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(GROOVE_SUCCESS, err);
	ASSERT_EQ(0, groove_is_device(g));
	groove_close(g);
	g = groove_open2(path, NULL, NULL);
	ASSERT_NE(NULL, g);
	groove_close(g);
	/* Not grooves: a character device without GROOVE_IOC_INFO, a directory. */
	ASSERT_EQ(NULL, groove_open2("/dev/null", NULL, &err));
	ASSERT_EQ(GROOVE_ERR_CORRUPT, err);
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(NULL, groove_open2(dir, NULL, &err));
	ASSERT_NE(GROOVE_SUCCESS, err);
	/* Create-only on an existing character device: exists, nothing done. */
	o = (struct groove_open_opts)GROOVE_OPEN_OPTS_INIT;
	o.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	o.geometry.volume_size = VS;
	o.geometry.volume_max = 2;
	ASSERT_EQ(NULL, groove_open2("/dev/null", &o, &err));
	ASSERT_EQ(GROOVE_ERR_EXISTS, err);
	ASSERT_STREQ("exists", groove_strerror(GROOVE_ERR_EXISTS));
	rm_dir(dir);
}

TEST(usable_size)
{
	static const size_t sizes[] = { 0, 1, 16, 100, 496, 497, 1000, 4096, 70000, 1 << 20 };
	groove_t *g = test_groove_new(VS, 8, 4, NULL, 0);
	unsigned int i;

	ASSERT_NE(NULL, g);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t aligns[] = { 0, 64, 4096 }, j;

		for (j = 0; j < 3; j++) {
			size_t sz = sizes[i], u, got;
			uint8_t *p = groove_alloc(g, aligns[j], sz, 1, NULL);

			ASSERT_NE(NULL, p);
			u = groove_usable_size(g, p);
			ASSERT_GE(u, sz);
			ASSERT_LE(u, sz + sz / 2 + GROOVE_BLOCK_SIZE + aligns[j]);
			memset(p, 0xa5, u);	/* all of it is ours (ASan, verify) */
			ASSERT_EQ(GROOVE_SUCCESS, groove_obj_info(g, p, &got, NULL));
			ASSERT_EQ(sz, got);
			ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
			ASSERT_EQ(0, groove_usable_size(g, p + 16));	/* interior */
			ASSERT_EQ(GROOVE_SUCCESS, groove_free(g, p));
			ASSERT_EQ(0, groove_usable_size(g, p));	/* freed */
		}
	}
	ASSERT_EQ(0, groove_usable_size(g, NULL));
	ASSERT_EQ(0, groove_usable_size(NULL, g));
	groove_close(g);
}

/* Root objects. */
struct root_init_arg {
	uint64_t stamp;
};

static int root_init(void *obj, size_t sz, void *arg)
{
	struct root_init_arg *a = arg;

	if (sz < 16)
		return GROOVE_ERR_INVAL;
	((uint64_t *)obj)[0] = 0x1717;
	((uint64_t *)obj)[1] = a->stamp;
	return 0;
}

#define RACERS	8

TEST(root_race_one_object)
{
	char path[256];
	groove_t *g = test_groove_new(VS, 8, 2, path, sizeof(path));
	int start[2], res[2], i, created = 0;
	pid_t pids[RACERS];
	uint64_t off0 = 0, stamp0 = 0, *obj;
	struct groove_stats s;
	size_t sz;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, pipe(start));
	ASSERT_EQ(0, pipe(res));
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i]) {
			struct root_init_arg a = { .stamp = 1000 + (uint64_t)i };
			uint64_t msg[3];
			groove_t *c;
			uint64_t *p;
			char ch;
			int cr, err;

			close(start[1]);
			close(res[0]);
			c = groove_open(path, 0);	/* every racer its own join */
			if (!c)
				_exit(2);
			if (read(start[0], &ch, 1) != 0)
				_exit(3);
			p = groove_root_find_or_create(c, "rendezvous", 256, 42, root_init, &a,
						       &cr, &err);
			if (!p)
				_exit(10 - err);	/* 10 + the error's number */
			if (p[0] != 0x1717)
				_exit(4);
			msg[0] = groove_off(c, p);
			msg[1] = (uint64_t)cr;
			msg[2] = p[1];
			if (write(res[1], msg, sizeof(msg)) != sizeof(msg))
				_exit(5);
			groove_close(c);
			_exit(0);
		}
	}
	close(start[0]);
	close(res[1]);
	close(start[1]);	/* go */
	for (i = 0; i < RACERS; i++) {
		uint64_t msg[3];

		ASSERT_EQ(sizeof(msg), read(res[0], msg, sizeof(msg))) {
			int j, status;

			/* A racer gave up: say which step (its exit status). */
			for (j = 0; j < RACERS; j++)
				if (waitpid(pids[j], &status, 0) == pids[j])
					TH_LOG("racer %d: %s %d", j,
					       WIFEXITED(status) ? "exit" : "signal",
					       WIFEXITED(status) ? WEXITSTATUS(status) :
					       WTERMSIG(status));
		}
		if (!i) {
			off0 = msg[0];
			stamp0 = msg[2];
		}
		ASSERT_EQ(off0, msg[0]);	/* one object */
		ASSERT_EQ(stamp0, msg[2]);	/* initialised once, by the winner, before anyone saw it */
		created += (int)msg[1];
	}
	for (i = 0; i < RACERS; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	close(res[0]);
	TH_LOG("%d racers: one object at %#llx, created by 1 (%d said created), stamp %llu",
	       RACERS, (unsigned long long)off0, created, (unsigned long long)stamp0);
	ASSERT_EQ(1, created);
	ASSERT_GE(stamp0, 1000);
	ASSERT_LT(stamp0, 1000 + RACERS);
	obj = groove_root_find(g, "rendezvous", &sz, NULL, NULL);
	ASSERT_EQ(off0, groove_off(g, obj));
	ASSERT_EQ(256, sz);
	/* The losers' objects were freed: the root object is the only one. */
	ASSERT_EQ(GROOVE_SUCCESS, groove_stats(g, &s));
	ASSERT_EQ(1, s.objects);
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	unlink(path);
	groove_close(g);
}

TEST(root_find_and_limits)
{
	groove_t *g = test_groove_new(VS, 8, 2, NULL, 0);
	char name[GROOVE_ROOT_NAME_MAX + 2];
	struct root_init_arg a = { .stamp = 5 };
	uint64_t tag;
	size_t sz;
	void *p, *q;
	int err, cr;
	unsigned int i;

	ASSERT_NE(NULL, g);
	ASSERT_EQ(NULL, groove_root_find(g, "nothing", NULL, NULL, &err));
	ASSERT_EQ(GROOVE_ERR_KEY, err);
	ASSERT_EQ(NULL, groove_root_find(g, "", NULL, NULL, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;	/* GROOVE_ROOT_NAME_MAX + 1 bytes */
	ASSERT_EQ(NULL, groove_root_find_or_create(g, name, 8, 0, NULL, NULL, NULL, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	name[GROOVE_ROOT_NAME_MAX] = 0;	/* the longest */
	p = groove_root_find_or_create(g, name, 100, 9, NULL, NULL, &cr, &err);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, cr);
	ASSERT_EQ(0, (uintptr_t)p % GROOVE_ROOT_ALIGN);
	ASSERT_EQ(0, ((char *)p)[99]);	/* zeroed */
	ASSERT_EQ(p, groove_root_find(g, name, &sz, &tag, &err));
	ASSERT_EQ(100, sz);
	ASSERT_EQ(9, tag);
	ASSERT_EQ(GROOVE_ERR_INVAL, groove_free(g, p));	/* not an allocator object */
	/* init's refusal publishes nothing */
	ASSERT_EQ(NULL, groove_root_find_or_create(g, "small", 8, 0, root_init, &a, &cr, &err));
	ASSERT_EQ(GROOVE_ERR_INVAL, err);
	ASSERT_EQ(NULL, groove_root_find(g, "small", NULL, NULL, &err));
	ASSERT_EQ(GROOVE_ERR_KEY, err);
	/* Fill the directory. */
	for (i = 1; i < GROOVE_ROOT_MAX; i++) {
		char n[16];

		snprintf(n, sizeof(n), "r%u", i);
		q = groove_root_find_or_create(g, n, 0, i, NULL, NULL, &cr, &err);
		ASSERT_NE(NULL, q);
		ASSERT_EQ(1, cr);
	}
	ASSERT_EQ(NULL, groove_root_find_or_create(g, "one-too-many", 0, 0, NULL, NULL, &cr, &err));
	ASSERT_EQ(GROOVE_ERR_FULL, err);
	for (i = 1; i < GROOVE_ROOT_MAX; i += 37) {
		char n[16];

		snprintf(n, sizeof(n), "r%u", i);
		ASSERT_NE(NULL, groove_root_find(g, n, NULL, &tag, NULL));
		ASSERT_EQ(i, tag);
		/* found, not created again */
		ASSERT_NE(NULL, groove_root_find_or_create(g, n, 0, 0, NULL, NULL, &cr, NULL));
		ASSERT_EQ(0, cr);
	}
	ASSERT_EQ(GROOVE_SUCCESS, groove_verify(g));
	groove_close(g);
}

/* A hostile writer scribbles on the directory and on records: no crash, no out-of-bounds read. */
TEST(root_directory_is_not_trusted)
{
	groove_t *g = test_groove_new(VS, 4, 2, NULL, 0);
	uint64_t *dir, seed = 0x1234, off;
	char *p;
	int err, round, i;

	ASSERT_NE(NULL, g);
	dir = (uint64_t *)((uint8_t *)g->st + GROOVE_ALLOC_STATE_SIZE - GROOVE_PAGE_SIZE);
	p = groove_root_find_or_create(g, "victim", 64, 0, NULL, NULL, NULL, &err);
	ASSERT_NE(NULL, p);
	off = groove_off(g, p) - 128;
	for (round = 0; round < 200; round++) {
		for (i = 0; i < (int)GROOVE_ROOT_MAX; i++) {
			uint64_t r = test_rand(&seed);

			switch (r % 6) {
			case 0: dir[i] = r; break;				/* anything */
			case 1: dir[i] = r % g->region_size; break;		/* in the windows */
			case 2: dir[i] = (r % g->region_size) & ~15ULL; break;
			case 3: dir[i] = off; break;			/* a real record */
			case 4: dir[i] = g->region_size - 16; break;	/* the last bytes */
			default: dir[i] = 0; break;
			}
		}
		/* and the record itself: size and name length lie */
		((uint64_t *)(p - 128))[1] = test_rand(&seed);
		((uint64_t *)(p - 128))[3] = test_rand(&seed) % 200;
		groove_root_find(g, "victim", NULL, NULL, &err);
		ASSERT_TRUE(err == GROOVE_SUCCESS || err == GROOVE_ERR_KEY);
		groove_root_find_or_create(g, "other", 32, 0, NULL, NULL, NULL, &err);
		ASSERT_TRUE(err == GROOVE_SUCCESS || err == GROOVE_ERR_FULL);
	}
	groove_close(g);
}

TEST_HARNESS_MAIN
