// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Exclusive use of a groove, for the offline rebuild and fsck: they rewrite
 * derived shared state (active slots, stacks, bitmaps) and would hand out
 * objects twice if any other join allocated meanwhile.  "Another user" is:
 *
 *   - another open file of the groove: another process's join, or another
 *     groove_open() handle of this process.  File backend: every join holds
 *     an OFD read lock on byte G_FILE_LOCK_OFF; the exclusive claim upgrades
 *     the claimer's own lock to a write lock with F_OFD_SETLK, which fails
 *     while any other open file description holds its read lock, and while
 *     it is held every new join's read lock fails (groove_open() says
 *     EBUSY).  OFD locks belong to the open file description, so two
 *     handles of one process conflict as two processes do; they are
 *     advisory and do not touch mmap I/O.  Device: GROOVE_IOC_EXCLUSIVE,
 *     the kernel's count of open files, the same rules.
 *   - another thread of this process whose thread cache is bound to this
 *     join (tcache.c counts them in tc_bound): it may hold superblocks the
 *     rebuild would put back into circulation.  Its groove_thread_flush()
 *     (or its exit) unbinds it.
 *
 * Not seen: a forked child using its parent's handle (it shares the
 * parent's open file description and lock), and threads that use the join
 * while the claim is held (the caller keeps them off, as documented).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "groove_internal.h"
#include <groove/rebuild.h>

static void g_lock_range(struct flock *fl, short type)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)G_FILE_LOCK_OFF;
	fl->l_len = 1;
}

int g_file_join_lock(int fd)
{
	struct flock fl;

	g_lock_range(&fl, F_RDLCK);
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 1;
	if (errno == EAGAIN || errno == EACCES) {
		errno = EBUSY;	/* someone holds it exclusively */
		return -1;
	}
	return 0;	/* no OFD locks here (ENOLCK, EINVAL): join unguarded */
}

/*
 * Other users of the same inode, from /proc: processes with it open, and
 * other descriptors of this process (best effort: processes we may not
 * inspect or in other pid namespaces are missed).  The kernel
 * reports -1 as the pid of an OFD lock's holder, so this is how we name one.
 */
static void g_file_find_others(const struct groove *g, struct groove_users *who)
{
	char path[PATH_MAX];
	struct dirent *p, *f;
	struct stat self, st;
	pid_t me = getpid();
	DIR *proc, *fds;
	int counted;

	if (fstat(g->fd, &self) < 0 || !(proc = opendir("/proc")))
		return;
	while ((p = readdir(proc))) {
		long pid = strtol(p->d_name, NULL, 10);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		counted = 0;
		while ((f = readdir(fds))) {
			long fd = strtol(f->d_name, NULL, 10);

			if (f->d_name[0] < '0' || f->d_name[0] > '9' ||
			    (pid == me && fd == g->fd))
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/fd/%s", pid, f->d_name);
			if (stat(path, &st) < 0 || st.st_dev != self.st_dev ||
			    st.st_ino != self.st_ino)
				continue;
			/* Another process counts once; another handle here, each. */
			if (pid == me || !counted++)
				who->others++;
			/* Name another process rather than ourselves when we can. */
			if (who->pid <= 0 || (who->pid == me && pid != me))
				who->pid = (int32_t)pid;
		}
		closedir(fds);
	}
	closedir(proc);
}

static int g_file_claim(struct groove *g, struct groove_users *who)
{
	struct flock fl;

	if (!g->file_locked)
		return GROOVE_ERR_UNSUPPORTED;	/* the filesystem has no OFD locks */
	g_lock_range(&fl, F_WRLCK);
	if (fcntl(g->fd, F_OFD_SETLK, &fl) == 0)
		return GROOVE_SUCCESS;
	if (errno != EAGAIN && errno != EACCES)
		return GROOVE_ERR_INVAL;
	/* Our read lock stays as it was: a refused conversion changes nothing. */
	g_lock_range(&fl, F_WRLCK);
	if (fcntl(g->fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
		who->pid = fl.l_pid;	/* a classic POSIX lock; OFD locks say -1 */
	g_file_find_others(g, who);
	return GROOVE_ERR_BUSY;
}

static void g_file_unclaim(struct groove *g)
{
	struct flock fl;

	/* A downgrade of the same range cannot conflict. */
	g_lock_range(&fl, F_RDLCK);
	fcntl(g->fd, F_OFD_SETLK, &fl);
}

static int g_dev_claim(struct groove *g, struct groove_users *who)
{
	struct groove_exclusive ex;

	memset(&ex, 0, sizeof(ex));
	ex.op = GROOVE_EXCL_ACQUIRE;
	if (ioctl(g->fd, GROOVE_IOC_EXCLUSIVE, &ex) == 0)
		return GROOVE_SUCCESS;
	switch (errno) {
	case EBUSY:
		who->others = ex.others;
		who->pid = ex.other_pid;
		return GROOVE_ERR_BUSY;
	case ENOTTY:
		return GROOVE_ERR_UNSUPPORTED;	/* a module before ABI 2 */
	case EUCLEAN:
	case EBADMSG:
		return GROOVE_ERR_CORRUPT;
	default:
		return GROOVE_ERR_INVAL;
	}
}

static void g_dev_unclaim(struct groove *g)
{
	struct groove_exclusive ex;

	memset(&ex, 0, sizeof(ex));
	ex.op = GROOVE_EXCL_RELEASE;
	ioctl(g->fd, GROOVE_IOC_EXCLUSIVE, &ex);
}

G_API int groove_exclusive_acquire(groove_t *g, struct groove_users *who)
{
	struct groove_users dummy;
	uint32_t threads;
	int r;

	if (!who)
		who = &dummy;
	memset(who, 0, sizeof(*who));
	who->pid = -1;
	if (!g)
		return GROOVE_ERR_INVAL;
	if (g->excl)
		return GROOVE_SUCCESS;
	threads = g_tc_bound_others(g);
	if (threads) {
		who->threads = threads;
		who->others = threads;
		who->pid = (int32_t)getpid();
		return GROOVE_ERR_BUSY;
	}
	r = g->is_dev ? g_dev_claim(g, who) : g_file_claim(g, who);
	if (r)
		return r;
	g->excl = 1;
	return GROOVE_SUCCESS;
}

G_API int groove_exclusive_release(groove_t *g)
{
	if (!g || !g->excl)
		return GROOVE_ERR_INVAL;
	if (g->is_dev)
		g_dev_unclaim(g);
	else
		g_file_unclaim(g);
	g->excl = 0;
	return GROOVE_SUCCESS;
}
